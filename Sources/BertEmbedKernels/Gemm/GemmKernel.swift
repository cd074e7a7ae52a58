// A GEMM register tile (micro-kernel) as the registry lists it, and the compiled tiles of this build.
//
// Why several: the best tile depends on the vector registers the code runs on. A default x86-64 build targets
// SSE2 (16 xmm registers; `addProduct` there is a `fmaf` call per lane, so the SIMD4 tiles with separate multiply
// and add are the ones that run well, best the one whose packed input holds each value four times, so that a
// broadcast is a plain load); built with `-target-cpu native` on an AVX2 + FMA machine `addProduct` is one vfmadd
// and the SIMD8 6x16 tile runs well; AVX-512 builds can run the SIMD16 12x32 tile; arm64 the SIMD4 8x12 FMA tile
// (NEON `fmla`). A program cannot see which `-target-cpu` it was compiled for, so the registry only picks compiled
// tiles that run well in every build of their architecture (`rank`); the others are there to be named.
// On x86-64 the generated tiles (CodeGeneration/) bring AVX2 to every build.
//
// Tiles round in one of two ways: fused multiply-add (one rounding per product) or multiply-then-add (two). Tiles of
// one arithmetic give the same bits (same operations per output in the same order; tested).

/// One register-blocked micro-kernel: computes a (rows x columns) tile of C from a packed A panel
/// (kc, rows, splat) and a packed B panel (kc, columns); `PackedLinear` packs its weight for it.
package struct GemmKernel: Sendable, CustomStringConvertible {
    /// Signature of a micro-kernel: (a, b, kc, c, ldc, accumulate): c = a^T . b, or c += when `accumulate`;
    /// c is (rows, columns) with row stride ldc. A C function pointer, so that a compiled kernel and a generated one
    /// are called the same way, with no closure context in between (one call per tile: its cost shows on short K).
    package typealias Function =
        @convention(c) (
            UnsafePointer<Float>, UnsafePointer<Float>, Int, UnsafeMutablePointer<Float>, Int, Bool
        ) -> Void

    /// Signature of a micro-kernel on bfloat16 weights: `Function`'s, with b a packed panel of bfloat16 pairs
    /// (`BFloat16.roundPairs`: per k, pair j holds column j in its low half and column j + columns / 2 in its high
    /// half), each widened exactly in registers. It computes bit for bit what `function` computes on the widened
    /// panel.
    package typealias BFloat16Function =
        @convention(c) (
            UnsafePointer<Float>, UnsafePointer<UInt16>, Int, UnsafeMutablePointer<Float>, Int, Bool
        ) -> Void

    /// Name, e.g. "6x16-simd8-fma".
    package let name: String
    /// Tile rows (MR): rows of the input handled at once.
    package let rows: Int
    /// Tile columns (NR): output features handled at once; the weight is packed in panels this wide.
    package let columns: Int
    /// Copies of each input value in the packed A panel: 1, or the vector width for the tiles that load a
    /// ready-made broadcast (on SSE2 a broadcast is otherwise a load plus a shuffle).
    package let splat: Int
    /// True when each product is added with a fused multiply-add (one rounding), false when it is multiplied and
    /// then added (two). Kernels with the same arithmetic give bit-identical results.
    package let fused: Bool
    /// Where the registry would choose this kernel by itself: the runnable kernel of highest rank wins. Nil: the
    /// kernel runs well only in some builds (see the file comment), so it is used only when named.
    package let rank: Int?
    /// Generated at run time (CodeGeneration/) rather than compiled.
    package let isGenerated: Bool
    /// The micro-kernel.
    package let function: Function
    /// The same tile reading bfloat16 pairs instead of float32 weights (generated tiles), or nil: a bfloat16 layer
    /// widens its weights for `function` first.
    package let bfloat16Function: BFloat16Function?

    /// The name of `bfloat16Function` (this tile's name + "-bf16pairs"), or nil where there is none.
    package var bfloat16Name: String? { bfloat16Function == nil ? nil : name + "-bf16pairs" }

    init(
        name: String, rows: Int, columns: Int, splat: Int = 1, fused: Bool, rank: Int?, isGenerated: Bool = false,
        function: @escaping Function, bfloat16Function: BFloat16Function? = nil
    ) {
        self.name = name
        self.rows = rows
        self.columns = columns
        self.splat = splat
        self.fused = fused
        self.rank = rank
        self.isGenerated = isGenerated
        self.function = function
        self.bfloat16Function = bfloat16Function
    }

    /// The name.
    package var description: String { name }

    /// The compiled tiles, which every build has. Ranked: the NEON FMA tile on arm64 (FMA is part of the
    /// architecture), the SSE2 multiply-add tile with a splatted input on x86-64, the plain SIMD4 multiply-add
    /// tile elsewhere.
    static let compiled: [GemmKernel] = {
        #if arch(arm64)
        let (neonRank, sse2Rank, portableRank): (Int?, Int?, Int?) = (20, nil, nil)
        #elseif arch(x86_64)
        let (neonRank, sse2Rank, portableRank): (Int?, Int?, Int?) = (nil, 10, nil)
        #else
        let (neonRank, sse2Rank, portableRank): (Int?, Int?, Int?) = (nil, nil, 10)
        #endif
        return [
            GemmKernel(
                name: "6x16-simd8-fma", rows: 6, columns: 16, fused: true, rank: nil, function: gemm6x16SIMD8FMA),
            GemmKernel(
                name: "12x32-simd16-fma", rows: 12, columns: 32, fused: true, rank: nil, function: gemm12x32SIMD16FMA),
            GemmKernel(
                name: "8x12-simd4-fma", rows: 8, columns: 12, fused: true, rank: neonRank, function: gemm8x12SIMD4FMA),
            GemmKernel(
                name: "6x16-simd8-muladd", rows: 6, columns: 16, fused: false, rank: nil, function: gemm6x16SIMD8MulAdd),
            GemmKernel(
                name: "6x8-simd4-muladd-splat", rows: 6, columns: 8, splat: 4, fused: false, rank: sse2Rank,
                function: gemm6x8SIMD4MulAddSplat),
            GemmKernel(
                name: "6x8-simd4-muladd", rows: 6, columns: 8, fused: false, rank: portableRank,
                function: gemm6x8SIMD4MulAdd),
            GemmKernel(
                name: "4x12-simd4-muladd", rows: 4, columns: 12, fused: false, rank: nil, function: gemm4x12SIMD4MulAdd),
        ]
    }()
}
