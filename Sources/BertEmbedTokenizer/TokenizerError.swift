// The errors of the tokenizer module: every problem with the tokenizer files, naming the file and what is wrong.
import BertEmbedJSON

/// What is wrong with a tokenizer folder or file.
package enum TokenizerError: Error, CustomStringConvertible, Equatable {
    /// The folder has neither `tokenizer.json` nor `vocab.txt`.
    case missingFiles(directory: String)
    /// A file could not be read (absent, a folder, no permission).
    case unreadableFile(path: String, reason: String)
    /// A file is not valid UTF-8 (`line` is 1-based when known).
    case invalidUTF8(path: String, line: Int?)
    /// A JSON file does not parse, or its top level is not an object.
    case invalidJSON(path: String, reason: String)
    /// A setting has a wrong type or value (`key` is a dotted path such as `model.vocab`).
    case invalidValue(path: String, key: String, reason: String)
    /// A token the tokenizer needs (`role`: unknown, CLS, SEP, padding) is not in the vocabulary.
    case missingToken(path: String, token: String, role: String)
    /// The file asks for a component or option this tokenizer does not implement.
    case unsupported(path: String, feature: String)
    /// A text needs the unknown token and the model defines none (tokenizers: "Encountered an unknown token but
    /// `unk_id` is missing").
    case unknownToken(text: String)

    /// A message naming the file and the problem.
    package var description: String {
        switch self {
        case .missingFiles(let directory):
            return "\(directory): no tokenizer.json and no vocab.txt in this folder"
        case .unreadableFile(let path, let reason):
            return "\(path): cannot read the file: \(reason)"
        case .invalidUTF8(let path, let line):
            return "\(path): not valid UTF-8" + (line.map { " (line \($0))" } ?? "")
        case .invalidJSON(let path, let reason):
            return "\(path): invalid JSON: \(reason)"
        case .invalidValue(let path, let key, let reason):
            return "\(path): \(key): \(reason)"
        case .missingToken(let path, let token, let role):
            return "\(path): the \(role) token '\(token)' is not in the vocabulary"
        case .unsupported(let path, let feature):
            return "\(path): unsupported: \(feature)"
        case .unknownToken(let text):
            return "the text '\(text.prefix(40))' needs the unknown token, and the tokenizer's model has none"
        }
    }
}

extension TokenizerError {
    /// The tokenizer's error for a problem reading a JSON file.
    init(_ error: JSONFileError) {
        switch error.kind {
        case .unreadable: self = .unreadableFile(path: error.path, reason: error.reason)
        case .invalidUTF8: self = .invalidUTF8(path: error.path, line: nil)
        case .syntax: self = .invalidJSON(path: error.path, reason: error.reason)
        case .invalidValue:
            self =
                error.key.map { .invalidValue(path: error.path, key: $0, reason: error.reason) }
                ?? .invalidJSON(path: error.path, reason: error.reason)
        }
    }

    /// Runs `body`, reporting a `JSONFileError` as the matching `TokenizerError`.
    static func readingJSON<R>(_ body: () throws -> R) throws -> R {
        try JSONFileError.converting(TokenizerError.init, body)
    }
}
