// The plain BERT text -> tokens pipeline (plain added tokens, BertNormalizer, BertPreTokenizer, WordPiece), with a
// fast path that handles ASCII words straight from the UTF-8 bytes and sends only non-ASCII words through the
// general BERT path. Tokenizers of any other combination run TokenizerPipeline.swift.

/// Turns one text into WordPiece tokens, exactly as Hugging Face's `Tokenizer.encode` does before post-processing.
///
/// ASCII bytes are classified by table. ASCII whitespace and punctuation are word boundaries that no normalization
/// step can move (they have combining class 0 and map to themselves), so the text is cut there; a word made only of
/// ASCII is normalized, split and looked up in place, and a word holding any non-ASCII byte goes through the general
/// `BertNormalizer` + `BertPreTokenizer` path. Both paths give the same tokens (tested on every golden case).
package struct BertFastPath: Sendable {
    enum ByteClass: UInt8, Sendable { case word, whitespace, punctuation, removed, nonASCII }

    /// The normalizer options.
    package let normalizer: BertNormalizer
    /// The WordPiece model.
    package let model: WordPiece
    /// The tokens matched verbatim before normalization.
    package let added: AddedVocabulary
    private let byteClass: [ByteClass]
    private let byteLower: [UInt8]
    private let asciiPieceId: [Int]  // id of a lone ASCII scalar as a word, or the unknown id

    /// A pipeline of these stages.
    package init(normalizer: BertNormalizer, model: WordPiece, added: AddedVocabulary) {
        self.normalizer = normalizer
        self.model = model
        self.added = added
        var classes = Array(repeating: ByteClass.nonASCII, count: 256)
        var lower = Array(repeating: UInt8(0), count: 256)
        var pieceIds = Array(repeating: model.unknownId, count: 256)
        for b in 0..<128 {
            let scalar = Unicode.Scalar(UInt8(b))
            lower[b] = normalizer.lowercase && b >= 0x41 && b <= 0x5A ? UInt8(b + 32) : UInt8(b)
            // The slow predicates (128 property look-ups) leave the BMP table unbuilt until a non-ASCII word
            // needs it (texts in ASCII never do).
            if normalizer.cleanText && BertCharacterClass.slowIsRemovedByCleanText(scalar) {
                classes[b] = .removed
            } else if BertCharacterClass.slowIsWhitespace(scalar) {
                classes[b] = .whitespace
            } else if BertCharacterClass.slowIsPunctuation(scalar) {
                classes[b] = .punctuation
            } else {
                classes[b] = .word
            }
            pieceIds[b] = model.startPieces.lookup([lower[b]]) ?? model.unknownId
        }
        byteClass = classes
        byteLower = lower
        asciiPieceId = pieceIds
    }

    /// Appends the tokens of `text` to `sink`.
    package func run<S: TokenSink>(_ text: String, into sink: inout S) {
        var text = text
        text.withUTF8 { run(bytes: $0, into: &sink) }
    }

    /// Appends the tokens of the UTF-8 text `bytes` (valid UTF-8) to `sink`.
    package func run<S: TokenSink>(bytes: UnsafeBufferPointer<UInt8>, into sink: inout S) {
        // An ASCII word is kept in a small buffer; longer words are the unknown token when the model's limit is
        // below the buffer size, and otherwise go to the general path (which has no size limit).
        let capacity = min(model.maxInputCharsPerWord, 256) + 1
        let word = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
        let origins = UnsafeMutablePointer<Int>.allocate(capacity: capacity)  // byte offset of each word byte
        let scratch = WordPiece.Scratch(model: model, wordCapacity: capacity)
        defer {
            word.deallocate()
            origins.deallocate()
            scratch.deallocate()
        }
        let unknownId = model.unknownId
        let longWordsAreUnknown = model.maxInputCharsPerWord < capacity
        let count = bytes.count
        var extra = 0  // bytes so far minus scalars so far: scalar offset = byte offset - extra
        var length = 0  // bytes of the current ASCII word (may exceed `capacity`; only the first ones are kept)
        var lastOrigin = 0  // byte offset of its last byte
        var wordStart = -1

        @inline(__always)
        func flush(_ sink: inout S) {
            wordStart = -1
            guard length > 0 else { return }
            defer { length = 0 }
            if length > capacity - 1 {  // only reached when long words are unknown
                sink.append(
                    id: unknownId, start: S.wantsOffsets ? origins[0] - extra : 0,
                    end: S.wantsOffsets ? lastOrigin + 1 - extra : 0)
                return
            }
            let produced = model.split(word: word, count: length, scalarCount: length, scratch: scratch)
            for p in 0..<produced {
                let piece = scratch.pieces[p]
                if S.wantsOffsets {
                    sink.append(
                        id: piece.id, start: origins[piece.start] - extra, end: origins[piece.end - 1] + 1 - extra)
                } else {
                    sink.append(id: piece.id, start: 0, end: 0)
                }
            }
        }

        var i = 0
        while i < count {
            let byte = bytes[i]
            if added.startsToken[Int(byte)], let match = added.match(bytes, at: i, end: count) {
                flush(&sink)
                sink.append(id: match.id, start: i - extra, end: i - extra + match.scalars)
                extra += match.bytes - match.scalars
                i += match.bytes
                continue
            }
            var cls = byteClass[Int(byte)]
            if cls == .word && length == capacity - 1 && !longWordsAreUnknown { cls = .nonASCII }
            switch cls {
            case .word:
                if wordStart < 0 { wordStart = i }
                if length < capacity {
                    word[length] = byteLower[Int(byte)]
                    origins[length] = i
                }
                length += 1
                lastOrigin = i
                i += 1
            case .whitespace:
                flush(&sink)
                i += 1
            case .punctuation:
                flush(&sink)
                sink.append(id: asciiPieceId[Int(byte)], start: i - extra, end: i - extra + 1)
                i += 1
            case .removed:
                if wordStart < 0 { wordStart = i }
                i += 1
            case .nonASCII:
                // The word around this byte, up to the next ASCII boundary or added token, takes the general path.
                let chunkStart = wordStart >= 0 ? wordStart : i
                length = 0
                wordStart = -1
                var end = i + 1
                while end < count {
                    let b = bytes[end]
                    if b < 0x80, byteClass[Int(b)] == .whitespace || byteClass[Int(b)] == .punctuation { break }
                    if added.startsToken[Int(b)], added.match(bytes, at: end, end: count) != nil { break }
                    end += 1
                }
                extra = generalPath(
                    UnsafeBufferPointer(rebasing: bytes[chunkStart..<end]),
                    firstScalar: chunkStart - extra, extra: extra, into: &sink)
                i = end
            }
        }
        flush(&sink)
    }

    /// Tokenizes `chunk` (whole scalars; its first scalar is scalar number `firstScalar` of the text) through the
    /// general normalizer and pre-tokenizer. Returns the updated bytes-minus-scalars count.
    private func generalPath<S: TokenSink>(
        _ chunk: UnsafeBufferPointer<UInt8>, firstScalar: Int, extra: Int,
        into sink: inout S
    ) -> Int {
        var scalars: [Unicode.Scalar] = []
        var origins: [Int] = []
        scalars.reserveCapacity(chunk.count)
        origins.reserveCapacity(chunk.count)
        var iterator = chunk.makeIterator()
        var decoder = UTF8()
        decoding: while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar):
                origins.append(firstScalar + scalars.count)
                scalars.append(scalar)
            case .emptyInput:
                break decoding
            case .error:
                // Unreachable for a Swift String (always valid UTF-8); keep the replacement character's place.
                origins.append(firstScalar + scalars.count)
                scalars.append("\u{FFFD}")
            }
        }
        var normalized: [Unicode.Scalar] = []
        var normalizedOrigins: [Int] = []
        normalizer.normalize(scalars, origins: origins, into: &normalized, origins: &normalizedOrigins)
        BertPreTokenizer.tokenize(normalized, origins: normalizedOrigins, model: model, into: &sink)
        return extra + chunk.count - scalars.count
    }

    /// The tokens of `text` through the general path only (the reference the fast path is tested against).
    package func runGeneral<S: TokenSink>(_ text: String, into sink: inout S) {
        var text = text
        text.withUTF8 { bytes in
            // Split on added tokens only, then send every piece through the general path.
            var extra = 0
            var segmentStart = 0
            var i = 0
            while i <= bytes.count {
                if i < bytes.count,
                    !added.startsToken[Int(bytes[i])] || added.match(bytes, at: i, end: bytes.count) == nil
                {
                    i += 1
                    continue
                }
                if segmentStart < i {
                    extra = generalPath(
                        UnsafeBufferPointer(rebasing: bytes[segmentStart..<i]),
                        firstScalar: segmentStart - extra, extra: extra, into: &sink)
                }
                guard i < bytes.count, let match = added.match(bytes, at: i, end: bytes.count) else { break }
                sink.append(id: match.id, start: i - extra, end: i - extra + match.scalars)
                extra += match.bytes - match.scalars
                i += match.bytes
                segmentStart = i
            }
        }
    }
}
