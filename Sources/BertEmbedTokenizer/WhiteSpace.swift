// Unicode's White_Space property (PropList.txt), which tokenizers' components test through Rust's
// `char::is_whitespace`: the same 25 scalars as `Unicode.Scalar.Properties.isWhitespace`, without its table look-up.

/// The White_Space property of a scalar.
package enum WhiteSpace {
    /// Whether `scalar` is White_Space (tab to carriage return, space, U+0085, no-break space, the Unicode spaces
    /// U+1680, U+2000-U+200A, U+2028, U+2029, U+202F, U+205F, U+3000). Checked against the standard library's
    /// property for every scalar in the tests.
    @inline(__always)
    package static func contains(_ scalar: Unicode.Scalar) -> Bool {
        let value = scalar.value
        if value < 0x80 { return value == 0x20 || (value >= 0x09 && value <= 0x0D) }
        switch value {
        case 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000: return true
        default: return false
        }
    }
}
