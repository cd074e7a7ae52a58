// INTERFACE STUB: errors of the model target (config, weight binding). Cases may be added.

/// What went wrong loading a BERT model: the file or tensor, and what is wrong with it.
package enum BertModelError: Error, CustomStringConvertible, Equatable {
    /// `config.json` is unreadable or holds a value the encoder cannot honour.
    case invalidConfig(file: String, reason: String)
    /// Tensors the encoder needs are absent (every one is listed).
    case missingTensors(names: [String])
    /// A tensor has another shape than the config implies.
    case shapeMismatch(name: String, expected: [Int], actual: [Int])
    /// A tensor could not be read (bad dtype, bad file).
    case unreadableTensor(name: String, reason: String)
    /// Input the encoder cannot take (an id outside the vocabulary, a sequence longer than the position table).
    case invalidInput(String)

    package var description: String {
        switch self {
        case .invalidConfig(let file, let reason): return "\(file): \(reason)"
        case .missingTensors(let names): return "missing tensors: \(names.joined(separator: ", "))"
        case .shapeMismatch(let name, let expected, let actual):
            return "tensor \(name): expected shape \(expected), found \(actual)"
        case .unreadableTensor(let name, let reason): return "tensor \(name): \(reason)"
        case .invalidInput(let reason): return "invalid input: \(reason)"
        }
    }
}
