// The 6x16 AVX2 FMA GEMM micro-kernel, generated as machine code at run time (X86Assembler.swift) so that a default
// build, which Swift compiles for SSE2 only, still runs the AVX2 loop when the CPU has it. It computes exactly what
// the compiled `gemm6x16SIMD8FMA` computes (same FMA order per element, one rounding each), so its results are
// bit-identical to that kernel's, which the tests check.
//
// Registered (as "6x16-avx2-jit", ranked above every compiled tile) only where the CPU reports AVX2 + FMA with OS
// support, code generation is allowed (`ComputeSettings.codeGeneration`, `BERT_EMBED_JIT`), and the system grants
// executable memory.

/// The generated GEMM micro-kernels.
package enum GemmMicroKernelJIT {
    private typealias Entry =
        @convention(c) (
            UnsafePointer<Float>, UnsafePointer<Float>, Int, UnsafeMutablePointer<Float>, Int, Int
        ) -> Void

    /// The generated kernels a CPU with `features` runs, as registry entries; empty where code cannot be generated.
    static func kernels(features: CPUFeatures) -> [GemmKernel] {
        guard features.isSuperset(of: [.avx2, .fma]), let code = avx2FMACode else { return [] }
        return [
            GemmKernel(
                name: "6x16-avx2-jit", rows: 6, columns: 16, fused: true, rank: 30, isGenerated: true,
                function: unsafeBitCast(code.entry, to: GemmKernel.Function.self))
        ]
    }

    /// The code blocks behind `kernels(features:)`, for the perf map.
    static func codeBlocks(features: CPUFeatures) -> [ExecutableCode] {
        guard features.isSuperset(of: [.avx2, .fma]), let code = avx2FMACode else { return [] }
        return [code]
    }

    /// Generated once per process, at first use by a CPU that can run it; nil where executable memory is refused.
    private static let avx2FMACode = ExecutableCode(program(), name: "gemm-6x16-avx2-jit")

    /// The machine code. System V arguments: a (rdi): packed (kc, 6); b (rsi): packed (kc, 16);
    /// kc (rdx); c (rcx): (6, 16) with row stride ldc (r8, in floats); accumulate (r9b, a C bool): c += instead of c =.
    /// Accumulators: row r in ymm(2r) (columns 0-7) and ymm(2r+1) (8-15); b in ymm12-13; a broadcast in ymm14-15.
    package static func program() -> [UInt8] {
        var asm = X86Assembler()
        let a = X86Register.rdi, b = X86Register.rsi, depth = X86Register.rdx
        let c = X86Register.rcx, rowBytes = X86Register.r8, accumulate = X86Register.r9, row = X86Register.rax
        let b0 = YMMRegister(12), b1 = YMMRegister(13)
        func accumulator(_ r: Int, _ half: Int) -> YMMRegister { YMMRegister(2 * r + half) }

        for register in 0..<12 { asm.vxorps(YMMRegister(register), YMMRegister(register), YMMRegister(register)) }
        // One k step: 2 loads of b, 6 broadcasts of a, 12 FMAs; `offset` k steps ahead of the pointers.
        func step(_ offset: Int32) {
            asm.vmovups(b0, X86Memory(base: b, displacement: offset * 64))
            asm.vmovups(b1, X86Memory(base: b, displacement: offset * 64 + 32))
            for r in 0..<6 {
                let broadcast = YMMRegister(14 + r % 2)
                asm.vbroadcastss(broadcast, X86Memory(base: a, displacement: offset * 24 + Int32(4 * r)))
                asm.vfmadd231ps(accumulator(r, 0), b0, broadcast)
                asm.vfmadd231ps(accumulator(r, 1), b1, broadcast)
            }
        }
        // Four k steps per iteration while at least four remain, then one at a time.
        let unrolled = asm.newLabel(), single = asm.newLabel(), singleLoop = asm.newLabel(), store = asm.newLabel()
        asm.cmp(depth, 4)
        asm.jump(if: .less, to: single)
        asm.align(32)
        asm.bind(unrolled)
        for offset in 0..<Int32(4) { step(offset) }
        asm.add(a, 4 * 24)
        asm.add(b, 4 * 64)
        asm.sub(depth, 4)
        asm.cmp(depth, 4)
        asm.jump(if: .greaterOrEqual, to: unrolled)
        asm.bind(single)
        asm.test(depth, depth)
        asm.jump(if: .zero, to: store)
        asm.bind(singleLoop)
        step(0)
        asm.add(a, 24)
        asm.add(b, 64)
        asm.sub(depth, 1)
        asm.jump(if: .notZero, to: singleLoop)

        asm.bind(store)
        asm.shl(rowBytes, 2)
        let write = asm.newLabel()
        asm.testLowBytes(accumulate, accumulate)
        asm.jump(if: .zero, to: write)
        asm.mov(row, c)
        for r in 0..<6 {
            asm.vaddps(accumulator(r, 0), accumulator(r, 0), X86Memory(base: row, displacement: 0))
            asm.vaddps(accumulator(r, 1), accumulator(r, 1), X86Memory(base: row, displacement: 32))
            if r < 5 { asm.add(row, rowBytes) }
        }
        asm.bind(write)
        asm.mov(row, c)
        for r in 0..<6 {
            asm.vmovups(X86Memory(base: row, displacement: 0), accumulator(r, 0))
            asm.vmovups(X86Memory(base: row, displacement: 32), accumulator(r, 1))
            if r < 5 { asm.add(row, rowBytes) }
        }
        asm.vzeroupper()
        asm.ret()
        return asm.finish()
    }
}
