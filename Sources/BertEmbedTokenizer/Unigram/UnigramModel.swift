// Ports tokenizers' models::unigram::Unigram (src/models/unigram/model.rs: `from`, `encode_optimized`, `tokenize`;
// serialization.rs for the JSON): SentencePiece's Unigram model, the best-scoring segmentation found by Viterbi.
import BertEmbedJSON

/// The Unigram model: pieces with log-probability scores; a word is cut into the pieces whose scores add up highest.
///
/// Exactly as tokenizers: scores are added as Doubles in the order `score + best[start]`; for each end position the
/// first candidate found wins ties (candidates come by increasing start, then increasing length, the unknown one
/// last); a character no one-character piece covers gets an unknown candidate scoring the lowest score minus 10;
/// consecutive unknown pieces are fused into one token whose text is the covered text; with byte fallback a fused
/// piece absent from the vocabulary becomes one `<0xXX>` token per UTF-8 byte, all sharing its range.
package struct UnigramModel: TokenizationModel {
    /// The pieces, by id.
    package let pieces: [String]
    /// Their scores, by id.
    package let scores: [Double]
    /// The id of the unknown token, if any.
    package let unknownId: Int?
    /// Whether unknown pieces become `<0xXX>` byte tokens (when the vocabulary has all their bytes).
    package let byteFallback: Bool
    /// The score of an unknown character: the lowest score minus 10 (`K_UNK_PENALTY`).
    let unknownScore: Double
    /// Every piece by its UTF-8 bytes (a piece present twice: its last id).
    let trie: PieceTrie
    /// The id of `<0xXX>` for each byte, -1 when absent.
    let byteIds: [Int]

    /// A model of `vocabulary` (ids in order).
    /// - Throws: `TokenizerError.invalidValue` at `path`/`key` when `unknownId` is set and the vocabulary is empty or
    ///   has no such id (tokenizers' `EmptyVocabulary`, `UnkIdNotInVocabulary`).
    package init(
        vocabulary: [(piece: String, score: Double)], unknownId: Int?, byteFallback: Bool,
        path: String = "Unigram model", key: String = "unk_id"
    ) throws(TokenizerError) {
        if let reason = Self.problem(vocabularyCount: vocabulary.count, unknownId: unknownId) {
            throw .invalidValue(path: path, key: key, reason: reason)
        }
        self.init(validated: vocabulary, unknownId: unknownId, byteFallback: byteFallback)
    }

    /// Why `unknownId` cannot be the unknown id of a vocabulary of `vocabularyCount` pieces, nil when it can.
    static func problem(vocabularyCount: Int, unknownId: Int?) -> String? {
        guard let unknownId else { return nil }
        if vocabularyCount == 0 { return "the vocabulary is empty but at least <unk> is needed" }
        if unknownId < 0 || unknownId >= vocabularyCount {
            return "\(unknownId) is not an id of the vocabulary (\(vocabularyCount) pieces)"
        }
        return nil
    }

    /// A model of `vocabulary`, whose `unknownId` was checked.
    private init(validated vocabulary: [(piece: String, score: Double)], unknownId: Int?, byteFallback: Bool) {
        pieces = vocabulary.map(\.piece)
        scores = vocabulary.map(\.score)
        self.unknownId = unknownId
        self.byteFallback = byteFallback
        var lowest = Double.infinity
        for score in scores where score < lowest { lowest = score }
        unknownScore = lowest - 10
        trie = PieceTrie(keys: pieces.map { Array($0.utf8) }, scores: scores)
        var byteIds = [Int](repeating: -1, count: 256)
        for byte in 0..<256 {
            let hex = String(byte, radix: 16, uppercase: true)
            byteIds[byte] = trie.id(of: Array("<0x\(hex.count == 1 ? "0" : "")\(hex)>".utf8)) ?? -1
        }
        self.byteIds = byteIds
    }

    /// The model of a tokenizer.json `{"type": "Unigram", "vocab": [[piece, score], ...], "unk_id": 3,
    /// "byte_fallback": false}` object: `vocab` required; `unk_id` absent or null for none, else a valid id written
    /// as an integer; `byte_fallback` default false (not null); other keys ignored. Scores are read as serde_json reads
    /// them (`SerdeFloat`), not always the nearest Double.
    /// - Throws: `JSONFileError` naming the key for a missing or wrong value.
    package init(json: JSONObject) throws(JSONFileError) {
        if let type = try json.string("type"), type != "Unigram" {
            throw json.error("type", "expected \"Unigram\", found \"\(type)\"")
        }
        let vocab = try json.required("vocab")
        guard case .array(let entries) = vocab.value else { throw vocab.wrongKind("a list of [piece, score]") }
        var vocabulary: [(piece: String, score: Double)] = []
        vocabulary.reserveCapacity(entries.count)
        for (index, entry) in entries.enumerated() {
            guard case .array(let pair) = entry, pair.count == 2, case .string(let piece) = pair[0],
                case .number(let number) = pair[1], let score = SerdeFloat.parse(number.literal)
            else {
                throw JSONNode(value: entry, path: json.path, key: "\(vocab.key)[\(index)]")
                    .wrongKind("[piece, score]")
            }
            vocabulary.append((piece, score))
        }
        var unknownId: Int?
        if let node = json["unk_id"] {
            // A usize for serde: an integer literal (not 3.0), not negative.
            guard case .number(let number) = node.value, let id = number.exactInt, id >= 0 else {
                throw node.wrongKind("an id (a non-negative integer)")
            }
            unknownId = id
        }
        if json.members.value("byte_fallback") == .null {
            throw json.error("byte_fallback", "expected true or false, found null")
        }
        let byteFallback = try json.bool("byte_fallback") ?? false
        if let reason = Self.problem(vocabularyCount: vocabulary.count, unknownId: unknownId) {
            throw json.error("unk_id", reason)
        }
        self.init(validated: vocabulary, unknownId: unknownId, byteFallback: byteFallback)
    }

    /// The number of ids (duplicates included).
    package var vocabularySize: Int { pieces.count }

    /// The id of the piece `token` (its last id when present twice).
    package func id(for token: String) -> Int? {
        trie.id(of: Array(token.utf8))
    }

    /// The piece of `id`.
    package func token(for id: Int) -> String? {
        id >= 0 && id < pieces.count ? pieces[id] : nil
    }

    /// The tokens of one word, with ranges in its scalars.
    /// - Throws: `TokenizerError.unknownToken` when a character needs the unknown token and the model has none.
    package func tokenize(_ word: UnsafeBufferPointer<Unicode.Scalar>) throws -> [ModelToken] {
        guard !word.isEmpty else { return [] }
        var byteCount = 0
        for scalar in word { byteCount += UTF8.width(scalar) }
        let n = byteCount
        return try withUnsafeTemporaryAllocation(of: UInt8.self, capacity: n) { bytes in
            try withUnsafeTemporaryAllocation(of: Int32.self, capacity: 6 * (n + 1)) { ints in
                try withUnsafeTemporaryAllocation(of: Double.self, capacity: n + 1) { best in
                    // scalarAt[b]: the scalar index at byte boundary b; bestId/bestStart: the best piece ending at b.
                    let scalarAt = ints.baseAddress!, bestId = scalarAt + (n + 1), bestStart = bestId + (n + 1)
                    var b = 0
                    for (index, scalar) in word.enumerated() {
                        scalarAt[b] = Int32(index)
                        b += ScalarUTF8.encode(scalar, into: bytes.baseAddress! + b)
                    }
                    scalarAt[n] = Int32(word.count)
                    for i in 0...n {
                        bestStart[i] = -1
                        best[i] = 0
                    }
                    try viterbi(bytes.baseAddress!, n, best.baseAddress!, bestId, bestStart, word)
                    return tokens(bytes.baseAddress!, n, bestId, bestStart, scalarAt, bestStart + (n + 1))
                }
            }
        }
    }

    /// Fills the best path ending at each byte boundary (`encode_optimized`'s forward pass).
    @inline(__always)
    private func viterbi(
        _ bytes: UnsafePointer<UInt8>, _ n: Int, _ best: UnsafeMutablePointer<Double>,
        _ bestId: UnsafeMutablePointer<Int32>, _ bestStart: UnsafeMutablePointer<Int32>,
        _ word: UnsafeBufferPointer<Unicode.Scalar>
    ) throws {
        do {
            var position = 0
            while position < n {
                let here = best[position]
                let lead = bytes[position]
                let width = lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4
                var hasSingle = false
                trie.forEachPrefix(bytes + position, count: n - position) { length, id, score in
                    let candidate = score + here
                    let target = position + length
                    if bestStart[target] < 0 || candidate > best[target] {
                        best[target] = candidate
                        bestStart[target] = Int32(position)
                        bestId[target] = Int32(id)
                    }
                    if length == width { hasSingle = true }
                }
                if !hasSingle {
                    let target = position + width
                    let candidate = unknownScore + here
                    if bestStart[target] < 0 || candidate > best[target] {
                        guard let unknownId else {
                            throw TokenizerError.unknownToken(text: String(String.UnicodeScalarView(word)))
                        }
                        best[target] = candidate
                        bestStart[target] = Int32(position)
                        bestId[target] = Int32(unknownId)
                    }
                }
                position += width
            }
        }
    }

    /// The tokens of the best path (the backward pass of `encode_optimized`, then `tokenize`); `path` has room for
    /// 3 * (n + 1) values.
    private func tokens(
        _ bytes: UnsafePointer<UInt8>, _ n: Int, _ bestId: UnsafePointer<Int32>, _ bestStart: UnsafePointer<Int32>,
        _ scalarAt: UnsafePointer<Int32>, _ path: UnsafeMutablePointer<Int32>
    ) -> [ModelToken] {
        // Pieces from the end, as (start, end, id) triples; a run of unknown pieces becomes one with id -1.
        var pieceCount = 0
        /// Records the piece `start..<end` (bytes) with `id`.
        func append(_ start: Int, _ end: Int, _ id: Int32) {
            path[3 * pieceCount] = Int32(start)
            path[3 * pieceCount + 1] = Int32(end)
            path[3 * pieceCount + 2] = id
            pieceCount += 1
        }
        let unknown = unknownId.map { Int32($0) }
        var end = n
        var fusedEnd = -1
        while end > 0 {
            let start = Int(bestStart[end])
            if bestId[end] == unknown {
                if fusedEnd < 0 { fusedEnd = end }
            } else {
                if fusedEnd >= 0 {
                    append(end, fusedEnd, -1)
                    fusedEnd = -1
                }
                append(start, end, bestId[end])
            }
            end = start
        }
        if fusedEnd >= 0 { append(0, fusedEnd, -1) }

        var tokens: [ModelToken] = []
        tokens.reserveCapacity(pieceCount)
        for piece in stride(from: pieceCount - 1, through: 0, by: -1) {
            let start = Int(path[3 * piece]), end = Int(path[3 * piece + 1]), id = Int(path[3 * piece + 2])
            let range = Int(scalarAt[start])..<Int(scalarAt[end])
            if id >= 0 {
                tokens.append(ModelToken(id: id, value: pieces[id], range: range))
                continue
            }
            // A fused unknown piece: the vocabulary may still have it whole (the unknown piece's own text).
            if let known = trie.id(of: bytes + start, count: end - start) {
                tokens.append(ModelToken(id: known, value: pieces[known], range: range))
                continue
            }
            if byteFallback, (start..<end).allSatisfy({ byteIds[Int(bytes[$0])] >= 0 }) {
                for k in start..<end {
                    let byteId = byteIds[Int(bytes[k])]
                    tokens.append(ModelToken(id: byteId, value: pieces[byteId], range: range))
                }
                continue
            }
            let text = String(decoding: UnsafeBufferPointer(start: bytes + start, count: end - start), as: UTF8.self)
            tokens.append(ModelToken(id: unknownId ?? 0, value: text, range: range))
        }
        return tokens
    }
}
