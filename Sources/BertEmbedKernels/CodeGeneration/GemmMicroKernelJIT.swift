// The GEMM micro-kernels generated as machine code at run time (X86Assembler.swift), so that a default build, which
// Swift compiles for SSE2 only, still runs the CPU's vector loop:
// - 6x16 AVX2 + FMA ("6x16-avx2-jit"): exactly what the compiled `gemm6x16SIMD8FMA` computes;
// - 12x32 AVX-512 ("12x32-avx512-jit"): exactly what the compiled `gemm12x32SIMD16FMA` computes (24 zmm
//   accumulators). Where a core has two 512-bit FMA units (Xeon Sapphire Rapids) it does twice the AVX2 tile's
//   multiply-adds per cycle: MiniLM's float32 layers ran at 79-84 GFLOP/s on one thread with the AVX2 tile, which is
//   that tile's peak there, while MKL's AVX-512 sgemm reached 115-149 and this tile 135-152 (BENCHMARKS.md, "float32
//   on AVX-512").
// Each uses the same FMA order per element as its compiled twin, one rounding each, so their results are bit-identical
// to it and to each other (same arithmetic, tested). Unlike their twins (Swift has no prefetch instruction) they ask
// for their weights 4 KiB ahead (`prefetchDistance`): short texts, which stream every weight once, wait less; the bits
// are the same.
//
// Each has a twin reading bfloat16 weights (`GemmKernel.bfloat16Function`): a k step loads one vector of bfloat16
// pairs (half the bytes) and widens it in registers, exactly, with two integer instructions: the pair shifted left 16
// bits is the low column's float32, the pair with its low half cleared the high column's. Same FMAs in the same
// order, so the bits are those of the float32 tile on the widened weights. A bfloat16 layer without AMX ran its
// float32 tile on a block widened in L1 by compiled code first; a short query, which streams every weight once,
// then paid the widening and lost the prefetch.
//
// Registered (ranked above every compiled tile, the AVX-512 tile above the AVX2 one) only where the CPU reports the
// instructions with OS support, code generation is allowed (`ComputeSettings.codeGeneration`, `BERT_EMBED_JIT`), and
// the system grants executable memory.

/// The generated GEMM micro-kernels.
package enum GemmMicroKernelJIT {
    private typealias Entry =
        @convention(c) (
            UnsafePointer<Float>, UnsafePointer<Float>, Int, UnsafeMutablePointer<Float>, Int, Int
        ) -> Void

    /// The generated kernels a CPU with `features` runs, as registry entries; empty where code cannot be generated.
    static func kernels(features: CPUFeatures) -> [GemmKernel] {
        var kernels: [GemmKernel] = []
        if features.isSuperset(of: [.avx2, .fma]), let code = avx2FMACode {
            kernels.append(
                GemmKernel(
                    name: "6x16-avx2-jit", rows: 6, columns: 16, fused: true, rank: 30, isGenerated: true,
                    function: unsafeBitCast(code.entry, to: GemmKernel.Function.self),
                    bfloat16Function: avx2BFloat16Code.map {
                        unsafeBitCast($0.entry, to: GemmKernel.BFloat16Function.self)
                    }))
        }
        if features.contains(.avx512F), let code = avx512Code {
            kernels.append(
                GemmKernel(
                    name: "12x32-avx512-jit", rows: 12, columns: 32, fused: true, rank: 40, isGenerated: true,
                    function: unsafeBitCast(code.entry, to: GemmKernel.Function.self),
                    bfloat16Function: avx512BFloat16Code.map {
                        unsafeBitCast($0.entry, to: GemmKernel.BFloat16Function.self)
                    }))
        }
        return kernels
    }

    /// The code blocks behind `kernels(features:)`, for the perf map.
    static func codeBlocks(features: CPUFeatures) -> [ExecutableCode] {
        let avx2 = features.isSuperset(of: [.avx2, .fma]) ? [avx2FMACode, avx2BFloat16Code] : []
        let avx512 = features.contains(.avx512F) ? [avx512Code, avx512BFloat16Code] : []
        return (avx2 + avx512).compactMap { $0 }
    }

    /// Generated once per process, at first use by a CPU that can run them; nil where executable memory is refused.
    private static let avx2FMACode = ExecutableCode(program(), name: "gemm-6x16-avx2-jit")
    private static let avx512Code = ExecutableCode(avx512Program(), name: "gemm-12x32-avx512-jit")
    private static let avx2BFloat16Code = ExecutableCode(
        program(weights: .bfloat16Pairs), name: "gemm-6x16-avx2-bf16-jit")
    private static let avx512BFloat16Code = ExecutableCode(
        avx512Program(weights: .bfloat16Pairs), name: "gemm-12x32-avx512-bf16-jit")

    /// What a tile program reads as its weights.
    package enum Weights: Sendable {
        /// float32 panels (two vectors per k step).
        case float32
        /// bfloat16 pairs (`BFloat16.roundPairs`: one vector per k step, widened in registers).
        case bfloat16Pairs
    }

    /// The registers both programs use: System V arguments a (rdi): packed (kc, rows); b (rsi): packed (kc,
    /// columns); kc (rdx); c (rcx): (rows, columns) with row stride ldc (r8, in floats); accumulate (r9b, a C bool):
    /// c += instead of c =. rax walks c's rows.
    private static let a = X86Register.rdi, b = X86Register.rsi, depth = X86Register.rdx, c = X86Register.rcx
    private static let rowBytes = X86Register.r8, accumulate = X86Register.r9, row = X86Register.rax

    /// How far ahead of the weights it reads a tile asks for them (`prefetcht0`), in bytes: one 4 KiB page, 32 k
    /// steps of the AVX-512 tile, 64 of the AVX2 one. A short text has few rows, so the tile does little arithmetic
    /// per weight and waits on memory for each panel (a query streams every weight once, from L3 or DRAM), and the
    /// hardware prefetchers stop at page boundaries. Measured on Zen 5 (BENCHMARKS.md, "Every pipeline on Zen 5"):
    /// an 11-token query 3.7-4.3 ms -> 2.1-2.2 ms on all-MiniLM-L6-v2, 35-37 -> 17 ms on all-mpnet-base-v2 (1
    /// thread); 8 KiB did as well, 16 KiB worse; batches of 32 unchanged. The hint never faults, so asking past the
    /// end of the weights is harmless, and it changes no result.
    static let prefetchDistance: Int32 = 4096

    /// A tile program of `rows` rows x 2 vectors of `V`: accumulator 2r + h holds row r's half h (registers 0 ..<
    /// 2 rows), b's two vectors the next two registers, the broadcasts of a the next `broadcasts` (in turn, so that
    /// loads run ahead of the multiply-adds), then, reading bfloat16 pairs, a mask of each lane's high half. The k
    /// loop takes four steps per iteration while at least four k remain, then one at a time; each step asks for b's
    /// cache lines `prefetchDistance` ahead (each line once in the unrolled loop), loads b's two vectors (or one
    /// vector of pairs, widened: shifted left 16 bits, the low columns; masked, the high ones), then per row
    /// broadcasts a's value and does two FMAs (accumulator += broadcast x b). Then c is added (when accumulating) and
    /// stored row by row; vzeroupper before the return.
    private static func tileProgram<V: TileVector>(
        _: V.Type, rows: Int, broadcasts: Int, weights: Weights
    ) -> [UInt8] {
        var asm = X86Assembler()
        let highHalves = weights == .bfloat16Pairs ? V(2 * rows + 2 + broadcasts) : nil
        let aStep = Int32(4 * rows), bStep = highHalves != nil ? V.bytes : 2 * V.bytes
        let b0 = V(2 * rows), b1 = V(2 * rows + 1)
        for register in 0..<(2 * rows) { V.zero(&asm, V(register)) }
        if let highHalves {  // 0xFFFF0000 in every lane
            V.allOnes(&asm, highHalves)
            V.shiftLeft(&asm, highHalves, highHalves, 16)
        }
        // One k step, `offset` k steps ahead of the pointers; it first asks for the weights `prefetchDistance`
        // bytes ahead: the cache lines that start within its bytes (the line at the pointer when alone).
        func step(_ offset: Int32) {
            for line in stride(from: (offset * bStep + 63) / 64 * 64, to: (offset + 1) * bStep, by: 64) {
                asm.prefetcht0(X86Memory(base: b, displacement: line + prefetchDistance))
            }
            if let highHalves {
                V.load(&asm, b1, X86Memory(base: b, displacement: offset * bStep))
                V.shiftLeft(&asm, b0, b1, 16)
                V.and(&asm, b1, b1, highHalves)
            } else {
                V.load(&asm, b0, X86Memory(base: b, displacement: offset * bStep))
                V.load(&asm, b1, X86Memory(base: b, displacement: offset * bStep + V.bytes))
            }
            for r in 0..<rows {
                let broadcast = V(2 * rows + 2 + r % broadcasts)
                V.broadcast(&asm, broadcast, X86Memory(base: a, displacement: offset * aStep + Int32(4 * r)))
                V.fma(&asm, V(2 * r), broadcast, b0)
                V.fma(&asm, V(2 * r + 1), broadcast, b1)
            }
        }
        let unrolled = asm.newLabel(), single = asm.newLabel(), singleLoop = asm.newLabel(), done = asm.newLabel()
        asm.cmp(depth, 4)
        asm.jump(if: .less, to: single)
        asm.align(32)
        asm.bind(unrolled)
        for offset in 0..<Int32(4) { step(offset) }
        asm.add(a, 4 * aStep)
        asm.add(b, 4 * bStep)
        asm.sub(depth, 4)
        asm.cmp(depth, 4)
        asm.jump(if: .greaterOrEqual, to: unrolled)
        asm.bind(single)
        asm.test(depth, depth)
        asm.jump(if: .zero, to: done)
        asm.bind(singleLoop)
        step(0)
        asm.add(a, aStep)
        asm.add(b, bStep)
        asm.sub(depth, 1)
        asm.jump(if: .notZero, to: singleLoop)
        asm.bind(done)

        asm.shl(rowBytes, 2)
        let write = asm.newLabel()
        asm.testLowBytes(accumulate, accumulate)
        asm.jump(if: .zero, to: write)
        for (pass, label) in [(0, nil), (1, write)] {
            if let label { asm.bind(label) }
            asm.mov(row, c)
            for r in 0..<rows {
                for half in 0..<2 {
                    let memory = X86Memory(base: row, displacement: V.bytes * Int32(half))
                    if pass == 0 {
                        V.add(&asm, V(2 * r + half), memory)
                    } else {
                        V.store(&asm, memory, V(2 * r + half))
                    }
                }
                if r < rows - 1 { asm.add(row, rowBytes) }
            }
        }
        asm.vzeroupper()
        asm.ret()
        return asm.finish()
    }

    /// The 6x16 AVX2 kernel's machine code (`tileProgram`): accumulators ymm0-11, b in ymm12-13, broadcasts ymm14-15
    /// (reading bfloat16 pairs: ymm14, and the mask in ymm15).
    package static func program(weights: Weights = .float32) -> [UInt8] {
        tileProgram(YMMRegister.self, rows: 6, broadcasts: weights == .float32 ? 2 : 1, weights: weights)
    }

    /// The 12x32 AVX-512 kernel's machine code (`tileProgram`): accumulators zmm0-23, b in zmm24-25, broadcasts
    /// zmm26-31 (reading bfloat16 pairs: zmm26-30, and the mask in zmm31).
    package static func avx512Program(weights: Weights = .float32) -> [UInt8] {
        tileProgram(ZMMRegister.self, rows: 12, broadcasts: weights == .float32 ? 6 : 5, weights: weights)
    }
}
