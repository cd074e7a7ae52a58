// The int8 layers' micro-kernel (Gemm/Int8GemmKernel.swift: operands and arithmetic) as AVX2 machine code generated at
// run time. Swift's SIMD types do not reach vpmaddwd (integer dot products written with them compile to vpmulld and
// shuffles), and a default build is SSE2 only; here each pair of inputs of a row is broadcast as one 32-bit word, the
// weights of a pair of inputs for 8 columns are sign-extended from 16 bytes (vpmovsxbw), and vpmaddwd gives the 8
// columns' two products, summed, per instruction: 16 multiply-adds where the float32 kernel's vfmadd231ps does 8.
// After each block of 16 inputs the six int32 sums are converted (vcvtdq2ps) and added to float32 accumulators times
// the block's weight scales (vfmadd231ps); at the end each row is multiplied by its input scale. A block's first
// products start its sums (no zeroing); the pairs are broadcast with vbroadcastss (the same 32 bits, a load-only
// instruction). The program holds one such body per row count (6 down to 1), so that a short text's last micro-panel
// costs its rows only (an 11-token query: 11 rows of work, not 12). Measured on AMD EPYC (Zen 3): vpmaddwd issues two per cycle, as vfmadd231ps does, but each needs a
// vpaddd that competes for the same ports, so the kernel runs about 1.3x the float32 kernel's multiply-adds in L1
// (BENCHMARKS.md), not 2x.
//
// VNNI's vpdpwssd fuses the two: the block's later pairs add their products into the sums in one instruction, which
// halves the loop's integer multiply and add instructions (the loads and broadcasts stay). It comes in two encodings of the same operation on ymm registers:
// VEX (AVX-VNNI: Alder Lake, Sapphire Rapids, Zen 5) and EVEX (AVX512-VNNI with AVX512VL: Ice Lake, Cascade Lake,
// Zen 4). The three programs differ only in those instructions (a test disassembles them with LLVM to show it), so
// they compute the same bits; each is also held to the reference kernel where the CPU can run it.
//
// Registered (as "6x8-int16-avx2-jit", "6x8-int16-avxvnni-jit", "6x8-int16-avx512vnni-jit") where the CPU reports
// AVX2 + FMA (and the VNNI extension) with OS support and code generation is allowed, like the float32 generated
// kernel; elsewhere int8 layers widen their weights to float32 instead.

/// The generated integer micro-kernels of int8 layers.
package enum Int8GemmJIT {
    /// How a block's products are summed into its int32 sums: the three programs' only difference.
    package enum DotProduct: CaseIterable, Sendable {
        /// vpmaddwd into a product register, then vpaddd (AVX2).
        case avx2
        /// VEX vpdpwssd (AVX-VNNI).
        case avxVNNI
        /// EVEX vpdpwssd on ymm registers (AVX512-VNNI with AVX512VL).
        case avx512VNNI

        /// What the CPU needs beyond the generated code's AVX2 + FMA.
        package var features: CPUFeatures {
            switch self {
            case .avx2: return [.avx2, .fma]
            case .avxVNNI: return [.avx2, .fma, .avxVNNI]
            case .avx512VNNI: return [.avx2, .fma, .avx512VNNI, .avx512VL]
            }
        }

        /// The kernel's name.
        package var kernelName: String {
            switch self {
            case .avx2: return "6x8-int16-avx2-jit"
            case .avxVNNI: return "6x8-int16-avxvnni-jit"
            case .avx512VNNI: return "6x8-int16-avx512vnni-jit"
            }
        }

        /// The code block, generated on first use.
        fileprivate var code: ExecutableCode? {
            switch self {
            case .avx2: return Int8GemmJIT.avx2Code
            case .avxVNNI: return Int8GemmJIT.avxVNNICode
            case .avx512VNNI: return Int8GemmJIT.avx512VNNICode
            }
        }
    }

    /// The kernels a CPU with `features` runs, preferred first (a VNNI one before the AVX2 one; VEX before EVEX: the
    /// same instruction in a shorter encoding, not measured); empty without AVX2 + FMA or executable memory.
    static func kernels(features: CPUFeatures) -> [Int8GemmKernel] {
        [DotProduct.avxVNNI, .avx512VNNI, .avx2].compactMap { dot in
            guard features.isSuperset(of: dot.features), let code = dot.code else { return nil }
            return Int8GemmKernel(
                name: dot.kernelName, rows: Int8GemmKernel.tileRows, columns: Int8GemmKernel.tileColumns,
                function: unsafeBitCast(code.entry, to: Int8GemmKernel.Function.self))
        }
    }

    /// The code blocks behind `kernels(features:)`, for the perf map.
    static func codeBlocks(features: CPUFeatures) -> [ExecutableCode] {
        DotProduct.allCases.compactMap { features.isSuperset(of: $0.features) ? $0.code : nil }
    }

    private static let avx2Code = ExecutableCode(program(.avx2), name: "int8-gemm-6x8-avx2-jit")
    private static let avxVNNICode = ExecutableCode(program(.avxVNNI), name: "int8-gemm-6x8-avxvnni-jit")
    private static let avx512VNNICode = ExecutableCode(program(.avx512VNNI), name: "int8-gemm-6x8-avx512vnni-jit")

    /// The machine code. System V arguments: a (rdi), b (rsi), blocks (rdx), c (rcx), ldc (r8, in floats), rows (r9,
    /// 1 ... 6). One body per row count, 6 first, entered by comparing rows (the same branch every call of a
    /// layer but its last micro-panel's). Integer sums of row r in ymm(r), its float32 accumulator in ymm(6 + r); the
    /// weights of a pair in ymm12, a broadcast pair of inputs in ymm13, products (AVX2) and converted sums in
    /// ymm14-15.
    package static func program(_ dot: DotProduct) -> [UInt8] {
        var asm = X86Assembler()
        let mr = Int8GemmKernel.tileRows
        let bodies = (1...mr).map { _ in asm.newLabel() }
        for rows in stride(from: mr, to: 1, by: -1) {
            asm.cmp(.r9, Int32(rows))
            asm.jump(if: .zero, to: bodies[rows - 1])
        }
        asm.jump(to: bodies[0])
        for rows in stride(from: mr, through: 1, by: -1) {
            asm.align(16)
            asm.bind(bodies[rows - 1])
            body(&asm, dot, rows: rows)
        }
        return asm.finish()
    }

    /// The kernel for the first `rows` rows of the tile (the micro-panel's layout is still 6 rows wide).
    private static func body(_ asm: inout X86Assembler, _ dot: DotProduct, rows: Int) {
        let a = X86Register.rdi, b = X86Register.rsi, blocks = X86Register.rdx
        let c = X86Register.rcx, rowBytes = X86Register.r8, row = X86Register.rax
        let mr = Int8GemmKernel.tileRows, nr = Int8GemmKernel.tileColumns
        let weights = YMMRegister(12), inputs = YMMRegister(13)
        func sums(_ r: Int) -> YMMRegister { YMMRegister(r) }
        func accumulator(_ r: Int) -> YMMRegister { YMMRegister(mr + r) }
        func product(_ r: Int) -> YMMRegister { YMMRegister(14 + r % 2) }

        for r in 0..<rows { asm.vxorps(accumulator(r), accumulator(r), accumulator(r)) }
        let loop = asm.newLabel(), store = asm.newLabel()
        asm.test(blocks, blocks)
        asm.jump(if: .zero, to: store)
        asm.align(32)
        asm.bind(loop)
        for pair in 0..<(Int8Weights.blockSize / 2) {
            asm.vpmovsxbw(weights, X86Memory(base: b, displacement: Int32(2 * nr * pair)))
            for r in 0..<rows {
                asm.vbroadcastss(inputs, X86Memory(base: a, displacement: Int32(4 * (mr * pair + r))))
                switch (pair, dot) {
                case (0, _):  // the block's first products start its sums
                    asm.vpmaddwd(sums(r), weights, inputs)
                case (_, .avx2):
                    asm.vpmaddwd(product(r), weights, inputs)
                    asm.vpaddd(sums(r), sums(r), product(r))
                case (_, .avxVNNI): asm.vpdpwssdVEX(sums(r), weights, inputs)
                case (_, .avx512VNNI): asm.vpdpwssdEVEX(sums(r), weights, inputs)
                }
            }
        }
        asm.vmovups(weights, X86Memory(base: b, displacement: Int32(16 * nr)))  // the block's weight scales
        for r in 0..<rows {
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
        for r in 0..<rows {
            asm.vbroadcastss(inputs, X86Memory(base: a, displacement: Int32(4 * r)))
            asm.vmulps(accumulator(r), accumulator(r), inputs)
            asm.vmovups(X86Memory(base: row, displacement: 0), accumulator(r))
            if r < rows - 1 { asm.add(row, rowBytes) }
        }
        asm.vzeroupper()
        asm.ret()
    }
}
