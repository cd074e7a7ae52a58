// Ports the Decoder half of tokenizers' pre_tokenizers::metaspace::Metaspace (src/pre_tokenizers/metaspace.rs).
import BertEmbedJSON

/// The Metaspace decoder: every replacement character (▁) becomes a space, except in the first token, where it is
/// removed unless the prepend scheme is `never`. `split` plays no part.
package struct MetaspaceDecoder: TokenDecoder, Equatable {
    /// The settings (those of the matching pre-tokenizer).
    package var options: MetaspaceOptions

    /// A decoder with `options`.
    package init(_ options: MetaspaceOptions = MetaspaceOptions()) {
        self.options = options
    }

    /// The decoder of a tokenizer.json `Metaspace` object.
    /// - Throws: `JSONFileError` as `MetaspaceOptions.init(json:)`.
    package init(json: JSONObject) throws(JSONFileError) {
        self.init(try MetaspaceOptions(json: json))
    }

    /// Each token with its replacement characters turned into spaces (dropped in token 0 unless `never`).
    package func decode(_ tokens: [String]) -> [String] {
        let replacement = options.replacement
        return tokens.enumerated().map { index, token in
            guard token.unicodeScalars.contains(replacement) else { return token }
            let dropFirst = index == 0 && options.prependScheme != .never
            var view = String.UnicodeScalarView()
            for scalar in token.unicodeScalars {
                if scalar != replacement {
                    view.append(scalar)
                } else if !dropFirst {
                    view.append(" ")
                }
            }
            return String(view)
        }
    }
}
