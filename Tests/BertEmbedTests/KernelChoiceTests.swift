// Embeddings do not depend on which GEMM tile runs within one arithmetic (see Gemm/GemmKernel.swift): every kernel
// this process can run, chosen through the encoder's compute options, end to end through the dense layers and
// attention.
import BertEmbed
import BertEmbedKernels
import XCTest
import _BertEmbedTestSupport

final class KernelChoiceTests: XCTestCase {
    /// Same bits from `encode` for every kernel of one arithmetic (fused multiply-add, multiply-then-add), on texts of
    /// 1 to 60 words (several tiles and key panels, partial edges), and different bits across the two.
    func testEveryKernelOfOneArithmeticGivesTheSameVectors() throws {
        let kernels = KernelRegistry(features: .current(allowingCodeGeneration: true), codeGeneration: true).gemmKernels
        let words = "the quick brown fox jumps over the lazy dog while seven wizards quietly judge boxing matches"
            .split(separator: " ")
        let texts = [1, 3, 7, 12, 17, 30, 60].map { count in
            (0..<count).map { String(words[$0 % words.count]) }.joined(separator: " ")
        }
        var outputs: [Bool: [(name: String, vectors: [[UInt32]])]] = [:]
        for kernel in kernels {
            var compute = ComputeOptions(threads: 2)
            compute.gemmKernel = kernel.name
            let encoder = try SentenceEncoder(modelDirectory: resource("tiny-bert"), pooling: .mean, compute: compute)
            let vectors = try encoder.encode(texts).map { $0.map(\.bitPattern) }
            outputs[kernel.fused, default: []].append((kernel.name, vectors))
        }
        XCTAssertEqual(outputs.count, 2, "both arithmetics have kernels")
        for (fused, runs) in outputs {
            for run in runs.dropFirst() {
                XCTAssertEqual(run.vectors, runs[0].vectors, "\(run.name) vs \(runs[0].name) (fused: \(fused))")
            }
        }
        XCTAssertNotEqual(outputs[true]?.first?.vectors, outputs[false]?.first?.vectors, "the arithmetics differ")
    }

    /// A kernel name no kernel answers to is an error naming the setting; so is a malformed environment variable.
    func testBadComputeOptionsAreErrors() {
        var compute = ComputeOptions()
        compute.gemmKernel = "fastest"
        XCTAssertThrowsError(
            try SentenceEncoder(modelDirectory: resource("tiny-bert"), pooling: .mean, compute: compute)
        ) {
            guard case .invalidOption(let reason)? = $0 as? EmbeddingError else { return XCTFail("\($0)") }
            XCTAssertTrue(reason.contains("gemmKernel setting names the GEMM kernel 'fastest'"), reason)
        }
        XCTAssertThrowsError(
            try SentenceEncoder(
                modelDirectory: resource("tiny-bert"), pooling: .mean, compute: ComputeOptions(threads: 0))
        ) {
            XCTAssertEqual($0 as? EmbeddingError, .invalidOption("threads must be at least 1, got 0"))
        }
    }
}
