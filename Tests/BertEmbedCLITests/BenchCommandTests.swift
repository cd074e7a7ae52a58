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
        XCTAssertEqual(report["compute_type"] as? String, "float32")
        // The tiny model's dense layers: 2 layers of q|k|v, attention output, intermediate, output, and the pooler,
        // packed in tiles of 16 columns or fewer, in float32.
        let float32Bytes = try XCTUnwrap(report["weights_bytes"] as? Double)
        XCTAssertEqual(try XCTUnwrap(report["weights_mb"] as? Double), (float32Bytes / 1e6 * 100).rounded() / 100)
        XCTAssertGreaterThan(float32Bytes, 0)

        XCTAssertEqual(report["int8_kernel"] as? String, "none")

        /// The weights_bytes `bench --compute-type type` reports, and its int8_kernel.
        func weightBytes(_ type: String, environment: [String: String] = [:]) throws -> (Double, String?) {
            let run = try runCLI(
                [
                    "bench", "--model", resource("tiny-bert").path, "--input", input.path, "--runs", "1", "--threads",
                    "1", "--compute-type", type, "--json",
                ], environment: environment)
            XCTAssertEqual(run.status, 0, run.stderr)
            let report = try XCTUnwrap(JSONSerialization.jsonObject(with: run.stdout) as? [String: Any])
            XCTAssertEqual(report["compute_type"] as? String, type)
            return (try XCTUnwrap(report["weights_bytes"] as? Double), report["int8_kernel"] as? String)
        }
        // bfloat16 halves the packed weights (the biases stay float32).
        let bfloat16Bytes = try weightBytes("bfloat16").0
        XCTAssertLessThan(bfloat16Bytes, 0.6 * float32Bytes)
        XCTAssertGreaterThan(bfloat16Bytes, 0.4 * float32Bytes)
        // int8: 1.25 bytes per weight (int8 blocks of 16 with a float32 scale each), the biases float32.
        let (int8Bytes, int8Kernel) = try weightBytes("int8")
        XCTAssertLessThan(int8Bytes, 0.36 * float32Bytes)
        XCTAssertGreaterThan(int8Bytes, 0.28 * float32Bytes)
        // The integer kernel where the CPU has AVX2 + FMA (a VNNI one where it also has VNNI), none without code
        // generation (the weights are widened).
        // (On arm64 Linux: sdot with dot products, "asimddp", smmla with i8mm.)
        let flags =
            (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8))?.split(separator: "\n")
            .first { $0.hasPrefix("flags") || $0.hasPrefix("Features") }?.split(separator: " ") ?? []
        #if arch(arm64)
        let expected =
            flags.contains("i8mm")
            ? "4x8-split-int8-i8mm-jit" : flags.contains("asimddp") ? "4x8-split-int8-sdot-jit" : "none"
        #else
        let avx2 = flags.contains("avx2") && flags.contains("fma")
        let expected =
            !avx2
            ? "none"
            : flags.contains("avx512_vnni") && flags.contains("avx512bw") && flags.contains("avx512f")
                ? "6x32-int16-avx512vnni-jit"
                : flags.contains("avx_vnni")
                    ? "6x8-int16-avxvnni-jit"
                    : flags.contains("avx512_vnni") && flags.contains("avx512vl")
                        ? "6x8-int16-avx512vnni-jit" : "6x16-int16-avx2-jit"
        #endif
        if ProcessInfo.processInfo.environment["BERT_EMBED_JIT"] != "0" { XCTAssertEqual(int8Kernel, expected) }
        let widened = try weightBytes("int8", environment: ["BERT_EMBED_JIT": "0"])
        XCTAssertEqual(widened.1, "none")
        #if arch(arm64)  // widened int8 is packed for the float32 tile's 12 columns, the integer kernels' 8: padding
        XCTAssertLessThan(widened.0, 0.36 * float32Bytes)
        XCTAssertGreaterThan(widened.0, 0.28 * float32Bytes)
        #else
        XCTAssertEqual(widened.0, int8Bytes, "the same bytes in panels of 8 or 16 columns")
        #endif
    }

    /// `--compute-type` on every command that loads a model: a known type runs, an unknown one is refused by name.
    func testComputeTypeOption() throws {
        let model = resource("tiny-bert").path
        let embed = try runCLI(["embed", "--model", model, "--pooling", "mean", "--compute-type", "bfloat16", "a b"])
        XCTAssertEqual(embed.status, 0, embed.stderr)
        let int8 = try runCLI(["embed", "--model", model, "--pooling", "mean", "--compute-type", "int8", "a b"])
        XCTAssertEqual(int8.status, 0, int8.stderr)
        XCTAssertNotEqual(int8.stdout, embed.stdout)
        let similarity = try runCLI([
            "similarity", "--model", model, "--pooling", "mean", "--compute-type", "float32", "a", "b",
        ])
        XCTAssertEqual(similarity.status, 0, similarity.stderr)
        for command in [
            ["embed", "--model", model, "--pooling", "mean", "a"],
            ["similarity", "--model", model, "--pooling", "mean", "a", "b"],
            ["search", "--model", model, "--pooling", "mean", "--corpus", "/dev/null", "a"],
            ["bench", "--model", model],
        ] {
            let run = try runCLI(command + ["--compute-type", "float16"])
            XCTAssertEqual(run.status, 2, "\(command[0]): \(run.stderr)")
            XCTAssertTrue(
                run.stderr.contains("unknown compute type 'float16' (one of: float32, bfloat16, int8)"),
                "\(command[0]): \(run.stderr)")
        }
    }
}
