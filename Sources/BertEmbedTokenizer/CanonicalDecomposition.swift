// Canonical decomposition (the NFD half of BertNormalizer's strip_accents), one scalar at a time, with reordering.
import Foundation

/// NFD of single scalars, precomputed once per process from Foundation's `decomposedStringWithCanonicalMapping`.
///
/// Hangul syllables are decomposed algorithmically (Unicode 3.12). All other canonical decompositions lie in the
/// ranges scanned below (checked for every code point against the reference in the tests); scalars outside them,
/// and scalars newer than the reference's normalization tables (Unicode 9.0: U+11938 is the one such scalar with a
/// canonical decomposition), are left unchanged, as the reference does.
package enum CanonicalDecomposition {
    /// The scalar ranges that hold every non-Hangul canonical decomposition the reference knows.
    static let scannedRanges: [ClosedRange<UInt32>] = [
        0x00C0...0x0FFF, 0x1000...0x10FF, 0x1B00...0x1BFF, 0x1E00...0x232F, 0x2A00...0x2AFF, 0x3040...0x30FF,
        0xF900...0xFB4F, 0x11000...0x11FFF, 0x1D100...0x1D1FF, 0x2F800...0x2FA1F,
    ]

    /// Scalar value -> its full canonical decomposition, for the scalars that have one (Hangul excluded), from one
    /// call to Foundation; scalars newer than the reference's Unicode 9.0 are left out (`UnicodeNormalizationTables`).
    static let table: [UInt32: [Unicode.Scalar]] = UnicodeNormalizationTables.decompositions(
        of: scannedRanges, \.decomposedStringWithCanonicalMapping)

    /// Appends the canonical decomposition of `scalar` (itself when it has none) to `output`.
    @inline(__always)
    package static func decompose(_ scalar: Unicode.Scalar, into output: inout [Unicode.Scalar]) {
        let v = scalar.value
        if v < 0xC0 {
            output.append(scalar)
        } else if v >= 0xAC00 && v <= 0xD7A3 {
            // Hangul syllable: L V (T), Unicode section 3.12.
            let s = v - 0xAC00
            let l = 0x1100 + s / 588, vowel = 0x1161 + (s % 588) / 28, t = 0x11A7 + s % 28
            if let ls = Unicode.Scalar(l), let vs = Unicode.Scalar(vowel) {
                output.append(ls)
                output.append(vs)
            }
            if t != 0x11A7, let ts = Unicode.Scalar(t) { output.append(ts) }
        } else if let parts = table[v] {
            output.append(contentsOf: parts)
        } else {
            output.append(scalar)
        }
    }

    /// Canonical ordering: stable-sorts every run of scalars with a nonzero combining class (the reference's,
    /// `UnicodeNormalizationTables.combiningClass`) by that class. `scalars` and `origins` (a parallel array) are
    /// permuted together.
    package static func reorder(_ scalars: inout [Unicode.Scalar], _ origins: inout [Int]) {
        var i = 0
        let n = scalars.count
        while i < n {
            if UnicodeNormalizationTables.combiningClass(scalars[i]) == 0 {
                i += 1
                continue
            }
            var j = i
            while j < n, UnicodeNormalizationTables.combiningClass(scalars[j]) != 0 {
                j += 1
            }
            if j - i > 1 {
                var run: [(scalar: Unicode.Scalar, origin: Int, index: Int, combiningClass: UInt8)] = []
                for k in i..<j {
                    run.append((scalars[k], origins[k], k, UnicodeNormalizationTables.combiningClass(scalars[k])))
                }
                run.sort { ($0.combiningClass, $0.index) < ($1.combiningClass, $1.index) }
                for (k, item) in run.enumerated() {
                    scalars[i + k] = item.scalar
                    origins[i + k] = item.origin
                }
            }
            i = j
        }
    }
}
