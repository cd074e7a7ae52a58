// The int8 layers' micro-kernel on arm64 (Gemm/Int8GemmKernel.swift, `Layout.splitQuads`: operands and arithmetic) as
// AArch64 machine code generated at run time, for CPUs with the dot-product extension (FEAT_DotProd, Linux's
// "asimddp": Apple M1 and later, AWS Graviton 2 and later, Arm Cortex-A76 / Neoverse N1 and later).
//
// `sdot vd.4s, vn.16b, vm.4b[r]` adds to each 32-bit lane of vd the four products of vn's bytes in that lane (four
// inputs of one column) and row r's four input bytes: 16 multiply-adds per instruction where NEON's fmla on float32
// does 4. The inputs keep 15 bits, as two signed bytes (q = 128 h + l), so a block of 16 inputs costs two passes:
// the h bytes into zeroed sums, a shift left by 7, the l bytes into the same sums; 8 effective multiply-adds per
// instruction, then per block and sum register one conversion (scvtf) and one fused multiply-add by the block's
// weight scales into the float32 accumulators (fmla), the same operations in the same order as the x86-64 kernels:
// the reference kernel (`Int8GemmKernel.splitReference`) gives the same bits, which the tests check under qemu.
// Counted per block of a 4 x 8 tile: 64 sdot, 8 shl, 8 scvtf, 8 fmla, 8 movi and 5 loads for 512 multiply-adds,
// where the float32 kernel issues 128 fmla: about 1.4x fewer instructions, and a quarter of the weight bytes.
// Not timed: no arm64 machine was at hand when it was written (BENCHMARKS.md, "int8 on arm64").
//
// Registers (AAPCS64; v8-v15's low halves are callee-saved, so d8-d15 are saved on the stack):
//   v0-v7    the int32 sums, row r's two (columns 0-3, 4-7) in v(2r), v(2r + 1)
//   v8-v11   the block's h bytes (quad g in v(8 + g), row r in lane r), then its l bytes
//   v12-v13  the block's 8 weight scales; at the end v14 the 4 rows' input scales
//   v16-v23  the float32 accumulators, as the sums
//   v24-v31  the block's weights, quad g's columns 0-3 in v(24 + 2g), 4-7 in v(25 + 2g)
// Arguments (x0 ... x5): a, b, blocks, c, ldc (floats), rows (1 ... 4). One body per row count, 4 first.

/// The generated arm64 integer micro-kernel of int8 layers.
package enum Int8GemmSDOTJIT {
    /// The kernel's name.
    package static let kernelName = "4x8-split-int8-sdot-jit"

    /// The kernel where `features` has the dot-product extension and executable memory was granted, else none.
    static func kernels(features: CPUFeatures) -> [Int8GemmKernel] {
        guard features.contains(.dotProduct), let code else { return [] }
        return [
            Int8GemmKernel(
                name: kernelName, rows: 4, columns: 8, layout: .splitQuads,
                function: unsafeBitCast(code.entry, to: Int8GemmKernel.Function.self))
        ]
    }

    /// The code block behind `kernels(features:)`, for the perf map.
    static func codeBlocks(features: CPUFeatures) -> [ExecutableCode] {
        features.contains(.dotProduct) ? [code].compactMap { $0 } : []
    }

    private static let code = ExecutableCode(program(), name: "int8-gemm-4x8-sdot-jit")

    /// The machine code (file comment).
    package static func program() -> [UInt8] {
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
            body(&asm, rows: rows)
        }
        return asm.finish()
    }

    /// The kernel for the first `rows` rows of the tile.
    private static func body(_ asm: inout AArch64Assembler, rows: Int) {
        let a = ARM64Register(0), b = ARM64Register(1), blocks = ARM64Register(2), c = ARM64Register(3)
        let ldc = ARM64Register(4), zeroRegister = ARM64Register(31)
        func sums(_ r: Int, _ v: Int) -> ARM64Vector { ARM64Vector(2 * r + v) }
        func accumulator(_ r: Int, _ v: Int) -> ARM64Vector { ARM64Vector(16 + 2 * r + v) }
        func weights(_ quad: Int, _ v: Int) -> ARM64Vector { ARM64Vector(24 + 2 * quad + v) }
        func inputs(_ quad: Int) -> ARM64Vector { ARM64Vector(8 + quad) }
        let scales = ARM64Vector(12), rowScales = ARM64Vector(14)

        asm.subtract(.sp, .sp, 64)
        for first in stride(from: 8, to: 16, by: 2) {
            asm.storePair(ARM64Vector(first), ARM64Vector(first + 1), .sp, 8 * (first - 8))
        }
        for r in 0..<rows { for v in 0..<2 { asm.zero(accumulator(r, v)) } }
        let loop = asm.newLabel(), store = asm.newLabel()
        asm.branchIfZero(blocks, to: store)
        asm.bind(loop)
        asm.load(4, from: weights(0, 0), .bytes16, b)
        asm.load(4, from: weights(2, 0), .bytes16, b)
        asm.load(4, from: inputs(0), .bytes16, a)  // the h bytes
        for r in 0..<rows { for v in 0..<2 { asm.zero(sums(r, v)) } }
        func products() {
            for quad in 0..<4 {
                for r in 0..<rows { for v in 0..<2 { asm.sdot(sums(r, v), weights(quad, v), inputs(quad), lane: r) } }
            }
        }
        products()
        asm.load(4, from: inputs(0), .bytes16, a)  // the l bytes
        for r in 0..<rows { for v in 0..<2 { asm.shiftLeft(sums(r, v), sums(r, v), 7) } }
        products()
        asm.load(2, from: scales, .words4, b)
        for r in 0..<rows {
            for v in 0..<2 {
                asm.convertToFloat(sums(r, v), sums(r, v))
                asm.fmla(accumulator(r, v), sums(r, v), ARM64Vector(Int(scales.number) + v))
            }
        }
        asm.subtractSettingFlags(blocks, blocks, 1)
        asm.branch(if: .notEqual, to: loop)

        asm.bind(store)  // a now points at the rows' input scales
        asm.loadQ(rowScales, a)
        asm.add(ldc, zeroRegister, ldc, shiftedLeft: 2)  // bytes per row of c
        for r in 0..<rows {
            for v in 0..<2 { asm.fmul(accumulator(r, v), accumulator(r, v), rowScales, lane: r) }
            asm.store(2, from: accumulator(r, 0), .words4, c)
            if r < rows - 1 { asm.add(c, c, ldc, shiftedLeft: 0) }
        }
        for first in stride(from: 8, to: 16, by: 2) {
            asm.loadPair(ARM64Vector(first), ARM64Vector(first + 1), .sp, 8 * (first - 8))
        }
        asm.add(.sp, .sp, 64)
        asm.ret()
    }
}
