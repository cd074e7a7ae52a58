// The patterns tokenizers' Replace normalizer and Split pre-tokenizer take (`{"String": s}` or `{"Regex": r}`):
// where they match in a text, leftmost first and non-overlapping, in Unicode scalars.
import BertEmbedJSON

/// A literal string or a regular expression.
package enum TextPattern: Sendable {
    /// Matches the scalars exactly.
    case literal([Unicode.Scalar])
    /// Runs of at least `minimum` U+0020 spaces (the regex " {2,}" of SentencePiece conversions, scanned exactly).
    case spaceRun(minimum: Int)

    /// The pattern of a JSON `{"String": s}` or `{"Regex": r}` object. Regular expressions other than runs of spaces
    /// are refused: tokenizers runs them on Oniguruma, whose syntax and Unicode classes no engine here reproduces
    /// exactly, and a near miss would change tokens silently.
    /// - Throws: `JSONFileError` for a malformed pattern, `TokenizerError.unsupported` for another regex.
    package init(json node: JSONNode) throws {
        let object = try node.object()
        if let string = try object.string("String") {
            self = .literal(Array(string.unicodeScalars))
            return
        }
        guard let regex = try object.string("Regex") else {
            throw node.error("expected {\"String\": ...} or {\"Regex\": ...}")
        }
        if regex == " {2,}" {
            self = .spaceRun(minimum: 2)
        } else if regex == " +" {
            self = .spaceRun(minimum: 1)
        } else {
            throw TokenizerError.unsupported(path: node.path, feature: "\(node.key): the regular expression '\(regex)'")
        }
    }

    /// The matches in `scalars`, leftmost first, non-overlapping.
    package func matches(in scalars: [Unicode.Scalar]) -> [Range<Int>] {
        switch self {
        case .literal(let pattern):
            return pattern.isEmpty ? [] : NormalizedText(scalars).ranges(of: pattern)
        case .spaceRun(let minimum):
            var result: [Range<Int>] = []
            var i = 0
            while i < scalars.count {
                guard scalars[i] == " " else {
                    i += 1
                    continue
                }
                var end = i
                while end < scalars.count && scalars[end] == " " { end += 1 }
                if end - i >= minimum { result.append(i..<end) }
                i = end
            }
            return result
        }
    }
}
