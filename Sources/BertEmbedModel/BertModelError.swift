// Errors of the model target (config, weight binding), each naming the file or tensor and what is wrong.
import BertEmbedJSON

/// What went wrong loading a BERT model: the file or tensor, and what is wrong with it.
/// Errors of the safetensors files themselves are `SafeTensorsError`s (from `BertWeights.init(directory:)`).
package enum BertModelError: Error, CustomStringConvertible, Equatable {
    /// `config.json` is unreadable or holds a value the encoder cannot honour (`reason` names the key).
    case invalidConfig(file: String, reason: String)
    /// Tensors the encoder needs are absent (every one is listed, as the model's family spells it).
    case missingTensors(names: [String])
    /// A tensor has another shape than the config implies (`name` as spelled in the checkpoint).
    case shapeMismatch(name: String, expected: [Int], actual: [Int])
    /// A tensor could not be read (bad dtype, bad file).
    case unreadableTensor(name: String, reason: String)
    /// Input the encoder cannot take (an id outside the vocabulary, a sequence longer than the position table).
    case invalidInput(String)

    /// A sentence naming the file or tensor and what is wrong.
    package var description: String {
        switch self {
        case .invalidConfig(let file, let reason): return "\(file): \(reason)"
        case .missingTensors(let names):
            return "the checkpoint lacks \(names.count) tensor(s) the encoder needs (also looked for under the model's "
                + "prefix, such as 'bert.', and with LayerNorm gamma/beta names): \(names.joined(separator: ", "))"
        case .shapeMismatch(let name, let expected, let actual):
            return "tensor \(name): expected shape \(expected) from config.json, found \(actual) in the checkpoint"
        case .unreadableTensor(let name, let reason): return "tensor \(name): \(reason)"
        case .invalidInput(let reason): return "invalid input: \(reason)"
        }
    }

    /// The description without the "invalid input: " prefix of `invalidInput`, for errors that add their own.
    package var reason: String {
        if case .invalidInput(let reason) = self { return reason }
        return description
    }
}

extension BertModelError {
    /// Runs `body`, reporting a `JSONFileError` as `.invalidConfig` naming the file and the key.
    static func readingJSON<R>(_ body: () throws -> R) throws -> R {
        try JSONFileError.converting({ BertModelError.invalidConfig(file: $0.path, reason: $0.keyedReason) }, body)
    }
}
