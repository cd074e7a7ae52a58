// Ports tokenizers' normalizers::bert::BertNormalizer: clean text, pad CJK ideographs, strip accents, lowercase.

/// The options of Hugging Face's `BertNormalizer`, and the normalization of a run of scalars with alignments.
package struct BertNormalizer: Sendable, Equatable {
    /// Delete NUL, U+FFFD and control characters; map whitespace to a space.
    package var cleanText = true
    /// Surround CJK ideographs with spaces, so each becomes a word of its own.
    package var handleChineseChars = true
    /// Strip accents (NFD, then delete nonspacing marks); nil means "when lowercasing", as in BERT.
    package var stripAccents: Bool? = nil
    /// Lowercase with the full Unicode mapping (which may expand one scalar into several).
    package var lowercase = true

    /// Whether accents are stripped, after resolving an unset `stripAccents`.
    package var stripsAccents: Bool { stripAccents ?? lowercase }

    /// The normalizer with these options.
    package init(
        cleanText: Bool = true, handleChineseChars: Bool = true, stripAccents: Bool? = nil, lowercase: Bool = true
    ) {
        self.cleanText = cleanText
        self.handleChineseChars = handleChineseChars
        self.stripAccents = stripAccents
        self.lowercase = lowercase
    }

    /// This normalizer after tokenizers' `Lowercase` normalizer (per-scalar `char::to_lowercase`), the
    /// `Sequence([Lowercase(), normalizer])` sentence-transformers 6 builds for `do_lower_case`
    /// (`base/modules/transformer.py`). It equals this normalizer lowercasing last with accent stripping resolved as
    /// before: lowercasing commutes with NFD plus mark removal, and no scalar lowercases into or out of what
    /// clean_text and the CJK padding touch. `Scripts/make_sentence_goldens.py` checks this against tokenizers for
    /// every option, on every code point and on 20,000 random strings heavy in combining marks.
    package var lowercasingFirst: BertNormalizer {
        BertNormalizer(
            cleanText: cleanText, handleChineseChars: handleChineseChars, stripAccents: stripsAccents,
            lowercase: true)
    }

    /// Normalizes `input` (scalars with the index of the original scalar each came from) and appends the result to
    /// `output` / `origins`: every normalized scalar remembers the original scalar it came from, as the alignments of
    /// Rust's `NormalizedString` do. The steps run in the reference's order: clean, CJK, strip accents, lowercase.
    package func normalize(
        _ input: [Unicode.Scalar], origins inputOrigins: [Int],
        into output: inout [Unicode.Scalar], origins: inout [Int]
    ) {
        var stage: [Unicode.Scalar] = []
        var stageOrigins: [Int] = []
        stage.reserveCapacity(input.count + 8)
        stageOrigins.reserveCapacity(input.count + 8)
        for (index, scalar) in input.enumerated() {
            var scalar = scalar
            let origin = inputOrigins[index]
            if cleanText {
                if BertCharacterClass.isRemovedByCleanText(scalar) { continue }
                if BertCharacterClass.isWhitespace(scalar) { scalar = " " }
            }
            if handleChineseChars && BertCharacterClass.isChineseCharacter(scalar) {
                stage.append(" ")
                stageOrigins.append(origin)
                stage.append(scalar)
                stageOrigins.append(origin)
                stage.append(" ")
                stageOrigins.append(origin)
            } else {
                stage.append(scalar)
                stageOrigins.append(origin)
            }
        }
        if stripsAccents {
            var decomposed: [Unicode.Scalar] = []
            var decomposedOrigins: [Int] = []
            decomposed.reserveCapacity(stage.count + 8)
            for (index, scalar) in stage.enumerated() {
                let before = decomposed.count
                CanonicalDecomposition.decompose(scalar, into: &decomposed)
                for _ in before..<decomposed.count { decomposedOrigins.append(stageOrigins[index]) }
            }
            CanonicalDecomposition.reorder(&decomposed, &decomposedOrigins)
            stage.removeAll(keepingCapacity: true)
            stageOrigins.removeAll(keepingCapacity: true)
            for (index, scalar) in decomposed.enumerated() where !BertCharacterClass.isNonspacingMark(scalar) {
                stage.append(scalar)
                stageOrigins.append(decomposedOrigins[index])
            }
        }
        output.reserveCapacity(output.count + stage.count)
        for (index, scalar) in stage.enumerated() {
            if lowercase {
                Self.appendLowercase(scalar, origin: stageOrigins[index], to: &output, origins: &origins)
            } else {
                output.append(scalar)
                origins.append(stageOrigins[index])
            }
        }
    }

    /// Appends Rust's `char::to_lowercase(scalar)` (Unicode's full lowercase mapping) to `output`.
    @inline(__always)
    static func appendLowercase(
        _ scalar: Unicode.Scalar, origin: Int, to output: inout [Unicode.Scalar],
        origins: inout [Int]
    ) {
        let v = scalar.value
        if v < 0x80 {
            output.append(v >= 0x41 && v <= 0x5A ? Unicode.Scalar(UInt8(v + 32)) : scalar)
            origins.append(origin)
        } else if !scalar.properties.changesWhenLowercased {
            output.append(scalar)
            origins.append(origin)
        } else {
            for lower in scalar.properties.lowercaseMapping.unicodeScalars {
                output.append(lower)
                origins.append(origin)
            }
        }
    }
}
