// The patterns tokenizers' Replace normalizer and decoder and Split pre-tokenizer take (`{"String": s}` or
// `{"Regex": r}`): where they match in a text, leftmost first and non-overlapping, in Unicode scalars.
import BertEmbedJSON

/// A literal string or a regular expression.
///
/// tokenizers compiles both into an Oniguruma regex (a string through `regex::escape`) and enumerates matches with
/// onig's `find_iter`. A literal is searched here directly: the same matches, including for the empty string,
/// which matches (emptily) before every scalar and at the end.
package enum TextPattern: Sendable, Equatable {
    /// Matches the scalars exactly.
    case literal([Unicode.Scalar])
    /// Runs of at least `minimum` U+0020 spaces (the regex " {2,}" of SentencePiece conversions, scanned exactly).
    case spaceRun(minimum: Int)
    /// Any other regular expression, run on ICU (see `OnigurumaRegex` for the dialect differences handled).
    case regex(OnigurumaRegex)

    /// The pattern of a JSON `{"String": s}` or `{"Regex": r}` object (exactly one of the two keys, as tokenizers).
    /// - Throws: `JSONFileError` naming the key for a malformed pattern or a regular expression that does not
    ///   compile; `TokenizerError.unsupported` for a regular expression using an Oniguruma construct ICU cannot
    ///   express.
    package init(json node: JSONNode) throws {
        let object = try node.object()
        guard object.keys.count == 1 else { throw node.error("expected {\"String\": ...} or {\"Regex\": ...}") }
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
            do {
                self = .regex(try OnigurumaRegex(regex))
            } catch .unsupported(let reason) {
                throw TokenizerError.unsupported(
                    path: node.path, feature: "\(object.keyPath("Regex")): the regular expression '\(regex)': \(reason)"
                )
            } catch .invalid(let reason) {
                throw object.error("Regex", "the regular expression '\(regex)' is invalid: \(reason)")
            }
        }
    }

    /// The matches in `scalars`, leftmost first, non-overlapping (none in an empty text, as tokenizers).
    package func matches(in scalars: [Unicode.Scalar]) -> [Range<Int>] {
        switch self {
        case .literal(let pattern):
            guard !scalars.isEmpty else { return [] }
            return pattern.isEmpty ? (0...scalars.count).map { $0..<$0 } : NormalizedText(scalars).ranges(of: pattern)
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
        case .regex(let regex):
            return regex.matches(in: scalars)
        }
    }
}
