// Ports transformers' BertAttention = BertSelfAttention + BertSelfOutput (modeling_bert.py), without dropout; also
// DistilBERT's MultiHeadSelfAttention + sa_layer_norm and MPNetAttention (the same arithmetic, plus its position bias).
import BertEmbedKernels

/// Multi-head self-attention and its output projection, residual and LayerNorm.
///
/// The query, key and value projections (each (H, H) as nn.Linear stores it) are packed at load into one
/// (3H, H) weight, straight from the three checkpoint tensors, so that one GEMM produces q|k|v for every token.
struct BertAttention: Sendable {
    let heads: Int
    let headDim: Int
    let queryKeyValue: PackedLinear
    let outputDense: PackedLinear
    let gamma: [Float]
    let beta: [Float]
    let eps: Float

    init(config: BertConfig, scope: WeightScope, context: ComputeContext) throws {
        let h = config.hiddenSize
        heads = config.numAttentionHeads
        headDim = config.headDim
        eps = config.layerNormEps
        queryKeyValue = try scope.scope("self").linear(
            ["query", "key", "value"], outFeatures: h, inFeatures: h, context: context)
        let output = scope.scope("output")
        outputDense = try output.linear(["dense"], outFeatures: h, inFeatures: h, context: context)
        gamma = try output.tensor("LayerNorm.weight", shape: [h])
        beta = try output.tensor("LayerNorm.bias", shape: [h])
    }

    /// input (T, H) -> output (T, H) = LayerNorm(dense(attention(input)) + input).
    /// Scratch: qkv (T, 3H), context (T, H). `bias`: MPNet's relative position bias, nil for the other families.
    func callAsFunction(
        _ input: UnsafePointer<Float>, tokens: Int, sequences: [Range<Int>],
        qkv: UnsafeMutablePointer<Float>, attentionContext: UnsafeMutablePointer<Float>,
        bias: AttentionBias?, output: UnsafeMutablePointer<Float>, context: ComputeContext
    ) {
        queryKeyValue.apply(input, rows: tokens, output: qkv, activation: .identity, context: context)
        multiHeadAttention(
            qkv: qkv, tokens: tokens, sequences: sequences, heads: heads, headDim: headDim, bias: bias,
            output: attentionContext, context: context)
        outputDense.apply(attentionContext, rows: tokens, output: output, activation: .identity, context: context)
        addLayerNorm(
            output, residual: input, rows: tokens, cols: outputDense.outFeatures, gamma: gamma, beta: beta, eps: eps,
            context: context)
    }
}
