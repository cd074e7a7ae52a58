// GEMM micro-kernels on SIMD4<Float> with separate multiply and add: the SSE2 register tiles (16 xmm, no FMA).
// Written out register by register so every accumulator is a named local the compiler keeps in a register;
// GemmKernel.swift times them once and picks the fastest for the build.

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
    if accumulate {
        c00 += out.loadUnaligned(fromByteOffset: 0, as: SIMD4<Float>.self)
        c01 += out.loadUnaligned(fromByteOffset: 16, as: SIMD4<Float>.self)
        c10 += out.loadUnaligned(fromByteOffset: row, as: SIMD4<Float>.self)
        c11 += out.loadUnaligned(fromByteOffset: row + 16, as: SIMD4<Float>.self)
        c20 += out.loadUnaligned(fromByteOffset: 2 * row, as: SIMD4<Float>.self)
        c21 += out.loadUnaligned(fromByteOffset: 2 * row + 16, as: SIMD4<Float>.self)
        c30 += out.loadUnaligned(fromByteOffset: 3 * row, as: SIMD4<Float>.self)
        c31 += out.loadUnaligned(fromByteOffset: 3 * row + 16, as: SIMD4<Float>.self)
        c40 += out.loadUnaligned(fromByteOffset: 4 * row, as: SIMD4<Float>.self)
        c41 += out.loadUnaligned(fromByteOffset: 4 * row + 16, as: SIMD4<Float>.self)
        c50 += out.loadUnaligned(fromByteOffset: 5 * row, as: SIMD4<Float>.self)
        c51 += out.loadUnaligned(fromByteOffset: 5 * row + 16, as: SIMD4<Float>.self)
    }
    out.storeBytes(of: c00, toByteOffset: 0, as: SIMD4<Float>.self)
    out.storeBytes(of: c01, toByteOffset: 16, as: SIMD4<Float>.self)
    out.storeBytes(of: c10, toByteOffset: row, as: SIMD4<Float>.self)
    out.storeBytes(of: c11, toByteOffset: row + 16, as: SIMD4<Float>.self)
    out.storeBytes(of: c20, toByteOffset: 2 * row, as: SIMD4<Float>.self)
    out.storeBytes(of: c21, toByteOffset: 2 * row + 16, as: SIMD4<Float>.self)
    out.storeBytes(of: c30, toByteOffset: 3 * row, as: SIMD4<Float>.self)
    out.storeBytes(of: c31, toByteOffset: 3 * row + 16, as: SIMD4<Float>.self)
    out.storeBytes(of: c40, toByteOffset: 4 * row, as: SIMD4<Float>.self)
    out.storeBytes(of: c41, toByteOffset: 4 * row + 16, as: SIMD4<Float>.self)
    out.storeBytes(of: c50, toByteOffset: 5 * row, as: SIMD4<Float>.self)
    out.storeBytes(of: c51, toByteOffset: 5 * row + 16, as: SIMD4<Float>.self)
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
    if accumulate {
        c00 += out.loadUnaligned(fromByteOffset: 0, as: SIMD4<Float>.self)
        c01 += out.loadUnaligned(fromByteOffset: 16, as: SIMD4<Float>.self)
        c10 += out.loadUnaligned(fromByteOffset: row, as: SIMD4<Float>.self)
        c11 += out.loadUnaligned(fromByteOffset: row + 16, as: SIMD4<Float>.self)
        c20 += out.loadUnaligned(fromByteOffset: 2 * row, as: SIMD4<Float>.self)
        c21 += out.loadUnaligned(fromByteOffset: 2 * row + 16, as: SIMD4<Float>.self)
        c30 += out.loadUnaligned(fromByteOffset: 3 * row, as: SIMD4<Float>.self)
        c31 += out.loadUnaligned(fromByteOffset: 3 * row + 16, as: SIMD4<Float>.self)
        c40 += out.loadUnaligned(fromByteOffset: 4 * row, as: SIMD4<Float>.self)
        c41 += out.loadUnaligned(fromByteOffset: 4 * row + 16, as: SIMD4<Float>.self)
        c50 += out.loadUnaligned(fromByteOffset: 5 * row, as: SIMD4<Float>.self)
        c51 += out.loadUnaligned(fromByteOffset: 5 * row + 16, as: SIMD4<Float>.self)
    }
    out.storeBytes(of: c00, toByteOffset: 0, as: SIMD4<Float>.self)
    out.storeBytes(of: c01, toByteOffset: 16, as: SIMD4<Float>.self)
    out.storeBytes(of: c10, toByteOffset: row, as: SIMD4<Float>.self)
    out.storeBytes(of: c11, toByteOffset: row + 16, as: SIMD4<Float>.self)
    out.storeBytes(of: c20, toByteOffset: 2 * row, as: SIMD4<Float>.self)
    out.storeBytes(of: c21, toByteOffset: 2 * row + 16, as: SIMD4<Float>.self)
    out.storeBytes(of: c30, toByteOffset: 3 * row, as: SIMD4<Float>.self)
    out.storeBytes(of: c31, toByteOffset: 3 * row + 16, as: SIMD4<Float>.self)
    out.storeBytes(of: c40, toByteOffset: 4 * row, as: SIMD4<Float>.self)
    out.storeBytes(of: c41, toByteOffset: 4 * row + 16, as: SIMD4<Float>.self)
    out.storeBytes(of: c50, toByteOffset: 5 * row, as: SIMD4<Float>.self)
    out.storeBytes(of: c51, toByteOffset: 5 * row + 16, as: SIMD4<Float>.self)
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
    if accumulate {
        c00 += out.loadUnaligned(fromByteOffset: 0, as: SIMD4<Float>.self)
        c01 += out.loadUnaligned(fromByteOffset: 16, as: SIMD4<Float>.self)
        c02 += out.loadUnaligned(fromByteOffset: 32, as: SIMD4<Float>.self)
        c10 += out.loadUnaligned(fromByteOffset: row, as: SIMD4<Float>.self)
        c11 += out.loadUnaligned(fromByteOffset: row + 16, as: SIMD4<Float>.self)
        c12 += out.loadUnaligned(fromByteOffset: row + 32, as: SIMD4<Float>.self)
        c20 += out.loadUnaligned(fromByteOffset: 2 * row, as: SIMD4<Float>.self)
        c21 += out.loadUnaligned(fromByteOffset: 2 * row + 16, as: SIMD4<Float>.self)
        c22 += out.loadUnaligned(fromByteOffset: 2 * row + 32, as: SIMD4<Float>.self)
        c30 += out.loadUnaligned(fromByteOffset: 3 * row, as: SIMD4<Float>.self)
        c31 += out.loadUnaligned(fromByteOffset: 3 * row + 16, as: SIMD4<Float>.self)
        c32 += out.loadUnaligned(fromByteOffset: 3 * row + 32, as: SIMD4<Float>.self)
    }
    out.storeBytes(of: c00, toByteOffset: 0, as: SIMD4<Float>.self)
    out.storeBytes(of: c01, toByteOffset: 16, as: SIMD4<Float>.self)
    out.storeBytes(of: c02, toByteOffset: 32, as: SIMD4<Float>.self)
    out.storeBytes(of: c10, toByteOffset: row, as: SIMD4<Float>.self)
    out.storeBytes(of: c11, toByteOffset: row + 16, as: SIMD4<Float>.self)
    out.storeBytes(of: c12, toByteOffset: row + 32, as: SIMD4<Float>.self)
    out.storeBytes(of: c20, toByteOffset: 2 * row, as: SIMD4<Float>.self)
    out.storeBytes(of: c21, toByteOffset: 2 * row + 16, as: SIMD4<Float>.self)
    out.storeBytes(of: c22, toByteOffset: 2 * row + 32, as: SIMD4<Float>.self)
    out.storeBytes(of: c30, toByteOffset: 3 * row, as: SIMD4<Float>.self)
    out.storeBytes(of: c31, toByteOffset: 3 * row + 16, as: SIMD4<Float>.self)
    out.storeBytes(of: c32, toByteOffset: 3 * row + 32, as: SIMD4<Float>.self)
}
