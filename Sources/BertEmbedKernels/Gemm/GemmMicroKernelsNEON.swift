// GEMM micro-kernel on SIMD4<Float> with fused multiply-add: the arm64 NEON register tile (32 q registers).
// Written out register by register so every accumulator is a named local the compiler keeps in a register;
// GemmKernel.swift lists it; the registry chooses it on arm64 (on x86-64 it runs well only in an FMA build: by name).

/// 8x12 micro-kernel on `SIMD4<Float>`, fused `addProduct`.
/// a: packed (kc, 8); b: packed (kc, 12); c: (8, 12) with row stride ldc.
/// c = a^T . b, or c += a^T . b when `accumulate`.
@inline(never)
func gemm8x12SIMD4FMA(
    _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ kc: Int,
    _ c: UnsafeMutablePointer<Float>, _ ldc: Int, _ accumulate: Bool
) {
    var c00 = SIMD4<Float>(), c01 = SIMD4<Float>(), c02 = SIMD4<Float>()
    var c10 = SIMD4<Float>(), c11 = SIMD4<Float>(), c12 = SIMD4<Float>()
    var c20 = SIMD4<Float>(), c21 = SIMD4<Float>(), c22 = SIMD4<Float>()
    var c30 = SIMD4<Float>(), c31 = SIMD4<Float>(), c32 = SIMD4<Float>()
    var c40 = SIMD4<Float>(), c41 = SIMD4<Float>(), c42 = SIMD4<Float>()
    var c50 = SIMD4<Float>(), c51 = SIMD4<Float>(), c52 = SIMD4<Float>()
    var c60 = SIMD4<Float>(), c61 = SIMD4<Float>(), c62 = SIMD4<Float>()
    var c70 = SIMD4<Float>(), c71 = SIMD4<Float>(), c72 = SIMD4<Float>()
    var a = a
    var b = UnsafeRawPointer(b)
    for _ in 0..<kc {
        let b0 = b.loadUnaligned(as: SIMD4<Float>.self)
        let b1 = b.loadUnaligned(fromByteOffset: 16, as: SIMD4<Float>.self)
        let b2 = b.loadUnaligned(fromByteOffset: 32, as: SIMD4<Float>.self)
        let a0 = SIMD4<Float>(repeating: a[0])
        c00.addProduct(a0, b0)
        c01.addProduct(a0, b1)
        c02.addProduct(a0, b2)
        let a1 = SIMD4<Float>(repeating: a[1])
        c10.addProduct(a1, b0)
        c11.addProduct(a1, b1)
        c12.addProduct(a1, b2)
        let a2 = SIMD4<Float>(repeating: a[2])
        c20.addProduct(a2, b0)
        c21.addProduct(a2, b1)
        c22.addProduct(a2, b2)
        let a3 = SIMD4<Float>(repeating: a[3])
        c30.addProduct(a3, b0)
        c31.addProduct(a3, b1)
        c32.addProduct(a3, b2)
        let a4 = SIMD4<Float>(repeating: a[4])
        c40.addProduct(a4, b0)
        c41.addProduct(a4, b1)
        c42.addProduct(a4, b2)
        let a5 = SIMD4<Float>(repeating: a[5])
        c50.addProduct(a5, b0)
        c51.addProduct(a5, b1)
        c52.addProduct(a5, b2)
        let a6 = SIMD4<Float>(repeating: a[6])
        c60.addProduct(a6, b0)
        c61.addProduct(a6, b1)
        c62.addProduct(a6, b2)
        let a7 = SIMD4<Float>(repeating: a[7])
        c70.addProduct(a7, b0)
        c71.addProduct(a7, b1)
        c72.addProduct(a7, b2)
        a += 8
        b += 48
    }
    let out = UnsafeMutableRawPointer(c)
    let row = ldc * 4
    storeTileRow(out, 0, accumulate, c00, c01, c02)
    storeTileRow(out, row, accumulate, c10, c11, c12)
    storeTileRow(out, 2 * row, accumulate, c20, c21, c22)
    storeTileRow(out, 3 * row, accumulate, c30, c31, c32)
    storeTileRow(out, 4 * row, accumulate, c40, c41, c42)
    storeTileRow(out, 5 * row, accumulate, c50, c51, c52)
    storeTileRow(out, 6 * row, accumulate, c60, c61, c62)
    storeTileRow(out, 7 * row, accumulate, c70, c71, c72)
}
