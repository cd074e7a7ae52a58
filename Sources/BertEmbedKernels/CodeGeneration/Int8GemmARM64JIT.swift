// The int8 layers' micro-kernels on arm64 (Gemm/Int8GemmKernel.swift, the split layouts: operands and arithmetic) as
// AArch64 machine code generated at run time, on Linux (CodeGeneration/ExecutableCode.swift), for CPUs with the
// dot-product extension (FEAT_DotProd, Linux's "asimddp": Apple M1 and later, AWS Graviton 2 and later, Arm
// Cortex-A76 / Neoverse N1 and later) and, preferred where present, the int8 matrix-multiply extension (FEAT_I8MM,
// "i8mm": Graviton 3 and later, Neoverse V1 / N2, Cortex-A710 and later, Apple M2 and later).
//
// `sdot vd.4s, vn.16b, vm.4b[r]` adds to each 32-bit lane of vd the four products of vn's bytes in that lane (four
// inputs of one column) and row r's four input bytes: 16 multiply-adds per instruction where NEON's fmla on float32
// does 4. `smmla vd.4s, vn.16b, vm.16b` multiplies a 2 x 8 matrix of bytes (two rows' eight inputs) by an 8 x 2 one
// (two columns' eight weights) into a 2 x 2 tile: 32 per instruction. The inputs keep 15 bits, as two signed bytes
// (q = 128 h + l), so a block of 16 inputs costs two passes: the h bytes into zeroed sums, a shift left by 7, the
// l bytes into the same sums (8 or 16 effective multiply-adds per instruction); then per block and sum register one
// conversion (scvtf) and one fused multiply-add by the block's weight scales into the float32 accumulators (fmla):
// the same operations in the same order as the x86-64 kernels, so the reference kernels (`splitReference`,
// `octetReference`) give the same bits, which the tests check under qemu.
//
// Counted per block of the 4 x 8 tile (512 multiply-adds; the float32 8x12 tile: 128 fmla and about 27 loads): sdot
// 64 dot products, 8 movi, 8 shl, 8 scvtf, 8 fmla, 5 loads and the loop's 2 (1.5x fewer instructions than float32);
// smmla 32 matrix products, the same 32 others and 8 loads (2.1x fewer). Both read 31 % of float32's weight bytes. Not
// timed: no arm64 machine was at hand when they were written (BENCHMARKS.md, "int8 on arm64").
//
// Registers (AAPCS64; v8-v15's low halves are callee-saved, so d8-d15 are saved on the stack), sdot:
//   v0-v7    the int32 sums, row r's two (columns 0-3, 4-7) in v(2r), v(2r + 1)
//   v8-v11   the block's h bytes (quad g in v(8 + g), row r in lane r), then its l bytes
//   v12-v13  the block's 8 weight scales; at the end v14 the 4 rows' input scales
//   v16-v23  the float32 accumulators, as the sums
//   v24-v31  the block's weights, quad g's columns 0-3 in v(24 + 2g), 4-7 in v(25 + 2g)
// smmla (row pair q: rows 2q, 2q + 1; column pair p: columns 2p, 2p + 1; each register a 2 x 2 tile, row-major):
//   v0-v7    the int32 sums of row pair q and column pair p in v(4q + p)
//   v8-v11   the block's h bytes (octet g, row pair q in v(8 + 2g + q)), then its l bytes; at the end two rows of c
//   v12-v15  the block's weight scales of column pair p, twice, in v(12 + p); at the end the input scales
//   v16-v23  the float32 accumulators, as the sums
//   v24-v31  the block's weights, octet g's column pair p in v(24 + 4g + p)
// Arguments (x0 ... x5): a, b, blocks, c, ldc (floats), rows (1 ... 4). One body per row count, 4 first.

/// The generated arm64 integer micro-kernels of int8 layers.
package enum Int8GemmARM64JIT {
    /// The two programs.
    package enum Product: CaseIterable, Sendable {
        /// `sdot` by element (FEAT_DotProd), `Int8GemmKernel.Layout.splitQuads`.
        case sdot
        /// `smmla` (FEAT_I8MM), `Int8GemmKernel.Layout.splitOctets`.
        case smmla

        /// What the CPU needs.
        package var feature: CPUFeatures {
            switch self {
            case .sdot: return .dotProduct
            case .smmla: return .int8MatrixMultiply
            }
        }

        /// The kernel's name.
        package var kernelName: String {
            switch self {
            case .sdot: return "4x8-split-int8-sdot-jit"
            case .smmla: return "4x8-split-int8-i8mm-jit"
            }
        }

        /// The operands' layout.
        package var layout: Int8GemmKernel.Layout {
            switch self {
            case .sdot: return .splitQuads
            case .smmla: return .splitOctets
            }
        }

        /// The code block, generated on first use.
        fileprivate var code: ExecutableCode? {
            switch self {
            case .sdot: return Int8GemmARM64JIT.sdotCode
            case .smmla: return Int8GemmARM64JIT.smmlaCode
            }
        }
    }

    /// The kernels a CPU with `features` runs, preferred first (smmla: twice the products per instruction); empty
    /// without the extensions or executable memory.
    static func kernels(features: CPUFeatures) -> [Int8GemmKernel] {
        [Product.smmla, .sdot].compactMap { product in
            guard features.contains(product.feature), let code = product.code else { return nil }
            return Int8GemmKernel(
                name: product.kernelName, rows: 4, columns: 8, layout: product.layout,
                function: unsafeBitCast(code.entry, to: Int8GemmKernel.Function.self))
        }
    }

    /// The code blocks behind `kernels(features:)`, for the perf map.
    static func codeBlocks(features: CPUFeatures) -> [ExecutableCode] {
        Product.allCases.compactMap { features.contains($0.feature) ? $0.code : nil }
    }

    private static let sdotCode = ExecutableCode(program(.sdot), name: "int8-gemm-4x8-sdot-jit")
    private static let smmlaCode = ExecutableCode(program(.smmla), name: "int8-gemm-4x8-i8mm-jit")

    /// The machine code of `product` (file comment).
    package static func program(_ product: Product) -> [UInt8] {
        var asm = AArch64Assembler()
        let rowsArgument = ARM64Register(5)
        let bodies = (1...4).map { _ in asm.newLabel() }
        for rows in stride(from: 4, to: 1, by: -1) {
            asm.compare(rowsArgument, rows)
            asm.branch(if: .equal, to: bodies[rows - 1])
        }
        asm.branch(to: bodies[0])
        for rows in stride(from: 4, through: 1, by: -1) {
            asm.bind(bodies[rows - 1])
            switch product {
            case .sdot: sdotBody(&asm, rows: rows)
            case .smmla: smmlaBody(&asm, rows: rows)
            }
        }
        return asm.finish()
    }

    private static let a = ARM64Register(0), b = ARM64Register(1), blocks = ARM64Register(2), c = ARM64Register(3)
    private static let ldc = ARM64Register(4)

    /// Saves d8-d15, zeroes the float32 accumulators `accumulators`, and enters the loop over blocks (skipped for
    /// none); `block` emits one block's work. Returns with a at the rows' input scales.
    private static func loop(
        _ asm: inout AArch64Assembler, accumulators: [ARM64Vector], block: (inout AArch64Assembler) -> Void
    ) {
        asm.subtract(.sp, .sp, 64)
        for first in stride(from: 8, to: 16, by: 2) {
            asm.storePair(ARM64Vector(first), ARM64Vector(first + 1), .sp, 8 * (first - 8))
        }
        for accumulator in accumulators { asm.zero(accumulator) }
        let top = asm.newLabel(), done = asm.newLabel()
        asm.branchIfZero(blocks, to: done)
        asm.bind(top)
        block(&asm)
        asm.subtractSettingFlags(blocks, blocks, 1)
        asm.branch(if: .notEqual, to: top)
        asm.bind(done)
        asm.add(ldc, ARM64Register(31), ldc, shiftedLeft: 2)  // bytes per row of c (register 31: xzr)
    }

    /// Restores d8-d15 and returns.
    private static func exit(_ asm: inout AArch64Assembler) {
        for first in stride(from: 8, to: 16, by: 2) {
            asm.loadPair(ARM64Vector(first), ARM64Vector(first + 1), .sp, 8 * (first - 8))
        }
        asm.add(.sp, .sp, 64)
        asm.ret()
    }

    /// One block's two passes over `sums`: zeroed, the h bytes' products, a shift left by 7, the l bytes' products
    /// (`products` emits a pass after the block's inputs are loaded into v8-v11).
    private static func splitPasses(
        _ asm: inout AArch64Assembler, sums: [ARM64Vector], products: (inout AArch64Assembler) -> Void
    ) {
        asm.load(4, from: ARM64Vector(24), .bytes16, b)  // the block's weights
        asm.load(4, from: ARM64Vector(28), .bytes16, b)
        asm.load(4, from: ARM64Vector(8), .bytes16, a)  // the h bytes
        for sum in sums { asm.zero(sum) }
        products(&asm)
        asm.load(4, from: ARM64Vector(8), .bytes16, a)  // the l bytes
        for sum in sums { asm.shiftLeft(sum, sum, 7) }
        products(&asm)
    }

    /// The sdot kernel for the first `rows` rows of the tile.
    private static func sdotBody(_ asm: inout AArch64Assembler, rows: Int) {
        func sums(_ r: Int, _ v: Int) -> ARM64Vector { ARM64Vector(2 * r + v) }
        func accumulator(_ r: Int, _ v: Int) -> ARM64Vector { ARM64Vector(16 + 2 * r + v) }
        let tile = (0..<rows).flatMap { r in (0..<2).map { (r, $0) } }
        let scales = ARM64Vector(12), rowScales = ARM64Vector(14)
        loop(&asm, accumulators: tile.map { accumulator($0.0, $0.1) }) { asm in
            splitPasses(&asm, sums: tile.map { sums($0.0, $0.1) }) { asm in
                for quad in 0..<4 {
                    for (r, v) in tile {
                        asm.sdot(sums(r, v), ARM64Vector(24 + 2 * quad + v), ARM64Vector(8 + quad), lane: r)
                    }
                }
            }
            asm.load(2, from: scales, .words4, b)
            for (r, v) in tile {
                asm.convertToFloat(sums(r, v), sums(r, v))
                asm.fmla(accumulator(r, v), sums(r, v), ARM64Vector(Int(scales.number) + v))
            }
        }
        asm.loadQ(rowScales, a)
        for r in 0..<rows {
            for v in 0..<2 { asm.fmul(accumulator(r, v), accumulator(r, v), rowScales, lane: r) }
            asm.store(2, from: accumulator(r, 0), .words4, c)
            if r < rows - 1 { asm.add(c, c, ldc, shiftedLeft: 0) }
        }
        exit(&asm)
    }

    /// The smmla kernel for the first `rows` rows of the tile (row pairs: (rows + 1) / 2; an odd row count computes
    /// the missing row of its last pair and does not store it).
    private static func smmlaBody(_ asm: inout AArch64Assembler, rows: Int) {
        func sums(_ q: Int, _ p: Int) -> ARM64Vector { ARM64Vector(4 * q + p) }
        func accumulator(_ q: Int, _ p: Int) -> ARM64Vector { ARM64Vector(16 + 4 * q + p) }
        let tile = (0..<((rows + 1) / 2)).flatMap { q in (0..<4).map { (q, $0) } }
        loop(&asm, accumulators: tile.map { accumulator($0.0, $0.1) }) { asm in
            splitPasses(&asm, sums: tile.map { sums($0.0, $0.1) }) { asm in
                for octet in 0..<2 {
                    for (q, p) in tile {
                        asm.smmla(sums(q, p), ARM64Vector(8 + 2 * octet + q), ARM64Vector(24 + 4 * octet + p))
                    }
                }
            }
            for p in 0..<4 { asm.loadReplicatingPair(ARM64Vector(12 + p), b) }  // [s2p, s2p+1, s2p, s2p+1]
            for (q, p) in tile {
                asm.convertToFloat(sums(q, p), sums(q, p))
                asm.fmla(accumulator(q, p), sums(q, p), ARM64Vector(12 + p))
            }
        }
        let rowScales = ARM64Vector(12)
        asm.loadQ(rowScales, a)
        asm.zip(.words, high: false, ARM64Vector(13), rowScales, rowScales)  // [s0, s0, s1, s1]
        asm.zip(.words, high: true, ARM64Vector(14), rowScales, rowScales)  // [s2, s2, s3, s3]
        for (q, p) in tile { asm.fmul(accumulator(q, p), accumulator(q, p), ARM64Vector(13 + q)) }
        for r in 0..<rows {  // row r: the low (even r) or high (odd r) halves of its pair's four tiles
            let q = r / 2, high = r % 2 == 1
            asm.zip(.halves, high: high, ARM64Vector(8), accumulator(q, 0), accumulator(q, 1))
            asm.zip(.halves, high: high, ARM64Vector(9), accumulator(q, 2), accumulator(q, 3))
            asm.store(2, from: ARM64Vector(8), .words4, c)
            if r < rows - 1 { asm.add(c, c, ldc, shiftedLeft: 0) }
        }
        exit(&asm)
    }
}
