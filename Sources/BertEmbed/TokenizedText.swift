// A text as the encoder tokenizes it, for callers that must know the tokens: a server's /tokenize route, token
// counts for usage reports, and refusing (rather than truncating) inputs over the length limit.
import BertEmbedTokenizer

/// A text as `SentenceEncoder` (or `SparseEncoder`) tokenizes it: prompt prepended, the folder's lowercasing, special
/// tokens added.
public struct TokenizedText: Sendable, Equatable {
    /// The token ids the model gets, truncated to the length limit.
    public var ids: [Int]
    /// The token strings (`[CLS]`, `hello`, `##ing`, ...), one per id.
    public var tokens: [String]
    /// Where each token came from in the tokenized text (prompt + text), in Unicode scalars; an empty range for a
    /// token the post-processor added (`[CLS]`, `[SEP]`, `<s>`).
    public var offsets: [Range<Int>]
    /// The token count before truncation: more than `ids.count` when the text was cut to fit.
    public var untruncatedCount: Int

    /// Whether the text was cut to the length limit.
    public var wasTruncated: Bool { untruncatedCount > ids.count }
}

extension TokenizedText {
    /// `text` through `tokenizer` with its special tokens, cut to `maxLength` (tokenized again with the limit where
    /// it is over, as the encoders tokenize it), counted before the cut.
    init(_ text: String, tokenizer: Tokenizer, maxLength: Int) throws {
        do {
            var encoding = try tokenizer.encode(text)
            let count = encoding.ids.count
            if count > maxLength { encoding = try tokenizer.encode(text, maxLength: maxLength) }
            self.init(ids: encoding.ids, tokens: encoding.tokens, offsets: encoding.offsets, untruncatedCount: count)
        } catch {
            throw EmbeddingError.invalidInput("\(error)")
        }
    }
}

extension SentenceEncoder {
    /// `text` tokenized as `encode` tokenizes it with `options` (prompt, maximum length), with the count before
    /// truncation.
    ///
    /// - Throws: `EmbeddingError.invalidOption` for an unknown prompt name or a length out of range.
    public func tokenize(_ text: String, options: EncodeOptions = EncodeOptions()) throws -> TokenizedText {
        let maxLength = try inputs.sequenceLength(options)
        let full = try inputs.prompt(options).text + text
        return try TokenizedText(full, tokenizer: inputs.tokenizer, maxLength: maxLength)
    }
}
