// bfloat16 weights: the rounding (nearest, ties to even, as PyTorch's `.to(torch.bfloat16)`), and bfloat16 dense
// layers against float32 layers on the rounded weights, bit for bit, for every micro-kernel this CPU runs.
import BertEmbedKernels
import XCTest
import _BertEmbedTestSupport

final class BFloat16WeightTests: XCTestCase {
    func testRoundingIsToNearestTiesToEven() {
        let cases: [(UInt32, UInt16)] = [
            (0x3F80_0000, 0x3F80),  // 1
            (0x3F80_7FFF, 0x3F80),  // below one half: down
            (0x3F80_8000, 0x3F80),  // one half, kept half even: down
            (0x3F81_8000, 0x3F82),  // one half, kept half odd: up
            (0x3F80_8001, 0x3F81),  // above one half: up
            (0xBF81_8000, 0xBF82),  // negative, magnitude rounds the same way
            (0x3FFF_FFFF, 0x4000),  // carry into the exponent
            (0x7F7F_FFFF, 0x7F80),  // the largest float rounds to infinity
            (0x7F80_0000, 0x7F80), (0xFF80_0000, 0xFF80),  // infinities stay
            (0x8000_0000, 0x8000), (0x0000_0000, 0x0000),  // signed zeros stay
            (0x0001_8000, 0x0002), (0x0000_8000, 0x0000),  // subnormals, ties to even
            (0x7FC0_0000, 0x7FC0), (0xFFC0_0001, 0xFFC0),  // quiet NaNs stay NaN
            (0x7F80_0001, 0x7FC0), (0x7FBF_FFFF, 0x7FFF),  // signalling NaNs stay NaN (quieted), never infinity
        ]
        for (bits, expected) in cases {
            XCTAssertEqual(
                BFloat16.rounding(Float(bitPattern: bits)), expected, "0x\(String(bits, radix: 16))")
        }
    }

    func testRoundingIsNearestAndWideningIsExact() {
        var generator = SplitMix64(seed: 5)
        for _ in 0..<100_000 {
            let value = Float(bitPattern: UInt32(truncatingIfNeeded: generator.next()))
            guard value.isFinite else { continue }
            let bits = BFloat16.rounding(value)
            let rounded = BFloat16.widening(bits)
            XCTAssertEqual(rounded.bitPattern & 0xFFFF, 0)
            XCTAssertEqual(BFloat16.rounding(rounded), bits, "widening then rounding must give the same bits")
            guard rounded.isFinite else { continue }
            // No bfloat16 lies closer: the neighbours one unit in the last place away are at least as far.
            let error = abs(Double(rounded) - Double(value))
            for neighbour in [bits &+ 1, bits &- 1] {
                let other = BFloat16.widening(neighbour)
                guard other.isFinite, other.sign == rounded.sign else { continue }
                XCTAssertLessThanOrEqual(error, abs(Double(other) - Double(value)), "\(value)")
            }
        }
    }

    func testVectorRoundingAndWideningEqualTheScalarOnes() {
        var generator = SplitMix64(seed: 9)
        for count in [0, 1, 7, 8, 9, 31, 64, 1001] {
            var values = (0..<count).map { _ in Float(bitPattern: UInt32(truncatingIfNeeded: generator.next())) }
            if count > 20 {
                values[13] = .nan
                values[17] = .infinity
                values[18] = -.greatestFiniteMagnitude
            }
            var rounded = [UInt16](repeating: 0, count: count)
            var widened = [Float](repeating: .nan, count: count)
            values.withUnsafeBufferPointer { source in
                rounded.withUnsafeMutableBufferPointer { target in
                    if let from = source.baseAddress, let to = target.baseAddress {
                        BFloat16.round(from, into: to, count: count)
                    }
                }
            }
            XCTAssertEqual(rounded, values.map(BFloat16.rounding), "count \(count)")
            rounded.withUnsafeBufferPointer { source in
                widened.withUnsafeMutableBufferPointer { target in
                    if let from = source.baseAddress, let to = target.baseAddress {
                        BFloat16.widen(from, into: to, count: count)
                    }
                }
            }
            XCTAssertEqual(widened.map(\.bitPattern), rounded.map { BFloat16.widening($0).bitPattern })
        }
    }

    /// A bfloat16 layer computes exactly what a float32 layer computes on the rounded weights: same kernel, same
    /// order of operations, the weights widened exactly. Sizes off every tile, the 96-row blocks and the 256 K block.
    func testBFloat16LayersEqualFloat32LayersOnRoundedWeights() {
        let shapes = [(1, 1, 1), (3, 17, 7), (13, 37, 300), (97, 33, 513), (6, 385, 385), (200, 16, 256)]
        var seed: UInt64 = 40
        for kernel in runnableKernels {
            for (m, n, k) in shapes {
                for threads in [1, 2] {
                    seed += 1
                    var generator = NormalGenerator(seed: seed)
                    let input = generator.array(m * k)
                    let weight = generator.array(n * k, scale: 1 / Float(k).squareRoot())
                    let bias = generator.array(n, scale: 0.5)
                    let roundedWeight = weight.map { BFloat16.widening(BFloat16.rounding($0)) }
                    let compute = context(kernel, threads: threads)
                    let half = PackedLinear(
                        weight: weight, bias: bias, outFeatures: n, inFeatures: k, context: compute, format: .bfloat16)
                    let full = PackedLinear(
                        weight: roundedWeight, bias: bias, outFeatures: n, inFeatures: k, context: compute,
                        format: .float32)
                    XCTAssertEqual(half.format, .bfloat16)
                    // The layer takes the path the kernel set names (`bert-embed bench` reports that name).
                    XCTAssertEqual(half.runsBFloat16Pairs, kernel.bfloat16Function != nil, "\(kernel)")
                    XCTAssertEqual(compute.kernels.bfloat16KernelName, kernel.bfloat16Name, "\(kernel)")
                    XCTAssertEqual(kernel.bfloat16Name != nil, kernel.isGenerated, "\(kernel): a generated tile's twin")
                    XCTAssertEqual(half.byteCount - 4 * n, (full.byteCount - 4 * n) / 2, "packed bytes halve")
                    let activation = Activation.allCases[Int(seed) % Activation.allCases.count]
                    func run(_ layer: PackedLinear) -> [Float] {
                        applied(layer, to: input, rows: m, activation: activation, context: compute)
                    }
                    let expected = run(full), actual = run(half)
                    XCTAssertEqual(
                        actual.map(\.bitPattern), expected.map(\.bitPattern),
                        "\(kernel) \(m)x\(n)x\(k) threads \(threads)")
                    // And the rounding is felt: the layer is not silently float32.
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

    func testContextFormatIsTheDefault() {
        let kernel = runnableKernels[0]
        let compute = ComputeContext(threads: 1, kernels: KernelSet(gemm: kernel), weightFormat: .bfloat16)
        let layer = PackedLinear(weight: [1, 2, 3, 4], bias: [0, 0], outFeatures: 2, inFeatures: 2, context: compute)
        XCTAssertEqual(layer.format, .bfloat16)
        XCTAssertEqual(
            PackedLinear(weight: [1, 2], bias: [0], outFeatures: 1, inFeatures: 2, context: context(kernel)).format,
            .float32)
    }
}
