// Canonical decomposition (the NFD half of BertNormalizer's strip_accents), one scalar at a time, with reordering.
import Foundation

/// NFD of single scalars, precomputed once per process from Foundation's `decomposedStringWithCanonicalMapping`.
///
/// Hangul syllables are decomposed algorithmically (Unicode 3.12). All other canonical decompositions lie in the
/// ranges scanned below (checked for every code point against the reference in the tests); scalars outside them,
/// and scalars newer than the reference's normalization tables, are left unchanged, as the reference does.
package enum CanonicalDecomposition {
    /// The scalar ranges that hold every non-Hangul canonical decomposition the reference knows.
    static let scannedRanges: [ClosedRange<UInt32>] = [
        0x00C0...0x0FFF, 0x1000...0x10FF, 0x1B00...0x1BFF, 0x1E00...0x232F, 0x2A00...0x2AFF, 0x3040...0x30FF,
        0xF900...0xFB4F, 0x11000...0x11FFF, 0x1D100...0x1D1FF, 0x2F800...0x2FA1F,
    ]

    /// Scalar value -> its full canonical decomposition, for the scalars that have one (Hangul excluded).
    static let table: [UInt32: [Unicode.Scalar]] = {
        // One Foundation call: every scanned scalar followed by U+0001 (a starter that never decomposes or
        // composes), so no canonical reordering crosses two scanned scalars.
        var text = String.UnicodeScalarView()
        var sources: [UInt32] = []
        for range in scannedRanges {
            for value in range {
                guard let scalar = Unicode.Scalar(value) else { continue }
                text.append(scalar)
                text.append("\u{1}")
                sources.append(value)
            }
        }
        let decomposed = String(text).decomposedStringWithCanonicalMapping.unicodeScalars
        var result: [UInt32: [Unicode.Scalar]] = [:]
        var current: [Unicode.Scalar] = []
        var index = 0
        for scalar in decomposed {
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
    }()

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

    /// Canonical ordering: stable-sorts every run of scalars with a nonzero combining class by that class.
    /// `scalars` and `origins` (a parallel array) are permuted together.
    package static func reorder(_ scalars: inout [Unicode.Scalar], _ origins: inout [Int]) {
        var i = 0
        let n = scalars.count
        while i < n {
            if scalars[i].value < 0x300 || scalars[i].properties.canonicalCombiningClass.rawValue == 0 {
                i += 1
                continue
            }
            var j = i
            while j < n, scalars[j].value >= 0x300, scalars[j].properties.canonicalCombiningClass.rawValue != 0 {
                j += 1
            }
            if j - i > 1 {
                let run = (i..<j).map { (scalars[$0], origins[$0], $0) }
                    .sorted {
                        let a = $0.0.properties.canonicalCombiningClass.rawValue
                        let b = $1.0.properties.canonicalCombiningClass.rawValue
                        return a != b ? a < b : $0.2 < $1.2
                    }
                for (k, item) in run.enumerated() {
                    scalars[i + k] = item.0
                    origins[i + k] = item.1
                }
            }
            i = j
        }
    }
}
