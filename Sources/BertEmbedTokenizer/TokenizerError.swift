// The errors of the tokenizer module: every problem with the tokenizer files, naming the file and what is wrong.

/// What is wrong with a tokenizer folder or file.
public enum TokenizerError: Error, CustomStringConvertible, Equatable {
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

    /// A message naming the file and the problem.
    /// A message naming the file or option and what is wrong.
    public var description: String {
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
        }
    }
}
