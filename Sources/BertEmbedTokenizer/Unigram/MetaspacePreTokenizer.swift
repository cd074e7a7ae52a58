// Ports tokenizers' pre_tokenizers::metaspace::Metaspace (src/pre_tokenizers/metaspace.rs): spaces become a visible
// replacement character (▁), which is prepended to the text and glued to the start of each word.
import BertEmbedJSON

/// The Metaspace settings shared by the pre-tokenizer and the decoder (tokenizers uses one struct for both).
package struct MetaspaceOptions: Sendable, Equatable {
    /// When the replacement is put in front of a piece that does not start with it.
    package enum PrependScheme: String, Sendable {
        /// Every piece.
        case always
        /// Only the piece starting at the very start of the input (original offset 0).
        case first
        /// Never.
        case never
    }

    /// The character that stands for a space (one scalar, usually U+2581 ▁).
    package var replacement: Unicode.Scalar
    /// When the replacement is prepended.
    package var prependScheme: PrependScheme
    /// Whether the pre-tokenizer splits before each replacement (the decoder ignores it).
    package var split: Bool

    /// Options with tokenizers' defaults.
    package init(replacement: Unicode.Scalar = "\u{2581}", prependScheme: PrependScheme = .always, split: Bool = true) {
        self.replacement = replacement
        self.prependScheme = prependScheme
        self.split = split
    }

    /// The options of a tokenizer.json `Metaspace` object (pre-tokenizer or decoder), validated as tokenizers does:
    /// `replacement` required (one scalar); `prepend_scheme` "always" (default), "first" or "never"; `split` default
    /// true; `str_rep` ignored; the legacy `add_prefix_space: false` demands `prepend_scheme: "never"`.
    /// - Throws: `JSONFileError` naming the key for a missing or wrong value.
    package init(json: JSONObject) throws(JSONFileError) {
        if let type = try json.string("type"), type != "Metaspace" {
            throw json.error("type", "expected \"Metaspace\", found \"\(type)\"")
        }
        let replacement = try json.required("replacement").string()
        let scalars = replacement.unicodeScalars
        guard scalars.count == 1, let scalar = scalars.first else {
            throw json.error("replacement", "expected one character, found \"\(replacement)\"")
        }
        // prepend_scheme has a serde default but is not optional: an explicit null does not load.
        if json.members.value("prepend_scheme") == .null {
            throw json.error("prepend_scheme", "expected \"always\", \"first\" or \"never\", found null")
        }
        var scheme = PrependScheme.always
        if let name = try json.string("prepend_scheme") {
            guard let parsed = PrependScheme(rawValue: name) else {
                throw json.error("prepend_scheme", "expected \"always\", \"first\" or \"never\", found \"\(name)\"")
            }
            scheme = parsed
        }
        if try json.bool("add_prefix_space") == false, scheme != .never {
            throw json.error(
                "add_prefix_space", "false does not match prepend_scheme \"\(scheme.rawValue)\" (it needs \"never\")")
        }
        _ = try json.string("str_rep")
        self.init(replacement: scalar, prependScheme: scheme, split: try json.bool("split") ?? true)
    }
}

/// The Metaspace pre-tokenizer: each U+0020 becomes the replacement (keeping its alignment), the replacement is
/// prepended as the prepend scheme says (aligned with the piece's first scalar), and with `split` the text is cut
/// before each replacement, which stays glued to the run after it ("▁a▁b▁▁c" gives "▁a", "▁b", "▁", "▁c").
package struct MetaspacePreTokenizer: RangePreTokenizer, Equatable {
    /// The settings.
    package var options: MetaspaceOptions

    /// A pre-tokenizer with `options`.
    package init(_ options: MetaspaceOptions = MetaspaceOptions()) {
        self.options = options
    }

    /// The pre-tokenizer of a tokenizer.json `Metaspace` object.
    /// - Throws: `JSONFileError` as `MetaspaceOptions.init(json:)`.
    package init(json: JSONObject) throws(JSONFileError) {
        self.init(try MetaspaceOptions(json: json))
    }

    /// Rewrites `text`; its words are the whole text when `split` is false, else the pieces.
    package func wordRanges(_ text: inout NormalizedText) -> [Range<Int>] {
        let replacement = options.replacement
        // One scalar for one scalar: tokenizers' replace gives the new scalar the match's own alignment.
        if text.scalars.contains(" ") { text.map { $0 == " " ? replacement : $0 } }
        if let first = text.scalars.first, first != replacement {
            switch options.prependScheme {
            case .always: text.prepend([replacement])
            case .first: if text.originalStart == 0 { text.prepend([replacement]) }
            case .never: break
            }
        }
        guard options.split else { return [0..<text.scalars.count] }
        // MergedWithNext on single-scalar delimiters: a word starts at every replacement (a replacement followed by
        // another, or last, stays alone), and at the start. The same slices as `text.split(at:behavior:)` makes.
        var words: [Range<Int>] = []
        var start = 0
        for (index, scalar) in text.scalars.enumerated() where scalar == replacement && index > start {
            words.append(start..<index)
            start = index
        }
        if start < text.scalars.count { words.append(start..<text.scalars.count) }
        return words
    }
}
