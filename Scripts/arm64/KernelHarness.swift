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

/// `bert_activation`: `Activation.allCases[kind].apply(_:rows:count:stride:adding:)` (the GEMM epilogue), from C.
@_cdecl("bert_activation")
public func cActivation(
    _ kind: Int, _ values: UnsafeMutablePointer<Float>, _ rows: Int, _ count: Int, _ stride: Int,
    _ bias: UnsafePointer<Float>?
) { Activation.allCases[kind].apply(values, rows: rows, count: count, stride: stride, adding: bias) }

/// `bert_activation_reference`: `Activation.allCases[kind].reference(x)` (Double, the C library), from C.
@_cdecl("bert_activation_reference")
public func cActivationReference(_ kind: Int, _ x: Double) -> Double { Activation.allCases[kind].reference(x) }

/// `bert_layer_norm_row`: `layerNormRow` (one row of `addLayerNorm`), from C.
@_cdecl("bert_layer_norm_row")
public func cLayerNormRow(
    _ row: UnsafeMutablePointer<Float>, _ residual: UnsafePointer<Float>?, _ cols: Int, _ gamma: UnsafePointer<Float>,
    _ beta: UnsafePointer<Float>, _ eps: Float
) { layerNormRow(row, residual: residual, cols: cols, gamma: gamma, beta: beta, eps: eps) }

/// `bert_layer_norm_reference`: `addLayerNormReference` (Double), from C.
@_cdecl("bert_layer_norm_reference")
public func cLayerNormReference(
    _ x: UnsafeMutablePointer<Float>, _ residual: UnsafePointer<Float>?, _ rows: Int, _ cols: Int,
    _ gamma: UnsafePointer<Float>, _ beta: UnsafePointer<Float>, _ eps: Float
) {
    addLayerNormReference(
        x, residual: residual, rows: rows, cols: cols, gamma: Array(UnsafeBufferPointer(start: gamma, count: cols)),
        beta: Array(UnsafeBufferPointer(start: beta, count: cols)), eps: eps)
}

/// `bert_softmax_row`: `softmaxRow` (attention's softmax of one row of scores), from C.
@_cdecl("bert_softmax_row")
public func cSoftmaxRow(
    _ scores: UnsafeMutablePointer<Float>, _ length: Int, _ target: UnsafeMutablePointer<Float>, _ stride: Int,
    _ splat: Int
) -> Float { softmaxRow(scores, length: length, into: target, stride: stride, splat: splat) }

/// `bert_pack_panels`: `packPanels` (attention's packing of queries and keys into micro-panels), from C.
@_cdecl("bert_pack_panels")
public func cPackPanels(
    _ source: UnsafePointer<Float>, _ count: Int, _ stride: Int, _ depth: Int, _ rows: Int, _ mr: Int, _ splat: Int,
    _ scale: Float, _ target: UnsafeMutablePointer<Float>
) {
    packPanels(
        source, count: count, stride: stride, depth: depth, rows: rows, mr: mr, splat: splat, scale: scale,
        into: target)
}
