// bert-embed embed on the tiny fixture: against the sentence-transformers goldens, every format, input and error.
import Foundation
import XCTest
import _BertEmbedTestSupport

final class EmbedCommandTests: XCTestCase {
    let model = resource("tiny-bert").path

    /// The golden vectors of a case of Resources/goldens/sentence/tiny.json, by text.
    func golden(_ caseName: String) throws -> [String: [Float]] {
        let data = try Data(contentsOf: resource("goldens/sentence/tiny.json"))
        let root = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
        let cases = try XCTUnwrap(root["cases"] as? [[String: Any]])
        let found = try XCTUnwrap(cases.first { $0["name"] as? String == caseName }, "no case \(caseName)")
        let texts = try XCTUnwrap(found["texts"] as? [String])
        let vectors = try XCTUnwrap(found["vectors"] as? [[NSNumber]])
        return Dictionary(uniqueKeysWithValues: zip(texts, vectors.map { $0.map(\.floatValue) }))
    }

    /// Each line of jsonl output as floats (must parse as JSON arrays of numbers).
    func parseJSONL(_ data: Data) throws -> [[Float]] {
        let text = String(decoding: data, as: UTF8.self)
        XCTAssertTrue(text.isEmpty || text.hasSuffix("\n"))
        return try text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map { line in
            let array = try XCTUnwrap(
                JSONSerialization.jsonObject(with: Data(line.utf8)) as? [NSNumber], "not a JSON array: \(line)")
            // Shortest round-trip formatting: reading the text back gives the float32 exactly.
            return try line.dropFirst().dropLast().split(separator: ",").enumerated().map { index, field in
                let value = try XCTUnwrap(Float(String(field)), "not a float: \(field)")
                XCTAssertEqual(Double(value), array[index].doubleValue, accuracy: Double(value.ulp))
                return value
            }
        }
    }

    /// Elementwise |ours - reference| <= 1e-5 + 1e-4 |reference| (the golden tolerance of BertEmbedTests).
    func assertClose(_ ours: [Float], _ reference: [Float]?, _ what: String, line: UInt = #line) {
        guard let reference else { return XCTFail("\(what): no reference", line: line) }
        XCTAssertEqual(ours.count, reference.count, what, line: line)
        for (index, (a, b)) in zip(ours, reference).enumerated() where !(abs(a - b) <= 1e-5 + 1e-4 * abs(b)) {
            return XCTFail("\(what): element \(index) is \(a), reference \(b)", line: line)
        }
    }

    func testArgumentsToJSONLMatchSentenceTransformers() throws {
        let texts = ["A man is eating food.", "The quick brown fox jumps over the lazy dog!"]
        let result = try runCLI(["embed", "--model", model] + texts)
        XCTAssertEqual(result.status, 0, result.stderr)
        let vectors = try parseJSONL(result.stdout)
        XCTAssertEqual(vectors.count, 2)
        let reference = try golden("folder default (mean)")
        for (text, vector) in zip(texts, vectors) { assertClose(vector, reference[text], text) }
    }

    func testStandardInputLines() throws {
        let reference = try golden("folder default (mean)")
        // A final newline adds no text; an empty line is the empty text.
        var result = try runCLI(["embed", "--model", model], stdin: Data("A man is eating food.\n\na\n".utf8))
        XCTAssertEqual(result.status, 0, result.stderr)
        var vectors = try parseJSONL(result.stdout)
        XCTAssertEqual(vectors.count, 3)
        for (text, vector) in zip(["A man is eating food.", "", "a"], vectors) {
            assertClose(vector, reference[text], text)
        }
        // Lines longer than the 64 KiB reads, and lines split across reads, come out whole and in order.
        let long = String(repeating: "word ", count: 40_000), longer = String(repeating: "b", count: 70_000)
        result = try runCLI(
            ["embed", "--model", model, "--quiet"],
            stdin: Data("\(long)\nA man is eating food.\n\(longer)\na\n".utf8))
        XCTAssertEqual(result.status, 0, result.stderr)
        vectors = try parseJSONL(result.stdout)
        XCTAssertEqual(vectors.count, 4)
        if vectors.count == 4 {
            assertClose(vectors[1], reference["A man is eating food."], "after a 200 KB line")
            assertClose(vectors[3], reference["a"], "after a 70 KB line")
        }
        // No final newline; --jsonl lines are JSON strings with escapes.
        result = try runCLI(
            ["embed", "--model", model, "--jsonl"], stdin: Data("\"A man is eating food.\"\n\"\\u0061\"".utf8))
        XCTAssertEqual(result.status, 0, result.stderr)
        vectors = try parseJSONL(result.stdout)
        XCTAssertEqual(vectors.count, 2)
        assertClose(vectors[1], reference["a"], "\\u0061")
        // Nothing in, nothing out.
        result = try runCLI(["embed", "--model", model])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stdout.count, 0)
    }

    func testPoolingNormalizeAndMaxLengthOptions() throws {
        let long = String(repeating: "the time of the people in the world was a year ", count: 6).dropLast()
        let cases: [([String], String, String)] = [
            (["--pooling", "cls"], "variant cls", "A man is eating food."),
            (["--pooling", "second-to-last-mean"], "transformers second-to-last-mean", "a"),
            (["--normalize"], "normalize_embeddings", "A man is eating food."),
            (["--max-length", "12"], "max length 12", String(long)),
            ([], "folder default (mean)", String(long)),
            (["--batch-size", "1", "--threads", "2", "--no-normalize"], "folder default (mean)", "a"),
        ]
        for (options, caseName, text) in cases {
            let result = try runCLI(["embed", "--model", model] + options + ["--", text])
            XCTAssertEqual(result.status, 0, result.stderr)
            let vectors = try parseJSONL(result.stdout)
            XCTAssertEqual(vectors.count, 1)
            assertClose(vectors.first ?? [], try golden(caseName)[text], "\(options) \(text.prefix(20))")
        }
    }

    func testNPYHeaderAndData() throws {
        let texts = ["A man is eating food.", "a", ""]
        let jsonl = try parseJSONL(try runCLI(["embed", "--model", model] + texts).stdout)
        let result = try runCLI(["embed", "--model", model, "--format", "npy"] + texts)
        XCTAssertEqual(result.status, 0, result.stderr)
        let bytes = [UInt8](result.stdout)
        // Magic, version 1.0, header length 118 (little-endian), the dictionary padded to 128 bytes in all.
        let dictionary = "{'descr': '<f4', 'fortran_order': False, 'shape': (3, 32), }"
        let header: [UInt8] =
            [0x93] + Array("NUMPY".utf8) + [1, 0, 118, 0] + Array(dictionary.utf8)
            + [UInt8](repeating: 0x20, count: 128 - 10 - dictionary.utf8.count - 1) + [0x0A]
        XCTAssertEqual(Array(bytes.prefix(128)), header)
        XCTAssertEqual(bytes.count, 128 + 3 * 32 * 4)
        // The data: float32 little-endian, row-major, bit-equal to the jsonl output.
        let floats = stride(from: 128, to: bytes.count, by: 4).map { i in
            Float(
                bitPattern: UInt32(bytes[i]) | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2]) << 16
                    | UInt32(bytes[i + 3]) << 24)
        }
        XCTAssertEqual(floats, jsonl.flatMap { $0 })
        // Zero texts: shape (0, 32), header only.
        let empty = try runCLI(["embed", "--model", model, "--format", "npy"])
        XCTAssertEqual(empty.status, 0, empty.stderr)
        XCTAssertEqual(empty.stdout.count, 128)
        XCTAssertTrue(String(decoding: empty.stdout, as: UTF8.self).contains("'shape': (0, 32), }"))
    }

    func testCSVAndOutputFile() throws {
        let texts = ["A man is eating food.", "a"]
        let jsonl = try parseJSONL(try runCLI(["embed", "--model", model] + texts).stdout)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("bert-embed-cli-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("out.csv").path
        let result = try runCLI(["embed", "--model", model, "--format=csv", "--output", path] + texts)
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stdout.count, 0)
        let rows = try String(contentsOfFile: path, encoding: .utf8).split(
            separator: "\n", omittingEmptySubsequences: false)
        XCTAssertEqual(rows.count, 3)
        XCTAssertEqual(rows.last, "")
        for (row, vector) in zip(rows, jsonl) {
            XCTAssertEqual(row.split(separator: ",").map { Float(String($0)) }, vector.map { Optional($0) })
        }
    }

    /// Standard input past one 4,096-text chunk: every row in order and equal to the text embedded alone, in
    /// jsonl and npy; binary precision streams too; int8 still sees all rows (ranges from every embedding).
    func testStandardInputStreamsInChunks() throws {
        let distinct = ["A man is eating food.", "a", "", "The quick brown fox jumps over the lazy dog!"]
        let single = try parseJSONL(try runCLI(["embed", "--model", model] + distinct).stdout)
        let count = 4096 * 2 + 5
        let input = Data((0..<count).map { distinct[$0 % distinct.count] + "\n" }.joined().utf8)
        let result = try runCLI(["embed", "--model", model], stdin: input)
        XCTAssertEqual(result.status, 0, result.stderr)
        let vectors = try parseJSONL(result.stdout)
        XCTAssertEqual(vectors.count, count)
        for index in vectors.indices where vectors[index] != single[index % distinct.count] {
            return XCTFail("row \(index) differs from its text embedded alone")
        }
        // Progress (stderr is not a terminal here): the final line counts every text.
        XCTAssertTrue(result.stderr.contains("embedding: \(count)/\(count) texts"), result.stderr)
        XCTAssertTrue(try runCLI(["embed", "--model", model, "--quiet"], stdin: input).stderr.isEmpty)

        let npy = try runCLI(["embed", "--model", model, "--format", "npy", "--quiet"], stdin: input)
        XCTAssertEqual(npy.status, 0, npy.stderr)
        XCTAssertTrue(String(decoding: npy.stdout.prefix(128), as: UTF8.self).contains("'shape': (\(count), 32), }"))
        XCTAssertEqual(npy.stdout.count, 128 + count * 32 * 4)

        for precision in ["binary", "int8"] {
            let whole = try runCLI(["embed", "--model", model, "--precision", precision, "--quiet"], stdin: input)
            let alone = try runCLI(
                ["embed", "--model", model, "--precision", precision, "--quiet"]
                    + (0..<count).prefix(8).map { distinct[$0 % 4] })
            XCTAssertEqual(whole.status, 0, whole.stderr)
            let lines = String(decoding: whole.stdout, as: UTF8.self).split(separator: "\n")
            XCTAssertEqual(lines.count, count, precision)
            if precision == "binary" {  // per row: equal to the rows of a small run
                XCTAssertEqual(
                    Array(lines.prefix(8)), String(decoding: alone.stdout, as: UTF8.self).split(separator: "\n"))
            }
        }
    }

    /// An error in a later chunk: the rows of the chunks before it are written, the message names the line.
    /// An error before the first write leaves an existing --output file untouched.
    func testErrorInALaterChunkKeepsTheRowsWrittenBefore() throws {
        var input = Data((0..<4100).map { _ in "a\n" }.joined().utf8)
        input[2 * 4099] = 0xFF  // line 4100
        let result = try runCLI(["embed", "--model", model, "--quiet"], stdin: input)
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.stderr.contains("line 4100: invalid UTF-8"), result.stderr)
        XCTAssertEqual(try parseJSONL(result.stdout).count, 4096)

        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("bert-embed-cli-\(UUID())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("kept.jsonl").path
        try Data("previous\n".utf8).write(to: URL(fileURLWithPath: path))
        let failed = try runCLI(["embed", "--model", model, "--output", path], stdin: Data([0x62, 0xFF, 0x0A]))
        XCTAssertEqual(failed.status, 1)
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "previous\n")
    }

    func testInputErrorsNameTheLine() throws {
        var result = try runCLI(["embed", "--model", model], stdin: Data([0x61, 0x0A, 0x62, 0xFF, 0x0A]))
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.stderr.contains("line 2: invalid UTF-8"), result.stderr)
        XCTAssertEqual(result.stdout.count, 0)
        result = try runCLI(["embed", "--model", model, "--jsonl"], stdin: Data("\"a\"\n\"b\"\nc\n".utf8))
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.stderr.contains("line 3: invalid JSON"), result.stderr)
        result = try runCLI(["embed", "--model", model, "--jsonl"], stdin: Data("[\"a\"]\n".utf8))
        XCTAssertTrue(result.stderr.contains("line 1: expected a JSON string"), result.stderr)
    }

    func testFolderAndOutputErrors() throws {
        var result = try runCLI(["embed", "--model", "/nonexistent/model", "a"])
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.stderr.contains("/nonexistent/model: no such folder"), result.stderr)
        result = try runCLI(["embed", "--model", model, "--output", "/nonexistent/dir/out.jsonl", "a"])
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.stderr.contains("cannot write /nonexistent/dir/out.jsonl"), result.stderr)
        // The tiny model has two layers: last4-concat cannot be computed.
        result = try runCLI(["embed", "--model", model, "--pooling", "last4-concat", "a"])
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.stderr.contains("layer -4"), result.stderr)
    }

    func testUsageErrors() throws {
        for (arguments, words) in [
            (["embed", "a"], "--model"),
            (["embed", "--model", model, "--pooling", "median", "a"], "unknown pooling 'median'"),
            (["embed", "--model", model, "--normalize", "--no-normalize", "a"], "exclude each other"),
            (["embed", "--model", model, "--format", "parquet", "a"], "unknown format"),
            (["embed", "--model", model, "--batch-size", "0", "a"], "--batch-size"),
            (["embed", "--model", model, "--max-length", "1", "a"], "--max-length"),
            (["embed", "--model", model, "--frobnicate", "a"], "unknown option --frobnicate"),
        ] {
            let result = try runCLI(arguments)
            XCTAssertEqual(result.status, 2, "\(arguments)")
            XCTAssertTrue(result.stderr.contains(words), "\(arguments): \(result.stderr)")
        }
    }

    func testHelpDescribesEveryOption() throws {
        let result = try runCLI(["embed", "--help"])
        XCTAssertEqual(result.status, 0)
        let help = String(decoding: result.stdout, as: UTF8.self)
        for option in [
            "--model", "--pooling", "--normalize", "--no-normalize", "--batch-size", "--max-length", "--threads",
            "--jsonl", "--format", "--output", "npy", "csv", "last4-concat", "second-to-last-mean",
        ] {
            XCTAssertTrue(help.contains(option), option)
        }
        XCTAssertTrue(String(decoding: try runCLI(["--help"]).stdout, as: UTF8.self).contains("embed"))
    }
}
