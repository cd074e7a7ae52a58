// INTERFACE STUB (naive code): the contract the model target is written against.
// The kernels work replaces the bodies with fast SIMD kernels and may split this file,
// but keeps these names and signatures (it may add to them).
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Activation applied to the output of a dense layer, after the bias.
package enum Activation: Sendable, Equatable {
    /// No activation.
    case identity
    /// GELU, exact erf form: x * 0.5 * (1 + erf(x / sqrt(2))). transformers' "gelu".
    case gelu
    /// GELU, tanh approximation. transformers' "gelu_new", "gelu_pytorch_tanh".
    case geluTanh
    /// max(0, x).
    case relu
    /// tanh(x) (BERT's pooler).
    case tanh
}

/// How many threads kernels may use. Results never depend on the thread count.
package struct ComputeContext: Sendable {
    /// Number of worker threads, at least 1.
    package var threads: Int
    /// A context with `threads` threads; `nil` means all cores.
    package init(threads: Int? = nil) {
        self.threads = max(1, threads ?? 1)
    }
}

/// A dense layer (`nn.Linear`): weight (outFeatures, inFeatures) row-major as PyTorch stores it,
/// bias (outFeatures). The weight is packed for the GEMM micro-kernel once, here, at load.
package struct PackedLinear: Sendable {
    package let outFeatures: Int
    package let inFeatures: Int
    let weight: [Float]
    let bias: [Float]

    /// Packs `weight` (outFeatures x inFeatures, row-major) and keeps `bias` (outFeatures).
    package init(weight: [Float], bias: [Float], outFeatures: Int, inFeatures: Int) {
        precondition(weight.count == outFeatures * inFeatures && bias.count == outFeatures)
        self.outFeatures = outFeatures
        self.inFeatures = inFeatures
        self.weight = weight
        self.bias = bias
    }

    /// output (rows, outFeatures) = activation(input (rows, inFeatures) . weight^T + bias).
    /// `input` and `output` are row-major and must not overlap.
    package func apply(
        _ input: UnsafePointer<Float>, rows: Int, output: UnsafeMutablePointer<Float>,
        activation: Activation, context: ComputeContext
    ) {
        for r in 0..<rows {
            for o in 0..<outFeatures {
                var acc: Float = 0
                for i in 0..<inFeatures { acc += input[r * inFeatures + i] * weight[o * inFeatures + i] }
                output[r * outFeatures + o] = applyActivation(acc + bias[o], activation)
            }
        }
    }
}

func applyActivation(_ x: Float, _ activation: Activation) -> Float {
    switch activation {
    case .identity: return x
    case .gelu: return Float(0.5 * Double(x) * (1 + erf(Double(x) / 2.0.squareRoot())))
    case .geluTanh:
        let d = Double(x)
        return Float(0.5 * d * (1 + tanh((2.0 / Double.pi).squareRoot() * (d + 0.044715 * d * d * d))))
    case .relu: return max(0, x)
    case .tanh: return Float(tanh(Double(x)))
    }
}

/// x = LayerNorm(x + residual) * gamma + beta, row by row, in place.
/// x (rows, cols) row-major; residual (rows, cols) or nil; gamma, beta (cols).
package func addLayerNorm(
    _ x: UnsafeMutablePointer<Float>, residual: UnsafePointer<Float>?, rows: Int, cols: Int,
    gamma: [Float], beta: [Float], eps: Float, context: ComputeContext
) {
    for r in 0..<rows {
        let row = x + r * cols
        if let residual { for c in 0..<cols { row[c] += residual[r * cols + c] } }
        var mean: Float = 0
        for c in 0..<cols { mean += row[c] }
        mean /= Float(cols)
        var variance: Float = 0
        for c in 0..<cols { variance += (row[c] - mean) * (row[c] - mean) }
        variance /= Float(cols)
        let inv = 1 / (variance + eps).squareRoot()
        for c in 0..<cols { row[c] = (row[c] - mean) * inv * gamma[c] + beta[c] }
    }
}

/// Multi-head self-attention over sequences of true length (no padding, no mask needed).
///
/// qkv (T, 3 * heads * headDim) row-major: per token, the query, then the key, then the value,
/// each `heads * headDim` wide with head h at columns h*headDim ..< (h+1)*headDim.
/// `sequences` partitions 0..<T into the token rows of each sequence.
/// output (T, heads * headDim): softmax(q k^T / sqrt(headDim)) v per sequence and head.
package func multiHeadAttention(
    qkv: UnsafePointer<Float>, tokens: Int, sequences: [Range<Int>], heads: Int, headDim: Int,
    output: UnsafeMutablePointer<Float>, context: ComputeContext
) {
    let hidden = heads * headDim
    let scale = 1 / Float(headDim).squareRoot()
    for sequence in sequences {
        for h in 0..<heads {
            for i in sequence {
                let q = qkv + i * 3 * hidden + h * headDim
                var scores = [Float](repeating: 0, count: sequence.count)
                for (jj, j) in sequence.enumerated() {
                    let k = qkv + j * 3 * hidden + hidden + h * headDim
                    var s: Float = 0
                    for d in 0..<headDim { s += q[d] * k[d] }
                    scores[jj] = s * scale
                }
                let m = scores.max() ?? 0
                var sum: Float = 0
                for jj in scores.indices { scores[jj] = Float(exp(Double(scores[jj] - m))); sum += scores[jj] }
                let out = output + i * hidden + h * headDim
                for d in 0..<headDim { out[d] = 0 }
                for (jj, j) in sequence.enumerated() {
                    let v = qkv + j * 3 * hidden + 2 * hidden + h * headDim
                    let p = scores[jj] / sum
                    for d in 0..<headDim { out[d] += p * v[d] }
                }
            }
        }
    }
}
