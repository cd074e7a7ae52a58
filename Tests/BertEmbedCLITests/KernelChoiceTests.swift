// Embeddings do not depend on which GEMM tile a process uses within one arithmetic (see GemmKernel.swift): every tile
// of the calibration's list, pinned with BERT_EMBED_GEMM_KERNEL, end to end through the dense layers and attention.
import Foundation
import XCTest
import _BertEmbedTestSupport

final class KernelChoiceTests: XCTestCase {
    /// Same bytes out of `embed` for every tile of one arithmetic (fused: "fma" and the generated "jit" tile;
    /// multiply-then-add: "muladd"), on texts of 1 to 48 tokens (several tiles and key panels, partial edges).
    func testEveryTileOfOneArithmeticGivesTheSameBytes() throws {
        let names = try calibrationReport().rates.map(\.name)
        XCTAssertTrue(names.contains("6x16-simd8-fma") && names.contains("6x16-simd8-muladd"), "\(names)")
        let words = "the quick brown fox jumps over the lazy dog while seven wizards quietly judge boxing matches".split(separator: " ")
        let texts = [1, 3, 7, 12, 17, 30, 60].map { count in (0..<count).map { String(words[$0 % words.count]) }.joined(separator: " ") }
        var outputs: [Bool: [(String, Data)]] = [:]
        for name in names {
            let fused = name.contains("fma") || name.contains("jit")
            XCTAssertTrue(fused || name.contains("muladd"), "arithmetic of \(name)")
            let run = try runCLI(["embed", "--model", resource("tiny-bert").path, "--threads", "2"] + texts,
                                 environment: ["BERT_EMBED_GEMM_KERNEL": name])
            XCTAssertEqual(run.status, 0, "\(name): \(run.stderr)")
            XCTAssertEqual(run.stdout.split(separator: 0x0A).count, texts.count, name)
            outputs[fused, default: []].append((name, run.stdout))
        }
        XCTAssertEqual(outputs.count, 2, "both arithmetics listed")
        for (fused, runs) in outputs {
            for (name, output) in runs.dropFirst() {
                XCTAssertEqual(output, runs[0].1, "\(name) vs \(runs[0].0) (fused: \(fused))")
            }
        }
        // The two arithmetics do differ (so the comparison above can fail).
        XCTAssertNotEqual(outputs[true]?.first?.1, outputs[false]?.first?.1)
    }
}
