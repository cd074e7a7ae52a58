// Loading a Hugging Face model folder's tokenizer and encoder together, for every public model type.
import BertEmbedJSON
import BertEmbedKernels
import BertEmbedModel
import BertEmbedTokenizer
import Foundation

/// The tokenizer and the encoder of a model folder, read side by side, and the checks every model type shares.
enum ModelLoading {
    /// Throws unless `url` is an existing folder.
    /// - Throws: `EmbeddingError.invalidModelFolder` ("no such folder").
    static func requireFolder(_ url: URL) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw EmbeddingError.invalidModelFolder(file: url.path, reason: "no such folder")
        }
    }

    /// config_sentence_transformers.json of `directory` (nil when absent), checked to describe a model of
    /// `expected` type (its `model_type`: SentenceTransformer, CrossEncoder or SparseEncoder; absent passes).
    /// - Throws: `EmbeddingError.invalidModelFolder` saying what the folder is and which type loads it, or a
    ///   `JSONFileError` for a malformed file.
    static func sentenceTransformersSettings(_ directory: URL, expected: String) throws -> JSONObject? {
        let url = directory.appendingPathComponent("config_sentence_transformers.json")
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        let settings = try JSONNode.readObject(url)
        guard let type = try settings.string("model_type"), type != expected else { return settings }
        let what: String
        switch type {
        case "SentenceTransformer": what = "a dense embedding model; load it with SentenceEncoder"
        case "CrossEncoder": what = "a cross-encoder (reranker); load it with CrossEncoder"
        case "SparseEncoder": what = "a sparse (SPLADE) encoder; load it with SparseEncoder"
        default: what = "not a model type this package loads"
        }
        throw EmbeddingError.invalidModelFolder(file: url.path, reason: "model_type is \(type): \(what)")
    }

    /// The `config.json` of `directory`.
    /// - Throws: `EmbeddingError.invalidModelFolder` naming the file and the key.
    static func config(_ directory: URL) throws -> BertConfig {
        do {
            return try BertConfig(contentsOf: directory.appendingPathComponent("config.json"))
        } catch let error as BertModelError {
            throw EmbeddingError.invalidModelFolder(file: directory.path, reason: error.description)
        }
    }

    /// The tokens per input of a cross-encoder or sparse encoder, as sentence-transformers' Transformer module
    /// resolves them: an older sentence_bert_config.json's `max_seq_length` as given, else the tokenizer's
    /// `model_max_length` capped by `max_position_embeddings`; and never more than the position table holds
    /// (where sentence-transformers would fail on a longer input).
    static func sequenceLength(configured: Int?, tokenizer: Tokenizer, config: BertConfig) -> Int {
        min(
            configured ?? min(tokenizer.modelMaxLength ?? Int.max, config.maxPositionEmbeddings),
            config.maxSequenceLength)
    }

    /// The tokenizer (with `lowercase`: tokenizers' Lowercase first) and the encoder of `directory` (see
    /// `tokenizerAndModel(directory:readTokenizer:context:)`).
    /// - Throws: `EmbeddingError.invalidModelFolder` naming the folder and the problem.
    static func tokenizerAndModel(
        directory: URL, lowercase: Bool, context: ComputeContext
    ) throws -> (Tokenizer, BertModel) {
        try tokenizerAndModel(
            directory: directory,
            readTokenizer: {
                do {
                    return try Tokenizer(directory: directory, lowercasingFirst: lowercase)
                } catch {
                    throw EmbeddingError.invalidModelFolder(file: directory.path, reason: "tokenizer: \(error)")
                }
            }, context: context)
    }

    /// Binds a head of the model in `directory` with `bind`, mapping its errors to `EmbeddingError`s naming the
    /// folder and `part`.
    /// - Throws: `EmbeddingError.invalidModelFolder`, or what `bind` throws as an `EmbeddingError`.
    static func head<Head>(
        _ part: String, directory: URL, family: ModelFamily, _ bind: (BertWeights) throws -> Head
    ) throws -> Head {
        do {
            return try bind(try BertWeights(directory: directory, family: family))
        } catch let error as BertModelError {
            throw EmbeddingError.invalidModelFolder(file: directory.path, reason: "\(part): \(error)")
        } catch let error as EmbeddingError {
            throw error
        } catch {
            throw EmbeddingError.invalidModelFolder(file: directory.path, reason: "\(part): \(error)")
        }
    }
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
