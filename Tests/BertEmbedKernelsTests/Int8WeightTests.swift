// int8 weights (blocks of 16 with float32 scales, Int8Weights.swift): the quantization against its scalar definition;
// int8 dense layers that widen their weights against float32 layers on the dequantized weights, bit for bit, for every
// float32 micro-kernel this CPU runs; int8 layers on the integer path (int16 inputs, Int8Inputs.swift) against the
// scalar definition of their arithmetic, bit for bit, for every integer micro-kernel this CPU runs; all at sizes off
// every tile, block and K block, on 1 and 2 threads.
import BertEmbedKernels
import XCTest
import _BertEmbedTestSupport

final class Int8WeightTests: XCTestCase {
    /// The generated integer micro-kernels this CPU and OS run (AVX2, and the VNNI ones where the CPU has VNNI).
    let generatedKernels = KernelRegistry(features: .current(allowingCodeGeneration: true), codeGeneration: true)
        .int8GemmKernels

    /// The weights an int8 layer that widens them computes with: packed, then every panel widened back and unpacked.
    func computedWeights(_ weight: [Float], outFeatures n: Int, inFeatures k: Int, columns nr: Int) -> [Float] {
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
                        into: w.baseAddress!)
                    Int8Weights.widen(
                        panel: bytes.baseAddress! + p * panelBytes, columns: nr, inFeatures: k, rows: split,
                        depth: k - split, into: w.baseAddress! + split * nr)
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

    /// An int8 layer without an integer kernel computes exactly what a float32 layer computes on the dequantized
    /// weights: same kernel, same order of operations. Sizes off every tile, block, the 96-row blocks and the 256 K block.
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
                        int8.byteCount, panels * kernel.columns * 20 * ((k + 15) / 16) + 4 * n, "1.25 B/weight")
                    let activation = Activation.allCases[Int(seed) % Activation.allCases.count]
                    func run(_ layer: PackedLinear) -> [Float] {
                        applied(layer, to: input, rows: m, activation: activation, context: compute)
                    }
                    let actual = run(int8)
                    XCTAssertEqual(
                        actual.map(\.bitPattern), run(full).map(\.bitPattern),
                        "\(kernel) \(m)x\(n)x\(k) threads \(threads)")
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

    /// The integer kernels this process can run: the scalar references (the arm64 kernels' split layouts included),
    /// and the generated ones where the CPU has them.
    var integerKernels: [Int8GemmKernel] {
        [Int8GemmKernel.reference, .reference16, .wideReference, .splitReference, .octetReference] + generatedKernels
    }

    /// The arithmetic of an int8 layer on the integer path (Int8GemmKernel.swift, Int8Inputs.swift), one value at a
    /// time from the two quantizations' definitions.
    func integerLayer(
        _ input: [Float], rows m: Int, weight: [Float], bias: [Float], outFeatures n: Int, inFeatures k: Int,
        activation: Activation, levels: Float = Int8Inputs.levels
    ) -> [Float] {
        let (wq, ws) = Int8Weights.referenceIntegers(weight, outFeatures: n, inFeatures: k)
        let blocks = Int8Weights.blocks(k)
        var output = [Float](repeating: 0, count: m * n)
        for r in 0..<m {
            let (aq, sa) = Int8Inputs.reference(Array(input[(r * k)..<((r + 1) * k)]), levels: levels)
            for o in 0..<n {
                var acc: Float = 0
                for block in 0..<blocks {
                    var sum: Int32 = 0
                    for i in (block * 16)..<min(k, (block + 1) * 16) { sum += aq[i] * wq[o * k + i] }
                    acc = acc.addingProduct(Float(sum), ws[o * blocks + block])
                }
                output[r * n + o] = acc * sa
            }
            output.withUnsafeMutableBufferPointer { out in
                bias.withUnsafeBufferPointer {
                    activation.apply(out.baseAddress! + r * n, count: n, adding: $0.baseAddress!)
                }
            }
        }
        return output
    }

    /// Inputs with a row of zeros, a row with a NaN, one with an infinity and one with an outlier a thousand times
    /// its other values (rows 1, 2, 3 and 4 where there are that many).
    func inputs(_ generator: inout NormalGenerator, rows m: Int, inFeatures k: Int) -> [Float] {
        var input = generator.array(m * k)
        if m > 4 && k > 2 {
            for i in 0..<k { input[k + i] = 0 }
            input[2 * k + 1] = .nan
            input[3 * k + 2] = -.infinity
            input[4 * k] = 1000
        }
        return input
    }

    /// An int8 layer on the integer path computes its definition exactly, whatever the kernel and the thread count.
    func testIntegerLayersFollowTheirDefinition() {
        let shapes = [(1, 1, 1), (3, 17, 7), (13, 37, 300), (97, 33, 513), (6, 385, 385), (200, 16, 256), (7, 9, 1600)]
        var seed: UInt64 = 190
        for kernel in integerKernels {
            for (m, n, k) in shapes {
                for threads in [1, 2] {
                    seed += 1
                    var generator = NormalGenerator(seed: seed)
                    let input = inputs(&generator, rows: m, inFeatures: k)
                    let weight = generator.array(n * k, scale: 1 / Float(k).squareRoot())
                    let bias = generator.array(n, scale: 0.5)
                    let compute = ComputeContext(
                        threads: threads, kernels: KernelSet(gemm: runnableKernels[0], int8Gemm: kernel))
                    let layer = PackedLinear(
                        weight: weight, bias: bias, outFeatures: n, inFeatures: k, context: compute, format: .int8)
                    XCTAssertEqual(layer.integerKernel?.name, kernel.name)
                    let nr = kernel.columns
                    XCTAssertEqual(
                        layer.byteCount, (n + nr - 1) / nr * nr * 20 * ((k + 15) / 16) + 4 * n, "1.25 B/weight")
                    let activation = Activation.allCases[Int(seed) % Activation.allCases.count]
                    let actual = applied(layer, to: input, rows: m, activation: activation, context: compute)
                    let expected = integerLayer(
                        input, rows: m, weight: weight, bias: bias, outFeatures: n, inFeatures: k,
                        activation: activation, levels: kernel.layout.levels)
                    XCTAssertEqual(
                        actual.map(\.bitPattern), expected.map(\.bitPattern),
                        "\(kernel) \(m)x\(n)x\(k) threads \(threads)")
                    if m > 4 && k > 2 {
                        XCTAssertTrue(actual[(2 * n)..<(4 * n)].allSatisfy(\.isNaN), "rows with a NaN or an infinity")
                    }
                }
            }
        }
    }

    /// Each generated kernel against the reference kernel of its width on the extremes of both integer ranges (the
    /// largest block sums: 16 x 32767 x 127), zero, one and several blocks, and scales of every kind.
    func testGeneratedIntegerKernelsEqualTheReference() throws {
        guard !generatedKernels.isEmpty else {
            throw XCTSkip("no generated integer kernel here (needs AVX2 + FMA and executable memory)")
        }
        var generator = NormalGenerator(seed: 7)
        for generated in generatedKernels where generated.layout == .int16Pairs {  // split layouts: Int8GemmARM64Tests
            let nr = generated.columns, blockBytes = Int8Weights.blockBytes(columns: nr)
            let reference = try XCTUnwrap(Int8GemmKernel.reference(columns: nr), "\(generated)")
            for blocks in [0, 1, 3, 8] {
                for extreme in [false, true] {
                    let aBytes = Int8GemmKernel.microPanelBytes(blocks: blocks), bBytes = blocks * blockBytes
                    var a = [UInt8](repeating: 0, count: aBytes), b = [UInt8](repeating: 0, count: bBytes)
                    a.withUnsafeMutableBytes { a in
                        for w in 0..<(48 * blocks) {
                            let low =
                                extreme
                                ? Int16(w % 3 == 0 ? -32767 : 32767)
                                : Int16(max(-32767, min(32767, generator.next(scale: 9000))))
                            let high =
                                extreme
                                ? Int16(w % 5 == 0 ? 32767 : -32767)
                                : Int16(max(-32767, min(32767, generator.next(scale: 9000))))
                            a.storeBytes(
                                of: UInt32(UInt16(bitPattern: low)) | UInt32(UInt16(bitPattern: high)) << 16,
                                toByteOffset: 4 * w, as: UInt32.self)
                        }
                        for r in 0..<6 {
                            a.storeBytes(of: generator.next(), toByteOffset: 192 * blocks + 4 * r, as: Float.self)
                        }
                    }
                    b.withUnsafeMutableBytes { b in
                        for block in 0..<blocks {
                            for i in 0..<(16 * nr) {
                                let value =
                                    extreme
                                    ? (i % 7 == 0 ? -127 : 127) : Int8(max(-127, min(127, generator.next(scale: 60))))
                                b.storeBytes(of: Int8(value), toByteOffset: blockBytes * block + i, as: Int8.self)
                            }
                            for j in 0..<nr {
                                let scale: Float = j % 8 == 7 ? 0 : generator.next(scale: 1e-3)
                                b.storeBytes(
                                    of: scale, toByteOffset: blockBytes * block + 16 * nr + 4 * j, as: Float.self)
                            }
                        }
                    }
                    // Every row count: the rows past it stay as they were (NaN); row stride nr + 3.
                    let ldc = nr + 3
                    func run(_ kernel: Int8GemmKernel, rows: Int) -> [UInt32] {
                        var c = [Float](repeating: .nan, count: 6 * ldc)
                        a.withUnsafeBytes { a in
                            b.withUnsafeBytes { b in
                                c.withUnsafeMutableBufferPointer {
                                    kernel.function(
                                        a.baseAddress!, b.baseAddress ?? UnsafeRawPointer(a.baseAddress!), blocks,
                                        $0.baseAddress!, ldc, rows)
                                }
                            }
                        }
                        return c.map(\.bitPattern)
                    }
                    for rows in 1...6 {
                        let expected = run(reference, rows: rows)
                        XCTAssertEqual(
                            expected.filter { Float(bitPattern: $0).isNaN }.count, 6 * ldc - nr * rows,
                            "the reference writes \(rows) rows of \(nr)")
                        XCTAssertEqual(
                            run(generated, rows: rows), expected,
                            "\(generated) \(rows) rows, \(blocks) blocks, extreme \(extreme)")
                    }
                }
            }
        }
    }

    /// Input quantization and packing against the definition: ties, zeros, NaN and infinities, lengths off 8 and 16,
    /// fewer rows than the tile.
    func testInputQuantizationFollowsItsDefinition() {
        var generator = NormalGenerator(seed: 33)
        for k in [1, 3, 8, 9, 16, 19, 40] {
            for rows in [1, 5, 6] {
                let (rowValues, source) = int8InputRows(&generator, rows: rows, inFeatures: k, largest: 32767)
                let expected = rowValues.map { Int8Inputs.reference($0) }
                let blocks = Int8Weights.blocks(k)
                var panel = [UInt8](repeating: 0xAB, count: Int8GemmKernel.microPanelBytes(blocks: blocks))
                source.withUnsafeBufferPointer { s in
                    panel.withUnsafeMutableBytes {
                        Int8Inputs.pack(
                            s.baseAddress!, rows: rows, stride: k + 2, inFeatures: k, blocks: blocks,
                            into: $0.baseAddress!)
                    }
                }
                panel.withUnsafeBytes { p in
                    for r in 0..<6 {
                        let scale = p.load(fromByteOffset: 192 * blocks + 4 * r, as: Float.self)
                        if r < rows {
                            XCTAssertEqual(scale.bitPattern, expected[r].scale.bitPattern, "k \(k) row \(r) scale")
                        } else {
                            XCTAssertEqual(scale, 0)
                        }
                        for i in 0..<(16 * blocks) {
                            let word = p.load(fromByteOffset: 4 * (6 * (i / 2) + r), as: UInt32.self)
                            let q = Int32(Int16(truncatingIfNeeded: i % 2 == 0 ? word : word >> 16))
                            let want = r < rows && i < k ? expected[r].integers[i] : 0
                            XCTAssertEqual(q, want, "k \(k) rows \(rows) row \(r) input \(i)")
                        }
                    }
                }
            }
        }
        // One row whose largest value, NaN or infinity sits only in the tail after the vector loop (k = 19: inputs
        // 16-18), or only in the vector loop: the running maximum and the NaN-catching sum both see it.
        let ramp = (0..<19).map { Float($0 % 7) - 3 }
        for (index, value) in [(17, Float(-20)), (18, .nan), (16, .infinity), (3, .nan), (12, -.infinity)] {
            var row = ramp
            row[index] = value
            let blocks = Int8Weights.blocks(row.count)
            var panel = [UInt8](repeating: 0xAB, count: Int8GemmKernel.microPanelBytes(blocks: blocks))
            row.withUnsafeBufferPointer { s in
                panel.withUnsafeMutableBytes {
                    Int8Inputs.pack(
                        s.baseAddress!, rows: 1, stride: row.count, inFeatures: row.count, blocks: blocks,
                        into: $0.baseAddress!)
                }
            }
            let want = Int8Inputs.reference(row)
            panel.withUnsafeBytes { p in
                let scale = p.load(fromByteOffset: 192 * blocks, as: Float.self)
                XCTAssertEqual(scale.bitPattern, want.scale.bitPattern, "\(value) at \(index): scale")
                for i in 0..<row.count {
                    let word = p.load(fromByteOffset: 4 * 6 * (i / 2), as: UInt32.self)
                    let q = Int32(Int16(truncatingIfNeeded: i % 2 == 0 ? word : word >> 16))
                    XCTAssertEqual(q, want.integers[i], "\(value) at \(index): input \(i)")
                }
            }
        }
        // The definition itself on values chosen by hand.
        XCTAssertEqual(Int8Inputs.reference([0.5, -1.5, 2.5, 32767]).integers, [0, -2, 2, 32767])
        XCTAssertEqual(Int8Inputs.reference([-2, 1]).integers, [-32767, 16384])  // 16383.5, ties to even
        XCTAssertTrue(Int8Inputs.reference([1, .infinity]).scale.isNaN)
        XCTAssertEqual(Int8Inputs.reference([0, 0]).scale, 0)
    }

    func testIntegerKernelIsListedWhereTheCPUHasAVX2AndFMA() throws {
        let features = CPUFeatures.current(allowingCodeGeneration: true)
        guard features.isSuperset(of: [.avx2, .fma]) else {
            throw XCTSkip("this CPU has no AVX2 + FMA (\(features)): the generated integer kernel is not tested here")
        }
        XCTAssertFalse(
            generatedKernels.isEmpty, "AVX2 + FMA without the generated integer kernel (no executable memory?)")
        XCTAssertNil(KernelRegistry(features: features, codeGeneration: false).int8Gemm)
        XCTAssertNil(KernelRegistry(features: [.avx2], codeGeneration: true).int8Gemm)
        let expected =
            features.isSuperset(of: [.avx512F, .avx512BW, .avx512VNNI])
            ? "6x32-int16-avx512vnni-jit"
            : features.contains(.avxVNNI)
                ? "6x8-int16-avxvnni-jit"
                : features.isSuperset(of: [.avx512VNNI, .avx512VL]) ? "6x8-int16-avx512vnni-jit" : "6x16-int16-avx2-jit"
        XCTAssertEqual(KernelSet.preferred.int8Gemm?.name, expected)
        XCTAssertEqual(
            generatedKernels.map(\.name).suffix(2), ["6x16-int16-avx2-jit", "6x8-int16-avx2-jit"],
            "both AVX2 kernels are run by the tests above")
    }

    /// Where the CPU has AVX-VNNI or AVX512-VNNI (with VL), its VNNI kernels are listed, and so run by the tests above
    /// against the reference kernel and the layer's definition; elsewhere this says so (Int8GemmJITTests still shows
    /// on any CPU that their programs are the AVX2 program with its products and sums fused).
    func testVNNIKernelsRunWhereTheCPUHasVNNI() throws {
        let features = CPUFeatures.current(allowingCodeGeneration: true)
        var expected: [String] = []
        if features.isSuperset(of: [.avx2, .fma, .avx512F, .avx512BW, .avx512VNNI]) {
            expected.append("6x32-int16-avx512vnni-jit")
        }
        if features.isSuperset(of: [.avx2, .fma, .avxVNNI]) { expected.append("6x8-int16-avxvnni-jit") }
        if features.isSuperset(of: [.avx2, .fma, .avx512VNNI, .avx512VL]) {
            expected.append("6x8-int16-avx512vnni-jit")
        }
        guard !expected.isEmpty else {
            throw XCTSkip(
                "this CPU has neither AVX-VNNI nor AVX512-VNNI + VL (\(features)): the VNNI integer kernels are not run here"
            )
        }
        XCTAssertEqual(generatedKernels.map(\.name).filter { $0.contains("vnni") }, expected)
    }

    func testContextFormatIsTheDefault() {
        let kernel = runnableKernels[0]
        let compute = ComputeContext(threads: 1, kernels: KernelSet(gemm: kernel), weightFormat: .int8)
        let layer = PackedLinear(weight: [1, 2, 3, 4], bias: [0, 0], outFeatures: 2, inFeatures: 2, context: compute)
        XCTAssertEqual(layer.format, .int8)
    }
}
