// One row of the fused residual-add + LayerNorm (`addLayerNorm`), and the Double reference of the whole operation.
// Plain Swift SIMD with no platform import, so that Scripts/check_arm64_kernels.sh compiles this very file for arm64.

/// One row of `addLayerNorm`: row (cols), residual (cols) or nil, gamma and beta (cols).
/// Sums run in four independent vector accumulators (blocks of 32), then blocks of 8, then the tail,
/// so the additions are not one serial dependency chain.
@inline(__always)
func layerNormRow(
    _ row: UnsafeMutablePointer<Float>, residual: UnsafePointer<Float>?, cols: Int,
    gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>, eps: Float
) {
    typealias V = SIMD8<Float>
    let raw = UnsafeMutableRawPointer(row)
    @inline(__always) func load(_ i: Int) -> V { raw.loadUnaligned(fromByteOffset: i * 4, as: V.self) }
    let end32 = cols - cols % 32, end8 = cols - cols % 8
    if let residual {
        let res = UnsafeRawPointer(residual)
        var i = 0
        while i < end8 {
            raw.storeBytes(
                of: load(i) + res.loadUnaligned(fromByteOffset: i * 4, as: V.self), toByteOffset: i * 4, as: V.self)
            i += 8
        }
        for j in end8..<cols { row[j] += residual[j] }
    }
    var s0 = V(), s1 = V(), s2 = V(), s3 = V()
    var i = 0
    while i < end32 {
        s0 += load(i)
        s1 += load(i + 8)
        s2 += load(i + 16)
        s3 += load(i + 24)
        i += 32
    }
    while i < end8 {
        s0 += load(i)
        i += 8
    }
    var sum = ((s0 + s1) + (s2 + s3)).sum()
    for j in end8..<cols { sum += row[j] }
    let mean = sum / Float(cols)
    s0 = V()
    s1 = V()
    s2 = V()
    s3 = V()
    i = 0
    while i < end32 {
        let d0 = load(i) - mean, d1 = load(i + 8) - mean, d2 = load(i + 16) - mean, d3 = load(i + 24) - mean
        s0 += d0 * d0
        s1 += d1 * d1
        s2 += d2 * d2
        s3 += d3 * d3
        i += 32
    }
    while i < end8 {
        let d = load(i) - mean
        s0 += d * d
        i += 8
    }
    var squareSum = ((s0 + s1) + (s2 + s3)).sum()
    for j in end8..<cols { squareSum += (row[j] - mean) * (row[j] - mean) }
    let inverse = 1 / (squareSum / Float(cols) + eps).squareRoot()
    let g = UnsafeRawPointer(gamma), b = UnsafeRawPointer(beta)
    i = 0
    while i < end8 {
        let normalized = (load(i) - mean) * inverse
        let y =
            normalized * g.loadUnaligned(fromByteOffset: i * 4, as: V.self)
            + b.loadUnaligned(fromByteOffset: i * 4, as: V.self)
        raw.storeBytes(of: y, toByteOffset: i * 4, as: V.self)
        i += 8
    }
    for j in end8..<cols { row[j] = (row[j] - mean) * inverse * gamma[j] + beta[j] }
}

/// Reference: `addLayerNorm` in Double, one row at a time (same shapes, in place).
package func addLayerNormReference(
    _ x: UnsafeMutablePointer<Float>, residual: UnsafePointer<Float>?, rows: Int, cols: Int,
    gamma: [Float], beta: [Float], eps: Float
) {
    for r in 0..<rows {
        let row = x + r * cols
        var v = (0..<cols).map { Double(row[$0]) }
        if let residual { for c in 0..<cols { v[c] += Double(residual[r * cols + c]) } }
        let mean = v.reduce(0, +) / Double(cols)
        let variance = v.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(cols)
        let inverse = 1 / (variance + Double(eps)).squareRoot()
        for c in 0..<cols { row[c] = Float((v[c] - mean) * inverse * Double(gamma[c]) + Double(beta[c])) }
    }
}
