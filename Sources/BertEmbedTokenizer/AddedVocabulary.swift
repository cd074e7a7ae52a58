// Ports the matching half of tokenizers' AddedVocabulary for the BERT fast path: special tokens found verbatim in the
// raw text (tokens with `normalized: false` and no stripping; the general pipeline's AddedTokenSplitter handles all).

/// A token matched in the text before the model (`[CLS]`, `[SEP]`, `<mask>`, ...), as Hugging Face does for added
/// tokens: "a[SEP]b" gives `a`, `[SEP]`, `b`.
package struct AddedToken: Sendable, Equatable {
    /// The text matched.
    package var content: String
    /// The id emitted.
    package var id: Int
    /// Whether `decode(skipSpecialTokens: true)` drops it.
    package var special: Bool
    /// Matched only where no word character (Unicode `\w`) touches it on either side.
    package var singleWord = false
    /// Takes the whitespace before it into its match.
    package var lstrip = false
    /// Takes the whitespace after it into its match.
    package var rstrip = false
    /// Matched in the normalized text (against its normalized content) rather than in the raw text.
    package var normalized = false

    /// An added token.
    package init(
        content: String, id: Int, special: Bool, singleWord: Bool = false, lstrip: Bool = false, rstrip: Bool = false,
        normalized: Bool = false
    ) {
        self.content = content
        self.id = id
        self.special = special
        self.singleWord = singleWord
        self.lstrip = lstrip
        self.rstrip = rstrip
        self.normalized = normalized
    }

    /// Whether the BERT fast path can match it: raw text, no stripping, no word check.
    package var isPlain: Bool { !singleWord && !lstrip && !rstrip && !normalized }
}

/// The added tokens, matched leftmost-longest on the UTF-8 bytes of the text.
package struct AddedVocabulary: Sendable {
    /// The tokens, longest first.
    package let tokens: [AddedToken]
    private let bytes: [[UInt8]]
    private let scalarCounts: [Int]
    /// `startsToken[b]`: some token begins with byte `b`.
    package let startsToken: [Bool]
    /// Ids of the special ones.
    package let specialIds: Set<Int>

    /// A vocabulary of `tokens` (empty contents are ignored).
    package init(_ tokens: [AddedToken]) {
        let sorted = tokens.filter { !$0.content.isEmpty }.sorted { $0.content.utf8.count > $1.content.utf8.count }
        self.tokens = sorted
        bytes = sorted.map { Array($0.content.utf8) }
        scalarCounts = sorted.map { $0.content.unicodeScalars.count }
        var starts = Array(repeating: false, count: 256)
        for b in bytes { starts[Int(b[0])] = true }
        startsToken = starts
        specialIds = Set(sorted.filter(\.special).map(\.id))
    }

    /// The longest token whose bytes start at `position` in `text[..<end]`: its id, byte length and scalar count.
    @inline(__always)
    package func match(
        _ text: UnsafeBufferPointer<UInt8>, at position: Int, end: Int
    ) -> (id: Int, bytes: Int, scalars: Int)? {
        guard startsToken[Int(text[position])] else { return nil }
        for (index, token) in bytes.enumerated() where token.count <= end - position {
            var equal = true
            for k in 0..<token.count where text[position + k] != token[k] {
                equal = false
                break
            }
            if equal { return (tokens[index].id, token.count, scalarCounts[index]) }
        }
        return nil
    }
}
