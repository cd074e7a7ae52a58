// Seeded random normal test data (SplitMix64 + Box-Muller): reproducible inputs, never arange.
import BertEmbedKernels
import Foundation
import XCTest

/// A reproducible source of standard normal Floats.
struct NormalGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    private mutating func nextUInt64() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in (0, 1].
    private mutating func uniform() -> Double { (Double(nextUInt64() >> 11) + 1) / 9_007_199_254_740_992 }

    /// One standard normal value times `scale`.
    mutating func next(scale: Float = 1) -> Float {
        let r = (-2 * log(uniform())).squareRoot()
        return Float(r * cos(2 * Double.pi * uniform())) * scale
    }

    /// `count` normal values times `scale`.
    mutating func array(_ count: Int, scale: Float = 1) -> [Float] { (0..<count).map { _ in next(scale: scale) } }
}

/// Every GEMM micro-kernel this process can run: the compiled ones and the generated ones the CPU allows.
let runnableKernels = KernelRegistry(features: .current(allowingCodeGeneration: true), codeGeneration: true).gemmKernels

/// A context running `kernel` on `threads` threads.
func context(_ kernel: GemmKernel, threads: Int = 1) -> ComputeContext {
    ComputeContext(threads: threads, kernels: KernelSet(gemm: kernel))
}

/// `layer.apply` to `input` (`rows` rows) on `context`: the output, its cells NaN before, so unwritten ones show;
/// 64 guard cells after it, -3 (finite: every activation or bias would change it), must keep their bits (a store past
/// the output, by a kernel or by the epilogue, fails here rather than corrupting the heap).
func applied(
    _ layer: PackedLinear, to input: [Float], rows: Int, activation: Activation, context: ComputeContext,
    file: StaticString = #filePath, line: UInt = #line
) -> [Float] {
    let count = rows * layer.outFeatures
    var output = [Float](repeating: .nan, count: count) + [Float](repeating: -3, count: 64)
    input.withUnsafeBufferPointer { a in
        output.withUnsafeMutableBufferPointer { c in
            layer.apply(a.baseAddress!, rows: rows, output: c.baseAddress!, activation: activation, context: context)
        }
    }
    XCTAssertTrue(
        output[count...].allSatisfy { $0.bitPattern == Float(-3).bitPattern }, "the layer wrote past its output",
        file: file, line: line)
    return Array(output[..<count])
}

/// Rows for the int8 input-quantization tests: `rows` rows of k values, random (scale 5) on even rows and, on odd
/// rows, repeats of one of a few hand-picked rows (ties to even at amax `largest`, zeros, a NaN, an infinity, tiny and
/// huge values); returned one by one and side by side with a row stride of k + 2 (`source`).
func int8InputRows(
    _ generator: inout NormalGenerator, rows: Int, inFeatures k: Int, largest: Float
) -> (rows: [[Float]], source: [Float]) {
    let special: [[Float]] = [
        [0.5, -1.5, 2.5, largest, -largest, 3.5, 0, -0, -1],  // amax `largest`: inverse 1, ties to even
        [Float](repeating: 0, count: 19), [1, .nan, 3], [2, 1, .infinity, 4, 5, 6, 7, 8, 9],
        [1e-30, -3e-31, Float(bitPattern: 5)], [3e38, -3e38, 1],
    ]
    var source = [Float](repeating: 0, count: rows * (k + 2))
    var result: [[Float]] = []
    for r in 0..<rows {
        var row = generator.array(k, scale: 5)
        let pick = special[(k + r) % special.count]
        if r % 2 == 1 { row = (0..<k).map { pick[$0 % pick.count] } }
        for i in 0..<k { source[r * (k + 2) + i] = row[i] }
        result.append(row)
    }
    return (result, source)
}
