// Ports the Decoder half of tokenizers' normalizers::replace::Replace (src/normalizers/replace.rs): literal
// (`{"String": ...}`) and regular-expression (`{"Regex": ...}`) patterns.
import BertEmbedJSON

/// The Replace decoder: in each token, every match of `pattern` (leftmost first, not overlapping: `find_matches`)
/// becomes `content`, the text between matches is kept. An empty match inserts `content`: an empty literal
/// matches before every character and at the end of a non-empty token ("ab" -> "xaxbx").
package struct ReplaceDecoder: TokenDecoder, Equatable {
    /// Where the pattern matches in a token.
    package var pattern: TextPattern
    /// Its replacement.
    package var content: String

    /// A decoder replacing the literal `pattern` by `content`.
    package init(pattern: String, content: String) {
        self.init(pattern: .literal(Array(pattern.unicodeScalars)), content: content)
    }

    /// A decoder replacing `pattern` by `content`.
    package init(pattern: TextPattern, content: String) {
        self.pattern = pattern
        self.content = content
    }

    /// The decoder of a tokenizer.json `{"type": "Replace", "pattern": {"String": "▁"}, "content": " "}` object
    /// (or `{"Regex": ...}`).
    /// - Throws: `JSONFileError` naming the key for a missing or wrong value or a regular expression that does not
    ///   compile; `TokenizerError.unsupported` for one ICU cannot run as Oniguruma does (see `TextPattern`).
    package init(json: JSONObject) throws {
        if let type = try json.string("type"), type != "Replace" {
            throw json.error("type", "expected \"Replace\", found \"\(type)\"")
        }
        let pattern = try TextPattern(json: try json.required("pattern"))
        self.init(pattern: pattern, content: try json.required("content").string())
    }

    /// Each token with the pattern's matches replaced (Unicode scalars compared, as Rust compares bytes).
    package func decode(_ tokens: [String]) -> [String] {
        let content = self.content.unicodeScalars
        return tokens.map { token in
            let scalars = Array(token.unicodeScalars)
            let matches = pattern.matches(in: scalars)
            guard !matches.isEmpty else { return token }
            var view = String.UnicodeScalarView()
            var last = 0
            for match in matches {
                view.append(contentsOf: scalars[last..<match.lowerBound])
                view.append(contentsOf: content)
                last = match.upperBound
            }
            view.append(contentsOf: scalars[last...])
            return String(view)
        }
    }
}
