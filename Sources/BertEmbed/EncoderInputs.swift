// Texts to token ids as the encoder gets them: the prompt prepended, the folder's lowercasing, truncation.
import BertEmbedTokenizer

/// The prompt an encode call prepends to every text.
struct Prompt {
    /// The text prepended ("" for none).
    let text: String
    /// Leading tokens of every input that are the prompt's, `[CLS]` included (0 without a prompt): left out of
    /// pooling when the folder's Pooling module has `include_prompt: false`.
    let tokenCount: Int
}

/// The encoder's tokenization: the tokenizer with the folder's settings, and the length limits.
struct EncoderInputs: Sendable {
    let tokenizer: Tokenizer
    let folder: SentenceTransformersFolder
    /// Tokens per text when `EncodeOptions.maxSequenceLength` is nil.
    let defaultSequenceLength: Int
    /// The model's position count: no sequence may be longer.
    let positions: Int

    /// The prompt `options` ask for (their own, a named one of the folder, or the folder's default).
    /// - Throws: `EmbeddingError.invalidOption` for a prompt name the folder lacks.
    func prompt(_ options: EncodeOptions) throws -> Prompt {
        let text = try folder.promptText(prompt: options.prompt, promptName: options.promptName)
        guard !text.isEmpty else { return Prompt(text: "", tokenCount: 0) }
        return Prompt(text: text, tokenCount: try tokenizer.encodeIds(text).count - 1)  // without its [SEP]
    }

    /// The tokens per text `options` allow, special tokens included.
    /// - Throws: `EmbeddingError.invalidOption` for a length outside 2...positions.
    func sequenceLength(_ options: EncodeOptions) throws -> Int {
        guard let length = options.maxSequenceLength else { return defaultSequenceLength }
        guard length >= 2 && length <= positions else {
            throw EmbeddingError.invalidOption("maxSequenceLength must be in 2...\(positions), got \(length)")
        }
        return length
    }

    /// The token ids of each text as the model gets them (prompt prepended, truncated).
    /// - Throws: as `prompt(_:)` and `sequenceLength(_:)`.
    func tokenIds(_ texts: [String], options: EncodeOptions) throws -> [[Int]] {
        let maxLength = try sequenceLength(options)
        let prefix = try prompt(options).text
        return try texts.map { try tokenizer.encodeIds(prefix + $0, maxLength: maxLength) }
    }
}
