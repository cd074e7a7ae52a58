// GEMM micro-kernels on SIMD8<Float>: the AVX2 register tiles (16 ymm), with and without fused multiply-add.
// Written out register by register so every accumulator is a named local the compiler keeps in a register;
// GemmKernel.swift lists them, chosen by name only: they run well in a `-target-cpu` AVX2 build alone.

/// 6x16 micro-kernel on `SIMD8<Float>`, fused `addProduct`.
/// a: packed (kc, 6); b: packed (kc, 16); c: (6, 16) with row stride ldc.
/// c = a^T . b, or c += a^T . b when `accumulate`.
@inline(never)
func gemm6x16SIMD8FMA(
    _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ kc: Int,
    _ c: UnsafeMutablePointer<Float>, _ ldc: Int, _ accumulate: Bool
) {
    var c00 = SIMD8<Float>(), c01 = SIMD8<Float>()
    var c10 = SIMD8<Float>(), c11 = SIMD8<Float>()
    var c20 = SIMD8<Float>(), c21 = SIMD8<Float>()
    var c30 = SIMD8<Float>(), c31 = SIMD8<Float>()
    var c40 = SIMD8<Float>(), c41 = SIMD8<Float>()
    var c50 = SIMD8<Float>(), c51 = SIMD8<Float>()
    var a = a
    var b = UnsafeRawPointer(b)
    for _ in 0..<kc {
        let b0 = b.loadUnaligned(as: SIMD8<Float>.self)
        let b1 = b.loadUnaligned(fromByteOffset: 32, as: SIMD8<Float>.self)
        let a0 = SIMD8<Float>(repeating: a[0])
        c00.addProduct(a0, b0)
        c01.addProduct(a0, b1)
        let a1 = SIMD8<Float>(repeating: a[1])
        c10.addProduct(a1, b0)
        c11.addProduct(a1, b1)
        let a2 = SIMD8<Float>(repeating: a[2])
        c20.addProduct(a2, b0)
        c21.addProduct(a2, b1)
        let a3 = SIMD8<Float>(repeating: a[3])
        c30.addProduct(a3, b0)
        c31.addProduct(a3, b1)
        let a4 = SIMD8<Float>(repeating: a[4])
        c40.addProduct(a4, b0)
        c41.addProduct(a4, b1)
        let a5 = SIMD8<Float>(repeating: a[5])
        c50.addProduct(a5, b0)
        c51.addProduct(a5, b1)
        a += 6
        b += 64
    }
    let out = UnsafeMutableRawPointer(c)
    let row = ldc * 4
    storeTile6x2(out, rowBytes: row, accumulate, c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51)
}

/// 6x16 micro-kernel on `SIMD8<Float>`, separate multiply and add.
/// a: packed (kc, 6); b: packed (kc, 16); c: (6, 16) with row stride ldc.
/// c = a^T . b, or c += a^T . b when `accumulate`.
@inline(never)
func gemm6x16SIMD8MulAdd(
    _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ kc: Int,
    _ c: UnsafeMutablePointer<Float>, _ ldc: Int, _ accumulate: Bool
) {
    var c00 = SIMD8<Float>(), c01 = SIMD8<Float>()
    var c10 = SIMD8<Float>(), c11 = SIMD8<Float>()
    var c20 = SIMD8<Float>(), c21 = SIMD8<Float>()
    var c30 = SIMD8<Float>(), c31 = SIMD8<Float>()
    var c40 = SIMD8<Float>(), c41 = SIMD8<Float>()
    var c50 = SIMD8<Float>(), c51 = SIMD8<Float>()
    var a = a
    var b = UnsafeRawPointer(b)
    for _ in 0..<kc {
        let b0 = b.loadUnaligned(as: SIMD8<Float>.self)
        let b1 = b.loadUnaligned(fromByteOffset: 32, as: SIMD8<Float>.self)
        let a0 = SIMD8<Float>(repeating: a[0])
        c00 += a0 * b0
        c01 += a0 * b1
        let a1 = SIMD8<Float>(repeating: a[1])
        c10 += a1 * b0
        c11 += a1 * b1
        let a2 = SIMD8<Float>(repeating: a[2])
        c20 += a2 * b0
        c21 += a2 * b1
        let a3 = SIMD8<Float>(repeating: a[3])
        c30 += a3 * b0
        c31 += a3 * b1
        let a4 = SIMD8<Float>(repeating: a[4])
        c40 += a4 * b0
        c41 += a4 * b1
        let a5 = SIMD8<Float>(repeating: a[5])
        c50 += a5 * b0
        c51 += a5 * b1
        a += 6
        b += 64
    }
    let out = UnsafeMutableRawPointer(c)
    let row = ldc * 4
    storeTile6x2(out, rowBytes: row, accumulate, c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51)
}
