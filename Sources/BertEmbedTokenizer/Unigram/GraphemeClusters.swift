// Extended grapheme clusters (UAX #29) over a scalar array, as unicode-segmentation's `graphemes(true)` finds them
// for tokenizers' Precompiled normalizer: Swift's own Character segmentation (Unicode 17 with GB9c in Swift 6.3),
// skipped where a boundary is certain.

/// Splits scalar arrays into extended grapheme clusters.
package enum GraphemeClusters {
    /// Calls `body` with the scalar range of each extended grapheme cluster of `scalars`, in order.
    ///
    /// Between two "plain" scalars (see `isPlain`) there is always a boundary except CR LF: no rule but GB3 can join
    /// them. Runs with other scalars are cut at such certain boundaries and segmented by Swift's `Character` view,
    /// whose rules are the same on a run as on the whole text since every rule's context ends at a certain boundary.
    package static func forEach(_ scalars: [Unicode.Scalar], _ body: (Range<Int>) -> Void) {
        let count = scalars.count
        var i = 0
        while i < count {
            if i + 1 == count {
                body(i..<count)
                return
            }
            let first = scalars[i].value, next = scalars[i + 1].value
            if isCertainBoundary(first, next) {
                body(i..<(i + 1))
                i += 1
                continue
            }
            if first == 0x0D && next == 0x0A {  // GB3, then GB4/GB5 break on both sides
                body(i..<(i + 2))
                i += 2
                continue
            }
            // A run from i to the next certain boundary, segmented by Swift.
            var end = i + 1
            while end < count && !isCertainBoundary(scalars[end - 1].value, scalars[end].value) { end += 1 }
            var view = String.UnicodeScalarView()
            view.append(contentsOf: scalars[i..<end])
            var start = i
            for character in String(view) {
                let length = character.unicodeScalars.count
                body(start..<(start + length))
                start += length
            }
            i = end
        }
    }

    /// Whether there is always a grapheme boundary between scalars `a` and `b`: both plain, and not CR LF.
    @inline(__always)
    static func isCertainBoundary(_ a: UInt32, _ b: UInt32) -> Bool {
        isPlain(a) && isPlain(b) && !(a == 0x0D && b == 0x0A)
    }

    /// Whether `value` can neither join the scalar before it nor make the scalar after it join: not Extend, ZWJ,
    /// SpacingMark or Prepend, not a Hangul jamo or syllable, not a regional indicator. Then, between two plain
    /// scalars, GB6-GB13 cannot apply (GB9c and GB11 need a linker, extender or ZWJ just before), so only GB3 can
    /// join them.
    ///
    /// Conservative: every scalar below U+0300 is plain (none of those properties occurs there); above it, a BMP
    /// scalar is plain when it is not a mark (Mn, Mc, Me), format (Cf), unassigned, surrogate or Grapheme_Extend
    /// scalar, not Hangul, and not U+0D4E (Prepend), U+0E33 or U+0EB3 (SpacingMark); supplementary scalars are
    /// never plain.
    @inline(__always)
    static func isPlain(_ value: UInt32) -> Bool {
        if value < 0x300 { return true }
        guard value < 0x10000 else { return false }
        return plainBMP[Int(value >> 6)] & (1 << UInt64(value & 63)) != 0
    }

    /// One bit per BMP scalar: whether it is plain (computed once, from the Unicode properties of Swift's stdlib).
    private static let plainBMP: [UInt64] = {
        var bits = [UInt64](repeating: 0, count: 0x10000 / 64)
        for value in UInt32(0)..<0x10000 {
            guard let scalar = Unicode.Scalar(value) else { continue }
            let plain: Bool
            switch value {
            case 0..<0x300: plain = true
            case 0x1100...0x11FF, 0xA960...0xA97F, 0xAC00...0xD7FF, 0x0D4E, 0x0E33, 0x0EB3: plain = false
            default:
                let properties = scalar.properties
                switch properties.generalCategory {
                case .nonspacingMark, .spacingMark, .enclosingMark, .format, .unassigned, .surrogate:
                    plain = false
                default:
                    plain = !properties.isGraphemeExtend
                }
            }
            if plain { bits[Int(value >> 6)] |= 1 << UInt64(value & 63) }
        }
        return bits
    }()
}
