// Ports the data of the `unicode-normalization-alignments` crate (0.1.12, Unicode 9.0.0) that tokenizers' NFC,
// NFKC and NFKD normalizers use: compatibility decompositions, canonical combining classes and primary compositions,
// derived once per process from Foundation.
import Foundation

/// The Unicode normalization data tokenizers normalizes with, at its Unicode version.
///
/// tokenizers 0.23.3 normalizes through `unicode-normalization-alignments` 0.1.12, whose tables are Unicode 9.0.0;
/// Foundation and the standard library know a newer version (Unicode 17.0 with Swift 6.3). Every scalar assigned
/// after 9.0 is therefore treated as the crate treats an unassigned one: no decomposition, combining class 0 (a
/// starter), never composed. Decompositions and combining classes of older scalars never change (Unicode's stability
/// policy), so the newer data is otherwise the same. What the filter changes, checked for every code point against
/// tokenizers in the tests: U+11938 (13.0) keeps its canonical decomposition out of NFD and NFKD; U+1F16C (12.0),
/// U+32FF (12.1), U+AB69, U+1FBF0-U+1FBF9 (13.0), U+A7F2-U+A7F4, U+10781-U+107BA (14.0) keep their compatibility
/// decompositions out of NFKD and NFKC; the 98 combining marks assigned since 10.0 (U+1DF6, U+07FD, ...) are
/// starters, so they are not reordered and they block composition.
package enum UnicodeNormalizationTables {
    /// Whether `scalar` was assigned by Unicode 9.0, the version of the reference's tables.
    @inline(__always)
    package static func isInReference(_ scalar: Unicode.Scalar) -> Bool {
        guard let age = scalar.properties.age else { return false }
        return age.major < 9 || (age.major == 9 && age.minor == 0)
    }

    /// The canonical combining class the reference gives `scalar` (0 for scalars newer than Unicode 9.0).
    @inline(__always)
    package static func combiningClass(_ scalar: Unicode.Scalar) -> UInt8 {
        if scalar.value < 0x300 { return 0 }
        let value = scalar.properties.canonicalCombiningClass.rawValue
        return value == 0 || isInReference(scalar) ? value : 0
    }

    /// The scalar ranges that hold every non-Hangul compatibility (and canonical) decomposition of Unicode 9.0;
    /// checked for every code point against the reference in the tests.
    static let compatibilityRanges: [ClosedRange<UInt32>] = [
        0x00A0...0x06FF, 0x0900...0x10FF, 0x1B00...0x1B4F, 0x1D2C...0x232F, 0x2460...0x24FF, 0x2A00...0x2AFF,
        0x2C7C...0x2D6F, 0x2E80...0x33FF, 0xA69C...0xA7FF, 0xAB5C...0xAB5F, 0xF900...0xFFEF, 0x11000...0x111FF,
        0x11300...0x1134F, 0x11400...0x115FF, 0x1D100...0x1D1FF, 0x1D400...0x1D7FF, 0x1EE00...0x1EEFF,
        0x1F100...0x1F2FF, 0x2F800...0x2FA1F,
    ]

    /// Scalar value -> its full compatibility decomposition (NFKD), for the scalars of Unicode 9.0 that have one
    /// (Hangul syllables excluded: they decompose algorithmically). Built on first use from one call to Foundation's
    /// `decomposedStringWithCompatibilityMapping` (a few milliseconds).
    static let compatibilityTable: [UInt32: [Unicode.Scalar]] = decompositions(
        of: compatibilityRanges, \.decomposedStringWithCompatibilityMapping)

    /// Primary composite of each pair of scalars (first << 21 | second), Hangul aside: every canonical
    /// decomposition of Unicode 9.0 that Foundation composes back (the composition exclusions, singletons and
    /// non-starter decompositions do not come back). Built on first use from the canonical table and two calls to
    /// Foundation's `precomposedStringWithCanonicalMapping`.
    static let compositions: [UInt64: Unicode.Scalar] = {
        let candidates = CanonicalDecomposition.table.filter { $0.value.count >= 2 }.sorted { $0.key < $1.key }
        // For each candidate c with decomposition d: NFC(d) must be c itself (a primary composite), and NFC of d
        // without its last scalar is the first of the pair, the last scalar the second. U+0001 is a starter that
        // never composes: it keeps the pieces apart.
        var text = String.UnicodeScalarView()
        for (_, parts) in candidates {
            text.append(contentsOf: parts)
            text.append("\u{1}")
            text.append(contentsOf: parts.dropLast())
            text.append("\u{1}")
        }
        let pieces = String(text).precomposedStringWithCanonicalMapping.unicodeScalars.split(
            separator: "\u{1}", omittingEmptySubsequences: false)
        var result: [UInt64: Unicode.Scalar] = [:]
        for (index, (value, parts)) in candidates.enumerated() {
            let whole = pieces[2 * index], first = pieces[2 * index + 1]
            guard whole.count == 1, whole.first?.value == value, first.count == 1, let head = first.first,
                let last = parts.last
            else { continue }
            result[UInt64(head.value) << 21 | UInt64(last.value)] = Unicode.Scalar(value)
        }
        return result
    }()

    /// One bit per scalar below U+20000 that is the second of some composition (Hangul vowels and trailing
    /// consonants included; every second of Unicode 9.0 lies below U+20000): a scalar without its bit composes with
    /// nothing before it, so most pairs never reach the table.
    static let secondaries: [UInt64] = {
        var bits = [UInt64](repeating: 0, count: 0x20000 / 64)
        func set(_ value: UInt32) { bits[Int(value >> 6)] |= 1 << UInt64(value & 63) }
        for key in compositions.keys { set(UInt32(truncatingIfNeeded: key & 0x1F_FFFF)) }
        for value in UInt32(0x1161)...0x1175 { set(value) }
        for value in UInt32(0x11A8)...0x11C2 { set(value) }
        return bits
    }()

    /// Scalar value -> `normalize(scalar)` for the scalars of `ranges` assigned by Unicode 9.0 whose normal form is
    /// not themselves. One Foundation call: every scalar followed by U+0001 (a starter that never decomposes or
    /// composes), so no canonical reordering crosses two of them.
    static func decompositions(
        of ranges: [ClosedRange<UInt32>], _ normalize: (String) -> String
    ) -> [UInt32: [Unicode.Scalar]] {
        var text = String.UnicodeScalarView()
        var sources: [UInt32] = []
        for range in ranges {
            for value in range {
                guard let scalar = Unicode.Scalar(value), isInReference(scalar) else { continue }
                text.append(scalar)
                text.append("\u{1}")
                sources.append(value)
            }
        }
        var result: [UInt32: [Unicode.Scalar]] = [:]
        var current: [Unicode.Scalar] = []
        var index = 0
        for scalar in normalize(String(text)).unicodeScalars {
            if scalar == "\u{1}" {
                if index < sources.count, current.count != 1 || current.first?.value != sources[index] {
                    result[sources[index]] = current
                }
                current.removeAll(keepingCapacity: true)
                index += 1
            } else {
                current.append(scalar)
            }
        }
        return result
    }

    /// Appends the compatibility decomposition of `scalar` (itself when it has none) to `output`.
    @inline(__always)
    package static func decomposeCompatibly(_ scalar: Unicode.Scalar, into output: inout [Unicode.Scalar]) {
        let v = scalar.value
        if v < 0xA0 {
            output.append(scalar)
        } else if v >= 0xAC00 && v <= 0xD7A3 {
            CanonicalDecomposition.decompose(scalar, into: &output)
        } else if let parts = compatibilityTable[v] {
            output.append(contentsOf: parts)
        } else {
            output.append(scalar)
        }
    }

    /// The primary composite of `first` followed by `second`, if any (the crate's `compose`: Hangul L+V and LV+T
    /// algorithmically, Unicode section 3.12, then the composition table).
    @inline(__always)
    package static func compose(_ first: Unicode.Scalar, _ second: Unicode.Scalar) -> Unicode.Scalar? {
        let a = first.value, b = second.value
        guard b < 0x20000, secondaries[Int(b >> 6)] & (1 << UInt64(b & 63)) != 0 else { return nil }
        if a >= 0x1100 && a <= 0x1112 && b >= 0x1161 && b <= 0x1175 {
            return Unicode.Scalar(0xAC00 + ((a - 0x1100) * 21 + (b - 0x1161)) * 28)
        }
        if a >= 0xAC00 && a <= 0xD7A3 && (a - 0xAC00) % 28 == 0 && b > 0x11A7 && b <= 0x11C2 {
            return Unicode.Scalar(a + (b - 0x11A7))
        }
        return compositions[UInt64(a) << 21 | UInt64(b)]
    }
}
