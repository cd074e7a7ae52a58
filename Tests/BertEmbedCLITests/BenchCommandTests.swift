// bert-embed bench on the tiny fixture: every reported field present and consistent (no timing is asserted).
import Foundation
import XCTest
import _BertEmbedTestSupport

final class BenchCommandTests: XCTestCase {
    func testJSONReportHasEveryField() throws {
        let input = FileManager.default.temporaryDirectory.appendingPathComponent("bert-embed-bench-\(UUID()).txt")
        defer { try? FileManager.default.removeItem(at: input) }
        try Data("A man is eating food.\na\n\nThe quick brown fox jumps over the lazy dog!\n".utf8).write(to: input)
        let run = try runCLI([
            "bench", "--model", resource("tiny-bert").path, "--input", input.path, "--runs", "1", "--threads", "1",
            "--json",
        ])
        XCTAssertEqual(run.status, 0, run.stderr)
        let report = try XCTUnwrap(JSONSerialization.jsonObject(with: run.stdout) as? [String: Any])
        XCTAssertEqual(report["texts"] as? Int, 3, "the empty line is skipped")
        // [CLS] + [SEP] per text plus the word pieces: the tokenize command's count for the same (non-empty) lines.
        let tokenized = try runCLI(
            ["tokenize", "--model", resource("tiny-bert").path], stdin: try Data(contentsOf: input))
        let counts = try String(decoding: tokenized.stdout, as: UTF8.self).split(separator: "\n").map { line in
            try XCTUnwrap((JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["ids"] as? [Int])
                .count
        }
        XCTAssertEqual(counts.count, 4)
        XCTAssertEqual(report["tokens"] as? Int, counts.reduce(0, +) - counts[2])
        XCTAssertEqual(report["threads"] as? Int, 1)
        for key in [
            "load_ms", "tokenizer_mb_per_s", "tokens_per_s", "sentences_per_s", "dense_gflop_per_s", "load_peak_rss_mb",
        ] {
            XCTAssertGreaterThan(try XCTUnwrap(report[key] as? Double, key), 0, key)
        }
        let kernel = try XCTUnwrap(report["gemm_kernel"] as? String)
        let forced = try runCLI(
            ["bench", "--model", resource("tiny-bert").path, "--input", input.path, "--runs", "1", "--json"],
            environment: ["BERT_EMBED_GEMM_KERNEL": "6x8-simd4-muladd"])
        XCTAssertEqual(
            (try JSONSerialization.jsonObject(with: forced.stdout) as? [String: Any])?["gemm_kernel"] as? String,
            "6x8-simd4-muladd", "the environment pins the kernel (the CPU's choice: \(kernel))")
        let malformed = try runCLI(
            ["bench", "--model", resource("tiny-bert").path, "--input", input.path, "--runs", "1"],
            environment: ["BERT_EMBED_JIT": "yes"])
        XCTAssertEqual(malformed.status, 1)
        XCTAssertTrue(malformed.stderr.contains("BERT_EMBED_JIT is 'yes'; it takes 0 or 1"), malformed.stderr)
    }
}
