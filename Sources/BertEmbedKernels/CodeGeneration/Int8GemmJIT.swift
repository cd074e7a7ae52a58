// The int8 layers' micro-kernel (Gemm/Int8GemmKernel.swift: operands and arithmetic) as AVX2 machine code generated at
// run time. Swift's SIMD types do not reach vpmaddwd (integer dot products written with them compile to vpmulld and
// shuffles), and a default build is SSE2 only; here each pair of inputs of a row is broadcast as one 32-bit word, the
// weights of a pair of inputs for 8 columns are sign-extended from 16 bytes (vpmovsxbw), and vpmaddwd gives the 8
// columns' two products, summed, per instruction: 16 multiply-adds where the float32 kernel's vfmadd231ps does 8.
// After each block of 16 inputs the six int32 sums are converted (vcvtdq2ps) and added to float32 accumulators times
// the block's weight scales (vfmadd231ps); at the end each row is multiplied by its input scale. A block's first
// products start its sums (no zeroing); the pairs are broadcast with vbroadcastss (the same 32 bits, a load-only
// instruction). The program holds one such body per row count (6 down to 1), so that a short text's last micro-panel
// costs its rows only (an 11-token query: 11 rows of work, not 12). Measured on AMD EPYC (Zen 3): vpmaddwd issues
// two per cycle, as vfmadd231ps does, but each needs a vpaddd that competes for the same ports, so the kernel runs
// about 1.3x the float32 kernel's multiply-adds in L1 (BENCHMARKS.md), not 2x.
//
// The wide AVX2 program does the same products on a tile of 16 columns: each broadcast pair of inputs meets two
// registers of weights, so a pair of inputs costs 2 widenings, 6 broadcasts, 12 vpmaddwd and 12 vpaddd for 192
// multiply-adds where the 6x8 tile needs 1, 6, 6 and 6 for 96 (on Zen 3 the four vector pipes are the limit: 32
// against 38 operations per 192). Its 12 sums, 2 weights, the broadcast and a product fill the 16 ymm registers, so
// the float32 accumulators live in 32-byte slots on the stack, loaded, fused and stored once per block of 16 inputs
// (the same vfmadd231ps on the same values: the same bits). Measured on Zen 3: 137 against 127 G operations/s in
// L1, MiniLM's and MPNet's int8 layers 2-10 % faster, whole encodes 1-10 % (BENCHMARKS.md). It is listed after the
// VNNI programs, whose fused products need no such trade.
//
// VNNI's vpdpwssd fuses the two: the block's later pairs add their products into the sums in one instruction, which
// halves the loop's integer multiply and add instructions (the loads and broadcasts stay). It comes in two encodings
// of the same operation on ymm registers: VEX (AVX-VNNI: Alder Lake, Sapphire Rapids, Zen 5) and EVEX (AVX512-VNNI
// with AVX512VL: Ice Lake, Cascade Lake, Zen 4). The three ymm programs differ only in those instructions (a test
// disassembles them with LLVM to show it), so they compute the same bits.
//
// On zmm registers (AVX512-VNNI with AVX512BW) the same body covers 32 columns, two registers per row: each pair's
// 32 columns of weights are two vpmovsxbw from 32 bytes each, each broadcast pair of inputs meets both, and one
// vpdpwssd does 32 multiply-adds. On Sapphire Rapids vpdpwssd on zmm issues two per cycle, as the ymm form does
// (measured: 4.8 against 4.6 billion a second in a loop of independent ones), so the zmm tile doubles the products
// per instruction; its registers: 12 sums, 12 accumulators, 2 weights, 1 broadcast, 2 converted sums. The same
// arithmetic in the same order per output, so the same bits as the ymm programs (its reference is the 32-column
// reference kernel, which is the 8-column one's loop).
//
// Each program is held to the reference kernel of its width where the CPU can run it.
//
// Registered (as "6x32-int16-avx512vnni-jit", "6x8-int16-avxvnni-jit", "6x8-int16-avx512vnni-jit",
// "6x16-int16-avx2-jit", "6x8-int16-avx2-jit", preferred in that order) where the CPU reports AVX2 + FMA (and the
// extensions) with OS support and code generation is allowed, like the float32 generated kernels; elsewhere int8
// layers widen their weights to float32 instead.

/// The generated integer micro-kernels of int8 layers.
package enum Int8GemmJIT {
    /// The four programs: how a block's products are summed into its int32 sums (the three ymm programs' only
    /// difference), and on which registers (the zmm one: 32 columns).
    package enum DotProduct: CaseIterable, Sendable {
        /// vpmaddwd into a product register, then vpaddd (AVX2).
        case avx2
        /// The AVX2 products on a tile of 16 columns, two ymm registers per row, the float32 accumulators on the
        /// stack (the registers hold the 12 sums, 2 weights, 1 broadcast and 1 product).
        case avx2Wide
        /// VEX vpdpwssd (AVX-VNNI).
        case avxVNNI
        /// EVEX vpdpwssd on ymm registers (AVX512-VNNI with AVX512VL).
        case avx512VNNI
        /// EVEX vpdpwssd on zmm registers, a tile of 32 columns (AVX512-VNNI with AVX512BW, for vpmovsxbw and
        /// vpmaddwd on zmm).
        case avx512VNNIZMM

        /// What the CPU needs beyond the generated code's AVX2 + FMA.
        package var features: CPUFeatures {
            switch self {
            case .avx2, .avx2Wide: return [.avx2, .fma]
            case .avxVNNI: return [.avx2, .fma, .avxVNNI]
            case .avx512VNNI: return [.avx2, .fma, .avx512VNNI, .avx512VL]
            case .avx512VNNIZMM: return [.avx2, .fma, .avx512F, .avx512BW, .avx512VNNI]
            }
        }

        /// The kernel's name.
        package var kernelName: String {
            switch self {
            case .avx2: return "6x8-int16-avx2-jit"
            case .avx2Wide: return "6x16-int16-avx2-jit"
            case .avxVNNI: return "6x8-int16-avxvnni-jit"
            case .avx512VNNI: return "6x8-int16-avx512vnni-jit"
            case .avx512VNNIZMM: return "6x32-int16-avx512vnni-jit"
            }
        }

        /// The code block, generated on first use.
        fileprivate var code: ExecutableCode? {
            switch self {
            case .avx2: return Int8GemmJIT.avx2Code
            case .avx2Wide: return Int8GemmJIT.avx2WideCode
            case .avxVNNI: return Int8GemmJIT.avxVNNICode
            case .avx512VNNI: return Int8GemmJIT.avx512VNNICode
            case .avx512VNNIZMM: return Int8GemmJIT.avx512VNNIZMMCode
            }
        }

        /// The tile's columns: the output features of one weight panel.
        package var columns: Int {
            switch self {
            case .avx512VNNIZMM: return 32
            case .avx2Wide: return 16
            case .avx2, .avxVNNI, .avx512VNNI: return 8
            }
        }
    }

    /// The kernels a CPU with `features` runs, preferred first (the zmm one: 255 against 130 G operations/s in L1 on
    /// Sapphire Rapids; a VNNI one before the AVX2 one; VEX before EVEX: the same instruction in a shorter encoding,
    /// not measured); empty without AVX2 + FMA or executable memory.
    static func kernels(features: CPUFeatures) -> [Int8GemmKernel] {
        [DotProduct.avx512VNNIZMM, .avxVNNI, .avx512VNNI, .avx2Wide, .avx2].compactMap { dot in
            guard features.isSuperset(of: dot.features), let code = dot.code else { return nil }
            return Int8GemmKernel(
                name: dot.kernelName, rows: Int8GemmKernel.tileRows, columns: dot.columns,
                function: unsafeBitCast(code.entry, to: Int8GemmKernel.Function.self))
        }
    }

    /// The code blocks behind `kernels(features:)`, for the perf map.
    static func codeBlocks(features: CPUFeatures) -> [ExecutableCode] {
        DotProduct.allCases.compactMap { features.isSuperset(of: $0.features) ? $0.code : nil }
    }

    private static let avx2Code = ExecutableCode(program(.avx2), name: "int8-gemm-6x8-avx2-jit")
    private static let avx2WideCode = ExecutableCode(program(.avx2Wide), name: "int8-gemm-6x16-avx2-jit")
    private static let avxVNNICode = ExecutableCode(program(.avxVNNI), name: "int8-gemm-6x8-avxvnni-jit")
    private static let avx512VNNICode = ExecutableCode(program(.avx512VNNI), name: "int8-gemm-6x8-avx512vnni-jit")
    private static let avx512VNNIZMMCode = ExecutableCode(
        program(.avx512VNNIZMM), name: "int8-gemm-6x32-avx512vnni-jit")

    /// The machine code. System V arguments: a (rdi), b (rsi), blocks (rdx), c (rcx), ldc (r8, in floats), rows (r9,
    /// 1 ... 6). One body per row count, 6 first, entered by comparing rows (the same branch every call of a
    /// layer but its last micro-panel's). With V vectors per row of the tile (1 ymm: 8 columns; 2 zmm: 32), the
    /// integer sums of row r are registers V r ..< V (r + 1), its float32 accumulators 6 V more; then the V
    /// registers of a pair's weights (and, at a block's end, of its scales), one broadcast pair of inputs, and two
    /// for products (AVX2) and converted sums (ymm0-5, ymm6-11, ymm12, ymm13, ymm14-15; zmm0-11, zmm12-23, zmm24-25,
    /// zmm26, zmm27-28). The wide AVX2 program (2 ymm per row) has no room for its accumulators: sums ymm0-11,
    /// weights ymm12-13, broadcast ymm14, one product ymm15, the accumulators in 12 stack slots.
    package static func program(_ dot: DotProduct) -> [UInt8] {
        let avx2: Dot<YMMRegister> = { asm, sums, weights, inputs, first, product in
            if first {
                asm.vpmaddwd(sums, weights, inputs)
            } else {
                asm.vpmaddwd(product, weights, inputs)
                asm.vpaddd(sums, sums, product)
            }
        }
        switch dot {
        case .avx2:
            return program(YMMRegister.self, columns: 8, dot: avx2)
        case .avx2Wide:
            return program(YMMRegister.self, columns: 16, stackAccumulators: true, dot: avx2)
        case .avxVNNI:
            return program(YMMRegister.self, columns: 8) { asm, sums, weights, inputs, first, _ in
                if first { asm.vpmaddwd(sums, weights, inputs) } else { asm.vpdpwssdVEX(sums, weights, inputs) }
            }
        case .avx512VNNI:
            return program(YMMRegister.self, columns: 8) { asm, sums, weights, inputs, first, _ in
                if first { asm.vpmaddwd(sums, weights, inputs) } else { asm.vpdpwssdEVEX(sums, weights, inputs) }
            }
        case .avx512VNNIZMM:
            return program(ZMMRegister.self, columns: 32) { asm, sums, weights, inputs, first, _ in
                if first { asm.vpmaddwd(sums, weights, inputs) } else { asm.vpdpwssd(sums, weights, inputs) }
            }
        }
    }

    /// `dot(asm, sums, weights, inputs, first, product)`: adds the pair products of weights and inputs to sums (the
    /// block's first pair: starts them), with `product` free to use.
    private typealias Dot<V> = (inout X86Assembler, V, V, V, Bool, V) -> Void

    /// The program over the register file V for a tile of 6 rows by `columns`, the float32 accumulators in registers
    /// or (`stackAccumulators`) on the stack.
    private static func program<V: TileVector>(
        _: V.Type, columns: Int, stackAccumulators: Bool = false, dot: Dot<V>
    ) -> [UInt8] {
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
            body(&asm, V.self, columns: columns, rows: rows, stackAccumulators: stackAccumulators, dot: dot)
        }
        return asm.finish()
    }

    /// The kernel for the first `rows` rows of the tile (the micro-panel's layout is still 6 rows wide). With
    /// `stackAccumulators` the float32 accumulators are 32-byte slots below the stack pointer (rsp aligned down to
    /// 32, restored from r10 at the end), and a block's end loads each one into the product register, adds the
    /// converted sums times the scales (the same vfmadd231ps) and stores it back.
    private static func body<V: TileVector>(
        _ asm: inout X86Assembler, _: V.Type, columns nr: Int, rows: Int, stackAccumulators: Bool, dot: Dot<V>
    ) {
        let a = X86Register.rdi, b = X86Register.rsi, blocks = X86Register.rdx
        let c = X86Register.rcx, rowBytes = X86Register.r8, row = X86Register.rax, savedStack = X86Register.r10
        let mr = Int8GemmKernel.tileRows, vectors = 4 * nr / Int(V.bytes)
        // Registers: the sums, the accumulators (unless on the stack), the weights, the broadcast, the products.
        let weightBase = (stackAccumulators ? 1 : 2) * mr * vectors
        let inputs = V(weightBase + vectors)
        func sums(_ r: Int, _ v: Int) -> V { V(r * vectors + v) }
        func accumulator(_ r: Int, _ v: Int) -> V { V(mr * vectors + r * vectors + v) }
        func slot(_ r: Int, _ v: Int) -> X86Memory {
            X86Memory(base: .rsp, displacement: Int32(r * vectors + v) * V.bytes)
        }
        func weights(_ v: Int) -> V { V(weightBase + v) }
        func product(_ r: Int, _ v: Int) -> V {
            V(weightBase + vectors + 1 + (stackAccumulators ? 0 : (r * vectors + v) % 2))
        }

        if stackAccumulators {
            asm.mov(savedStack, .rsp)
            asm.and(.rsp, -V.bytes)
            asm.sub(.rsp, Int32(mr * vectors) * V.bytes)
            V.zero(&asm, product(0, 0))
            for r in 0..<rows { for v in 0..<vectors { V.store(&asm, slot(r, v), product(0, 0)) } }
        } else {
            for r in 0..<rows { for v in 0..<vectors { V.zero(&asm, accumulator(r, v)) } }
        }
        let loop = asm.newLabel(), store = asm.newLabel()
        asm.test(blocks, blocks)
        asm.jump(if: .zero, to: store)
        asm.align(32)
        asm.bind(loop)
        // The block's weights and scales `prefetchDistance` bytes ahead, asked for once per cache line (as the float32
        // tiles do: a query of all-mpnet-base-v2 8.0-8.2 -> 7.1-7.2 ms on Zen 5; MiniLM's 14 MB stay in L3 anyway).
        for line in stride(from: 0, to: Int32(Int8Weights.blockBytes(columns: nr)), by: 64) {
            asm.prefetcht0(X86Memory(base: b, displacement: GemmMicroKernelJIT.prefetchDistance + line))
        }
        for pair in 0..<(Int8Weights.blockSize / 2) {
            for v in 0..<vectors {
                let source = X86Memory(base: b, displacement: Int32(2 * nr * pair) + Int32(v) * V.bytes / 2)
                V.widenBytes(&asm, weights(v), source)
            }
            for r in 0..<rows {
                V.broadcast(&asm, inputs, X86Memory(base: a, displacement: Int32(4 * (mr * pair + r))))
                for v in 0..<vectors { dot(&asm, sums(r, v), weights(v), inputs, pair == 0, product(r, v)) }
            }
        }
        for v in 0..<vectors {  // the block's weight scales
            V.load(&asm, weights(v), X86Memory(base: b, displacement: Int32(16 * nr) + Int32(v) * V.bytes))
        }
        for r in 0..<rows {
            for v in 0..<vectors {
                if stackAccumulators {
                    V.convert(&asm, sums(r, v), sums(r, v))
                    V.load(&asm, product(r, v), slot(r, v))
                    V.fma(&asm, product(r, v), sums(r, v), weights(v))
                    V.store(&asm, slot(r, v), product(r, v))
                } else {
                    V.convert(&asm, product(r, v), sums(r, v))
                    V.fma(&asm, accumulator(r, v), product(r, v), weights(v))
                }
            }
        }
        asm.add(a, Int32(4 * mr * Int8Weights.blockSize / 2))
        asm.add(b, Int32(Int8Weights.blockBytes(columns: nr)))
        asm.sub(blocks, 1)
        asm.jump(if: .notZero, to: loop)

        asm.bind(store)  // a now points at the rows' input scales
        asm.shl(rowBytes, 2)
        asm.mov(row, c)
        for r in 0..<rows {
            V.broadcast(&asm, inputs, X86Memory(base: a, displacement: Int32(4 * r)))
            for v in 0..<vectors {
                let result = stackAccumulators ? sums(r, v) : accumulator(r, v)
                if stackAccumulators { V.load(&asm, result, slot(r, v)) }
                V.multiply(&asm, result, result, inputs)
                V.store(&asm, X86Memory(base: row, displacement: Int32(v) * V.bytes), result)
            }
            if r < rows - 1 { asm.add(row, rowBytes) }
        }
        if stackAccumulators { asm.mov(.rsp, savedStack) }
        asm.vzeroupper()
        asm.ret()
    }
}
