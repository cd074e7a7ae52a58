// Both loading routes (tokenizer.json alone; vocab.txt + tokenizer_config.json) give the golden ids, and broken
// files throw a TokenizerError that names the file and the problem.
import BertEmbedTokenizer
import Foundation
import XCTest
import _BertEmbedTestSupport

final class LoadingTests: XCTestCase {
    private var folders: [URL] = []

    override func tearDown() {
        for folder in folders { try? FileManager.default.removeItem(at: folder) }
        folders = []
    }

    /// A fresh temporary folder holding `files` (name -> contents).
    private func folder(_ files: [String: Data]) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("bert-tok-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        for (name, data) in files { try data.write(to: url.appendingPathComponent(name)) }
        folders.append(url)
        return url
    }

    private func copy(_ configuration: String, _ names: [String]) throws -> URL {
        var files: [String: Data] = [:]
        for name in names { files[name] = try Data(contentsOf: resource("tokenizer/\(configuration)/\(name)")) }
        return try folder(files)
    }

    /// tokenizer.json alone and vocab.txt + tokenizer_config.json alone both give every golden case exactly.
    func testBothLoadingRoutesGiveTheGoldenIds() throws {
        let inputs = try Goldens.inputs()
        for configuration in ["uncased", "cased"] {
            let golden = try Goldens.file(configuration)
            let fromJSON = try Tokenizer(directory: try copy(configuration, ["tokenizer.json"]))
            let fromVocab = try Tokenizer(
                directory: try copy(configuration, ["vocab.txt", "tokenizer_config.json"]))
            XCTAssertEqual(fromJSON.vocabularySize, fromVocab.vocabularySize)
            for tokenizer in [fromJSON, fromVocab] {
                var failures = 0
                for (input, expected) in zip(inputs.cases, golden.cases) {
                    let encoding = try tokenizer.encode(
                        input.text, pair: input.pair, addSpecialTokens: input.special ?? true,
                        maxLength: input.maxLength, truncation: input.truncation)
                    if encoding.ids != expected.ids || encoding.offsets != expected.ranges { failures += 1 }
                }
                XCTAssertEqual(failures, 0, "\(configuration): \(failures) cases differ")
            }
        }
    }

    /// tokenizer.json vocabulary keys are compared byte-wise: "é" (U+00E9) and "e" + U+0301, equal as Swift strings,
    /// stay two tokens with their own ids; a key repeated byte for byte keeps its last id, as serde does.
    func testTokenizerJSONVocabularyKeysAreByteExact() throws {
        let json = #"""
            {"model": {"type": "WordPiece", "vocab": {"[UNK]": 0, "[CLS]": 1, "[SEP]": 2, "[PAD]": 3, "\u00e9": 4, "e\u0301": 5,
             "x": 6, "x": 7}}, "pre_tokenizer": {"type": "BertPreTokenizer"}}
            """#
        let tokenizer = try Tokenizer(directory: try folder(["tokenizer.json": Data(json.utf8)]))
        XCTAssertEqual(tokenizer.id(for: "\u{E9}"), 4)
        XCTAssertEqual(tokenizer.id(for: "e\u{301}"), 5)
        XCTAssertEqual(tokenizer.id(for: "x"), 7)
        XCTAssertEqual(tokenizer.vocabularySize, 7)
    }

    func testSpecialTokenIdsAndSettings() throws {
        let tokenizer = try Goldens.tokenizer("uncased")
        XCTAssertEqual(
            [tokenizer.clsTokenId, tokenizer.sepTokenId, tokenizer.padTokenId, tokenizer.id(for: "[UNK]")],
            [101, 102, 0, 100])
        XCTAssertEqual(tokenizer.vocabularySize, 30522)
        XCTAssertEqual(tokenizer.modelMaxLength, 512)
        XCTAssertEqual(tokenizer.token(for: 7592), "hello")
        XCTAssertEqual(tokenizer.id(for: "##ing"), 2075)
        XCTAssertNil(tokenizer.token(for: 30522))
        XCTAssertNil(try Goldens.tokenizer("variant").modelMaxLength)
        XCTAssertEqual(try Goldens.tokenizer("cased").modelMaxLength, 256)
    }

    /// Asserts that loading `directory` throws `expected`.
    private func assertThrows(
        _ directory: URL, _ expected: (TokenizerError) -> Bool, file: StaticString = #filePath, line: UInt = #line
    ) {
        do {
            _ = try Tokenizer(directory: directory)
            XCTFail("no error", file: file, line: line)
        } catch let error as TokenizerError {
            XCTAssertTrue(expected(error), "unexpected error: \(error)", file: file, line: line)
            XCTAssertFalse(error.description.isEmpty)
        } catch {
            XCTFail("not a TokenizerError: \(error)", file: file, line: line)
        }
    }

    func testBrokenFilesThrowTypedErrors() throws {
        let vocab = Data("[PAD]\n[UNK]\n[CLS]\n[SEP]\nhello\n".utf8)
        // No tokenizer files at all.
        assertThrows(try folder([:])) {
            if case .missingFiles = $0 { return true }
            return false
        }
        // vocab.txt not UTF-8 (line 3).
        assertThrows(
            try folder(["vocab.txt": Data("[PAD]\n[UNK]\nab\u{0}".utf8) + Data([0xFF, 0xFE]) + Data("\n".utf8)])
        ) {
            if case .invalidUTF8(let path, let line) = $0 { return path.hasSuffix("vocab.txt") && line == 3 }
            return false
        }
        // vocab without [UNK].
        assertThrows(try folder(["vocab.txt": Data("[PAD]\n[CLS]\n[SEP]\nhello\n".utf8)])) {
            if case .missingToken(let path, let token, _) = $0 {
                return path.hasSuffix("vocab.txt") && token == "[UNK]"
            }
            return false
        }
        // vocab without [CLS].
        assertThrows(try folder(["vocab.txt": Data("[PAD]\n[UNK]\n[SEP]\n".utf8)])) {
            if case .missingToken(_, "[CLS]", _) = $0 { return true }
            return false
        }
        // Empty vocab.txt.
        assertThrows(try folder(["vocab.txt": Data()])) {
            if case .invalidValue = $0 { return true }
            return false
        }
        // tokenizer_config.json that is not JSON, or has a wrong type.
        assertThrows(try folder(["vocab.txt": vocab, "tokenizer_config.json": Data("{not json".utf8)])) {
            if case .invalidJSON(let path, _) = $0 { return path.hasSuffix("tokenizer_config.json") }
            return false
        }
        assertThrows(
            try folder(["vocab.txt": vocab, "tokenizer_config.json": Data(#"{"do_lower_case": "yes"}"#.utf8)])
        ) {
            if case .invalidValue(_, "do_lower_case", _) = $0 { return true }
            return false
        }
        // tokenizer.json: invalid JSON, not UTF-8, not an object, missing vocab, unsupported parts, a folder.
        assertThrows(try folder(["tokenizer.json": Data("{\"model\": ".utf8)])) {
            if case .invalidJSON(let path, _) = $0 { return path.hasSuffix("tokenizer.json") }
            return false
        }
        assertThrows(try folder(["tokenizer.json": Data([0x7B, 0xFF, 0x7D])])) {
            if case .invalidUTF8(let path, _) = $0 { return path.hasSuffix("tokenizer.json") }
            return false
        }
        assertThrows(try folder(["tokenizer.json": Data("[1, 2]".utf8)])) {
            if case .invalidJSON = $0 { return true }
            return false
        }
        assertThrows(try folder(["tokenizer.json": Data(#"{"model": {"type": "WordPiece"}}"#.utf8)])) {
            if case .invalidValue(_, "model.vocab", _) = $0 { return true }
            return false
        }
        let wordLevel = #"{"model": {"type": "WordLevel", "vocab": {"a": 0}}}"#
        assertThrows(try folder(["tokenizer.json": Data(wordLevel.utf8)])) {
            if case .unsupported(_, let feature) = $0 { return feature == "model WordLevel" }
            return false
        }
        let bpeWithoutMerges = #"{"model": {"type": "BPE", "vocab": {"a": 0}}}"#
        assertThrows(try folder(["tokenizer.json": Data(bpeWithoutMerges.utf8)])) {
            if case .invalidValue(_, "model.merges", _) = $0 { return true }
            return false
        }
        let unknownNormalizer =
            #"{"model": {"type": "WordPiece", "vocab": {"[UNK]": 0}}, "normalizer": {"type": "Nmt"}}"#
        assertThrows(try folder(["tokenizer.json": Data(unknownNormalizer.utf8)])) {
            if case .unsupported(_, let feature) = $0 { return feature == "normalizer Nmt" }
            return false
        }
        let noUnk =
            #"{"model": {"type": "WordPiece", "vocab": {"a": 0}}, "pre_tokenizer": {"type": "BertPreTokenizer"}}"#
        assertThrows(try folder(["tokenizer.json": Data(noUnk.utf8)])) {
            if case .missingToken(_, "[UNK]", _) = $0 { return true }
            return false
        }
        let badId =
            #"{"model": {"type": "WordPiece", "vocab": {"a": "zero"}}, "pre_tokenizer": {"type": "BertPreTokenizer"}}"#
        assertThrows(try folder(["tokenizer.json": Data(badId.utf8)])) {
            if case .invalidValue = $0 { return true }
            return false
        }
        // Metaspace without its required `replacement`: the error names the key.
        let metaspace =
            #"{"model": {"type": "WordPiece", "vocab": {"[UNK]": 0}}, "pre_tokenizer": {"type": "Metaspace"}}"#
        assertThrows(try folder(["tokenizer.json": Data(metaspace.utf8)])) {
            if case .invalidValue(_, "pre_tokenizer.replacement", _) = $0 { return true }
            return false
        }
        // An unknown top-level key (here a misspelled post_processor) is refused, as tokenizers refuses it.
        let misspelled = #"{"model": {"type": "WordPiece", "vocab": {"[UNK]": 0}}, "opst_processor": null}"#
        assertThrows(try folder(["tokenizer.json": Data(misspelled.utf8)])) {
            if case .invalidValue(_, "opst_processor", let reason) = $0 { return reason.contains("unknown key") }
            return false
        }
        let scripts =
            #"{"model": {"type": "WordPiece", "vocab": {"[UNK]": 0}}, "pre_tokenizer": {"type": "UnicodeScripts"}}"#
        assertThrows(try folder(["tokenizer.json": Data(scripts.utf8)])) {
            if case .unsupported(_, let feature) = $0 { return feature == "pre_tokenizer UnicodeScripts" }
            return false
        }
        let directory = try folder([:])
        try FileManager.default.createDirectory(
            at: directory.appendingPathComponent("tokenizer.json"), withIntermediateDirectories: true)
        assertThrows(directory) {
            if case .unreadableFile = $0 { return true }
            return false
        }
    }
}
