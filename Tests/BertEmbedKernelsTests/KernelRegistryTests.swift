// The kernel registry: every kernel it lists runs correctly (PackedLinearTests, MultiHeadAttentionTests), its choice
// is a function of the CPU's features and the settings alone, settings win over the environment, and the kernels of
// one arithmetic give the same bits, so which of them runs changes only the speed.
import BertEmbedKernels
import Foundation
import XCTest

final class KernelRegistryTests: XCTestCase {
    /// The choice for given features on this architecture, each case a rule of the registry: where code may be
    /// generated, the generated AVX-512 tile wherever the CPU has AVX-512, else the generated AVX2 tile wherever it
    /// has AVX2 + FMA, else the SSE2 tile on x86-64; the NEON FMA tile on arm64 whatever else.
    func testChoiceFollowsTheFeatures() {
        let avx512: CPUFeatures = [.fma, .avx2, .avx512F, .avx512BW, .avx512VL, .avx512VNNI]
        let cases: [(CPUFeatures, Bool, String)]
        #if arch(x86_64)
        let generated = KernelRegistry(features: [.avx2, .fma], codeGeneration: true).gemmKernels.contains {
            $0.isGenerated
        }
        #if os(Linux)
        XCTAssertTrue(generated, "Linux x86-64 generates code unless executable memory is refused")
        #endif
        let jit = generated ? "6x16-avx2-jit" : "6x8-simd4-muladd-splat"
        let jit512 = generated ? "12x32-avx512-jit" : "6x8-simd4-muladd-splat"
        cases = [
            ([], true, "6x8-simd4-muladd-splat"), ([.avx2, .fma], true, jit),
            ([.avx2, .fma], false, "6x8-simd4-muladd-splat"),
            ([.avx2], true, "6x8-simd4-muladd-splat"), ([.fma], true, "6x8-simd4-muladd-splat"), (avx512, true, jit512),
            (avx512, false, "6x8-simd4-muladd-splat"),
        ]
        #elseif arch(arm64)
        cases = [([.neon], true, "8x12-simd4-fma"), ([.neon], false, "8x12-simd4-fma"), ([], true, "8x12-simd4-fma")]
        #else
        cases = [([], true, "6x8-simd4-muladd")]
        #endif
        for (features, codeGeneration, expected) in cases {
            let registry = KernelRegistry(features: features, codeGeneration: codeGeneration)
            XCTAssertEqual(
                registry.preferredGemmKernel.name, expected, "\(features), code generation \(codeGeneration)")
            XCTAssertEqual(registry.chosenGemmKernel.name, expected)
        }
    }

    /// Every compiled kernel is listed in every registry (they run on any CPU of the build's architecture, if not
    /// always fast); generated ones only with their features and code generation.
    func testListsCompiledKernelsAlwaysAndGeneratedOnesWhenAllowed() {
        let compiled = [
            "6x16-simd8-fma", "12x32-simd16-fma", "8x12-simd4-fma", "6x16-simd8-muladd",
            "6x8-simd4-muladd-splat", "6x8-simd4-muladd", "4x12-simd4-muladd",
        ]
        for (features, codeGeneration) in [(CPUFeatures(), true), ([.avx2, .fma], false), ([.avx2, .fma], true)] {
            let registry = KernelRegistry(features: features, codeGeneration: codeGeneration)
            let names = registry.gemmKernels.map(\.name)
            XCTAssertEqual(Set(names).count, names.count, "names are unique: \(names)")
            XCTAssertEqual(registry.gemmKernels.filter { !$0.isGenerated }.map(\.name), compiled)
            if !codeGeneration || !features.contains(.avx2) {
                XCTAssertFalse(
                    registry.gemmKernels.contains { $0.isGenerated }, "\(features) \(codeGeneration): \(names)")
            }
        }
    }

    /// A setting wins over the environment, the environment over the default; code generation off removes the
    /// generated kernels and the CPU probe.
    func testSettingsWinOverTheEnvironment() throws {
        let environment = try EnvironmentOverrides([
            "BERT_EMBED_GEMM_KERNEL": "6x16-simd8-muladd", "BERT_EMBED_JIT": "0",
        ])
        let fromEnvironment = try KernelRegistry(settings: ComputeSettings(), environment: environment)
        XCTAssertEqual(fromEnvironment.chosenGemmKernel.name, "6x16-simd8-muladd")
        XCTAssertFalse(fromEnvironment.codeGeneration)
        XCTAssertEqual(fromEnvironment.features, .baseline, "no CPU probe without code generation")
        XCTAssertFalse(fromEnvironment.gemmKernels.contains { $0.isGenerated })
        let fromSettings = try KernelRegistry(
            settings: ComputeSettings(codeGeneration: true, gemmKernel: "4x12-simd4-muladd"), environment: environment)
        XCTAssertEqual(fromSettings.chosenGemmKernel.name, "4x12-simd4-muladd")
        XCTAssertTrue(fromSettings.codeGeneration)
        let neither = try KernelRegistry(settings: ComputeSettings(), environment: EnvironmentOverrides())
        XCTAssertEqual(neither.chosenGemmKernel.name, neither.preferredGemmKernel.name)
        XCTAssertEqual(neither.chosenGemmKernel.name, KernelSet.preferred.gemm.name)

        let hugePages = try ComputeContext(
            settings: ComputeSettings(threads: 3), environment: EnvironmentOverrides(["BERT_EMBED_HUGE_PAGES": "1"]))
        XCTAssertTrue(hugePages.hugePages)
        XCTAssertEqual(hugePages.threads, 3)
        let noHugePages = try ComputeContext(
            settings: ComputeSettings(hugePages: false),
            environment: EnvironmentOverrides(["BERT_EMBED_HUGE_PAGES": "1"]))
        XCTAssertFalse(noHugePages.hugePages)
    }

    /// BERT_EMBED_AMX=0 leaves a registry and a context without the AMX tile kernel; unset, the context has the registry's (which
    /// is nil on a CPU without AMX-BF16, where this says so).
    func testAMXCanBeTurnedOff() throws {
        let off = try ComputeContext(
            settings: ComputeSettings(), environment: EnvironmentOverrides(["BERT_EMBED_AMX": "0"]))
        XCTAssertNil(off.kernels.bf16Tile)
        XCTAssertNil(
            try KernelRegistry(
                settings: ComputeSettings(), environment: EnvironmentOverrides(["BERT_EMBED_AMX": "0"])
            ).bf16Tile, "bench-kernels' registry too")
        let on = try ComputeContext(settings: ComputeSettings(), environment: EnvironmentOverrides())
        let registry = KernelRegistry(features: .current(allowingCodeGeneration: true), codeGeneration: true)
        XCTAssertEqual(on.kernels.bf16Tile?.name, registry.bf16Tile?.name)
        guard registry.bf16Tile != nil else {
            throw XCTSkip("no AMX-BF16 here (\(registry.features)): nothing to turn off")
        }
        XCTAssertEqual(on.kernels.bf16Tile?.name, "32x32-bf16-amx-jit")
    }

    /// Malformed values are errors naming the variable or the setting, not silently ignored.
    func testBadValuesAreErrorsNamingTheirSource() {
        for (variable, value) in [
            ("BERT_EMBED_JIT", "yes"), ("BERT_EMBED_HUGE_PAGES", "2"), ("BERT_EMBED_PERF_MAP", "on"),
            ("BERT_EMBED_AMX", "off"),
        ] {
            XCTAssertThrowsError(try EnvironmentOverrides([variable: value])) { error in
                XCTAssertEqual(
                    error as? ComputeSettingsError,
                    .invalidEnvironmentValue(variable: variable, value: value, expected: "0 or 1"))
                XCTAssertTrue("\(error)".contains(variable), "\(error)")
            }
        }
        XCTAssertNil(try EnvironmentOverrides(["BERT_EMBED_JIT": ""]).codeGeneration, "empty counts as unset")
        XCTAssertThrowsError(
            try KernelRegistry(
                settings: ComputeSettings(), environment: EnvironmentOverrides(["BERT_EMBED_GEMM_KERNEL": "fast"]))
        ) { error in
            XCTAssertTrue("\(error)".contains("BERT_EMBED_GEMM_KERNEL names the GEMM kernel 'fast'"), "\(error)")
            XCTAssertTrue("\(error)".contains("6x8-simd4-muladd-splat"), "lists the available kernels: \(error)")
        }
        XCTAssertThrowsError(
            try KernelRegistry(
                settings: ComputeSettings(codeGeneration: false, gemmKernel: "6x16-avx2-jit"),
                environment: EnvironmentOverrides())
        ) { error in
            XCTAssertTrue("\(error)".contains("the gemmKernel setting"), "\(error)")
        }
        XCTAssertThrowsError(
            try ComputeContext(settings: ComputeSettings(threads: 0), environment: EnvironmentOverrides())
        ) {
            XCTAssertEqual($0 as? ComputeSettingsError, .invalidThreads(0))
        }
    }

    /// Each kernel's `fused` flag is true to its arithmetic: with products -1 * (1 + 2^-11) and then
    /// (1 + 2^-12)^2 = 1 + 2^-11 + 2^-24, a fused multiply-add leaves 2^-24 in the sum; a multiply rounds the
    /// second product to 1 + 2^-11 (a tie, to even) and the add then gives 0.
    func testFusedFlagMatchesTheRounding() {
        let x = Float(1) + .ulpOfOne * 2048  // 1 + 2^-12
        for kernel in runnableKernels {
            let mr = kernel.rows, nr = kernel.columns
            var a = [Float](repeating: -1, count: mr * kernel.splat)
            a += [Float](repeating: x, count: mr * kernel.splat)
            // b: 1 + 2^-11, then x.
            let b = [Float](repeating: 1 + .ulpOfOne * 4096, count: nr) + [Float](repeating: x, count: nr)
            var c = [Float](repeating: .nan, count: mr * nr)
            kernel.function(a, b, 2, &c, nr, false)
            let expected: Float = kernel.fused ? 0x1p-24 : 0
            XCTAssertEqual(Set(c), [expected], "\(kernel)")
        }
    }

    /// Kernels of one arithmetic give the same bits through the whole GEMM (packing, K blocks, edge tiles, bias and
    /// activation), at awkward sizes and three K blocks, and the two arithmetics differ (so the check can fail).
    func testKernelsOfOneArithmeticGiveTheSameBits() {
        var generator = NormalGenerator(seed: 123)
        let (m, n, k) = (97, 71, 600)
        let input = generator.array(m * k)
        let weight = generator.array(n * k, scale: 0.05), bias = generator.array(n)
        var firstOutputs: [[Float]] = []
        for fused in [true, false] {
            var first: (name: String, output: [Float])?
            for kernel in runnableKernels where kernel.fused == fused {
                let layer = PackedLinear(
                    weight: weight, bias: bias, outFeatures: n, inFeatures: k, context: context(kernel, threads: 2))
                var output = [Float](repeating: .nan, count: m * n)
                input.withUnsafeBufferPointer { a in
                    output.withUnsafeMutableBufferPointer { c in
                        layer.apply(
                            a.baseAddress!, rows: m, output: c.baseAddress!, activation: .gelu,
                            context: context(kernel, threads: 2))
                    }
                }
                guard let reference = first else {
                    first = (kernel.name, output)
                    continue
                }
                let differing = output.indices.filter { output[$0].bitPattern != reference.output[$0].bitPattern }
                XCTAssertEqual(differing.count, 0, "\(kernel) vs \(reference.name): \(differing.prefix(5))")
            }
            if let first { firstOutputs.append(first.output) }
        }
        XCTAssertEqual(firstOutputs.count, 2, "both arithmetics have kernels")
        XCTAssertNotEqual(firstOutputs.first, firstOutputs.last, "the two arithmetics round differently")
    }
}
