// Loading a Hugging Face model folder's tokenizer and encoder together, for every public model type.
import BertEmbedKernels
import BertEmbedModel
import BertEmbedTokenizer
import Foundation

/// The tokenizer and the encoder of a model folder, read side by side.
enum ModelLoading {
    /// The tokenizer (`readTokenizer`) and the encoder of `directory`. With more than one thread the tokenizer files
    /// are read on another thread while this one packs the weights; either way a tokenizer error is reported before
    /// a model error.
    /// - Throws: `EmbeddingError.invalidModelFolder` naming the folder and the problem.
    static func tokenizerAndModel(
        directory: URL, readTokenizer: @escaping @Sendable () throws -> Tokenizer, context: ComputeContext
    ) throws -> (Tokenizer, BertModel) {
        let loadModel = { try BertModel(directory: directory, context: context) }
        let background = context.threads > 1 ? BackgroundResult(readTokenizer) : nil
        let loaded = background == nil ? nil : Result { try loadModel() }
        let tokenizer = try background?.get() ?? readTokenizer()
        do {
            return (tokenizer, try loaded?.get() ?? loadModel())
        } catch let error as BertModelError {
            throw EmbeddingError.invalidModelFolder(file: directory.path, reason: error.description)
        } catch {
            throw EmbeddingError.invalidModelFolder(file: directory.path, reason: "\(error)")
        }
    }
}
