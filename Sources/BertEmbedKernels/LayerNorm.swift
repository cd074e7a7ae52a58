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
    let rowsPerTask =
        rows * cols <= ComputeContext.serialValueLimit
        ? rows : max(1, min(64, (rows + 4 * context.threads - 1) / (4 * context.threads)))
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
