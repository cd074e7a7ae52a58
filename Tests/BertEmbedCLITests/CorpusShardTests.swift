// `embed --shard K/N` and `merge-shards`: shards (from the option or a Kubernetes Indexed Job's environment) merged in
// input order equal one `embed` run, dense and sparse; a complete shard is skipped, a partial one redone from the
// start; merge refuses missing, unfinished or mismatched shards; the options that cannot shard are refused.
import Foundation
import XCTest
import _BertEmbedTestSupport

final class CorpusShardTests: XCTestCase {
    /// 200 lines with empty ones, non-ASCII, and no final newline.
    let input = Data(
        ((0..<200).map { $0 % 17 == 0 ? "" : "Line \($0): ünïcödé \(String(repeating: "word ", count: $0 % 9))" }
            .joined(separator: "\n")).utf8)

    func folder() -> URL { FileManager.default.temporaryDirectory.appendingPathComponent("shards-\(UUID())") }

    func testShardsMergedInInputOrderEqualOneRun() throws {
        for model in [resource("families/mpnet").path, resource("heads/bert-splade-max").path] {
            let single = try runCLI(["embed", "--model", model, "--quiet"], stdin: input)
            XCTAssertEqual(single.status, 0, single.stderr)
            for count in [1, 3, 7] {
                let output = folder()
                defer { try? FileManager.default.removeItem(at: output) }
                for index in 0..<count {
                    // Half by the option, half as a Kubernetes Indexed Job passes them.
                    let run =
                        index % 2 == 0
                        ? try runCLI(
                            ["embed", "--model", model, "--shard", "\(index)/\(count)", "--output", output.path],
                            stdin: input)
                        : try runCLI(
                            ["embed", "--model", model, "--output", output.path], stdin: input,
                            environment: ["JOB_COMPLETION_INDEX": "\(index)", "JOB_COMPLETIONS": "\(count)"])
                    XCTAssertEqual(run.status, 0, run.stderr)
                }
                let shard = try String(
                    contentsOf: output.appendingPathComponent("shard-00000-of-0000\(count).jsonl"), encoding: .utf8)
                XCTAssertTrue(shard.hasPrefix("{\"line\": 1, "), String(shard.prefix(40)))
                let merged = try runCLI(["merge-shards", output.path])
                XCTAssertEqual(merged.status, 0, merged.stderr)
                XCTAssertEqual(merged.stdout, single.stdout, "\(model), \(count) shards")
            }
        }
    }

    func testACompleteShardIsSkippedAndAPartialOneRedone() throws {
        let model = resource("families/mpnet").path
        let output = folder()
        defer { try? FileManager.default.removeItem(at: output) }
        try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
        // A partial file left by a killed run: redone from the start, not appended to.
        let partial = output.appendingPathComponent("shard-00000-of-00002.jsonl.partial")
        try Data("{\"line\": 1, \"embedding\": [1.0]}\n{\"line\": 3, \"emb".utf8).write(to: partial)
        let first = try runCLI(["embed", "--model", model, "--shard", "0/2", "--output", output.path], stdin: input)
        XCTAssertEqual(first.status, 0, first.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: partial.path))
        let done = output.appendingPathComponent("shard-00000-of-00002.jsonl")
        let contents = try Data(contentsOf: done)
        XCTAssertFalse(String(decoding: contents, as: UTF8.self).contains("[1.0]"))
        XCTAssertEqual(contents.filter { $0 == UInt8(ascii: "\n") }.count, 100)
        // Run again (even on other input): skipped, the file untouched.
        let again = try runCLI(
            ["embed", "--model", model, "--shard", "0/2", "--output", output.path], stdin: Data("other\n".utf8))
        XCTAssertEqual(again.status, 0, again.stderr)
        XCTAssertTrue(again.stderr.contains("skipped"), again.stderr)
        XCTAssertEqual(try Data(contentsOf: done), contents)
        // Merge refuses while shard 1 is missing, and names it.
        let merge = try runCLI(["merge-shards", output.path])
        XCTAssertEqual(merge.status, 1)
        XCTAssertTrue(merge.stderr.contains("shards 1 of 2 are missing or unfinished"), merge.stderr)
        let second = try runCLI(["embed", "--model", model, "--shard", "1/2", "--output", output.path], stdin: input)
        XCTAssertEqual(second.status, 0, second.stderr)
        XCTAssertEqual(try runCLI(["merge-shards", output.path]).status, 0)
        // A shard of another split, or a row out of place, is refused.
        try Data().write(to: output.appendingPathComponent("shard-00000-of-00003.jsonl"))
        XCTAssertTrue(try runCLI(["merge-shards", output.path]).stderr.contains("different shard counts"))
        try FileManager.default.removeItem(at: output.appendingPathComponent("shard-00000-of-00003.jsonl"))
        // Names embed --shard never writes (N outside 1...99999, K outside 0..<N) are not shards: ignored.
        for stray in ["shard-00000-of-00000.jsonl", "shard-0-of-99999999999999.jsonl", "shard-00005-of-00002.jsonl"] {
            try Data().write(to: output.appendingPathComponent(stray))
        }
        XCTAssertEqual(try runCLI(["merge-shards", output.path]).status, 0)
        // The output may not be a shard (opening it would empty it before it is read).
        let before = try Data(contentsOf: done)
        let onto = try runCLI(["merge-shards", "--output", output.path + "/./" + done.lastPathComponent, output.path])
        XCTAssertEqual(onto.status, 1)
        XCTAssertTrue(onto.stderr.contains("write the merge elsewhere"), onto.stderr)
        XCTAssertEqual(try Data(contentsOf: done), before)
        let lone = FileManager.default.temporaryDirectory.appendingPathComponent("lone-\(UUID())")
        try FileManager.default.createDirectory(at: lone, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: lone) }
        try Data().write(to: lone.appendingPathComponent("shard-00000-of-00000.jsonl"))
        let none = try runCLI(["merge-shards", lone.path])
        XCTAssertEqual(none.status, 1)
        XCTAssertTrue(none.stderr.contains("no finished shard files"), none.stderr)
        var rows = try String(contentsOf: done, encoding: .utf8).split(separator: "\n")
        rows.swapAt(0, 1)
        try Data((rows.joined(separator: "\n") + "\n").utf8).write(to: done)
        let swapped = try runCLI(["merge-shards", output.path])
        XCTAssertEqual(swapped.status, 1)
        XCTAssertTrue(swapped.stderr.contains("expected the row of input line 1"), swapped.stderr)
    }

    func testOptionsThatCannotShardAreRefused() throws {
        let model = resource("families/mpnet").path
        let output = folder().path
        let cases: [([String], String)] = [
            (["--shard", "0/2", "text"], "not as arguments"),
            (["--shard", "0/2", "--output", output, "--format", "npy"], "not with --format npy"),
            (["--shard", "0/2", "--output", output, "--precision", "int8"], "quantize after merge-shards"),
            (["--shard", "0/2"], "--shard needs --output DIR"),
            (["--shard", "2/2", "--output", output], "0 <= K < N"),
            (["--shard", "a/b", "--output", output], "0 <= K < N"),
        ]
        for (arguments, phrase) in cases {
            let run = try runCLI(["embed", "--model", model] + arguments, stdin: input)
            XCTAssertEqual(run.status, 2, "\(arguments)")
            XCTAssertTrue(run.stderr.contains(phrase), "\(arguments): \(run.stderr)")
        }
    }
}
