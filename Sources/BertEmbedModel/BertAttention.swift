// Ports transformers' BertAttention = BertSelfAttention + BertSelfOutput (modeling_bert.py), without dropout.
import BertEmbedKernels

/// Multi-head self-attention and its output projection, residual and LayerNorm.
///
/// The query, key and value projections (each (H, H) as nn.Linear stores it) are concatenated at load into one
/// (3H, H) packed weight so that one GEMM produces q|k|v for every token.
struct BertAttention: Sendable {
    let heads: Int
    let headDim: Int
    let queryKeyValue: PackedLinear
    let outputDense: PackedLinear
    let gamma: [Float]
    let beta: [Float]
    let eps: Float

    init(config: BertConfig, scope: WeightScope) throws {
        let h = config.hiddenSize
        heads = config.numAttentionHeads
        headDim = config.headDim
        eps = config.layerNormEps
        let selfScope = scope.scope("self")
        var weight: [Float] = []
        var bias: [Float] = []
        weight.reserveCapacity(3 * h * h)
        bias.reserveCapacity(3 * h)
        for name in ["query", "key", "value"] {
            weight += try selfScope.tensor("\(name).weight", shape: [h, h])
            bias += try selfScope.tensor("\(name).bias", shape: [h])
        }
        queryKeyValue = PackedLinear(weight: weight, bias: bias, outFeatures: 3 * h, inFeatures: h)
        let output = scope.scope("output")
        outputDense = PackedLinear(
            weight: try output.tensor("dense.weight", shape: [h, h]),
            bias: try output.tensor("dense.bias", shape: [h]), outFeatures: h, inFeatures: h)
        gamma = try output.tensor("LayerNorm.weight", shape: [h])
        beta = try output.tensor("LayerNorm.bias", shape: [h])
    }

    /// input (T, H) -> output (T, H) = LayerNorm(dense(attention(input)) + input).
    /// Scratch: qkv (T, 3H), context (T, H).
    func callAsFunction(
        _ input: UnsafePointer<Float>, tokens: Int, sequences: [Range<Int>],
        qkv: UnsafeMutablePointer<Float>, attentionContext: UnsafeMutablePointer<Float>,
        output: UnsafeMutablePointer<Float>, context: ComputeContext
    ) {
        queryKeyValue.apply(input, rows: tokens, output: qkv, activation: .identity, context: context)
        multiHeadAttention(
            qkv: qkv, tokens: tokens, sequences: sequences, heads: heads, headDim: headDim,
            output: attentionContext, context: context)
        outputDense.apply(attentionContext, rows: tokens, output: output, activation: .identity, context: context)
        addLayerNorm(
            output, residual: input, rows: tokens, cols: outputDense.outFeatures, gamma: gamma, beta: beta, eps: eps,
            context: context)
    }
}
