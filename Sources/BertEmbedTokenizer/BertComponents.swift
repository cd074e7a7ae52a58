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

extension BertPreTokenizer: PreTokenizer {
    /// Splits at whitespace (dropped) and around each punctuation scalar (kept as a word of its own), as
    /// tokenizers' BertPreTokenizer: Whitespace `split` removed, then punctuation isolated.
    package func split(_ text: NormalizedText) -> [NormalizedText] {
        let spaces = text.scalars.indices.filter { BertCharacterClass.isWhitespace(text.scalars[$0]) }.map {
            $0..<($0 + 1)
        }
        return text.split(at: spaces, behavior: .removed).flatMap { word in
            let marks = word.scalars.indices.filter { BertCharacterClass.isPunctuation(word.scalars[$0]) }
            return word.split(at: marks.map { $0..<($0 + 1) }, behavior: .isolated)
        }
    }
}

extension WordPiece: TokenizationModel {
    /// The pieces of `word`, greedy longest match first (see `split(word:count:scalarCount:scratch:)`), with their
    /// scalar ranges; the unknown token covers the whole word.
    package func tokenize(_ word: [Unicode.Scalar]) -> [ModelToken] {
        var bytes: [UInt8] = []
        var byteScalar: [Int] = []
        for (index, scalar) in word.enumerated() {
            UTF8.encode(scalar) { byte in
                bytes.append(byte)
                byteScalar.append(index)
            }
        }
        guard !bytes.isEmpty else { return [] }
        var scratch = Scratch(model: self, wordCapacity: bytes.count)
        defer { scratch.deallocate() }
        scratch.reserve(wordBytes: bytes.count)
        let produced = bytes.withUnsafeBufferPointer {
            split(word: $0.baseAddress!, count: bytes.count, scalarCount: word.count, scratch: scratch)
        }
        return scratch.pieces[0..<produced].map { piece in
            ModelToken(
                id: piece.id, value: token(for: piece.id) ?? "",
                range: byteScalar[piece.start]..<(byteScalar[piece.end - 1] + 1))
        }
    }

    /// The number of vocabulary entries (tokenizers' `get_vocab_size`).
    package var vocabularySize: Int { count }
}
