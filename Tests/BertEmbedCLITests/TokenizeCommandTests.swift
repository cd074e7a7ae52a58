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
        let json = try runCLI(
            ["tokenize", "--model", model, "--pair", "--jsonl", "--max-length", "5"],
            stdin: Data(#"["a b", "c d e"]"#.utf8) + Data([0x0A]))
        XCTAssertEqual(json.status, 0, json.stderr)
        XCTAssertEqual(try lines(json.stdout)[0]["ids"] as? [Int], [101, 1037, 102, 1039, 102])
        let strings = try runCLI(
            ["tokenize", "--model", model, "--jsonl"], stdin: Data(#""tab\there \"q\" \u0001x""#.utf8))
        XCTAssertEqual(strings.status, 0, strings.stderr)
        XCTAssertEqual(
            try lines(strings.stdout)[0]["tokens"] as? [String],
            ["[CLS]", "tab", "here", "\"", "q", "\"", "x", "[SEP]"])
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

    /// The ids are those sentence-transformers 6.2.0 feeds the model (tiny.json, lowercase.json): every golden case,
    /// in its variant folder (do_lower_case, default prompts), with its prompt options, truncated at its max_length
    /// or the folder's max_seq_length; texts sent as JSON strings. Exact.
    func testIdsEqualSentenceTransformersForEveryGoldenCase() throws {
        let variants = try VariantFolders()
        var checked = 0
        for file in ["tiny.json", "lowercase.json"] {
            let data = try Data(contentsOf: resource("goldens/sentence/" + file))
            let cases = try XCTUnwrap(
                (JSONSerialization.jsonObject(with: data) as? [String: Any])?["cases"] as? [[String: Any]])
            for golden in cases {
                let name = try XCTUnwrap(golden["name"] as? String)
                let texts = try XCTUnwrap(golden["texts"] as? [String]), ids = try XCTUnwrap(golden["ids"] as? [[Int]])
                let options = golden["options"] as? [String: Any] ?? [:]
                let folder = try (golden["variant"] as? String).map { try variants.folder($0) } ?? resource("tiny-bert")
                var arguments = [
                    "tokenize", "--model", folder.path, "--jsonl", "--max-length",
                    "\((options["max_length"] as? Int) ?? 48)",
                ]
                if let prompt = options["prompt"] as? String { arguments += ["--prompt", prompt] }
                if let promptName = options["prompt_name"] as? String { arguments += ["--prompt-name", promptName] }
                let input = try texts.map {
                    String(
                        decoding: try JSONSerialization.data(withJSONObject: $0, options: [.fragmentsAllowed]),
                        as: UTF8.self)
                }
                let result = try runCLI(arguments, stdin: Data((input.joined(separator: "\n") + "\n").utf8))
                XCTAssertEqual(result.status, 0, "\(name): \(result.stderr)")
                let got = try lines(result.stdout).map { $0["ids"] as? [Int] ?? [] }
                XCTAssertEqual(got.count, texts.count, name)
                for (index, expected) in ids.enumerated() where index < got.count {
                    XCTAssertEqual(got[index], expected, "\(name), text \(index) \(texts[index].debugDescription)")
                }
                checked += 1
            }
        }
        XCTAssertGreaterThan(checked, 20)
    }

    /// A sentence-transformers folder whose Transformer module is a subfolder (older models: 0_Transformer/).
    func testTransformerModuleInASubfolder() throws {
        let variants = try VariantFolders()
        let root = try variants.baseCopy("subfolder")
        let inner = root.appendingPathComponent("0_Transformer")
        try FileManager.default.createDirectory(at: inner, withIntermediateDirectories: true)
        for file in [
            "config.json", "model.safetensors", "sentence_bert_config.json", "tokenizer.json", "tokenizer_config.json",
            "vocab.txt",
        ] {
            try FileManager.default.moveItem(
                at: root.appendingPathComponent(file), to: inner.appendingPathComponent(file))
        }
        let modules =
            #"[{"idx": 0, "name": "0", "path": "0_Transformer", "type": "sentence_transformers.models.Transformer"}, "#
            + #"{"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"}]"#
        try variants.write(Data(modules.utf8), to: "modules.json", in: root)
        let moved = try runCLI(["tokenize", "--model", root.path], stdin: Data("Hello, world!\n".utf8))
        let base = try runCLI(["tokenize", "--model", resource("tiny-bert").path], stdin: Data("Hello, world!\n".utf8))
        XCTAssertEqual(moved.status, 0, moved.stderr)
        XCTAssertEqual(base.status, 0, base.stderr)
        XCTAssertEqual(moved.stdout, base.stdout)
        XCTAssertGreaterThan(moved.stdout.count, 10)
    }

    func testPromptErrors() throws {
        let variants = try VariantFolders()
        let folder = try variants.folder("prompts-mean").path
        let unknown = try runCLI(["tokenize", "--model", folder, "--prompt-name", "nope"], stdin: Data("a\n".utf8))
        XCTAssertEqual(unknown.status, 1)
        XCTAssertTrue(
            unknown.stderr.contains("no prompt named 'nope'") && unknown.stderr.contains("passage"), unknown.stderr)
        let pair = try runCLI(["tokenize", "--model", folder, "--pair", "--prompt", "q: "], stdin: Data("a\tb\n".utf8))
        XCTAssertEqual(pair.status, 2, pair.stderr)
        let both = try runCLI(["tokenize", "--model", folder, "--prompt", "q: ", "--prompt-name", "passage"])
        XCTAssertEqual(both.status, 2, both.stderr)
    }

    func testHelpDescribesEveryOption() throws {
        let result = try runCLI(["tokenize", "--help"])
        XCTAssertEqual(result.status, 0)
        let help = String(decoding: result.stdout, as: UTF8.self)
        for option in ["--model", "--max-length", "--pair", "--jsonl", "--benchmark", "--prompt", "--prompt-name"] {
            XCTAssertTrue(help.contains(option), option)
        }
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
