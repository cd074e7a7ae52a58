// Tests the Unigram model (Viterbi, unknown fusing, byte fallback, errors) against tokenizers 0.23.3, and its fast
// path (double-array trie, pointer Viterbi) against a naive reference written from the spec.
import BertEmbedTokenizer
import Foundation
import XCTest
import _BertEmbedTestSupport

final class UnigramModelTests: XCTestCase {
    /// Ids, token strings and offsets equal tokenizers' for small vocabularies built for one rule each (ties,
    /// unknowns fused, a missing unk id, positive scores, duplicate pieces, byte fallback with all, some or no unk)
    /// and for the fixture's vocabulary on Metaspace words and random strings.
    func testTokenizationMatchesTokenizers() throws {
        let goldens = UnigramFixture.goldens.unigram
        XCTAssertEqual(goldens.count, 11)
        for golden in goldens {
            let model: UnigramModel
            if let vocab = golden.vocab {
                model = try UnigramModel(
                    vocabulary: vocab.map { ($0.piece, $0.score) }, unknownId: golden.unkId,
                    byteFallback: golden.byteFallback)
            } else {
                model = try UnigramFixture.model()
                XCTAssertEqual(model.unknownId, golden.unkId)
            }
            for golden in golden.cases {
                let word = Array(golden.text.unicodeScalars)
                if golden.error != nil {
                    XCTAssertThrowsError(try model.tokenize(word), golden.text.debugDescription) { error in
                        XCTAssertEqual(error as? TokenizerError, .unknownToken(text: golden.text))
                    }
                    continue
                }
                let tokens = try model.tokenize(word)
                XCTAssertEqual(tokens.map(\.id), golden.ids, "\(golden.text.debugDescription)")
                XCTAssertEqual(tokens.map(\.value), golden.tokens, "\(golden.text.debugDescription)")
                XCTAssertEqual(
                    tokens.map(\.range), UnigramFixture.ranges(golden.offsets ?? []), "\(golden.text.debugDescription)")
            }
        }
    }

    /// The vocabulary API: ids and pieces both ways; a piece listed twice answers its last id, and the size counts
    /// both entries.
    func testVocabulary() throws {
        let model = try UnigramModel(
            vocabulary: [("<unk>", 0), ("a", -1), ("ab", -2), ("a", -3)], unknownId: 0, byteFallback: false)
        XCTAssertEqual(model.vocabularySize, 4)
        XCTAssertEqual(model.id(for: "a"), 3)
        XCTAssertEqual(model.id(for: "ab"), 2)
        XCTAssertNil(model.id(for: "b"))
        XCTAssertNil(model.id(for: ""))
        XCTAssertEqual(model.token(for: 1), "a")
        XCTAssertNil(model.token(for: 4))
        XCTAssertNil(model.token(for: -1))
        XCTAssertThrowsError(try UnigramModel(vocabulary: [("a", 0)], unknownId: 1, byteFallback: false))
        XCTAssertThrowsError(try UnigramModel(vocabulary: [], unknownId: 0, byteFallback: false))
        let fixture = try UnigramFixture.model()
        XCTAssertEqual(fixture.vocabularySize, 2001)
        XCTAssertEqual(fixture.id(for: "<mask>"), 2000)
        XCTAssertEqual(fixture.token(for: 3), "<unk>")
    }

    /// The double-array trie finds exactly the keys that are prefixes (shortest first) and answers exact lookups
    /// like a dictionary (last id of a repeated key), on random byte keys with shared prefixes.
    func testPieceTrieAgainstDictionary() {
        var generator = SplitMix64(seed: 11)
        for round in 0..<20 {
            let alphabet: [UInt8] = round % 2 == 0 ? [0x61, 0x62, 0x63] : Array(0...255)
            let keys: [[UInt8]] = (0..<Int.random(in: 0...400, using: &generator)).map { _ in
                (0..<Int.random(in: 0...6, using: &generator)).map { _ in
                    alphabet.randomElement(using: &generator) ?? 0
                }
            }
            var expected: [[UInt8]: Int] = [:]
            for (id, key) in keys.enumerated() where !key.isEmpty { expected[key] = id }
            let trie = PieceTrie(keys: keys)
            for key in expected.keys { XCTAssertEqual(trie.id(of: key), expected[key]) }
            for _ in 0..<200 {
                let text: [UInt8] = (0..<Int.random(in: 0...10, using: &generator)).map { _ in
                    alphabet.randomElement(using: &generator) ?? 0
                }
                var found: [(Int, Int)] = []
                text.withUnsafeBufferPointer { buffer in
                    if let base = buffer.baseAddress {
                        trie.forEachPrefix(base, count: buffer.count) {
                            found.append(($0, $1))
                            _ = $2
                        }
                    }
                }
                let naive = (0...text.count).compactMap { length in
                    expected[Array(text[..<length])].map { (length, $0) }
                }
                XCTAssertEqual(found.map(\.0), naive.map(\.0))
                XCTAssertEqual(found.map(\.1), naive.map(\.1))
                XCTAssertEqual(trie.id(of: text), expected[text])
            }
        }
    }

    /// The fast model equals a naive Viterbi written from the spec (dictionary lookups over every substring) on
    /// random vocabularies whose scores tie often, with multi-byte characters, unknowns and byte fallback.
    func testAgainstNaiveReference() throws {
        var generator = SplitMix64(seed: 3)
        let characters: [String] = ["a", "b", "c", "\u{E9}", "\u{4E2D}", "\u{1F600}", "\u{2581}"]
        for round in 0..<60 {
            var vocabulary: [(piece: String, score: Double)] = [("<unk>", 0)]
            for _ in 0..<Int.random(in: 1...40, using: &generator) {
                let piece = (0..<Int.random(in: 1...4, using: &generator)).map { _ in
                    characters.randomElement(using: &generator) ?? "a"
                }.joined()
                vocabulary.append((piece, -Double(Int.random(in: 1...6, using: &generator)) / 2))
            }
            let byteFallback = round % 3 == 0
            if byteFallback {
                for byte in [0x61, 0xE4, 0xB8, 0xAD, 0xF0] {
                    vocabulary.append((String(format: "<0x%02X>", byte), -8))
                }
            }
            let model = try UnigramModel(vocabulary: vocabulary, unknownId: 0, byteFallback: byteFallback)
            for _ in 0..<100 {
                let text = (0..<Int.random(in: 0...10, using: &generator)).map { _ in
                    characters.randomElement(using: &generator) ?? "a"
                }.joined()
                let expected = Self.naiveTokenize(
                    text, vocabulary: vocabulary, unknownId: 0, byteFallback: byteFallback)
                let tokens = try model.tokenize(Array(text.unicodeScalars))
                XCTAssertEqual(tokens.map(\.id), expected.map(\.id), text)
                XCTAssertEqual(tokens.map(\.value), expected.map(\.value), text)
                XCTAssertEqual(tokens.map(\.range), expected.map(\.range), text)
            }
        }
    }

    /// The spec's algorithm, literally: byte positions, every substring looked up in a dictionary.
    static func naiveTokenize(
        _ text: String, vocabulary: [(piece: String, score: Double)], unknownId: Int, byteFallback: Bool
    ) -> [ModelToken] {
        var ids: [[UInt8]: Int] = [:]
        for (id, entry) in vocabulary.enumerated() { ids[Array(entry.piece.utf8)] = id }
        let unknownScore = (vocabulary.map(\.score).min() ?? .infinity) - 10
        let bytes = Array(text.utf8)
        let n = bytes.count
        var best = [(id: Int, score: Double, start: Int?)](repeating: (0, 0, nil), count: n + 1)
        var position = 0
        while position < n {
            let lead = bytes[position]
            let width = lead < 0x80 ? 1 : lead < 0xE0 ? 2 : lead < 0xF0 ? 3 : 4
            var hasSingle = false
            for length in 1...(n - position) {
                guard let id = ids[Array(bytes[position..<(position + length)])] else { continue }
                let candidate = vocabulary[id].score + best[position].score
                if best[position + length].start == nil || candidate > best[position + length].score {
                    best[position + length] = (id, candidate, position)
                }
                if length == width { hasSingle = true }
            }
            if !hasSingle {
                let candidate = unknownScore + best[position].score
                if best[position + width].start == nil || candidate > best[position + width].score {
                    best[position + width] = (unknownId, candidate, position)
                }
            }
            position += width
        }
        var pieces: [Range<Int>] = []
        var pending: Range<Int>?
        var end = n
        while end > 0, let start = best[end].start {
            if best[end].id == unknownId {
                pending = start..<(pending?.upperBound ?? end)
            } else {
                if let run = pending { pieces.append(run) }
                pending = nil
                pieces.append(start..<end)
            }
            end = start
        }
        if let run = pending { pieces.append(run) }
        // Byte offsets to scalar offsets.
        var scalarAt: [Int: Int] = [:]
        var offset = 0
        for (index, scalar) in text.unicodeScalars.enumerated() {
            scalarAt[offset] = index
            offset += UTF8.width(scalar)
        }
        scalarAt[n] = text.unicodeScalars.count
        var tokens: [ModelToken] = []
        for piece in pieces.reversed() {
            let range = (scalarAt[piece.lowerBound] ?? 0)..<(scalarAt[piece.upperBound] ?? 0)
            let pieceBytes = Array(bytes[piece])
            let value = String(decoding: pieceBytes, as: UTF8.self)
            if let id = ids[pieceBytes] {
                tokens.append(ModelToken(id: id, value: value, range: range))
            } else if byteFallback, pieceBytes.allSatisfy({ ids[Array(String(format: "<0x%02X>", $0).utf8)] != nil }) {
                for byte in pieceBytes {
                    let name = String(format: "<0x%02X>", byte)
                    tokens.append(ModelToken(id: ids[Array(name.utf8)] ?? -1, value: name, range: range))
                }
            } else {
                tokens.append(ModelToken(id: unknownId, value: value, range: range))
            }
        }
        return tokens
    }
}
