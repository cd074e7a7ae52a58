// Ports the GPT-2 split of tokenizers' ByteLevel pre-tokenizer (pre_tokenizers/byte_level.rs): the Oniguruma regex
//     's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
// as a hand-written scanner over Unicode scalars that gives the same matches (leftmost-first alternation with
// backtracking; fuzz-tested against tokenizers).
//
// Character classes: `\s` is Oniguruma's CR_Space, exactly the Unicode White_Space property (also Rust's
// `char::is_whitespace`); `\p{L}` is Lu|Ll|Lt|Lm|Lo and `\p{N}` is Nd|Nl|No. tokenizers 0.23.3 links Oniguruma
// 6.9.10, whose tables are Unicode 16.0; Swift 6.3's `Unicode.Scalar.Properties` are Unicode 17.0, which assigns 4,657
// more letters and numbers (CJK Extension J, Sidetic, U+A7CE...). Those are unassigned, so "other", for tokenizers:
// `classify` treats every scalar newer than 16.0 as unassigned, and then agrees with tokenizers on every code point
// (`ByteLevelPreTokenizerTests.testClassOfEveryCodePointMatchesTokenizers`). A toolchain older than Unicode 16.0
// would differ on the scalars assigned since its version; that test would show it.

/// The GPT-2 pre-tokenization split, without a regex engine.
package enum GPT2Split {
    /// The class of a scalar for the pattern: `\p{L}`, `\p{N}`, `\s`, or none of them.
    package enum ScalarClass: UInt8, Sendable {
        /// `\p{L}`: general category Lu, Ll, Lt, Lm or Lo.
        case letter
        /// `\p{N}`: general category Nd, Nl or No.
        case number
        /// `\s`: Unicode White_Space.
        case whitespace
        /// Anything else (`[^\s\p{L}\p{N}]`).
        case other
    }

    /// The class of `scalar`.
    @inline(__always)
    package static func classify(_ scalar: Unicode.Scalar) -> ScalarClass {
        let value = scalar.value
        if value < 0x80 {
            switch value {
            case 0x61...0x7A, 0x41...0x5A: return .letter
            case 0x30...0x39: return .number
            case 0x09...0x0D, 0x20: return .whitespace
            default: return .other
            }
        }
        let properties = scalar.properties
        if properties.isWhitespace { return .whitespace }
        let kind: ScalarClass
        switch properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: kind = .letter
        case .decimalNumber, .letterNumber, .otherNumber: kind = .number
        default: return .other
        }
        return isInUnicode16(properties) ? kind : .other
    }

    /// Whether a scalar was assigned by Unicode 16.0 (the version of tokenizers' Oniguruma tables).
    @inline(__always)
    static func isInUnicode16(_ properties: Unicode.Scalar.Properties) -> Bool {
        guard let age = properties.age else { return false }
        return age.major < 16 || (age.major == 16 && age.minor == 0)
    }

    /// The matches of the pattern in `scalars`, in order: they cover every scalar (every scalar starts some
    /// alternative), so the pieces between them are always empty.
    package static func ranges(_ scalars: [Unicode.Scalar]) -> [Range<Int>] {
        let count = scalars.count
        var ranges: [Range<Int>] = []
        ranges.reserveCapacity(count / 3 + 1)
        var classes = [ScalarClass](repeating: .other, count: count)
        for index in 0..<count { classes[index] = classify(scalars[index]) }
        var start = 0
        while start < count {
            let end = matchEnd(scalars, classes, at: start)
            ranges.append(start..<end)
            start = end
        }
        return ranges
    }

    /// Where the match starting at `start` ends (`start < scalars.count`).
    @inline(__always)
    static func matchEnd(_ scalars: [Unicode.Scalar], _ classes: [ScalarClass], at start: Int) -> Int {
        let count = scalars.count
        let first = scalars[start]
        // 's 't 're 've 'm 'll 'd: U+0027 only, lowercase only, whatever follows.
        if first == "'" && start + 1 < count {
            switch scalars[start + 1] {
            case "s", "t", "m", "d": return start + 2
            case "r", "v":
                if start + 2 < count && scalars[start + 2] == "e" { return start + 3 }
            case "l":
                if start + 2 < count && scalars[start + 2] == "l" { return start + 3 }
            default: break
            }
        }
        // ` ?\p{L}+`, ` ?\p{N}+`, ` ?[^\s\p{L}\p{N}]+`: one optional U+0020, then a maximal run of one class (the
        // class of the scalar after the space decides which alternative matches; a space followed by whitespace or
        // by nothing matches none of them).
        let runStart = first == " " ? start + 1 : start
        if runStart < count, classes[runStart] != .whitespace {
            let runClass = classes[runStart]
            var end = runStart + 1
            while end < count && classes[end] == runClass { end += 1 }
            return end
        }
        // `\s+(?!\S)` then `\s+`: here `first` is whitespace. A run reaching the end matches whole; a longer run
        // before a non-space leaves its last scalar to prefix the next match; a single one matches alone.
        var end = start + 1
        while end < count && classes[end] == .whitespace { end += 1 }
        if end == count { return end }
        return end - 1 > start ? end - 1 : end
    }
}
