// Ports tokenizers' NFC, NFKC and NFKD normalizers (normalizers/unicode.rs, NormalizedString::nfc/nfkc/nfkd in
// tokenizer/normalizer.rs) with the (char, change) streams of the `unicode-normalization-alignments` crate
// (decompose.rs, recompose.rs) that tokenizers feeds to `NormalizedString::transform`.

/// The Unicode normalization forms, computed the way tokenizers computes them, alignments included.
///
/// Decomposition (decompose.rs): each scalar's full decomposition, its first scalar with change 0 and the others
/// inserted (+1), then the canonical ordering of every run of marks (a stable sort by combining class, the changes
/// moving with their scalars). Composition (recompose.rs): the canonical composition algorithm over that stream; a
/// composite replaces its starter and carries `starter's change + mark's change - 1`. The pairs then go through
/// `NormalizedText.transform`, which turns them into alignments as tokenizers does: a composite is aligned with the
/// first original scalar behind its starter only (tokenizers' `ẛ̣` -> `ṩ` is aligned with `ẛ`, not both).
/// The data is the reference's Unicode 9.0 (`UnicodeNormalizationTables`).
package enum UnicodeNormalization {
    /// A normalization form.
    package enum Form: Sendable {
        /// Canonical composition.
        case nfc
        /// Compatibility composition.
        case nfkc
        /// Compatibility decomposition.
        case nfkd
    }

    /// Normalizes `text` to `form`, its alignments following.
    package static func apply(_ form: Form, to text: inout NormalizedText) {
        // Below these values every scalar is its own normal form and a starter that composes with nothing before it.
        let plain: UInt32 = form == .nfc ? 0x300 : 0xA0
        guard text.scalars.contains(where: { $0.value >= plain }) else { return }
        let pairs = changes(text.scalars, form: form)
        if pairs.count != text.scalars.count || pairs.indices.contains(where: { pairs[$0].scalar != text.scalars[$0] })
        {
            text.transform(pairs, initialOffset: 0)
        }
    }

    /// The (scalar, change) stream of `form` over `scalars`, as the crate yields it.
    package static func changes(_ scalars: [Unicode.Scalar], form: Form) -> [(scalar: Unicode.Scalar, change: Int)] {
        var decomposed: [Unicode.Scalar] = []
        var changes: [Int] = []
        decomposed.reserveCapacity(scalars.count)
        changes.reserveCapacity(scalars.count)
        for scalar in scalars {
            let before = decomposed.count
            if form == .nfc {
                CanonicalDecomposition.decompose(scalar, into: &decomposed)
            } else {
                UnicodeNormalizationTables.decomposeCompatibly(scalar, into: &decomposed)
            }
            changes.append(0)
            for _ in (before + 1)..<max(before + 1, decomposed.count) { changes.append(1) }
        }
        CanonicalDecomposition.reorder(&decomposed, &changes)
        let stream = zip(decomposed, changes).map { (scalar: $0, change: $1) }
        return form == .nfkd ? stream : compose(stream)
    }

    /// The canonical composition of a decomposed stream (recompose.rs): each scalar composes with the last starter
    /// when not blocked from it (no scalar between them of a combining class 0 or at least its own); marks that do
    /// not compose wait in a buffer and follow the starter out.
    static func compose(
        _ stream: [(scalar: Unicode.Scalar, change: Int)]
    ) -> [(scalar: Unicode.Scalar, change: Int)] {
        var output: [(scalar: Unicode.Scalar, change: Int)] = []
        output.reserveCapacity(stream.count)
        var buffer: [(scalar: Unicode.Scalar, change: Int)] = []
        var starter: (scalar: Unicode.Scalar, change: Int)? = nil
        var lastClass: UInt8? = nil
        for item in stream {
            let itemClass = UnicodeNormalizationTables.combiningClass(item.scalar)
            guard let current = starter else {
                // Marks before the first starter go out as they are.
                if itemClass != 0 { output.append(item) } else { starter = item }
                continue
            }
            if let last = lastClass, last >= itemClass {
                // Blocked from the starter.
                if itemClass == 0 {
                    output.append(current)
                    output += buffer
                    buffer.removeAll(keepingCapacity: true)
                    lastClass = nil
                    starter = item
                } else {
                    buffer.append(item)
                    lastClass = itemClass
                }
                continue
            }
            if let composite = UnicodeNormalizationTables.compose(current.scalar, item.scalar) {
                starter = (composite, current.change + item.change - 1)
            } else if lastClass == nil && itemClass == 0 {
                output.append(current)
                starter = item
            } else {
                buffer.append(item)
                lastClass = itemClass
            }
        }
        if let current = starter { output.append(current) }
        return output + buffer
    }
}

/// `NFC`: canonical decomposition, then canonical composition (`UnicodeNormalization`).
package struct NFCNormalizer: TextNormalizer {
    /// The normalizer.
    package init() {}
    /// Normalizes `text` to NFC.
    package func normalize(_ text: inout NormalizedText) { UnicodeNormalization.apply(.nfc, to: &text) }
}

/// `NFKC`: compatibility decomposition, then canonical composition (`UnicodeNormalization`).
package struct NFKCNormalizer: TextNormalizer {
    /// The normalizer.
    package init() {}
    /// Normalizes `text` to NFKC.
    package func normalize(_ text: inout NormalizedText) { UnicodeNormalization.apply(.nfkc, to: &text) }
}

/// `NFKD`: compatibility decomposition and canonical ordering (`UnicodeNormalization`).
package struct NFKDNormalizer: TextNormalizer {
    /// The normalizer.
    package init() {}
    /// Normalizes `text` to NFKD.
    package func normalize(_ text: inout NormalizedText) { UnicodeNormalization.apply(.nfkd, to: &text) }
}
