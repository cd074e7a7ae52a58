// The int8 layers' micro-kernel (Gemm/Int8GemmKernel.swift: operands and arithmetic) as AVX2 machine code generated at
// run time. Swift's SIMD types do not reach vpmaddwd (integer dot products written with them compile to vpmulld and
// shuffles), and a default build is SSE2 only; here each pair of inputs of a row is broadcast as one 32-bit word, the
// weights of a pair of inputs for 8 columns are sign-extended from 16 bytes (vpmovsxbw), and vpmaddwd gives the 8
// columns' two products, summed, per instruction: 16 multiply-adds where the float32 kernel's vfmadd231ps does 8.
// After each block of 16 inputs the six int32 sums are converted (vcvtdq2ps) and added to float32 accumulators times
// the block's weight scales (vfmadd231ps); at the end each row is multiplied by its input scale. A block's first
// products start its sums (no zeroing); the pairs are broadcast with vbroadcastss (the same 32 bits, a load-only
// instruction). Measured on AMD EPYC (Zen 3): vpmaddwd issues two per cycle, as vfmadd231ps does, but each needs a
// vpaddd that competes for the same ports, so the kernel runs about 1.3x the float32 kernel's multiply-adds in L1
// (BENCHMARKS.md), not 2x; AVX-VNNI's vpdpwssd would fuse the two.
//
// Registered (as "6x8-int16-avx2-jit") where the CPU reports AVX2 + FMA with OS support and code generation is
// allowed, like the float32 generated kernel; elsewhere int8 layers widen their weights to float32 instead.

/// The generated integer micro-kernel of int8 layers.
package enum Int8GemmJIT {
    /// The kernel a CPU with `features` runs, or nil (no AVX2 + FMA, or no executable memory).
    static func kernel(features: CPUFeatures) -> Int8GemmKernel? {
        guard features.isSuperset(of: [.avx2, .fma]), let code else { return nil }
        return Int8GemmKernel(
            name: "6x8-int16-avx2-jit", rows: Int8GemmKernel.tileRows, columns: Int8GemmKernel.tileColumns,
            function: unsafeBitCast(code.entry, to: Int8GemmKernel.Function.self))
    }

    /// The code block behind `kernel(features:)`, for the perf map.
    static func codeBlocks(features: CPUFeatures) -> [ExecutableCode] {
        guard features.isSuperset(of: [.avx2, .fma]), let code else { return [] }
        return [code]
    }

    private static let code = ExecutableCode(program(), name: "int8-gemm-6x8-avx2-jit")

    /// The machine code. System V arguments: a (rdi), b (rsi), blocks (rdx), c (rcx), ldc (r8, in floats).
    /// Integer sums of row r in ymm(r), its float32 accumulator in ymm(6 + r); the weights of a pair in ymm12, a
    /// broadcast pair of inputs in ymm13, products in ymm14-15.
    package static func program() -> [UInt8] {
        var asm = X86Assembler()
        let a = X86Register.rdi, b = X86Register.rsi, blocks = X86Register.rdx
        let c = X86Register.rcx, rowBytes = X86Register.r8, row = X86Register.rax
        let mr = Int8GemmKernel.tileRows, nr = Int8GemmKernel.tileColumns
        let weights = YMMRegister(12), inputs = YMMRegister(13)
        func sums(_ r: Int) -> YMMRegister { YMMRegister(r) }
        func accumulator(_ r: Int) -> YMMRegister { YMMRegister(mr + r) }
        func product(_ r: Int) -> YMMRegister { YMMRegister(14 + r % 2) }

        for r in 0..<mr { asm.vxorps(accumulator(r), accumulator(r), accumulator(r)) }
        let loop = asm.newLabel(), store = asm.newLabel()
        asm.test(blocks, blocks)
        asm.jump(if: .zero, to: store)
        asm.align(32)
        asm.bind(loop)
        for pair in 0..<(Int8Weights.blockSize / 2) {
            asm.vpmovsxbw(weights, X86Memory(base: b, displacement: Int32(2 * nr * pair)))
            for r in 0..<mr {
                asm.vbroadcastss(inputs, X86Memory(base: a, displacement: Int32(4 * (mr * pair + r))))
                if pair == 0 {  // the block's first products start its sums
                    asm.vpmaddwd(sums(r), weights, inputs)
                } else {
                    asm.vpmaddwd(product(r), weights, inputs)
                    asm.vpaddd(sums(r), sums(r), product(r))
                }
            }
        }
        asm.vmovups(weights, X86Memory(base: b, displacement: Int32(16 * nr)))  // the block's weight scales
        for r in 0..<mr {
            asm.vcvtdq2ps(product(r), sums(r))
            asm.vfmadd231ps(accumulator(r), product(r), weights)
        }
        asm.add(a, Int32(4 * mr * Int8Weights.blockSize / 2))
        asm.add(b, Int32(Int8Weights.blockBytes(columns: nr)))
        asm.sub(blocks, 1)
        asm.jump(if: .notZero, to: loop)

        asm.bind(store)  // a now points at the rows' input scales
        asm.shl(rowBytes, 2)
        asm.mov(row, c)
        for r in 0..<mr {
            asm.vbroadcastss(inputs, X86Memory(base: a, displacement: Int32(4 * r)))
            asm.vmulps(accumulator(r), accumulator(r), inputs)
            asm.vmovups(X86Memory(base: row, displacement: 0), accumulator(r))
            if r < mr - 1 { asm.add(row, rowBytes) }
        }
        asm.vzeroupper()
        asm.ret()
        return asm.finish()
    }
}
