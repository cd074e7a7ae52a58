// The generated erf-GELU epilogue (CodeGeneration/GELUJIT.swift) against the compiled `Activation.gelu`, bit for bit:
// on a dense sweep, the clamp bounds and their neighbours, zeros, subnormals, infinities and NaNs, with and without a
// bias, rows whose length is not a multiple of 8 (the tails stay compiled); and whole layers (float32 and int8) with
// and without it.
import BertEmbedKernels
import XCTest

final class GELUJITTests: XCTestCase {
    let kernel = KernelRegistry(features: .current(allowingCodeGeneration: true), codeGeneration: true).gelu

    func testListedOnlyWithAVX2AndCodeGeneration() throws {
        XCTAssertNil(KernelRegistry(features: [.avx2, .fma], codeGeneration: false).gelu)
        XCTAssertNil(KernelRegistry(features: [.avx2], codeGeneration: true).gelu)
        guard KernelRegistry(features: [.avx2, .fma], codeGeneration: true).gemmKernels.contains(where: \.isGenerated)
        else { throw XCTSkip("no executable memory here") }
        XCTAssertEqual(KernelRegistry(features: [.avx2, .fma], codeGeneration: true).gelu?.name, "gelu-avx2-jit")
    }

    func testBitIdenticalToTheCompiledGELU() throws {
        guard let kernel else { throw XCTSkip("no generated GELU here (needs AVX2 + FMA and executable memory)") }
        var values: [Float] = stride(from: -12, through: 12, by: 0.001).map { Float($0) }
        for bound: Float in [-5.5, 5.5, 0] {
            var up = bound, down = bound
            for _ in 0..<8 {
                values += [up, down]
                up = up.nextUp
                down = down.nextDown
            }
        }
        values += [
            -0.0, .leastNonzeroMagnitude, -.leastNonzeroMagnitude, .leastNormalMagnitude, 1e-30, -1e-30, 3e38, -3e38,
            .greatestFiniteMagnitude, -.greatestFiniteMagnitude, .infinity, -.infinity, .nan, -.nan,
            Float(bitPattern: 0x7FC0_1234), Float(bitPattern: 0xFFA0_0001), Float(bitPattern: 0x7F80_0001),
        ]
        var generator = NormalGenerator(seed: 41)
        values += generator.array(4_000, scale: 3)
        for (count, stride) in [(values.count, values.count), (37, 41), (8, 8), (16, 19), (3, 5), (200, 200)] {
            let rows = values.count / stride
            let bias = generator.array(count, scale: 0.5)
            for withBias in [false, true] {
                var compiled = values, generated = values
                bias.withUnsafeBufferPointer { b in
                    compiled.withUnsafeMutableBufferPointer {
                        Activation.gelu.apply(
                            $0.baseAddress!, rows: rows, count: count, stride: stride,
                            adding: withBias ? b.baseAddress! : nil)
                    }
                    generated.withUnsafeMutableBufferPointer {
                        Activation.gelu.apply(
                            $0.baseAddress!, rows: rows, count: count, stride: stride,
                            adding: withBias ? b.baseAddress! : nil, gelu: kernel)
                    }
                }
                XCTAssertEqual(
                    generated.map(\.bitPattern), compiled.map(\.bitPattern), "count \(count) bias \(withBias)")
            }
        }
    }

    /// Dense layers made for a context with the generated GELU give the bits of the same layers without it (where
    /// the epilogue runs, over which rows, is checked against the Double reference by PackedLinearTests).
    func testLayersWithTheGeneratedGELUEqualTheCompiled() throws {
        guard let kernel else { throw XCTSkip("no generated GELU here (needs AVX2 + FMA and executable memory)") }
        let registry = KernelRegistry(features: .current(allowingCodeGeneration: true), codeGeneration: true)
        var generator = NormalGenerator(seed: 42)
        for format in [WeightFormat.float32, .int8] {
            for (m, n, k) in [(11, 1536, 384), (13, 37, 300), (6, 16, 9)] {
                let input = generator.array(m * k), weight = generator.array(n * k, scale: 1 / Float(k).squareRoot())
                let bias = generator.array(n, scale: 0.5)
                func run(_ gelu: GELUKernel?) -> [UInt32] {
                    let context = ComputeContext(
                        threads: 2,
                        kernels: KernelSet(gemm: registry.preferredGemmKernel, int8Gemm: registry.int8Gemm, gelu: gelu))
                    let layer = PackedLinear(
                        weight: weight, bias: bias, outFeatures: n, inFeatures: k, context: context, format: format)
                    return applied(layer, to: input, rows: m, activation: .gelu, context: context).map(\.bitPattern)
                }
                XCTAssertEqual(run(kernel), run(nil), "\(format) \(m)x\(n)x\(k)")
            }
        }
    }
}
