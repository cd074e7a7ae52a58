// torch.nn.LayerNorm over the last dimension, fused with BertSelfOutput / BertOutput's residual add
// (LayerNorm(hidden_states + input_tensor)), and its Double reference.
//
// Shapes: x (rows, cols) row-major, updated in place; residual (rows, cols) or nil; gamma, beta (cols).
// Per row, in Float: v = x + residual (written back), mean = sum(v) / cols, variance =
// sum((v - mean)^2) / cols (two passes, so no cancellation), x = (v - mean) / sqrt(variance + eps)
// * gamma + beta. Sums use eight lane accumulators then the tail, the same for every row and thread.

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
                    layerNormRow(x + r * cols, residual: residual.map { $0 + r * cols }, cols: cols,
                                 gamma: gamma, beta: beta, eps: eps)
                }
            }
        }
    }
}

/// One row of `addLayerNorm`: row (cols), residual (cols) or nil, gamma and beta (cols).
@inline(__always)
func layerNormRow(
    _ row: UnsafeMutablePointer<Float>, residual: UnsafePointer<Float>?, cols: Int,
    gamma: UnsafePointer<Float>, beta: UnsafePointer<Float>, eps: Float
) {
    typealias V = SIMD8<Float>
    let raw = UnsafeMutableRawPointer(row)
    let vectorEnd = cols - cols % 8
    var sums = V()
    var i = 0
    if let residual {
        let res = UnsafeRawPointer(residual)
        while i < vectorEnd {
            let v = raw.loadUnaligned(fromByteOffset: i * 4, as: V.self) + res.loadUnaligned(fromByteOffset: i * 4, as: V.self)
            raw.storeBytes(of: v, toByteOffset: i * 4, as: V.self)
            sums += v
            i += 8
        }
        for j in vectorEnd..<cols { row[j] += residual[j] }
    } else {
        while i < vectorEnd { sums += raw.loadUnaligned(fromByteOffset: i * 4, as: V.self); i += 8 }
    }
    var sum = sums.sum()
    for j in vectorEnd..<cols { sum += row[j] }
    let mean = sum / Float(cols)
    var squares = V()
    i = 0
    while i < vectorEnd {
        let d = raw.loadUnaligned(fromByteOffset: i * 4, as: V.self) - mean
        squares += d * d
        i += 8
    }
    var squareSum = squares.sum()
    for j in vectorEnd..<cols { squareSum += (row[j] - mean) * (row[j] - mean) }
    let inverse = 1 / (squareSum / Float(cols) + eps).squareRoot()
    let g = UnsafeRawPointer(gamma), b = UnsafeRawPointer(beta)
    i = 0
    while i < vectorEnd {
        let v = raw.loadUnaligned(fromByteOffset: i * 4, as: V.self)
        let normalized = (v - mean) * inverse
        let y = normalized * g.loadUnaligned(fromByteOffset: i * 4, as: V.self) + b.loadUnaligned(fromByteOffset: i * 4, as: V.self)
        raw.storeBytes(of: y, toByteOffset: i * 4, as: V.self)
        i += 8
    }
    for j in vectorEnd..<cols { row[j] = (row[j] - mean) * inverse * gamma[j] + beta[j] }
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
