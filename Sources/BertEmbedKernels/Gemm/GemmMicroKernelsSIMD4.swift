// GEMM micro-kernels on SIMD4<Float> with separate multiply and add: the SSE2 register tiles (16 xmm, no FMA).
// Written out register by register so every accumulator is a named local the compiler keeps in a register;
// GemmKernel.swift lists them; the registry chooses the splatted tile on x86-64, where SSE2 is the build's baseline.

/// 6x8 micro-kernel on `SIMD4<Float>`, separate multiply and add.
/// a: packed (kc, 6); b: packed (kc, 8); c: (6, 8) with row stride ldc.
/// c = a^T . b, or c += a^T . b when `accumulate`.
@inline(never)
func gemm6x8SIMD4MulAdd(
    _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ kc: Int,
    _ c: UnsafeMutablePointer<Float>, _ ldc: Int, _ accumulate: Bool
) {
    var c00 = SIMD4<Float>(), c01 = SIMD4<Float>()
    var c10 = SIMD4<Float>(), c11 = SIMD4<Float>()
    var c20 = SIMD4<Float>(), c21 = SIMD4<Float>()
    var c30 = SIMD4<Float>(), c31 = SIMD4<Float>()
    var c40 = SIMD4<Float>(), c41 = SIMD4<Float>()
    var c50 = SIMD4<Float>(), c51 = SIMD4<Float>()
    var a = a
    var b = UnsafeRawPointer(b)
    for _ in 0..<kc {
        let b0 = b.loadUnaligned(as: SIMD4<Float>.self)
        let b1 = b.loadUnaligned(fromByteOffset: 16, as: SIMD4<Float>.self)
        let a0 = SIMD4<Float>(repeating: a[0])
        c00 += a0 * b0
        c01 += a0 * b1
        let a1 = SIMD4<Float>(repeating: a[1])
        c10 += a1 * b0
        c11 += a1 * b1
        let a2 = SIMD4<Float>(repeating: a[2])
        c20 += a2 * b0
        c21 += a2 * b1
        let a3 = SIMD4<Float>(repeating: a[3])
        c30 += a3 * b0
        c31 += a3 * b1
        let a4 = SIMD4<Float>(repeating: a[4])
        c40 += a4 * b0
        c41 += a4 * b1
        let a5 = SIMD4<Float>(repeating: a[5])
        c50 += a5 * b0
        c51 += a5 * b1
        a += 6
        b += 32
    }
    let out = UnsafeMutableRawPointer(c)
    let row = ldc * 4
    storeTile6x2(out, rowBytes: row, accumulate, c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51)
}

/// 6x8 micro-kernel on `SIMD4<Float>`, separate multiply and add.
/// a: packed (kc, 6, 4), each value repeated 4 times (so a broadcast is one load, not a
/// load and a shuffle); b: packed (kc, 8); c: (6, 8) with row stride ldc.
/// c = a^T . b, or c += a^T . b when `accumulate`.
@inline(never)
func gemm6x8SIMD4MulAddSplat(
    _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ kc: Int,
    _ c: UnsafeMutablePointer<Float>, _ ldc: Int, _ accumulate: Bool
) {
    var c00 = SIMD4<Float>(), c01 = SIMD4<Float>()
    var c10 = SIMD4<Float>(), c11 = SIMD4<Float>()
    var c20 = SIMD4<Float>(), c21 = SIMD4<Float>()
    var c30 = SIMD4<Float>(), c31 = SIMD4<Float>()
    var c40 = SIMD4<Float>(), c41 = SIMD4<Float>()
    var c50 = SIMD4<Float>(), c51 = SIMD4<Float>()
    var a = a
    var b = UnsafeRawPointer(b)
    for _ in 0..<kc {
        let b0 = b.loadUnaligned(as: SIMD4<Float>.self)
        let b1 = b.loadUnaligned(fromByteOffset: 16, as: SIMD4<Float>.self)
        let a0 = UnsafeRawPointer(a).loadUnaligned(fromByteOffset: 0, as: SIMD4<Float>.self)
        c00 += a0 * b0
        c01 += a0 * b1
        let a1 = UnsafeRawPointer(a).loadUnaligned(fromByteOffset: 16, as: SIMD4<Float>.self)
        c10 += a1 * b0
        c11 += a1 * b1
        let a2 = UnsafeRawPointer(a).loadUnaligned(fromByteOffset: 32, as: SIMD4<Float>.self)
        c20 += a2 * b0
        c21 += a2 * b1
        let a3 = UnsafeRawPointer(a).loadUnaligned(fromByteOffset: 48, as: SIMD4<Float>.self)
        c30 += a3 * b0
        c31 += a3 * b1
        let a4 = UnsafeRawPointer(a).loadUnaligned(fromByteOffset: 64, as: SIMD4<Float>.self)
        c40 += a4 * b0
        c41 += a4 * b1
        let a5 = UnsafeRawPointer(a).loadUnaligned(fromByteOffset: 80, as: SIMD4<Float>.self)
        c50 += a5 * b0
        c51 += a5 * b1
        a += 24
        b += 32
    }
    let out = UnsafeMutableRawPointer(c)
    let row = ldc * 4
    storeTile6x2(out, rowBytes: row, accumulate, c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51)
}

/// 4x12 micro-kernel on `SIMD4<Float>`, separate multiply and add.
/// a: packed (kc, 4); b: packed (kc, 12); c: (4, 12) with row stride ldc.
/// c = a^T . b, or c += a^T . b when `accumulate`.
@inline(never)
func gemm4x12SIMD4MulAdd(
    _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ kc: Int,
    _ c: UnsafeMutablePointer<Float>, _ ldc: Int, _ accumulate: Bool
) {
    var c00 = SIMD4<Float>(), c01 = SIMD4<Float>(), c02 = SIMD4<Float>()
    var c10 = SIMD4<Float>(), c11 = SIMD4<Float>(), c12 = SIMD4<Float>()
    var c20 = SIMD4<Float>(), c21 = SIMD4<Float>(), c22 = SIMD4<Float>()
    var c30 = SIMD4<Float>(), c31 = SIMD4<Float>(), c32 = SIMD4<Float>()
    var a = a
    var b = UnsafeRawPointer(b)
    for _ in 0..<kc {
        let b0 = b.loadUnaligned(as: SIMD4<Float>.self)
        let b1 = b.loadUnaligned(fromByteOffset: 16, as: SIMD4<Float>.self)
        let b2 = b.loadUnaligned(fromByteOffset: 32, as: SIMD4<Float>.self)
        let a0 = SIMD4<Float>(repeating: a[0])
        c00 += a0 * b0
        c01 += a0 * b1
        c02 += a0 * b2
        let a1 = SIMD4<Float>(repeating: a[1])
        c10 += a1 * b0
        c11 += a1 * b1
        c12 += a1 * b2
        let a2 = SIMD4<Float>(repeating: a[2])
        c20 += a2 * b0
        c21 += a2 * b1
        c22 += a2 * b2
        let a3 = SIMD4<Float>(repeating: a[3])
        c30 += a3 * b0
        c31 += a3 * b1
        c32 += a3 * b2
        a += 4
        b += 48
    }
    let out = UnsafeMutableRawPointer(c)
    let row = ldc * 4
    storeTileRow(out, 0, accumulate, c00, c01, c02)
    storeTileRow(out, row, accumulate, c10, c11, c12)
    storeTileRow(out, 2 * row, accumulate, c20, c21, c22)
    storeTileRow(out, 3 * row, accumulate, c30, c31, c32)
}
