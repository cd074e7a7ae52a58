// C entry points for the compiled GEMM micro-kernels, so that the C driver (driver.c) can run them on arm64 under
// qemu. Compiled with the kernels' own source files (no copy) in Embedded Swift: see Scripts/check_arm64_kernels.sh.

/// `bert_gemm_6x16_simd8_fma`: the compiled kernel `gemm6x16SIMD8FMA`, callable from C.
@_cdecl("bert_gemm_6x16_simd8_fma")
public func cGemm6x16SIMD8FMA(
    _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ kc: Int, _ c: UnsafeMutablePointer<Float>, _ ldc: Int,
    _ accumulate: Bool
) { gemm6x16SIMD8FMA(a, b, kc, c, ldc, accumulate) }

/// `bert_gemm_12x32_simd16_fma`: the compiled kernel `gemm12x32SIMD16FMA`, callable from C.
@_cdecl("bert_gemm_12x32_simd16_fma")
public func cGemm12x32SIMD16FMA(
    _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ kc: Int, _ c: UnsafeMutablePointer<Float>, _ ldc: Int,
    _ accumulate: Bool
) { gemm12x32SIMD16FMA(a, b, kc, c, ldc, accumulate) }

/// `bert_gemm_8x12_simd4_fma`: the compiled kernel `gemm8x12SIMD4FMA`, callable from C.
@_cdecl("bert_gemm_8x12_simd4_fma")
public func cGemm8x12SIMD4FMA(
    _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ kc: Int, _ c: UnsafeMutablePointer<Float>, _ ldc: Int,
    _ accumulate: Bool
) { gemm8x12SIMD4FMA(a, b, kc, c, ldc, accumulate) }

/// `bert_gemm_6x16_simd8_muladd`: the compiled kernel `gemm6x16SIMD8MulAdd`, callable from C.
@_cdecl("bert_gemm_6x16_simd8_muladd")
public func cGemm6x16SIMD8MulAdd(
    _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ kc: Int, _ c: UnsafeMutablePointer<Float>, _ ldc: Int,
    _ accumulate: Bool
) { gemm6x16SIMD8MulAdd(a, b, kc, c, ldc, accumulate) }

/// `bert_gemm_6x8_simd4_muladd_splat`: the compiled kernel `gemm6x8SIMD4MulAddSplat`, callable from C.
@_cdecl("bert_gemm_6x8_simd4_muladd_splat")
public func cGemm6x8SIMD4MulAddSplat(
    _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ kc: Int, _ c: UnsafeMutablePointer<Float>, _ ldc: Int,
    _ accumulate: Bool
) { gemm6x8SIMD4MulAddSplat(a, b, kc, c, ldc, accumulate) }

/// `bert_gemm_6x8_simd4_muladd`: the compiled kernel `gemm6x8SIMD4MulAdd`, callable from C.
@_cdecl("bert_gemm_6x8_simd4_muladd")
public func cGemm6x8SIMD4MulAdd(
    _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ kc: Int, _ c: UnsafeMutablePointer<Float>, _ ldc: Int,
    _ accumulate: Bool
) { gemm6x8SIMD4MulAdd(a, b, kc, c, ldc, accumulate) }

/// `bert_gemm_4x12_simd4_muladd`: the compiled kernel `gemm4x12SIMD4MulAdd`, callable from C.
@_cdecl("bert_gemm_4x12_simd4_muladd")
public func cGemm4x12SIMD4MulAdd(
    _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ kc: Int, _ c: UnsafeMutablePointer<Float>, _ ldc: Int,
    _ accumulate: Bool
) { gemm4x12SIMD4MulAdd(a, b, kc, c, ldc, accumulate) }
