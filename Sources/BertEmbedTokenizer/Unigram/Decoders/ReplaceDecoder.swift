// Ports the Decoder half of tokenizers' normalizers::replace::Replace (src/normalizers/replace.rs) for literal
// (`{"String": ...}`) patterns.
import BertEmbedJSON

/// The Replace decoder with a literal pattern: in each token, every occurrence of `pattern` (leftmost first, not
/// overlapping) becomes `content`. An empty pattern matches before every character and at the end of a non-empty
/// token, as Oniguruma's empty matches do ("ab" -> "xaxbx").
package struct ReplaceDecoder: TokenDecoder, Equatable {
    /// The literal text searched for.
    package var pattern: String
    /// Its replacement.
    package var content: String

    /// A decoder replacing `pattern` by `content`.
    package init(pattern: String, content: String) {
        self.pattern = pattern
        self.content = content
    }

    /// The decoder of a tokenizer.json `{"type": "Replace", "pattern": {"String": "▁"}, "content": " "}` object.
    /// - Throws: `JSONFileError` naming the key for a missing or wrong value; `TokenizerError.unsupported` for a
    ///   `{"Regex": ...}` pattern.
    package init(json: JSONObject) throws {
        if let type = try json.string("type"), type != "Replace" {
            throw json.error("type", "expected \"Replace\", found \"\(type)\"")
        }
        let pattern = try json.required("pattern").object()
        let content = try json.required("content").string()
        guard pattern.keys.count == 1 else {
            throw json.error("pattern", "expected {\"String\": ...} or {\"Regex\": ...}")
        }
        if pattern["Regex"] != nil {
            throw TokenizerError.unsupported(
                path: json.path, feature: "\(json.keyPath("pattern")): a Regex pattern in the Replace decoder")
        }
        self.init(pattern: try pattern.required("String").string(), content: content)
    }

    /// Each token with the pattern replaced (Unicode scalars compared, as Rust compares bytes).
    package func decode(_ tokens: [String]) -> [String] {
        let pattern = Array(self.pattern.unicodeScalars)
        let content = self.content.unicodeScalars
        return tokens.map { token in
            let scalars = Array(token.unicodeScalars)
            guard let first = pattern.first else {
                guard !scalars.isEmpty else { return token }
                var view = String.UnicodeScalarView()
                for scalar in scalars {
                    view.append(contentsOf: content)
                    view.append(scalar)
                }
                view.append(contentsOf: content)
                return String(view)
            }
            guard scalars.contains(first) else { return token }
            var view = String.UnicodeScalarView()
            var i = 0
            while i < scalars.count {
                if scalars[i] == first, i + pattern.count <= scalars.count,
                    scalars[i..<(i + pattern.count)].elementsEqual(pattern)
                {
                    view.append(contentsOf: content)
                    i += pattern.count
                } else {
                    view.append(scalars[i])
                    i += 1
                }
            }
            return String(view)
        }
    }
}
