// Every kernel this process can run, and the choice among them: a pure function of the CPU's features and whether
// code may be generated (as ggml scores its CPU backends from cpuid and oneDNN picks its ISA), so the same CPU gets
// the same kernels, and the same bits, on every run. Timing is for `bert-embed bench-kernels`, never for choosing.
//
// Kernels come from two places and register the same way: the compiled tiles (Gemm/GemmKernel.swift) and the
// generated ones (CodeGeneration/), each with the rank at which the registry prefers it. New kernel families
// (reduced precision, arm64 dot products) add a list here and a member to `KernelSet`.

/// The kernels a compute context uses.
package struct KernelSet: Sendable {
    /// The fp32 GEMM micro-kernel of the dense layers and attention.
    package let gemm: GemmKernel
    /// The integer micro-kernel of int8 layers (Int8GemmKernel), or nil: int8 layers widen their weights to float32
    /// for `gemm`.
    package let int8Gemm: Int8GemmKernel?
    /// The generated erf-GELU epilogue (bit-identical to the compiled one, faster), or nil: the compiled one runs.
    package let gelu: GELUKernel?
    /// The AMX tile kernel of bfloat16 layers (BF16TileKernel: inputs split into two bfloat16), or nil: bfloat16
    /// layers widen their weights to float32 for `gemm` (as they do where Linux refuses the tile registers).
    package let bf16Tile: BF16TileKernel?

    /// The AMX tile kernel where Linux grants its registers (asked on first use), or nil: bfloat16 layers run
    /// `gemm`'s bfloat16 twin or widen their weights for `gemm`.
    package var grantedBF16Tile: BF16TileKernel? { bf16Tile.flatMap { $0.isGranted ? $0 : nil } }

    /// The kernel bfloat16 layers run (`PackedLinear`: the granted AMX tile, else `gemm`'s bfloat16 twin), or nil:
    /// they widen their weights to float32 in memory for `gemm`.
    package var bfloat16KernelName: String? { grantedBF16Tile?.name ?? gemm.bfloat16Name }

    /// The kernels `gemm`, `int8Gemm`, `gelu` and `bf16Tile`.
    package init(
        gemm: GemmKernel, int8Gemm: Int8GemmKernel? = nil, gelu: GELUKernel? = nil, bf16Tile: BF16TileKernel? = nil
    ) {
        self.gemm = gemm
        self.int8Gemm = int8Gemm
        self.gelu = gelu
        self.bf16Tile = bf16Tile
    }

    /// The kernels this process prefers with code generation allowed and no override (the environment not read).
    package static let preferred: KernelSet = {
        let registry = KernelRegistry(features: .current(allowingCodeGeneration: true), codeGeneration: true)
        return KernelSet(
            gemm: registry.preferredGemmKernel, int8Gemm: registry.int8Gemm, gelu: registry.gelu,
            bf16Tile: registry.bf16Tile)
    }()
}

/// The kernels runnable on a CPU with given features.
package struct KernelRegistry: Sendable {
    /// The CPU features the kernels were listed for.
    package let features: CPUFeatures
    /// GEMM micro-kernels this process can run: the compiled ones, then the generated ones `features` allow.
    package let gemmKernels: [GemmKernel]
    /// Whether generated kernels may be listed.
    package let codeGeneration: Bool
    /// The GEMM kernel to use: `preferredGemmKernel` unless settings named another.
    package internal(set) var chosenGemmKernel: GemmKernel
    /// The integer micro-kernels of int8 layers `features` allow (generated), preferred first, if code generation
    /// does.
    package let int8GemmKernels: [Int8GemmKernel]
    /// The integer micro-kernel int8 layers use: the first of `int8GemmKernels`, or nil (their weights are widened).
    package var int8Gemm: Int8GemmKernel? { int8GemmKernels.first }
    /// The generated erf-GELU epilogue `features` allow, if code generation does.
    package let gelu: GELUKernel?
    /// The AMX tile kernel of bfloat16 layers, where `features` has AMX-BF16 and code generation is allowed (and
    /// `BERT_EMBED_AMX` does not say 0); the OS's grant is asked when a layer is first packed for it.
    package internal(set) var bf16Tile: BF16TileKernel?
    /// The generated code behind the generated kernels (for the perf map).
    let generatedCode: [ExecutableCode]

    /// The kernels for `features`, generated ones included when `codeGeneration` allows.
    package init(features: CPUFeatures, codeGeneration: Bool) {
        self.features = features
        self.codeGeneration = codeGeneration
        let generated = codeGeneration ? GemmMicroKernelJIT.kernels(features: features) : []
        gemmKernels = GemmKernel.compiled + generated
        int8GemmKernels =
            codeGeneration
            ? Int8GemmJIT.kernels(features: features) + Int8GemmARM64JIT.kernels(features: features) : []
        gelu = codeGeneration ? GELUJIT.kernel(features: features) : nil
        bf16Tile = codeGeneration ? BF16TileJIT.kernel(features: features) : nil
        generatedCode =
            codeGeneration
            ? GemmMicroKernelJIT.codeBlocks(features: features) + Int8GemmJIT.codeBlocks(features: features)
                + Int8GemmARM64JIT.codeBlocks(features: features)
                + GELUJIT.codeBlocks(features: features) + BF16TileJIT.codeBlocks(features: features) : []
        chosenGemmKernel = Self.highestRanked(gemmKernels)
    }

    /// The runnable GEMM kernel of highest rank (the first listed on a tie): the registry's own choice.
    package var preferredGemmKernel: GemmKernel { Self.highestRanked(gemmKernels) }

    private static func highestRanked(_ kernels: [GemmKernel]) -> GemmKernel {
        var best = kernels.first { $0.rank != nil } ?? kernels[0]
        for kernel in kernels where (kernel.rank ?? .min) > (best.rank ?? .min) { best = kernel }
        return best
    }

    /// The runnable GEMM kernel called `name`, if any.
    package func gemmKernel(named name: String) -> GemmKernel? { gemmKernels.first { $0.name == name } }
}
