// The BERT stages as tokenizer.json components of the general pipeline (TokenizerPipeline.swift), for files that
// combine them with other pieces (MPNet's RobertaProcessing, an added token with lstrip, a Sequence normalizer): the
// same BertNormalizer, BertPreTokenizer and WordPiece the fast path runs, behind the component protocols.

extension BertNormalizer: TextNormalizer {
    /// Normalizes `text` as `normalize(_:origins:into:origins:)` does; each normalized scalar takes the alignment of
    /// the scalar it came from.
    package func normalize(_ text: inout NormalizedText) {
        var output: [Unicode.Scalar] = []
        var origins: [Int] = []
        normalize(text.scalars, origins: Array(text.scalars.indices), into: &output, origins: &origins)
        text.replaceAll(output, alignments: origins.map { text.alignments[$0] })
    }
}

extension BertPreTokenizer: RangePreTokenizer {
    /// Splits at whitespace (dropped) and around each punctuation scalar (kept as a word of its own), as
    /// tokenizers' BertPreTokenizer: Whitespace `split` removed, then punctuation isolated.
    package func wordRanges(_ text: inout NormalizedText) -> [Range<Int>] {
        var words: [Range<Int>] = []
        var start = 0
        for (index, scalar) in text.scalars.enumerated() {
            if BertCharacterClass.isWhitespace(scalar) {
                if start < index { words.append(start..<index) }
                start = index + 1
            } else if BertCharacterClass.isPunctuation(scalar) {
                if start < index { words.append(start..<index) }
                words.append(index..<(index + 1))
                start = index + 1
            }
        }
        if start < text.scalars.count { words.append(start..<text.scalars.count) }
        return words
    }
}

extension WordPiece: TokenizationModel {
    /// The pieces of `word`, greedy longest match first (see `split(word:count:scalarCount:scratch:)`), with their
    /// scalar ranges; the unknown token covers the whole word.
    package func tokenize(_ word: UnsafeBufferPointer<Unicode.Scalar>) -> [ModelToken] {
        var byteCount = 0
        for scalar in word { byteCount += UTF8.width(scalar) }
        guard byteCount > 0 else { return [] }
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: byteCount) { bytes in
            withUnsafeTemporaryAllocation(of: Int.self, capacity: byteCount) { byteScalar in
                var count = 0
                for (index, scalar) in word.enumerated() {
                    UTF8.encode(scalar) { byte in
                        bytes[count] = byte
                        byteScalar[count] = index
                        count += 1
                    }
                }
                var scratch = Scratch(model: self, wordCapacity: byteCount)
                defer { scratch.deallocate() }
                scratch.reserve(wordBytes: byteCount)
                let produced = split(
                    word: UnsafePointer(bytes.baseAddress!), count: byteCount, scalarCount: word.count,
                    scratch: scratch)
                return scratch.pieces[0..<produced].map { piece in
                    ModelToken(
                        id: piece.id, value: token(for: piece.id) ?? "",
                        range: byteScalar[piece.start]..<(byteScalar[piece.end - 1] + 1))
                }
            }
        }
    }

    /// The number of vocabulary entries (tokenizers' `get_vocab_size`).
    package var vocabularySize: Int { count }
}
