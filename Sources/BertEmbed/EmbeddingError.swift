// The one public error type of the library.

/// What went wrong, with the file (or option) and the problem, in words a user can act on.
public enum EmbeddingError: Error, CustomStringConvertible, Equatable, Sendable {
    /// A model folder file is missing, unreadable or holds something the library cannot use.
    case invalidModelFolder(file: String, reason: String)
    /// The folder uses a sentence-transformers module the library does not implement.
    case unsupportedModule(file: String, type: String)
    /// A plain Hugging Face folder (no `modules.json`) was loaded without choosing a pooling strategy.
    case poolingRequired(folder: String)
    /// An option of `encode` or of the encoder is out of range or inconsistent.
    case invalidOption(String)
    /// The encoder rejected an input (for example a token id outside the vocabulary).
    case invalidInput(String)
    /// A model could not be fetched from the Hugging Face Hub: the repository or file, and why (refused, missing,
    /// cut short, corrupt, not writable, offline with nothing cached).
    case download(repository: String, reason: String)

    /// A message naming the file or option and what is wrong.
    public var description: String {
        switch self {
        case .invalidModelFolder(let file, let reason): return "\(file): \(reason)"
        case .unsupportedModule(let file, let type):
            return
                "\(file): unsupported sentence-transformers module '\(type)' (supported: Transformer, Pooling, Dense, Normalize)"
        case .poolingRequired(let folder):
            return "\(folder) is a plain BERT folder without modules.json: choose a pooling strategy explicitly "
                + "(for example .mean or .cls); there is no silent default"
        case .invalidOption(let reason): return "invalid option: \(reason)"
        case .invalidInput(let reason): return "invalid input: \(reason)"
        case .download(let repository, let reason): return "\(repository): \(reason)"
        }
    }
}
