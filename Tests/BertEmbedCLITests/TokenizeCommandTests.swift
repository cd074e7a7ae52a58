// bert-embed tokenize: JSON lines out for text lines in, pairs, JSON input, truncation and input errors.
import Foundation
import XCTest
import _BertEmbedTestSupport

final class TokenizeCommandTests: XCTestCase {
    private let model = resource("tokenizer/uncased").path

    private func lines(_ data: Data) throws -> [[String: Any]] {
        try String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).dropLast()
            .map { try XCTUnwrap(JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
    }

    func testPlainLinesGiveOneObjectEach() throws {
        let result = try runCLI(["tokenize", "--model", model], stdin: Data("Hello, world!\nCafé [SEP] 中文\r\n\n".utf8))
        XCTAssertEqual(result.status, 0, result.stderr)
        let objects = try lines(result.stdout)
        XCTAssertEqual(objects.count, 3)
        XCTAssertEqual(objects[0]["ids"] as? [Int], [101, 7592, 1010, 2088, 999, 102])
        XCTAssertEqual(objects[0]["tokens"] as? [String], ["[CLS]", "hello", ",", "world", "!", "[SEP]"])
        XCTAssertEqual(objects[0]["offsets"] as? [[Int]], [[0, 0], [0, 5], [5, 6], [7, 12], [12, 13], [0, 0]])
        XCTAssertEqual(objects[0]["type_ids"] as? [Int], [0, 0, 0, 0, 0, 0])
        XCTAssertEqual(objects[0]["attention_mask"] as? [Int], [1, 1, 1, 1, 1, 1])
        // The \r stays in the text (and is whitespace); [SEP] in the text is the special token.
        XCTAssertEqual(objects[1]["ids"] as? [Int], [101, 7668, 102, 1746, 1861, 102])
        XCTAssertEqual(objects[2]["ids"] as? [Int], [101, 102])
    }

    func testPairsTruncationAndJSONLines() throws {
        let tab = try runCLI(["tokenize", "--model", model, "--pair"], stdin: Data("a b\tc d e".utf8))
        XCTAssertEqual(tab.status, 0, tab.stderr)
        XCTAssertEqual(try lines(tab.stdout)[0]["type_ids"] as? [Int], [0, 0, 0, 0, 1, 1, 1, 1])
        let json = try runCLI(["tokenize", "--model", model, "--pair", "--jsonl", "--max-length", "5"],
                              stdin: Data(#"["a b", "c d e"]"#.utf8) + Data([0x0A]))
        XCTAssertEqual(json.status, 0, json.stderr)
        XCTAssertEqual(try lines(json.stdout)[0]["ids"] as? [Int], [101, 1037, 102, 1039, 102])
        let strings = try runCLI(["tokenize", "--model", model, "--jsonl"], stdin: Data(#""tab\there \"q\" \u0001x""#.utf8))
        XCTAssertEqual(strings.status, 0, strings.stderr)
        XCTAssertEqual(try lines(strings.stdout)[0]["tokens"] as? [String], ["[CLS]", "tab", "here", "\"", "q", "\"", "x", "[SEP]"])
    }

    /// Tokens holding control characters and quotes come out as valid JSON (variant keeps control characters).
    func testEscapingOfEveryControlCharacter() throws {
        let controls: [UInt8] = (1..<0x20).filter { $0 != 9 && $0 != 10 && $0 != 13 }
        let text = String(decoding: controls, as: UTF8.self) + "\"\\"
        let result = try runCLI(["tokenize", "--model", resource("tokenizer/variant").path], stdin: Data(text.utf8))
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(try lines(result.stdout).count, 1)
    }

    func testInvalidInputNamesTheLine() throws {
        let utf8 = try runCLI(["tokenize", "--model", model], stdin: Data("ok\n".utf8) + Data([0x61, 0xFF, 0x0A]))
        XCTAssertEqual(utf8.status, 1)
        XCTAssertTrue(utf8.stderr.contains("line 2") && utf8.stderr.contains("UTF-8"), utf8.stderr)
        let json = try runCLI(["tokenize", "--model", model, "--jsonl"], stdin: Data("\"ok\"\n\"ok\"\n{oops\n".utf8))
        XCTAssertEqual(json.status, 1)
        XCTAssertTrue(json.stderr.contains("line 3") && json.stderr.contains("JSON"), json.stderr)
        XCTAssertEqual(try lines(json.stdout).count, 2, "lines before the error are written")
        let pair = try runCLI(["tokenize", "--model", model, "--pair"], stdin: Data("no tab here\n".utf8))
        XCTAssertEqual(pair.status, 1)
        XCTAssertTrue(pair.stderr.contains("line 1"), pair.stderr)
        let missing = try runCLI(["tokenize", "--model", "/nonexistent/model"])
        XCTAssertEqual(missing.status, 1)
        XCTAssertTrue(missing.stderr.contains("/nonexistent/model"), missing.stderr)
        let usage = try runCLI(["tokenize"])
        XCTAssertEqual(usage.status, 2)
    }

    func testHelpDescribesEveryOption() throws {
        let result = try runCLI(["tokenize", "--help"])
        XCTAssertEqual(result.status, 0)
        let help = String(decoding: result.stdout, as: UTF8.self)
        for option in ["--model", "--max-length", "--pair", "--jsonl", "--benchmark"] { XCTAssertTrue(help.contains(option), option) }
    }

    func testBenchmarkPrintsThroughput() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("bench-\(UUID().uuidString).txt")
        try Data(String(repeating: "The quick brown fox jumps over the lazy dog.\n", count: 50).utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let result = try runCLI(["tokenize", "--model", model, "--benchmark", file.path])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(String(decoding: result.stdout, as: UTF8.self).contains("MB/s"))
    }
}
