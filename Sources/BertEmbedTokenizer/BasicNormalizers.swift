// Ports the small normalizers of tokenizers (normalizers/utils.rs, strip.rs, replace.rs, prepend.rs, unicode.rs):
// each rewrites a NormalizedText the way tokenizers' NormalizedString method of the same name does.

/// `Sequence`: several normalizers, in order.
package struct SequenceNormalizer: TextNormalizer {
    /// The normalizers.
    package let normalizers: [any TextNormalizer]
    /// Runs `normalizers` in order.
    package init(_ normalizers: [any TextNormalizer]) { self.normalizers = normalizers }
    /// Applies each in order.
    package func normalize(_ text: inout NormalizedText) {
        for normalizer in normalizers { normalizer.normalize(&text) }
    }
}

/// `Lowercase`: per-scalar full lowercase mapping, no context (`NormalizedText.lowercase`).
package struct LowercaseNormalizer: TextNormalizer {
    /// The normalizer.
    package init() {}
    /// Lowercases `text`.
    package func normalize(_ text: inout NormalizedText) { text.lowercase() }
}

/// `Strip`: removes leading and/or trailing White_Space.
package struct StripNormalizer: TextNormalizer {
    /// Strip on the left / on the right.
    package let left: Bool, right: Bool
    /// A normalizer stripping the given sides.
    package init(left: Bool, right: Bool) {
        self.left = left
        self.right = right
    }
    /// Strips `text`.
    package func normalize(_ text: inout NormalizedText) { text.strip(left: left, right: right) }
}

/// `StripAccents`: removes combining marks, after an NFD normalizer has decomposed the text. tokenizers tests
/// `unicode_normalization_alignments::char::is_combining_mark`: general category M (Mn, Mc, Me) in that crate's
/// Unicode 9.0 tables, so spacing marks go too (U+0B47, U+093F), marks assigned since 10.0 stay, U+1CF2 U+1CF3
/// (Mc in 9.0, Lo since 10.0) go and U+111C9 (Po in 9.0, Mn since 11.0) stays. (BertNormalizer's strip_accents
/// removes Mn alone: `BertCharacterClass`.) Checked for every code point against tokenizers in the tests.
package struct StripAccentsNormalizer: TextNormalizer {
    /// The normalizer.
    package init() {}
    /// Filters out the marks.
    package func normalize(_ text: inout NormalizedText) {
        text.filter { !Self.isCombiningMark($0) }
    }

    /// Whether `scalar` is a combining mark for the reference (category M in Unicode 9.0).
    static func isCombiningMark(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        if value < 0x300 { return false }
        if value == 0x1CF2 || value == 0x1CF3 { return true }
        if value == 0x111C9 { return false }
        switch scalar.properties.generalCategory {
        case .nonspacingMark, .spacingMark, .enclosingMark: return UnicodeNormalizationTables.isInReference(scalar)
        default: return false
        }
    }
}

/// `NFD`: canonical decomposition, each decomposed scalar's first part replacing it and the rest inserted, then the
/// canonical reordering of marks (alignments stay in place: tokenizers' bookkeeping is positional).
package struct NFDNormalizer: TextNormalizer {
    /// The normalizer.
    package init() {}
    /// Decomposes `text`.
    package func normalize(_ text: inout NormalizedText) {
        var decomposed: [Unicode.Scalar] = []
        var changes: [Int] = []
        for scalar in text.scalars {
            let before = decomposed.count
            CanonicalDecomposition.decompose(scalar, into: &decomposed)
            changes += [0] + Array(repeating: 1, count: decomposed.count - before - 1)
        }
        CanonicalDecomposition.reorder(&decomposed, &changes)
        let pairs = zip(decomposed, changes).map { (scalar: $0, change: $1) }
        if pairs.count != text.scalars.count || !zip(decomposed, text.scalars).allSatisfy({ $0 == $1 }) {
            text.transform(pairs, initialOffset: 0)
        }
    }
}

/// `Replace`: every match of a pattern (leftmost first, non-overlapping) replaced by `content`, whose scalars take
/// the alignment of the match's last scalar.
package struct ReplaceNormalizer: TextNormalizer {
    /// Where the pattern matches in a text.
    package let pattern: TextPattern
    /// The replacement.
    package let content: [Unicode.Scalar]
    /// A normalizer replacing `pattern` by `content`.
    package init(pattern: TextPattern, content: String) {
        self.pattern = pattern
        self.content = Array(content.unicodeScalars)
    }
    /// Replaces the matches.
    package func normalize(_ text: inout NormalizedText) {
        let matches = pattern.matches(in: text.scalars)
        if !matches.isEmpty { text.replace(matches, with: content) }
    }
}

/// `Prepend`: `prefix` before a non-empty text (`NormalizedText.prepend`).
package struct PrependNormalizer: TextNormalizer {
    /// The prefix.
    package let prefix: [Unicode.Scalar]
    /// A normalizer prepending `prefix`.
    package init(_ prefix: String) { self.prefix = Array(prefix.unicodeScalars) }
    /// Prepends the prefix.
    package func normalize(_ text: inout NormalizedText) { text.prepend(prefix) }
}
