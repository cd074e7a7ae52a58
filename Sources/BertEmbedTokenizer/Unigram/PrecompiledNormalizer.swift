// Ports tokenizers' normalizers::precompiled (src/normalizers/precompiled.rs): SentencePiece's compiled normalization
// (nmt_nfkc for XLM-R, T5, ...) applied grapheme by grapheme, with tokenizers' alignment bookkeeping, quirks included.
import BertEmbedJSON

/// The `Precompiled` normalizer: rewrites text through a `PrecompiledCharsmap`.
///
/// Each extended grapheme cluster under 6 UTF-8 bytes whose bytes start with a key is replaced, whole, by the value of
/// the shortest such key (the rest of the cluster is dropped). Other clusters go scalar by scalar: a scalar that is
/// itself a key is replaced, others are kept. Alignments follow tokenizers' `replace` helper: extra new scalars are
/// insertions, fewer new scalars charge the deletion to the last change so far (none at the very start, which shifts
/// the offsets of the rest of the text by the deleted scalars: "\u{1E}ab" gives "ab" aligned with "\u{1E}a").
package struct PrecompiledNormalizer: TextNormalizer {
    /// The table.
    package let charsmap: PrecompiledCharsmap

    /// A normalizer over `charsmap`.
    package init(charsmap: PrecompiledCharsmap) {
        self.charsmap = charsmap
        asciiKept = Self.asciiKept(charsmap)
    }

    /// The normalizer of a tokenizer.json `{"type": "Precompiled", "precompiled_charsmap": BASE64}` object.
    /// - Throws: `JSONFileError` when `precompiled_charsmap` is missing, null or not a string; `TokenizerError` when
    ///   it is not valid base64 or not a valid charsmap.
    package init(json: JSONObject) throws {
        if let type = try json.string("type"), type != "Precompiled" {
            throw json.error("type", "expected \"Precompiled\", found \"\(type)\"")
        }
        let text = try json.required("precompiled_charsmap").string()
        self.init(
            charsmap: try PrecompiledCharsmap(base64: text, path: json.path, key: json.keyPath("precompiled_charsmap")))
    }

    /// For each ASCII scalar, whether the charsmap leaves it as it is: a text made only of such scalars is not
    /// changed (an ASCII text's grapheme clusters are single scalars, except CR LF, checked as a pair).
    private let asciiKept: [Bool]

    private static func asciiKept(_ charsmap: PrecompiledCharsmap) -> [Bool] {
        func mapped(_ text: [UInt8]) -> Bool {
            text.withUnsafeBufferPointer { bytes in
                charsmap.shortestMatch(bytes.baseAddress!, count: bytes.count).flatMap(charsmap.replacement(at:)) != nil
            }
        }
        var kept = (0..<128).map { !mapped([UInt8($0)]) }
        if mapped([0x0D, 0x0A]) { kept[0x0D] = false }
        return kept
    }

    /// Normalizes `text` in place; nothing changes (not even alignments) when no cluster or scalar is a key.
    package func normalize(_ text: inout NormalizedText) {
        let scalars = text.scalars
        if scalars.allSatisfy({ $0.value < 0x80 && asciiKept[Int($0.value)] }) { return }
        var changes: [(scalar: Unicode.Scalar, change: Int)] = []
        var modified = false
        // Up to 4 bytes per scalar; clusters are looked up whole only under 6 bytes.
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 8) { buffer in
            guard let bytes = buffer.baseAddress else { return }
            GraphemeClusters.forEach(scalars) { cluster in
                if cluster.count > 1 {
                    var length = 0
                    for index in cluster {
                        let scalar = scalars[index]
                        let size = UTF8.width(scalar)
                        if length + size >= 6 {
                            length = 6
                            break
                        }
                        ScalarUTF8.encode(scalar, into: bytes + length)
                        length += size
                    }
                    if length < 6, let value = charsmap.shortestMatch(bytes, count: length),
                        let replacement = charsmap.replacement(at: value)
                    {
                        if !modified { Self.begin(&changes, &modified, scalars[..<cluster.lowerBound]) }
                        Self.replace(&changes, oldCount: cluster.count, with: replacement)
                        return
                    }
                }
                for index in cluster {
                    let scalar = scalars[index]
                    let size = ScalarUTF8.encode(scalar, into: bytes)
                    if let value = charsmap.shortestMatch(bytes, count: size),
                        let replacement = charsmap.replacement(at: value)
                    {
                        if !modified { Self.begin(&changes, &modified, scalars[..<index]) }
                        Self.replace(&changes, oldCount: 1, with: replacement)
                    } else if modified {
                        changes.append((scalar, 0))
                    }
                }
            }
        }
        if modified { text.transform(changes, initialOffset: 0) }
    }

    /// The normalized form of `string` (alignments dropped), as `normalize_str` gives it.
    package func normalize(_ string: String) -> String {
        var text = NormalizedText(string)
        normalize(&text)
        return text.string
    }

    /// Starts recording changes at the first modification: every scalar before it was kept as it was.
    private static func begin(
        _ changes: inout [(scalar: Unicode.Scalar, change: Int)], _ modified: inout Bool,
        _ kept: ArraySlice<Unicode.Scalar>
    ) {
        modified = true
        changes.reserveCapacity(kept.count + 16)
        for scalar in kept { changes.append((scalar, 0)) }
    }

    /// tokenizers' `replace(transformations, old_part, new_part)`: the new scalars as changes 0; when there are more
    /// new than old, the last `diff` of them become insertions (+1); when fewer, the last change so far (if any, even
    /// one of an earlier cluster) absorbs the difference.
    private static func replace(
        _ changes: inout [(scalar: Unicode.Scalar, change: Int)], oldCount: Int, with replacement: ArraySlice<UInt8>
    ) {
        var newCount = 0
        var iterator = replacement.makeIterator()
        var decoder = UTF8()
        while case .scalarValue(let scalar) = decoder.decode(&iterator) {
            changes.append((scalar, 0))
            newCount += 1
        }
        let diff = newCount - oldCount
        if diff > 0 {
            for k in (changes.count - diff)..<changes.count { changes[k].change = 1 }
        } else if diff < 0, !changes.isEmpty {
            changes[changes.count - 1].change += diff
        }
    }
}
