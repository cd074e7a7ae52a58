// The AMX tile kernel of bfloat16 layers: its instructions' encodings (on any CPU, against LLVM's disassembler), and
// where the CPU has AMX-BF16, the kernel against the exact sum of its operands and whole layers against their
// definition (inputs split into two bfloat16, weights rounded, products summed in float64), within float32's
// summation error.
import BertEmbedKernels
import XCTest
import _BertEmbedTestSupport

final class BF16TileTests: XCTestCase {
    /// The kernel this CPU runs, or a skip saying why not.
    private func tileKernel() throws -> BF16TileKernel {
        let features = CPUFeatures.current(allowingCodeGeneration: true)
        guard let kernel = KernelRegistry(features: features, codeGeneration: true).bf16Tile, kernel.isGranted else {
            throw XCTSkip(
                "no AMX-BF16 tile kernel here (needs amx_tile + amx_bf16 and the OS's permission; "
                    + "this CPU: \(features))"
            )
        }
        return kernel
    }

    /// Both programs decode, with LLVM's disassembler, to the instructions the generator means to emit.
    func testProgramsDisassembleToTheTileInstructions() throws {
        for tileRows in [1, 2] {
            let text = try disassembly(BF16TileJIT.program(tileRows: tileRows))
            let mnemonics = text.map { $0.split(separator: " ").first.map(String.init) ?? "" }
            XCTAssertEqual(mnemonics.first, "ldtilecfg")
            XCTAssertEqual(mnemonics.filter { $0 == "tdpbf16ps" }.count, 4 * tileRows, text.joined(separator: "\n"))
            XCTAssertEqual(mnemonics.filter { $0 == "tileloadd" }.count, 2 * tileRows + 2)
            XCTAssertEqual(mnemonics.filter { $0 == "tilestored" }.count, 2 * tileRows)
            XCTAssertEqual(mnemonics.filter { $0 == "tilezero" }.count, 2 * tileRows)
            XCTAssertEqual(mnemonics.last.map { ["ret", "retq"].contains($0) }, true)
            XCTAssertEqual(mnemonics.dropLast().last, "tilerelease")
            XCTAssertFalse(mnemonics.contains("<unknown>") || mnemonics.contains("(bad)"), text.joined(separator: "\n"))
            if tileRows == 2 {
                // AT&T order: sources first. tmm3 += tmm5 x tmm7; tmm7 from rcx + 1024, rows rdx apart; the second
                // tile row's lo part from rdi + 3072; tmm3 to rax + 64, rows r10 apart.
                XCTAssertTrue(text.contains("tdpbf16ps %tmm7, %tmm5, %tmm3"), text.joined(separator: "\n"))
                XCTAssertTrue(text.contains("tileloadd 1024(%rcx,%rdx), %tmm7"), text.joined(separator: "\n"))
                XCTAssertTrue(text.contains("tileloadd 3072(%rdi,%rdx), %tmm5"), text.joined(separator: "\n"))
                XCTAssertTrue(text.contains("tilestored %tmm3, 64(%rax,%r10)"), text.joined(separator: "\n"))
            }
        }
    }

    /// An input's two bfloat16 parts: hi is the rounding, hi + lo is within 2^-16 of x (relative; plus 2^-133 where
    /// lo is subnormal), and infinities and NaN keep lo zero. Runs on any CPU.
    func testInputSplitKeepsSixteenBits() {
        var generator = SplitMix64(seed: 12)
        for _ in 0..<100_000 {
            let x = Float(bitPattern: UInt32(truncatingIfNeeded: generator.next()))
            let (hi, lo) = BF16TileKernel.split(x)
            XCTAssertEqual(hi, BFloat16.rounding(x))
            guard x.isFinite, BFloat16.widening(hi).isFinite else {
                XCTAssertEqual(lo, 0, "\(x)")
                continue
            }
            let sum = Double(BFloat16.widening(hi)) + Double(BFloat16.widening(lo))
            let bound = 0x1p-16 * abs(Double(x)) + 0x1p-133  // plus a subnormal bfloat16 step for a tiny lo
            XCTAssertLessThanOrEqual(abs(sum - Double(x)), bound, "\(x)")
        }
        XCTAssertEqual(BF16TileKernel.split(.infinity).lo, 0)
        XCTAssertEqual(BF16TileKernel.split(-.greatestFiniteMagnitude).lo, 0)  // hi rounds to -infinity
        XCTAssertTrue(BFloat16.widening(BF16TileKernel.split(.nan).hi).isNaN)
    }

    /// The generated input splitting reads back as the instructions meant (any CPU), and where it runs gives
    /// `split`'s bits, but for zeros and denormal bfloat16 results, which may differ in sign and be zero
    /// (vcvtneps2bf16 reads and writes denormals as zero; the tile instructions read them as zero too).
    func testGeneratedSplitEqualsSplit() throws {
        let text = try disassembly(BF16TileJIT.splitProgram())
        XCTAssertTrue(text.contains("vcvtneps2bf16 %zmm3, %ymm4 {%k1} {z}"), text.joined(separator: "\n"))
        XCTAssertTrue(text.contains("vmovups 64(%rdi), %zmm1"), text.joined(separator: "\n"))
        XCTAssertTrue(text.contains("vmovdqu %ymm4, 2080(%rsi)"), text.joined(separator: "\n"))
        XCTAssertEqual(text.filter { $0.hasPrefix("vcmpordps") }.count, 2)
        XCTAssertTrue(text.contains("vpslld $16, %zmm3, %zmm3"), text.joined(separator: "\n"))
        XCTAssertTrue(text.contains { $0.hasPrefix("vpmovzxwd %ymm2, %zmm3") }, text.joined(separator: "\n"))
        XCTAssertTrue(text.contains("vsubps %zmm3, %zmm0, %zmm3"), text.joined(separator: "\n"))
        XCTAssertFalse(text.contains { $0.contains("<unknown>") || $0.contains("(bad)") }, text.joined(separator: "\n"))
        guard let splitSteps = try tileKernel().splitSteps else {
            throw XCTSkip("the tile kernel runs without the generated splitting here")
        }
        var generator = SplitMix64(seed: 77)
        let steps = 5
        var inputs = (0..<(32 * steps)).map { _ in Float(bitPattern: UInt32(truncatingIfNeeded: generator.next())) }
        let subnormal = Float(bitPattern: 0x000A_E398)  // 1e-39 rounded to a float: below the smallest normal
        inputs[0...9] = [.nan, .infinity, -.infinity, .greatestFiniteMagnitude, -0.0, 0, subnormal, 1e-37, 1, -3]
        var target = [UInt16](repeating: 0xAAAA, count: 2048 * steps)
        inputs.withUnsafeBufferPointer { source in
            target.withUnsafeMutableBufferPointer { splitSteps(source.baseAddress!, $0.baseAddress!, steps) }
        }
        func flushed(_ bits: UInt16) -> UInt16 { bits & 0x7F80 == 0 ? 0 : bits }  // zeros and denormals: zero
        for (i, x) in inputs.enumerated() {
            let (hi, lo) = BF16TileKernel.split(x)
            let at = (i / 32) * 2048 + i % 32
            if x.isNaN {
                XCTAssertTrue(BFloat16.widening(target[at]).isNaN, "hi of NaN")
            } else {
                XCTAssertEqual(flushed(target[at]), flushed(hi), "hi of \(x)")
            }
            XCTAssertEqual(flushed(target[at + 1024]), flushed(lo), "lo of \(x)")
        }
        for step in 0..<steps {  // only each step's first row of each part (hi, lo) is written
            for part in 0..<2 {
                let first = step * 2048 + part * 1024
                XCTAssertTrue(target[(first + 32)..<(first + 1024)].allSatisfy { $0 == 0xAAAA }, "step \(step)")
            }
        }
    }

    /// The kernel against `BF16TileKernel.reference` (the exact sum of the rounded operands) within float32's
    /// summation error, for every row count of a group's two tile rows, one and several steps and panels, operands
    /// with zeros, denormals and large magnitudes; rows past the count and the columns past the run stay untouched;
    /// a second run gives the same bits.
    func testKernelFollowsItsDefinition() throws {
        let kernel = try tileKernel()
        var generator = NormalGenerator(seed: 41)
        for (steps, panels) in [(1, 1), (3, 2), (12, 3)] {
            let aCount = steps * 2048, bCount = panels * steps * 1024
            var a = (0..<aCount).map { _ in BFloat16.rounding(generator.next(scale: 3)) }
            let b = (0..<bCount).map { _ in BFloat16.rounding(generator.next(scale: 0.05)) }
            a[5] = 0x0001  // a denormal: read as zero
            a[700 % aCount] = 0x5F00  // 2^63 times small weights: large, finite
            for rows in [1, 2, 7, 15, 16, 17, 23, 31, 32] {
                let stride = panels * 32 + 3
                func run() -> [Float] {
                    var c = [Float](repeating: .nan, count: 33 * stride)
                    a.withUnsafeBytes { a in
                        b.withUnsafeBytes { b in
                            c.withUnsafeMutableBytes { c in
                                kernel.run(
                                    rows: rows, inputs: a.baseAddress!, weights: b.baseAddress!, steps: steps,
                                    panels: panels, output: c.baseAddress!, rowBytes: 4 * stride)
                            }
                        }
                    }
                    return c
                }
                let actual = run()
                XCTAssertEqual(actual.map(\.bitPattern), run().map(\.bitPattern), "the same bits every run")
                let expected = BF16TileKernel.reference(
                    rows: rows, inputs: a, weights: b, steps: steps, panels: panels)
                var wrong: [String] = []
                for r in 0..<33 {
                    for j in 0..<stride {
                        let value = actual[r * stride + j]
                        guard r < rows, j < panels * 32 else {
                            if !value.isNaN { wrong.append("[\(r), \(j)] written") }
                            continue
                        }
                        let (sum, magnitude) = expected[r * panels * 32 + j]
                        if !(abs(Double(value) - sum) <= Double(32 * steps) * 0x1p-24 * magnitude) {
                            wrong.append("[\(r), \(j)] \(value) vs \(sum)")
                        }
                    }
                }
                XCTAssertEqual(
                    wrong.count, 0, "\(rows) rows, \(steps) steps, \(panels) panels: \(wrong.prefix(5))")
            }
        }
    }

    /// bfloat16 layers on the tile kernel against their definition (input split into hi + lo, weight rounded to
    /// bfloat16, exact products, float64 sums, bias and activation in float64): within float32's summation error, at
    /// sizes off the tile (rows off 16 and 32, columns off 32, inputs off 32), on 1, 2 and 3 threads (the same bits
    /// on all), with the guard cells intact.
    func testLayersFollowTheirDefinition() throws {
        let kernel = try tileKernel()
        var generator = NormalGenerator(seed: 8)
        let gemm = runnableKernels[0]
        // Row blocks of 128 and column chunks: 300 rows are 3 blocks (on 2 threads each split in 2 column chunks).
        let shapes = [
            (1, 1, 1), (11, 384, 384), (37, 45, 70), (64, 96, 33), (100, 70, 130), (33, 33, 31), (300, 70, 40),
        ]
        for (m, n, k) in shapes {
            let input = generator.array(m * k), weight = generator.array(n * k, scale: 0.1)
            let bias = generator.array(n, scale: 0.1)
            var firstRun: [Float]?
            for threads in [1, 2, 3] {
                let compute = ComputeContext(
                    threads: threads, kernels: KernelSet(gemm: gemm, bf16Tile: kernel), weightFormat: .bfloat16)
                let layer = PackedLinear(weight: weight, bias: bias, outFeatures: n, inFeatures: k, context: compute)
                XCTAssertNotNil(layer.tileKernel)
                for activation in [Activation.identity, .gelu] {
                    let actual = applied(layer, to: input, rows: m, activation: activation, context: compute)
                    if activation == .identity {  // the same bits on any number of threads
                        if let firstRun {
                            XCTAssertEqual(actual.map(\.bitPattern), firstRun.map(\.bitPattern), "\(m)x\(n)x\(k)")
                        }
                        firstRun = actual
                    }
                    for r in 0..<m {
                        for o in 0..<n {
                            var sum = 0.0, magnitude = 0.0
                            for i in 0..<k {
                                let (hi, lo) = BF16TileKernel.split(input[r * k + i])
                                let product =
                                    (Double(BFloat16.widening(hi)) + Double(BFloat16.widening(lo)))
                                    * Double(BFloat16.widening(BFloat16.rounding(weight[o * k + i])))
                                sum += product
                                magnitude += abs(product)
                            }
                            let expected = activation.reference(sum + Double(bias[o]))
                            let bound = Double(k + 2) * 0x1p-24 * (magnitude + abs(Double(bias[o]))) + 1e-6
                            XCTAssertEqual(
                                Double(actual[r * n + o]), expected, accuracy: bound,
                                "\(m)x\(n)x\(k) threads \(threads) \(activation) [\(r), \(o)]")
                        }
                    }
                }
            }
        }
    }
}
