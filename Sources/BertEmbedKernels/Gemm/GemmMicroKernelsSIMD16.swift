// GEMM micro-kernel on SIMD16<Float>: the AVX-512 register tile (32 zmm, 24 accumulators).
// Written out register by register so every accumulator is a named local the compiler keeps in a register;
// GemmKernel.swift lists it, chosen by name only: it runs well in a `-target-cpu` AVX-512 build alone.

/// 12x32 micro-kernel on `SIMD16<Float>`, fused `addProduct`.
/// a: packed (kc, 12); b: packed (kc, 32); c: (12, 32) with row stride ldc.
/// c = a^T . b, or c += a^T . b when `accumulate`.
@inline(never)
func gemm12x32SIMD16FMA(
    _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ kc: Int,
    _ c: UnsafeMutablePointer<Float>, _ ldc: Int, _ accumulate: Bool
) {
    var c00 = SIMD16<Float>(), c01 = SIMD16<Float>()
    var c10 = SIMD16<Float>(), c11 = SIMD16<Float>()
    var c20 = SIMD16<Float>(), c21 = SIMD16<Float>()
    var c30 = SIMD16<Float>(), c31 = SIMD16<Float>()
    var c40 = SIMD16<Float>(), c41 = SIMD16<Float>()
    var c50 = SIMD16<Float>(), c51 = SIMD16<Float>()
    var c60 = SIMD16<Float>(), c61 = SIMD16<Float>()
    var c70 = SIMD16<Float>(), c71 = SIMD16<Float>()
    var c80 = SIMD16<Float>(), c81 = SIMD16<Float>()
    var c90 = SIMD16<Float>(), c91 = SIMD16<Float>()
    var c100 = SIMD16<Float>(), c101 = SIMD16<Float>()
    var c110 = SIMD16<Float>(), c111 = SIMD16<Float>()
    var a = a
    var b = UnsafeRawPointer(b)
    for _ in 0..<kc {
        let b0 = b.loadUnaligned(as: SIMD16<Float>.self)
        let b1 = b.loadUnaligned(fromByteOffset: 64, as: SIMD16<Float>.self)
        let a0 = SIMD16<Float>(repeating: a[0])
        c00.addProduct(a0, b0)
        c01.addProduct(a0, b1)
        let a1 = SIMD16<Float>(repeating: a[1])
        c10.addProduct(a1, b0)
        c11.addProduct(a1, b1)
        let a2 = SIMD16<Float>(repeating: a[2])
        c20.addProduct(a2, b0)
        c21.addProduct(a2, b1)
        let a3 = SIMD16<Float>(repeating: a[3])
        c30.addProduct(a3, b0)
        c31.addProduct(a3, b1)
        let a4 = SIMD16<Float>(repeating: a[4])
        c40.addProduct(a4, b0)
        c41.addProduct(a4, b1)
        let a5 = SIMD16<Float>(repeating: a[5])
        c50.addProduct(a5, b0)
        c51.addProduct(a5, b1)
        let a6 = SIMD16<Float>(repeating: a[6])
        c60.addProduct(a6, b0)
        c61.addProduct(a6, b1)
        let a7 = SIMD16<Float>(repeating: a[7])
        c70.addProduct(a7, b0)
        c71.addProduct(a7, b1)
        let a8 = SIMD16<Float>(repeating: a[8])
        c80.addProduct(a8, b0)
        c81.addProduct(a8, b1)
        let a9 = SIMD16<Float>(repeating: a[9])
        c90.addProduct(a9, b0)
        c91.addProduct(a9, b1)
        let a10 = SIMD16<Float>(repeating: a[10])
        c100.addProduct(a10, b0)
        c101.addProduct(a10, b1)
        let a11 = SIMD16<Float>(repeating: a[11])
        c110.addProduct(a11, b0)
        c111.addProduct(a11, b1)
        a += 12
        b += 128
    }
    let out = UnsafeMutableRawPointer(c)
    let row = ldc * 4
    storeTile6x2(out, rowBytes: row, accumulate, c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51)
    storeTile6x2(
        out, first: 6 * row, rowBytes: row, accumulate, c60, c61, c70, c71, c80, c81, c90, c91, c100, c101, c110, c111)
}
