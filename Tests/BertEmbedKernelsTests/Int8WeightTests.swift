// int8 weights (blocks of 16 with float32 scales, Int8Weights.swift): the quantization against its scalar definition,
// and int8 dense layers against float32 layers on the dequantized weights, bit for bit, for every micro-kernel this
// CPU runs, at sizes off every tile, block and K block, on 1 and 2 threads.
import BertEmbedKernels
import XCTest
import _BertEmbedTestSupport

final class Int8WeightTests: XCTestCase {
    /// The generated widening (AVX2), or nil where this CPU or OS cannot run it.
    let generated = KernelRegistry(features: .current(allowingCodeGeneration: true), codeGeneration: true)
        .int8Widening

    /// The weights an int8 layer of `kernel` computes with: packed, then every panel widened back (by `generated`
    /// when given) and unpacked.
    func computedWeights(
        _ weight: [Float], outFeatures n: Int, inFeatures k: Int, columns nr: Int,
        generated: Int8WidenJIT.Function? = nil
    ) -> [Float] {
        let panels = (n + nr - 1) / nr, panelBytes = Int8Weights.panelBytes(columns: nr, inFeatures: k)
        var packed = [UInt8](repeating: 0xAA, count: panels * panelBytes)
        var panel = [Float](repeating: 0, count: k * nr), widened = [Float](repeating: .nan, count: k * nr)
        var result = [Float](repeating: .nan, count: n * k)
        for p in 0..<panels {
            for i in 0..<k {
                for j in 0..<nr { panel[i * nr + j] = p * nr + j < n ? weight[(p * nr + j) * k + i] : 0 }
            }
            packed.withUnsafeMutableBytes { bytes in
                Int8Weights.quantize(
                    panel: panel, columns: nr, inFeatures: k, into: bytes.baseAddress! + p * panelBytes)
                // Widened in two pieces, the second starting inside a block.
                let split = k / 3
                widened.withUnsafeMutableBufferPointer { w in
                    Int8Weights.widen(
                        panel: bytes.baseAddress! + p * panelBytes, columns: nr, inFeatures: k, rows: 0, depth: split,
                        into: w.baseAddress!, generated: generated)
                    Int8Weights.widen(
                        panel: bytes.baseAddress! + p * panelBytes, columns: nr, inFeatures: k, rows: split,
                        depth: k - split, into: w.baseAddress! + split * nr, generated: generated)
                }
            }
            for j in 0..<nr where p * nr + j < n {
                for i in 0..<k { result[(p * nr + j) * k + i] = widened[i * nr + j] }
            }
        }
        return result
    }

    func testQuantizationFollowsItsDefinition() {
        var generator = NormalGenerator(seed: 80)
        var rows: [[Float]] = [1, 5, 15, 16, 17, 33, 100].map { generator.array($0, scale: 3) }
        rows.append([Float](repeating: 0, count: 20) + [-0.0, 0])  // zeros: scale 0
        rows.append([0.5, -2.5, 1.5, 127, -127, 63.5, 0.25, 3.5])  // ties, to even (amax 127: inverse 1)
        rows.append([1e-30, -3e-31, Float(bitPattern: 5), -Float(bitPattern: 1)])  // tiny and subnormal
        rows.append([3e38, -3e38, 1, Float.greatestFiniteMagnitude])  // near the largest float
        rows.append([1, .nan, 2] + [Float](repeating: 1, count: 20))  // a NaN: its block NaN, the next normal
        rows.append([.infinity, 1, 2, -.infinity])
        rows.append([Float](repeating: 0.1, count: 15) + [-0.7])
        for (index, row) in rows.enumerated() {
            for columns in [4, 8, 12, 16, 32] {
                // The row in each column of a panel (the other columns random), so every lane position is checked.
                let n = columns, k = row.count
                var weight = generator.array(n * k)
                let lane = index % columns
                for i in 0..<k { weight[lane * k + i] = row[i] }
                let expected = Int8Weights.reference(weight, outFeatures: n, inFeatures: k)
                let actual = computedWeights(weight, outFeatures: n, inFeatures: k, columns: columns)
                XCTAssertEqual(actual.map(\.bitPattern), expected.map(\.bitPattern), "row \(index) columns \(columns)")
                if columns == 16, let generated {
                    let jit = computedWeights(
                        weight, outFeatures: n, inFeatures: k, columns: columns, generated: generated)
                    XCTAssertEqual(jit.map(\.bitPattern), expected.map(\.bitPattern), "row \(index), generated")
                }
            }
        }
        // The definition itself, on values chosen by hand: amax 127 -> scale 1, ties to even.
        XCTAssertEqual(
            Int8Weights.reference([0.5, -2.5, 1.5, 127, -127, 63.5, 0.25, 3.5], outFeatures: 1, inFeatures: 8),
            [0, -2, 2, 127, -127, 64, 0, 4])
        // A large value of one block leaves the next block's precision alone.
        let two = Int8Weights.reference([100] + [Float](repeating: 0.01, count: 16), outFeatures: 1, inFeatures: 17)
        XCTAssertEqual(two[1], 0)
        XCTAssertEqual(two[16], 0.01, accuracy: 1e-9)
        XCTAssertTrue(Int8Weights.reference([1, .nan, 3], outFeatures: 1, inFeatures: 3).allSatisfy(\.isNaN))
        // Each weight within half a step (amax / 254) of its value.
        let values = generator.array(16 * 40)
        let computed = Int8Weights.reference(values, outFeatures: 40, inFeatures: 16)
        for o in 0..<40 {
            let row = values[(o * 16)..<((o + 1) * 16)], amax = row.map(abs).max()!
            for i in row.indices { XCTAssertLessThanOrEqual(abs(computed[i] - values[i]), amax / 254 * 1.0001) }
        }
    }

    /// An int8 layer computes exactly what a float32 layer computes on the dequantized weights: same kernel, same
    /// order of operations. Sizes off every tile, block, the 96-row blocks and the 256 K block.
    func testInt8LayersEqualFloat32LayersOnDequantizedWeights() {
        let shapes = [(1, 1, 1), (3, 17, 7), (13, 37, 300), (97, 33, 513), (6, 385, 385), (200, 16, 256), (2, 20, 31)]
        var seed: UInt64 = 90
        for kernel in runnableKernels {
            for (m, n, k) in shapes {
                for threads in [1, 2] {
                    seed += 1
                    var generator = NormalGenerator(seed: seed)
                    let input = generator.array(m * k)
                    let weight = generator.array(n * k, scale: 1 / Float(k).squareRoot())
                    let bias = generator.array(n, scale: 0.5)
                    let compute = context(kernel, threads: threads)
                    let int8 = PackedLinear(
                        weight: weight, bias: bias, outFeatures: n, inFeatures: k, context: compute, format: .int8)
                    let dequantized = Int8Weights.reference(weight, outFeatures: n, inFeatures: k)
                    let full = PackedLinear(
                        weight: dequantized, bias: bias, outFeatures: n, inFeatures: k, context: compute,
                        format: .float32)
                    XCTAssertEqual(int8.format, .int8)
                    let panels = (n + kernel.columns - 1) / kernel.columns
                    XCTAssertEqual(
                        int8.byteCount, panels * kernel.columns * (k + 4 * ((k + 15) / 16)) + 4 * n, "1.25 B/weight")
                    let activation = Activation.allCases[Int(seed) % Activation.allCases.count]
                    func run(_ layer: PackedLinear) -> [Float] {
                        applied(layer, to: input, rows: m, activation: activation, context: compute)
                    }
                    let actual = run(int8)
                    XCTAssertEqual(
                        actual.map(\.bitPattern), run(full).map(\.bitPattern),
                        "\(kernel) \(m)x\(n)x\(k) threads \(threads)")
                    if kernel.columns == 16, let generated {
                        let jitContext = ComputeContext(
                            threads: threads, kernels: KernelSet(gemm: kernel, int8Widening: generated))
                        let output = applied(int8, to: input, rows: m, activation: activation, context: jitContext)
                        XCTAssertEqual(
                            output.map(\.bitPattern), actual.map(\.bitPattern), "\(kernel) \(m)x\(n)x\(k) generated")
                    }
                    // And the quantization is felt: the layer is not silently float32.
                    if m * n * k > 1000 {
                        let exact = PackedLinear(
                            weight: weight, bias: bias, outFeatures: n, inFeatures: k, context: compute,
                            format: .float32)
                        XCTAssertNotEqual(run(exact), actual, "\(kernel) \(m)x\(n)x\(k)")
                    }
                }
            }
        }
    }

    func testGeneratedWideningIsListedWhereTheCPUHasAVX2() throws {
        let features = CPUFeatures.current(allowingCodeGeneration: true)
        guard features.contains(.avx2) else {
            throw XCTSkip("this CPU has no AVX2 (\(features)): the generated int8 widening is not tested here")
        }
        XCTAssertNotNil(generated, "AVX2 without the generated widening (no executable memory?)")
        XCTAssertNil(KernelRegistry(features: features, codeGeneration: false).int8Widening)
        XCTAssertNil(KernelRegistry(features: [], codeGeneration: true).int8Widening)
    }

    func testContextFormatIsTheDefault() {
        let kernel = runnableKernels[0]
        let compute = ComputeContext(threads: 1, kernels: KernelSet(gemm: kernel), weightFormat: .int8)
        let layer = PackedLinear(weight: [1, 2, 3, 4], bias: [0, 0], outFeatures: 2, inFeatures: 2, context: compute)
        XCTAssertEqual(layer.format, .int8)
    }
}
