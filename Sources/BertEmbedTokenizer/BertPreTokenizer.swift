// Ports tokenizers' pre_tokenizers::bert::BertPreTokenizer (split on whitespace, isolate punctuation), then
// hands each word to WordPiece and maps the pieces back to offsets in the original text.

/// The general (any Unicode) word splitter: normalized scalars in, WordPiece tokens with offsets out (and, as a
/// component of the general pipeline, BertComponents.swift).
package struct BertPreTokenizer: Sendable {
    /// The pre-tokenizer (it has no options).
    package init() {}

    /// Splits `normalized` (each scalar with the index of the original scalar it came from, in `origins`) into
    /// words: whitespace separates and is dropped, every punctuation scalar is a word of its own. Each word goes
    /// through `model`; tokens go to `sink`, offsets spanning the original scalars of the piece (min start, max end).
    package static func tokenize<S: TokenSink>(
        _ normalized: [Unicode.Scalar], origins: [Int], model: WordPiece,
        into sink: inout S
    ) {
        var word: [UInt8] = []
        var byteScalar: [Int] = []  // normalized-scalar index of every byte of `word`
        var scalarCount = 0
        var scratch = WordPiece.Scratch(model: model, wordCapacity: 64)
        defer { scratch.deallocate() }
        word.reserveCapacity(64)

        func flush() {
            guard !word.isEmpty else { return }
            scratch.reserve(wordBytes: word.count)
            let produced = word.withUnsafeBufferPointer { buffer in
                buffer.baseAddress.map {
                    model.split(word: $0, count: buffer.count, scalarCount: scalarCount, scratch: scratch)
                } ?? 0
            }
            for piece in scratch.pieces[0..<produced] {
                if S.wantsOffsets {
                    var low = Int.max, high = Int.min
                    for b in piece.start..<piece.end {
                        let origin = origins[byteScalar[b]]
                        low = min(low, origin)
                        high = max(high, origin + 1)
                    }
                    sink.append(id: piece.id, start: low, end: high)
                } else {
                    sink.append(id: piece.id, start: 0, end: 0)
                }
            }
            word.removeAll(keepingCapacity: true)
            byteScalar.removeAll(keepingCapacity: true)
            scalarCount = 0
        }

        func append(_ scalar: Unicode.Scalar, index: Int) {
            UTF8.encode(scalar) { byte in
                word.append(byte)
                if S.wantsOffsets { byteScalar.append(index) }
            }
            scalarCount += 1
        }

        for (index, scalar) in normalized.enumerated() {
            if BertCharacterClass.isWhitespace(scalar) {
                flush()
            } else if BertCharacterClass.isPunctuation(scalar) {
                flush()
                append(scalar, index: index)
                flush()
            } else {
                append(scalar, index: index)
            }
        }
        flush()
    }
}
