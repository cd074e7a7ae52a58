// torch.nn.LayerNorm over the last dimension, fused with BertSelfOutput / BertOutput's residual add
// (LayerNorm(hidden_states + input_tensor)), and its Double reference.
//
// Shapes: x (rows, cols) row-major, updated in place; residual (rows, cols) or nil; gamma, beta (cols).
// Per row, in Float: v = x + residual (written back), mean = sum(v) / cols, variance =
// sum((v - mean)^2) / cols (two passes, so no cancellation), x = (v - mean) / sqrt(variance + eps)
// * gamma + beta. Sums use 4 x 8 lane accumulators then the tail, the same for every row and thread.

/// x = LayerNorm(x + residual) * gamma + beta, row by row, in place.
/// x (rows, cols) row-major; residual (rows, cols) or nil; gamma, beta (cols).
package func addLayerNorm(
    _ x: UnsafeMutablePointer<Float>, residual: UnsafePointer<Float>?, rows: Int, cols: Int,
    gamma: [Float], beta: [Float], eps: Float, context: ComputeContext
) {
    precondition(gamma.count == cols && beta.count == cols)
    guard rows > 0, cols > 0 else { return }
    let rowsPerTask = max(1, min(64, (rows + 4 * context.threads - 1) / (4 * context.threads)))
    let tasks = (rows + rowsPerTask - 1) / rowsPerTask
    gamma.withUnsafeBufferPointer { gammaBuffer in
        beta.withUnsafeBufferPointer { betaBuffer in
            let gamma = gammaBuffer.baseAddress!, beta = betaBuffer.baseAddress!
            context.parallelFor(tasks) { task in
                for r in (task * rowsPerTask)..<min(rows, (task + 1) * rowsPerTask) {
                    layerNormRow(
                        x + r * cols, residual: residual.map { $0 + r * cols }, cols: cols,
                        gamma: gamma, beta: beta, eps: eps)
                }
            }
        }
    }
}

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
