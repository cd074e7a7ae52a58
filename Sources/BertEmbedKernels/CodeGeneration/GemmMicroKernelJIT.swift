// The GEMM micro-kernels generated as machine code at run time (X86Assembler.swift), so that a default build, which
// Swift compiles for SSE2 only, still runs the CPU's vector loop:
// - 6x16 AVX2 + FMA ("6x16-avx2-jit"): exactly what the compiled `gemm6x16SIMD8FMA` computes;
// - 12x32 AVX-512 ("12x32-avx512-jit"): exactly what the compiled `gemm12x32SIMD16FMA` computes (24 zmm
//   accumulators). Where a core has two 512-bit FMA units (Xeon Sapphire Rapids) it does twice the AVX2 tile's
//   multiply-adds per cycle: MiniLM's float32 layers ran at 80-84 GFLOP/s on one thread with the AVX2 tile, which is
//   that tile's peak there, while MKL's AVX-512 sgemm reached 115-149 and this tile 135-152 (BENCHMARKS.md, "float32
//   on AVX-512").
// Each uses the same FMA order per element as its compiled twin, one rounding each, so their results are bit-identical
// to it and to each other (same arithmetic, tested).
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
                    function: unsafeBitCast(code.entry, to: GemmKernel.Function.self)))
        }
        if features.contains(.avx512F), let code = avx512Code {
            kernels.append(
                GemmKernel(
                    name: "12x32-avx512-jit", rows: 12, columns: 32, fused: true, rank: 40, isGenerated: true,
                    function: unsafeBitCast(code.entry, to: GemmKernel.Function.self)))
        }
        return kernels
    }

    /// The code blocks behind `kernels(features:)`, for the perf map.
    static func codeBlocks(features: CPUFeatures) -> [ExecutableCode] {
        let avx2 = features.isSuperset(of: [.avx2, .fma]) ? avx2FMACode : nil
        let avx512 = features.contains(.avx512F) ? avx512Code : nil
        return [avx2, avx512].compactMap { $0 }
    }

    /// Generated once per process, at first use by a CPU that can run them; nil where executable memory is refused.
    private static let avx2FMACode = ExecutableCode(program(), name: "gemm-6x16-avx2-jit")
    private static let avx512Code = ExecutableCode(avx512Program(), name: "gemm-12x32-avx512-jit")

    /// The registers both programs use: System V arguments a (rdi): packed (kc, rows); b (rsi): packed (kc,
    /// columns); kc (rdx); c (rcx): (rows, columns) with row stride ldc (r8, in floats); accumulate (r9b, a C bool):
    /// c += instead of c =. rax walks c's rows.
    private static let a = X86Register.rdi, b = X86Register.rsi, depth = X86Register.rdx, c = X86Register.rcx
    private static let rowBytes = X86Register.r8, accumulate = X86Register.r9, row = X86Register.rax

    /// A tile program: `rows` x 2 vectors of accumulators (`vectorBytes` each; accumulator 2r + h holds row r's
    /// half h) zeroed by `zero`, the k loop over `step` (four per iteration while at least four k remain, then one
    /// at a time; a and b advance `aStep` and `bStep` bytes per k), then c added (`add`, when accumulating) and
    /// stored (`store`) row by row; vzeroupper before the return.
    private static func tileProgram(
        rows: Int, vectorBytes: Int32, aStep: Int32, bStep: Int32, zero: (inout X86Assembler, Int) -> Void,
        step: (inout X86Assembler, Int32) -> Void, add: (inout X86Assembler, Int, X86Memory) -> Void,
        store: (inout X86Assembler, X86Memory, Int) -> Void
    ) -> [UInt8] {
        var asm = X86Assembler()
        for accumulator in 0..<(2 * rows) { zero(&asm, accumulator) }
        let unrolled = asm.newLabel(), single = asm.newLabel(), singleLoop = asm.newLabel(), done = asm.newLabel()
        asm.cmp(depth, 4)
        asm.jump(if: .less, to: single)
        asm.align(32)
        asm.bind(unrolled)
        for offset in 0..<Int32(4) { step(&asm, offset) }
        asm.add(a, 4 * aStep)
        asm.add(b, 4 * bStep)
        asm.sub(depth, 4)
        asm.cmp(depth, 4)
        asm.jump(if: .greaterOrEqual, to: unrolled)
        asm.bind(single)
        asm.test(depth, depth)
        asm.jump(if: .zero, to: done)
        asm.bind(singleLoop)
        step(&asm, 0)
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
                    let memory = X86Memory(base: row, displacement: vectorBytes * Int32(half))
                    if pass == 0 { add(&asm, 2 * r + half, memory) } else { store(&asm, memory, 2 * r + half) }
                }
                if r < rows - 1 { asm.add(row, rowBytes) }
            }
        }
        asm.vzeroupper()
        asm.ret()
        return asm.finish()
    }

    /// The 6x16 AVX2 kernel's machine code (`tileProgram`'s arguments). Accumulators: row r in ymm(2r) (columns 0-7)
    /// and ymm(2r+1) (8-15); b in ymm12-13; a broadcast in ymm14-15.
    package static func program() -> [UInt8] {
        let b0 = YMMRegister(12), b1 = YMMRegister(13)
        // One k step: 2 loads of b, 6 broadcasts of a, 12 FMAs; `offset` k steps ahead of the pointers.
        func step(_ asm: inout X86Assembler, _ offset: Int32) {
            asm.vmovups(b0, X86Memory(base: b, displacement: offset * 64))
            asm.vmovups(b1, X86Memory(base: b, displacement: offset * 64 + 32))
            for r in 0..<6 {
                let broadcast = YMMRegister(14 + r % 2)
                asm.vbroadcastss(broadcast, X86Memory(base: a, displacement: offset * 24 + Int32(4 * r)))
                asm.vfmadd231ps(YMMRegister(2 * r), b0, broadcast)
                asm.vfmadd231ps(YMMRegister(2 * r + 1), b1, broadcast)
            }
        }
        return tileProgram(
            rows: 6, vectorBytes: 32, aStep: 24, bStep: 64,
            zero: { $0.vxorps(YMMRegister($1), YMMRegister($1), YMMRegister($1)) }, step: step,
            add: { $0.vaddps(YMMRegister($1), YMMRegister($1), $2) }, store: { $0.vmovups($1, YMMRegister($2)) })
    }

    /// The 12x32 AVX-512 kernel's machine code (`tileProgram`'s arguments). Accumulators: row r in zmm(2r) (columns
    /// 0-15) and zmm(2r+1) (16-31); b in zmm24-25; broadcasts of a in zmm26-31 (in turn, so that loads run ahead of
    /// the multiply-adds).
    package static func avx512Program() -> [UInt8] {
        let b0 = ZMMRegister(24), b1 = ZMMRegister(25)
        // One k step: 2 loads of b, 12 broadcasts of a, 24 FMAs; `offset` k steps ahead of the pointers.
        func step(_ asm: inout X86Assembler, _ offset: Int32) {
            asm.vmovups(b0, X86Memory(base: b, displacement: offset * 128))
            asm.vmovups(b1, X86Memory(base: b, displacement: offset * 128 + 64))
            for r in 0..<12 {
                let broadcast = ZMMRegister(26 + r % 6)
                asm.vbroadcastss(broadcast, X86Memory(base: a, displacement: offset * 48 + Int32(4 * r)))
                asm.vfmadd231ps(ZMMRegister(2 * r), broadcast, b0)
                asm.vfmadd231ps(ZMMRegister(2 * r + 1), broadcast, b1)
            }
        }
        return tileProgram(
            rows: 12, vectorBytes: 64, aStep: 48, bStep: 128,
            zero: { $0.vpxord(ZMMRegister($1), ZMMRegister($1), ZMMRegister($1)) }, step: step,
            add: { $0.vaddps(ZMMRegister($1), ZMMRegister($1), $2) }, store: { $0.vmovups($1, ZMMRegister($2)) })
    }
}
