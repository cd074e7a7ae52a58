// Ports the character predicates of Hugging Face tokenizers' BertNormalizer and BertPreTokenizer
// (is_control, is_whitespace, is_chinese_char, is_bert_punc, and the nonspacing-mark test of strip_accents).

/// Character classes exactly as the Rust `tokenizers` crate (0.23) decides them.
///
/// The Rust crate mixes two Unicode versions: `char::is_whitespace` and `char::to_lowercase` come from Rust's
/// standard library (current Unicode, equal to Swift's tables), while the general-category tests (`Cc/Cf/Co/Cs`,
/// `P*`, `Mn`) come from the `unicode_categories` crate, frozen at **Unicode 8.0**. We therefore use Swift's general
/// category only for scalars assigned in Unicode 8.0 or earlier (`properties.age`), plus the handful of scalars whose
/// category changed after 8.0 (listed below). Every code point is checked against the reference in the tests.
package enum BertCharacterClass {
    /// Scalars whose Unicode 8.0 category was punctuation (`P*`) but is no longer.
    static func wasPunctuationIn8(_ value: UInt32) -> Bool { value == 0x166D || value == 0x111C9 }
    /// Scalars that were nonspacing marks (`Mn`) in Unicode 8.0 but are no longer.
    static func wasNonspacingMarkIn8(_ value: UInt32) -> Bool { value == 0x1734 || value == 0x1171E }
    /// Scalars that are nonspacing marks now but were not in Unicode 8.0.
    static func wasNotNonspacingMarkIn8(_ value: UInt32) -> Bool {
        switch value {
        case 0x111C9, 0x1885, 0x1886, 0xA9BD: return true
        default: return false
        }
    }

    /// True when `scalar` was assigned in Unicode 8.0 or earlier (the version of the Rust category tables).
    @inline(__always)
    static func assignedByUnicode8(_ scalar: Unicode.Scalar) -> Bool {
        guard let age = scalar.properties.age else { return false }
        return age.major < 8 || (age.major == 8 && age.minor == 0)
    }

    /// Flags of every BMP scalar (bit 0: removed by clean_text, 1: whitespace, 2: punctuation, 3: nonspacing
    /// mark), computed once per process from the predicates below so that the hot paths do a table lookup.
    /// Each scalar's general category is looked up once for all four (about 4 ms, on the first non-ASCII word:
    /// loading a tokenizer does not build it).
    static let bmpFlags: [UInt8] = (0..<0x10000).map { value in
        guard let scalar = Unicode.Scalar(UInt32(value)) else { return 0 }
        let category = scalar.properties.generalCategory
        var flags: UInt8 = 0
        if isRemovedByCleanText(scalar, category) { flags |= 1 }
        if isWhitespace(scalar, category) { flags |= 2 }
        if isPunctuation(scalar, category) { flags |= 4 }
        if isNonspacingMark(scalar, category) { flags |= 8 }
        return flags
    }

    @inline(__always)
    static func flag(_ scalar: Unicode.Scalar, _ bit: UInt8, _ slow: (Unicode.Scalar) -> Bool) -> Bool {
        scalar.value < 0x10000 ? bmpFlags[Int(scalar.value)] & bit != 0 : slow(scalar)
    }

    /// True for the scalars that `clean_text` deletes: NUL, U+FFFD and controls.
    @inline(__always)
    package static func isRemovedByCleanText(_ scalar: Unicode.Scalar) -> Bool {
        flag(scalar, 1, slowIsRemovedByCleanText)
    }
    /// Rust's `char::is_whitespace` (the Unicode White_Space property).
    @inline(__always)
    package static func isWhitespace(_ scalar: Unicode.Scalar) -> Bool { flag(scalar, 2, slowIsWhitespace) }
    /// `is_bert_punc` of BertPreTokenizer: ASCII punctuation, or a Unicode 8.0 punctuation category (Pc Pd Ps Pe Pi Pf Po).
    @inline(__always)
    package static func isPunctuation(_ scalar: Unicode.Scalar) -> Bool { flag(scalar, 4, slowIsPunctuation) }
    /// The nonspacing-mark (Mn) test `strip_accents` uses after NFD, with the Unicode 8.0 categories.
    @inline(__always)
    package static func isNonspacingMark(_ scalar: Unicode.Scalar) -> Bool { flag(scalar, 8, slowIsNonspacingMark) }

    /// `is_control` of BertNormalizer (Cc, Cf, Co, Cs; tab, newline and carriage return excluded).
    /// Unassigned scalars (Cn) are *not* controls for the reference: its Cn table is empty in practice.
    package static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        isControl(scalar, scalar.properties.generalCategory)
    }

    /// `isControl` given `scalar`'s general category (the predicates below take it so that the table looks it up once).
    static func isControl(_ scalar: Unicode.Scalar, _ category: Unicode.GeneralCategory) -> Bool {
        switch scalar.value {
        case 0x09, 0x0A, 0x0D: return false
        case 0..<0x20, 0x7F: return true
        case 0x20..<0x7F: return false
        default: break
        }
        switch category {
        case .control, .privateUse, .surrogate: return true
        case .format: return assignedByUnicode8(scalar)
        default: return false
        }
    }

    /// `isRemovedByCleanText` computed from the Unicode properties.
    static func slowIsRemovedByCleanText(_ scalar: Unicode.Scalar) -> Bool {
        isRemovedByCleanText(scalar, scalar.properties.generalCategory)
    }

    static func isRemovedByCleanText(_ scalar: Unicode.Scalar, _ category: Unicode.GeneralCategory) -> Bool {
        scalar.value == 0 || scalar.value == 0xFFFD || isControl(scalar, category)
    }

    /// `isWhitespace` computed from the Unicode properties.
    static func slowIsWhitespace(_ scalar: Unicode.Scalar) -> Bool {
        isWhitespace(scalar, scalar.properties.generalCategory)
    }

    /// White_Space holds only separators (Zs, Zl, Zp) and controls (tab ... carriage return, U+0085), so the
    /// property is looked up for those categories alone.
    static func isWhitespace(_ scalar: Unicode.Scalar, _ category: Unicode.GeneralCategory) -> Bool {
        switch scalar.value {
        case 0x09...0x0D, 0x20: return true
        case 0..<0x80: return false
        default: break
        }
        switch category {
        case .spaceSeparator, .lineSeparator, .paragraphSeparator, .control: return scalar.properties.isWhitespace
        default: return false
        }
    }

    /// `isPunctuation` computed from the Unicode properties.
    static func slowIsPunctuation(_ scalar: Unicode.Scalar) -> Bool {
        isPunctuation(scalar, scalar.properties.generalCategory)
    }

    static func isPunctuation(_ scalar: Unicode.Scalar, _ category: Unicode.GeneralCategory) -> Bool {
        let v = scalar.value
        if v < 0x80 {
            return (0x21...0x2F).contains(v) || (0x3A...0x40).contains(v) || (0x5B...0x60).contains(v)
                || (0x7B...0x7E).contains(v)
        }
        if wasPunctuationIn8(v) { return true }
        switch category {
        case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
            .initialPunctuation, .finalPunctuation, .otherPunctuation:
            return assignedByUnicode8(scalar)
        default:
            return false
        }
    }

    /// `isNonspacingMark` computed from the Unicode properties.
    static func slowIsNonspacingMark(_ scalar: Unicode.Scalar) -> Bool {
        isNonspacingMark(scalar, scalar.properties.generalCategory)
    }

    static func isNonspacingMark(_ scalar: Unicode.Scalar, _ category: Unicode.GeneralCategory) -> Bool {
        let v = scalar.value
        if v < 0x300 { return false }
        if wasNonspacingMarkIn8(v) { return true }
        if wasNotNonspacingMarkIn8(v) { return false }
        return category == .nonspacingMark && assignedByUnicode8(scalar)
    }

    /// `is_chinese_char` of BertNormalizer: the CJK ideograph blocks it pads with spaces (its own fixed range list).
    package static func isChineseCharacter(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x4E00...0x9FFF, 0x3400...0x4DBF, 0x20000...0x2A6DF, 0x2A700...0x2B73F, 0x2B740...0x2B81F,
            0x2B920...0x2CEAF, 0xF900...0xFAFF, 0x2F800...0x2FA1F:
            return true
        default:
            return false
        }
    }
}
