// Ports tokenizers' decoders::wordpiece::WordPiece (join pieces, drop the `##` prefix, clean up spaces).

/// Turns token strings back into text as Hugging Face's WordPiece decoder does.
package struct WordPieceDecoder: TokenDecoder, Equatable {
    /// The continuation prefix removed from pieces after the first.
    package var prefix: String = "##"
    /// Whether the tokenization-space cleanup (" ." -> ".", " n't" -> "n't", ...) runs on each piece.
    package var cleanup: Bool = true

    /// The decoder with these options.
    package init(prefix: String = "##", cleanup: Bool = true) {
        self.prefix = prefix
        self.cleanup = cleanup
    }

    /// The pieces of `tokens`: every piece but the first loses a leading prefix or gains a leading space, then is
    /// cleaned up on its own (as the reference does, so a cleanup never spans two pieces).
    package func decode(_ tokens: [String]) -> [String] {
        var pieces: [String] = []
        for (index, token) in tokens.enumerated() {
            var piece = token
            if index != 0 {
                // Scalar-wise, as Rust's byte-wise `starts_with`: "##" + a combining mark is one Character.
                if !prefix.isEmpty, piece.unicodeScalars.starts(with: prefix.unicodeScalars) {
                    piece = String(piece.unicodeScalars.dropFirst(prefix.unicodeScalars.count))
                } else {
                    piece = " " + piece
                }
            }
            pieces.append(cleanup ? Self.cleanUp(piece) : piece)
        }
        return pieces
    }

    /// The replacements of tokenizers' `cleanup`, in its order.
    static let replacements: [(String, String)] = [
        (" .", "."), (" ?", "?"), (" !", "!"), (" ,", ","), (" ' ", "'"), (" n't", "n't"), (" 'm", "'m"),
        (" do not", " don't"), (" 's", "'s"), (" 've", "'ve"), (" 're", "'re"),
    ]

    /// Applies every replacement in turn (each replaces all non-overlapping occurrences, left to right).
    static func cleanUp(_ text: String) -> String {
        var result = text
        for (from, to) in replacements {
            result = replacingAll(result, from, to)
        }
        return result
    }

    /// `text` with every occurrence of `from` replaced by `to`, scanning Unicode scalars (as Rust's `str::replace`
    /// scans bytes: no grapheme clustering, so " ." matches even before a combining mark).
    static func replacingAll(_ text: String, _ from: String, _ to: String) -> String {
        let source = Array(text.unicodeScalars), pattern = Array(from.unicodeScalars)
        guard let first = pattern.first, source.contains(first) else { return text }
        var output = String.UnicodeScalarView()
        var i = 0
        while i < source.count {
            if i + pattern.count <= source.count, source[i..<i + pattern.count].elementsEqual(pattern) {
                output.append(contentsOf: to.unicodeScalars)
                i += pattern.count
            } else {
                output.append(source[i])
                i += 1
            }
        }
        return String(output)
    }
}
