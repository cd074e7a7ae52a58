// The options of `SentenceEncoder.encode`, with sentence-transformers' defaults.

/// What `encode` does with a text longer than the maximum sequence length.
public enum LongTextHandling: Sendable, Equatable {
    /// Keep the first tokens and drop the rest (sentence-transformers' behaviour).
    case truncate
    /// Split the text into overlapping windows of `size` tokens (special and prompt tokens included) whose content
    /// starts every `stride` tokens, embed each window, and return the mean of the window vectors (renormalized when
    /// the result is normalized). A text that fits in one window gives exactly its truncated embedding.
    case slidingWindowMean(size: Int, stride: Int)
}

/// Options of one `encode` call. Every default is what the model folder (or sentence-transformers) does.
public struct EncodeOptions: Sendable {
    /// Texts per forward pass (default 32). Texts are grouped by length; results come back in input order and
    /// do not depend on the batch size.
    public var batchSize: Int = 32
    /// L2-normalize the vectors: nil follows the model folder (a `Normalize` module), true normalizes
    /// (after `truncateDimension`, as sentence-transformers' `normalize_embeddings=True`), false returns the raw
    /// pooled vectors even when the folder has a `Normalize` module.
    public var normalize: Bool? = nil
    /// Maximum tokens per text, special tokens included; nil uses the folder's `max_seq_length`. Longer texts are
    /// truncated.
    public var maxSequenceLength: Int? = nil
    /// Text prepended to every input (for example "query: "). Overrides `promptName`.
    public var prompt: String? = nil
    /// The name of one of the folder's prompts (`config_sentence_transformers.json`); nil uses its
    /// `default_prompt_name`, if any.
    public var promptName: String? = nil
    /// Keep only the first N dimensions (Matryoshka models). Renormalized only when `normalize` is true.
    public var truncateDimension: Int? = nil
    /// Worker threads (at most 1,024 are used); nil uses the encoder's setting (all cores by default). Results do not
    /// depend on it.
    public var threads: Int? = nil
    /// Truncation (the default) or sliding windows for texts longer than the maximum sequence length.
    public var longTexts: LongTextHandling = .truncate
    /// Called after each batch with (texts done, texts in all), from the calling thread.
    public var progress: (@Sendable (Int, Int) -> Void)? = nil

    /// The defaults.
    public init() {}

    /// Options with the given values; omitted ones keep their defaults.
    public init(
        batchSize: Int = 32, normalize: Bool? = nil, maxSequenceLength: Int? = nil, prompt: String? = nil,
        promptName: String? = nil, truncateDimension: Int? = nil, threads: Int? = nil,
        longTexts: LongTextHandling = .truncate, progress: (@Sendable (Int, Int) -> Void)? = nil
    ) {
        self.batchSize = batchSize
        self.normalize = normalize
        self.maxSequenceLength = maxSequenceLength
        self.prompt = prompt
        self.promptName = promptName
        self.truncateDimension = truncateDimension
        self.threads = threads
        self.longTexts = longTexts
        self.progress = progress
    }
}
