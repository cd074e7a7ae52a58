// The output of the tokenizer for one input, as Hugging Face's `tokenizers.Encoding` presents it.

/// The model inputs for one text (or text pair), with the tokens and where each came from.
///
/// All arrays have the same length. Offsets count Unicode scalars of the original text (what Python's
/// `encoding.offsets` gives); a pair's second text is counted from its own start. Special and padding tokens have
/// the empty offset `0..<0`.
package struct Encoding: Sendable, Equatable {
    /// Token ids: the `input_ids` of the model.
    package var ids: [Int]
    /// Segment ids: 0 for the first text and its special tokens, 1 for the second (the `token_type_ids`).
    package var typeIds: [Int]
    /// 1 for a real token, 0 for padding.
    package var attentionMask: [Int]
    /// Token strings (`[CLS]`, `hello`, `##ing`, `[UNK]`, ...).
    package var tokens: [String]
    /// Where each token came from in its text, in Unicode scalars.
    package var offsets: [Range<Int>]

    /// An encoding of these parallel arrays.
    package init(ids: [Int], typeIds: [Int], attentionMask: [Int], tokens: [String], offsets: [Range<Int>]) {
        self.ids = ids
        self.typeIds = typeIds
        self.attentionMask = attentionMask
        self.tokens = tokens
        self.offsets = offsets
    }

    /// The number of tokens, padding included.
    package var count: Int { ids.count }

    /// Appends padding tokens on the right until there are `length` tokens (nothing when already that long).
    mutating func pad(to length: Int, id: Int, token: String) {
        let missing = length - ids.count
        guard missing > 0 else { return }
        ids += repeatElement(id, count: missing)
        typeIds += repeatElement(0, count: missing)
        attentionMask += repeatElement(0, count: missing)
        tokens += repeatElement(token, count: missing)
        offsets += repeatElement(0..<0, count: missing)
    }
}

/// How to shorten an input that is longer than the maximum length (Hugging Face's `TruncationStrategy`).
package enum TruncationStrategy: Sendable, Equatable {
    /// Remove tokens from the longer of the two texts first (from the end); for a single text, from its end.
    case longestFirst
    /// Remove tokens from the end of the first text only.
    case onlyFirst
    /// Remove tokens from the end of the second text only.
    case onlySecond
}

/// How a batch is padded (on the right, with the padding token).
package enum PaddingStrategy: Sendable, Equatable {
    /// No padding.
    case none
    /// Pad every encoding to the longest one of the batch.
    case longest
    /// Pad every encoding to this many tokens (longer ones are left as they are).
    case fixed(Int)
}
