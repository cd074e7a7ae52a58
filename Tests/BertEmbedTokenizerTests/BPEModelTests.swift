// Tests the BPE model against tokenizers 0.23.3 (Resources/tokenizer-bpe/model.json and encode.json, from
// Scripts/make_bpe_goldens.py): token ids, values and ranges of words, every option, random merge tables, the
// tokenizer.json form and its errors.
import BertEmbedJSON
import BertEmbedTokenizer
import Foundation
import XCTest

final class BPEModelTests: XCTestCase {
    /// Checks `model`'s tokens of each golden [word, [[id, value, start byte, end byte], ...] or {"error"}].
    private func check(_ model: BPEModel, _ words: [JSONNode], _ name: String) throws {
        for item in words {
            let fields = try item.array()
            let word = try fields[0].string()
            let scalars = BPEGolden.scalars(word)
            if case .object = fields[1].value {
                XCTAssertThrowsError(try model.tokenize(scalars), "\(name) \(word)") { error in
                    XCTAssertEqual(error as? TokenizerError, .unknownToken(text: word))
                }
                continue
            }
            let expected = try fields[1].array().map { token -> ModelToken in
                let parts = try token.array()
                return ModelToken(
                    id: try parts[0].int(), value: try parts[1].string(),
                    range: BPEGolden.scalarRange(bytes: try parts[2].int(), try parts[3].int(), in: scalars))
            }
            XCTAssertEqual(try model.tokenize(scalars), expected, "\(name) \(word.debugDescription)")
            // The second time comes from the cache: the same tokens.
            XCTAssertEqual(try model.tokenize(scalars), expected, "\(name) \(word.debugDescription), cached")
        }
    }

    /// The fixture's model on the byte-level words of hand-written, corpus and random texts.
    func testFixtureWordsMatchTokenizers() throws {
        let model = try BPEModel(json: BPEGolden.fixtureModel())
        let words = try BPEGolden.read("model.json").object().required("fixture").array()
        XCTAssertGreaterThan(words.count, 1000)
        try check(model, words, "fixture")
        XCTAssertEqual(model.vocabularySize, 1426)
        XCTAssertEqual(model.tokenCount, 1426)
        XCTAssertEqual(model.id(for: "<mask>"), 1425)
        XCTAssertEqual(model.token(for: 0), "<s>")
        XCTAssertNil(model.token(for: 1426))
        XCTAssertEqual(try model.tokenize([]), [])
    }

    /// Small models with each option (unknown token fused or not, byte fallback, prefix, suffix, ignore_merges, an
    /// unknown token missing from the vocabulary, legacy merges with a #version line) and 30 random merge tables in
    /// which several pairs make the same token.
    func testOptionsAndRandomMergesMatchTokenizers() throws {
        let cases = try BPEGolden.read("model.json").object().required("small").array()
        XCTAssertGreaterThan(cases.count, 40)
        for item in cases {
            let entry = try item.object()
            let name = try entry.required("name").string()
            let model = try BPEModel(json: entry.required("model").object())
            try check(model, try entry.required("words").array(), name)
        }
    }

    /// The model composed with the ByteLevel pre-tokenizer (no normalizer, no added token, no post-processor) gives
    /// tokenizers' ids and character offsets, for the fixture and for vocabularies missing some scalars (dropped
    /// without an unknown token: the offsets of the tokens after them shift; or the unknown token, fused or not).
    func testWithPreTokenizerMatchesTokenizerEncode() throws {
        let golden = try BPEGolden.read("encode.json").object()
        let texts = try golden.required("texts").array().map { try $0.string() }
        let removed = Set(try golden.required("removed").array().map { try $0.string() })
        let fixture = try BPEGolden.fixtureVocabularyAndMerges()
        var checked = 0
        for item in try golden.required("configs").array() {
            let config = try item.object()
            let name = try config.required("name").string()
            let prefix = try config.required("add_prefix_space").bool()
            let options = try config.required("options").object()
            let model =
                name == "fixture"
                ? try BPEModel(json: BPEGolden.fixtureModel())
                : try BPEModel(
                    vocabulary: fixture.vocabulary.filter { !removed.contains($0.token) },
                    merges: fixture.merges.filter { !removed.contains($0.0) && !removed.contains($0.1) },
                    options: BPEModel.Options(
                        unknownToken: try options.string("unk_token"),
                        fuseUnknown: try options.bool("fuse_unk") ?? false))
            let preTokenizer = ByteLevelPreTokenizer(addPrefixSpace: prefix)
            let cases = try config.required("cases").array()
            XCTAssertEqual(cases.count, texts.count)
            for (text, expectedNode) in zip(texts, cases) {
                let expected = try expectedNode.array()
                var ids: [Int] = []
                var offsets: [Int] = []
                for word in preTokenizer.split(NormalizedText(text)) {
                    for token in try model.tokenize(word.scalars) {
                        ids.append(token.id)
                        let range = try XCTUnwrap(word.originalRange(of: token.range))
                        offsets += [word.originalStart + range.lowerBound, word.originalStart + range.upperBound]
                    }
                }
                XCTAssertEqual(
                    ids, try BPEGolden.ints(expected[0]), "\(name) prefix \(prefix) \(text.debugDescription)")
                XCTAssertEqual(
                    offsets, try BPEGolden.ints(expected[1]), "\(name) prefix \(prefix) \(text.debugDescription)")
                checked += 1
            }
        }
        XCTAssertEqual(checked, 6 * texts.count)
    }

    /// Readable cases: lowest rank first, leftmost first among equal pairs, a dropped scalar shifting offsets.
    func testMergeOrder() throws {
        let vocabulary = ["a", "b", "c", "aa", "ab", "bc", "abc"].enumerated().map { (token: $1, id: $0) }
        let model = try BPEModel(vocabulary: vocabulary, merges: [("b", "c"), ("a", "b"), ("a", "a"), ("a", "bc")])
        func tokens(_ word: String) throws -> [String] { try model.tokenize(BPEGolden.scalars(word)).map(\.value) }
        XCTAssertEqual(try tokens("abc"), ["abc"])  // b c first (rank 0), then a bc
        XCTAssertEqual(try tokens("aaa"), ["aa", "a"])  // leftmost first
        XCTAssertEqual(try tokens("aab"), ["a", "ab"])  // a b (rank 1) before a a (rank 2)
        // x dropped (no unknown token): byte offsets count the kept symbols only, so "bc" covers "xb".
        XCTAssertEqual(try model.tokenize(BPEGolden.scalars("xbc")), [ModelToken(id: 5, value: "bc", range: 0..<2)])
    }

    /// A token repeated in `vocab` keeps its last id, as in tokenizers (serde fills a map): the earlier id has no
    /// token.
    func testRepeatedToken() throws {
        let model = try BPEModel(json: BPEGolden.object(#"{"vocab": {"a": 0, "b": 1, "a": 2}, "merges": []}"#))
        XCTAssertEqual(model.id(for: "a"), 2)
        XCTAssertNil(model.token(for: 0))
        XCTAssertEqual(model.token(for: 2), "a")
        XCTAssertEqual(model.tokenCount, 2)
        XCTAssertEqual(model.vocabularySize, 3)
    }

    /// Both forms of `merges` give the same model; `#version` lines are skipped in the legacy form only.
    func testMergeForms() throws {
        let pairs = try BPEModel(
            json: BPEGolden.object(#"{"type": "BPE", "vocab": {"a": 0, "b": 1, "ab": 2}, "merges": [["a", "b"]]}"#))
        let legacy = try BPEModel(
            json: BPEGolden.object(##"{"vocab": {"a": 0, "b": 1, "ab": 2}, "merges": ["#version: 0.2", "a b"]}"##))
        for model in [pairs, legacy] {
            XCTAssertEqual(try model.tokenize(BPEGolden.scalars("abab")).map(\.id), [2, 2])
        }
    }

    /// tokenizer.json values tokenizers refuses are refused, naming the key; dropout other than 0 is unsupported.
    func testJSONErrors() throws {
        let vocab = #""vocab": {"a": 0, "b": 1, "ab": 2}"#
        let invalid: [(String, String)] = [
            (#"{"merges": []}"#, "vocab"),
            (#"{\#(vocab)}"#, "merges"),
            (#"{"type": "WordPiece", \#(vocab), "merges": []}"#, "type"),
            (#"{"vocab": {"a": -1}, "merges": []}"#, "vocab"),
            (#"{"vocab": {"a": "x"}, "merges": []}"#, "vocab"),
            (#"{\#(vocab), "merges": ["a b c"]}"#, "merges[0]"),
            (#"{\#(vocab), "merges": ["ab"]}"#, "merges[0]"),
            (#"{\#(vocab), "merges": ["a b", ["a", "b"]]}"#, "merges[0]"),
            (#"{\#(vocab), "merges": [["a", "b", "c"]]}"#, "merges[0]"),
            (#"{\#(vocab), "merges": ["a b", "a z"]}"#, "merges[1]"),
            (#"{\#(vocab), "merges": ["b a"]}"#, "merges[0]"),
            (#"{\#(vocab), "merges": [], "dropout": 1.5}"#, "dropout"),
            (#"{\#(vocab), "merges": [], "fuse_unk": "yes"}"#, "fuse_unk"),
            (#"{\#(vocab), "merges": [], "unk_token": 3}"#, "unk_token"),
        ]
        for (text, key) in invalid {
            XCTAssertThrowsError(try BPEModel(json: BPEGolden.object(text)), text) { error in
                guard case .invalidValue(_, let actual, _) = error as? TokenizerError else {
                    return XCTFail("\(text): \(error)")
                }
                XCTAssertEqual(actual, key, text)
            }
        }
        XCTAssertThrowsError(try BPEModel(json: BPEGolden.object(#"{\#(vocab), "merges": [], "dropout": 0.1}"#))) {
            guard case .unsupported(_, let feature) = $0 as? TokenizerError else { return XCTFail("\($0)") }
            XCTAssertTrue(feature.contains("dropout"), feature)
        }
        // Accepted: null options, dropout 0, "" prefix and suffix (the same as none), unknown keys.
        let model = try BPEModel(
            json: BPEGolden.object(
                #"""
                {\#(vocab), "merges": [["a", "b"]], "dropout": 0.0, "unk_token": null, "continuing_subword_prefix": "",
                 "end_of_word_suffix": "", "fuse_unk": null, "byte_fallback": false, "ignore_merges": null, "x": 1}
                """#))
        XCTAssertEqual(model.options, BPEModel.Options())
        XCTAssertEqual(try model.tokenize(BPEGolden.scalars("ab")).map(\.value), ["ab"])
    }

    /// One model shared by threads (its word cache is shared) gives every thread the tokens a fresh model gives.
    func testConcurrentUseMatchesSerial() throws {
        let shared = try BPEModel(json: BPEGolden.fixtureModel())
        let words = try BPEGolden.read("model.json").object().required("fixture").array().map {
            BPEGolden.scalars(try $0.array()[0].string())
        }
        let serial = try BPEModel(json: BPEGolden.fixtureModel())
        let expected = try words.map { try serial.tokenize($0) }
        // One slot per thread, each written by its own thread only.
        let mismatches = UnsafeMutableBufferPointer<Int>.allocate(capacity: 8)
        mismatches.initialize(repeating: 0)
        defer { mismatches.deallocate() }
        nonisolated(unsafe) let slots = mismatches
        DispatchQueue.concurrentPerform(iterations: 8) { thread in
            for round in 0..<3 {
                for index in words.indices where (index + thread + round) % 2 == 0 {
                    if (try? shared.tokenize(words[index])) != expected[index] { slots[thread] += 1 }
                }
            }
        }
        XCTAssertEqual(mismatches.reduce(0, +), 0)
    }

    /// The fixture loads from its tokenizer.json (legacy layout: no type, string merges) in well under a second.
    func testFixtureLoads() throws {
        let start = Date()
        let model = try BPEModel(json: BPEGolden.fixtureModel())
        XCTAssertLessThan(Date().timeIntervalSince(start), 1)
        XCTAssertEqual(try model.tokenize(BPEGolden.scalars("Hello")).map(\.value), ["Hello"])
    }
}
