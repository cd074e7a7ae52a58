// PackedLinear (packed GEMM + bias + activation) against its Double reference, for every micro-kernel.
import BertEmbedKernels
import Foundation
import XCTest
import _BertEmbedTestSupport

final class PackedLinearTests: XCTestCase {
    /// Runs `kernel` on random normal data of the given shape and checks every output against the
    /// reference. Tolerance per element: the fast path sums K products in Float in blocks of at most
    /// 256, then adds the blocks and the bias, so by Higham's bound for recursive summation its error
    /// is at most (256 + K/256 + 2) u S with u = 2^-24 and S = |bias| + sum |a_k w_k|; the activations
    /// have slope at most 1.13 and add their own 1e-6 relative (VectorMathTests) + 1e-12.
    /// Returns the worst error in units of that bound.
    @discardableResult
    func check(
        kernel: GemmKernel, rows m: Int, out n: Int, in k: Int, activation: Activation, threads: Int = 1,
        seed: UInt64, perturb: Bool = false, file: StaticString = #filePath, line: UInt = #line
    ) -> Double {
        var generator = NormalGenerator(seed: seed)
        let input = generator.array(m * k)
        let weight = generator.array(n * k, scale: 1 / Float(max(k, 1)).squareRoot())
        let bias = generator.array(n, scale: 0.5)
        let layer = PackedLinear(weight: weight, bias: bias, outFeatures: n, inFeatures: k, context: context(kernel))
        var fast = [Float](repeating: .nan, count: m * n)
        var reference = [Float](repeating: .nan, count: m * n)
        input.withUnsafeBufferPointer { a in
            fast.withUnsafeMutableBufferPointer { c in
                layer.apply(
                    a.baseAddress!, rows: m, output: c.baseAddress!, activation: activation,
                    context: context(kernel, threads: threads))
            }
            reference.withUnsafeMutableBufferPointer { c in
                PackedLinear.reference(
                    a.baseAddress!, rows: m, weight: weight, bias: bias, outFeatures: n,
                    inFeatures: k, output: c.baseAddress!, activation: activation)
            }
        }
        if perturb { fast[fast.count / 2] *= 1.001 }
        let unit = Double(Float.ulpOfOne) / 2
        let factor = Double(256 + k / 256 + 2) * unit * 1.13
        var worst = 0.0
        for r in 0..<m {
            for o in 0..<n {
                var magnitude = Double(Swift.abs(bias[o]))
                for i in 0..<k { magnitude += Swift.abs(Double(input[r * k + i]) * Double(weight[o * k + i])) }
                let expected = Double(reference[r * n + o])
                let bound = factor * magnitude + 1e-6 * Swift.abs(expected) + 1e-12
                let error = Swift.abs(Double(fast[r * n + o]) - expected)
                worst = max(worst, error / bound)
                if !perturb && !(error <= bound) {
                    XCTFail(
                        "\(kernel) \(m)x\(n)x\(k) \(activation) threads \(threads): [\(r), \(o)] = \(fast[r * n + o]), "
                            + "reference \(expected), bound \(bound)", file: file, line: line)
                    return worst
                }
            }
        }
        return worst
    }

    func testEveryKernelAtSmallAwkwardSizes() {
        let sizes = [1, 3, 7, 17, 31, 33]
        var seed: UInt64 = 1
        for kernel in runnableKernels {
            for m in sizes {
                for n in sizes {
                    for k in sizes {
                        seed += 1
                        check(
                            kernel: kernel, rows: m, out: n, in: k,
                            activation: Activation.allCases[Int(seed) % Activation.allCases.count], seed: seed)
                    }
                }
            }
        }
    }

    func testEveryKernelAtLargeAwkwardSizes() {
        // 383 / 385 straddle the tile widths, the 96-row blocks and (for K) the 256 K block; 600 makes 3 K blocks.
        let shapes = [(383, 385, 33), (33, 383, 385), (385, 33, 383), (7, 385, 385), (97, 17, 600), (1, 1, 1537)]
        var seed: UInt64 = 1000
        var worst = 0.0
        defer { print("worst error / bound at large sizes: \(worst)") }
        for kernel in runnableKernels {
            for (m, n, k) in shapes {
                seed += 1
                worst = max(
                    worst,
                    check(
                        kernel: kernel, rows: m, out: n, in: k,
                        activation: Activation.allCases[Int(seed) % Activation.allCases.count], seed: seed))
            }
        }
    }

    func testEveryActivationWithEveryKernel() {
        for kernel in runnableKernels {
            for (index, activation) in Activation.allCases.enumerated() {
                check(kernel: kernel, rows: 45, out: 70, in: 300, activation: activation, seed: 77 + UInt64(index))
            }
        }
    }

    func testZeroInputFeaturesGivesActivatedBias() {
        for kernel in runnableKernels { check(kernel: kernel, rows: 3, out: 5, in: 0, activation: .gelu, seed: 5) }
    }

    func testThreadCountDoesNotChangeResults() {
        var generator = NormalGenerator(seed: 99)
        let (m, n, k) = (301, 203, 389)
        let input = generator.array(m * k)
        let kernel = KernelSet.preferred.gemm
        let layer = PackedLinear(
            weight: generator.array(n * k), bias: generator.array(n), outFeatures: n, inFeatures: k,
            context: context(kernel))
        var outputs: [[Float]] = []
        for threads in [1, 2, 3, 5, 8] {
            var output = [Float](repeating: .nan, count: m * n)
            input.withUnsafeBufferPointer { a in
                output.withUnsafeMutableBufferPointer { c in
                    layer.apply(
                        a.baseAddress!, rows: m, output: c.baseAddress!, activation: .gelu,
                        context: context(kernel, threads: threads))
                }
            }
            outputs.append(output)
        }
        for output in outputs.dropFirst() { XCTAssertEqual(output, outputs[0], "bit-identical for any thread count") }
    }

    func testToleranceCatchesAPerturbedOutput() {
        // A relative change of 1e-3 in one element must exceed the bound: the check can fail.
        let worst = check(
            kernel: KernelSet.preferred.gemm, rows: 17, out: 33, in: 64, activation: .identity, seed: 3, perturb: true)
        XCTAssertGreaterThan(worst, 1)
    }
}
