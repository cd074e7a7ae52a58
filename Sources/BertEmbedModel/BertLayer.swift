// Ports transformers' BertLayer = BertAttention + BertIntermediate + BertOutput (modeling_bert.py), which is also
// RobertaLayer, DistilBERT's TransformerBlock and MPNetLayer (weight names in ModelFamily.swift).
import BertEmbedKernels

/// One encoder layer: attention, then the feed-forward block (intermediate dense with the configured activation,
/// output dense, residual, LayerNorm).
struct BertLayer: Sendable {
    let attention: BertAttention
    /// BertIntermediate: (I, H) weight, activation fused into the GEMM epilogue.
    let intermediate: PackedLinear
    let activation: Activation
    /// BertOutput: (H, I) weight, then residual + LayerNorm.
    let output: PackedLinear
    let gamma: [Float]
    let beta: [Float]
    let eps: Float

    init(config: BertConfig, scope: WeightScope, context: ComputeContext) throws {
        let h = config.hiddenSize, i = config.intermediateSize
        attention = try BertAttention(config: config, scope: scope.scope("attention"), context: context)
        intermediate = try scope.scope("intermediate").linear(
            ["dense"], outFeatures: i, inFeatures: h, context: context)
        activation = config.hiddenAct
        let out = scope.scope("output")
        output = try out.linear(["dense"], outFeatures: h, inFeatures: i, context: context)
        gamma = try out.tensor("LayerNorm.weight", shape: [h])
        beta = try out.tensor("LayerNorm.bias", shape: [h])
        eps = config.layerNormEps
    }

    /// input (T, H) -> output (T, H). `scratch` holds the intermediate buffers (see `BertScratch`); `bias` is MPNet's
    /// relative position bias, nil for the other families.
    func callAsFunction(
        _ input: UnsafePointer<Float>, tokens: Int, sequences: [Range<Int>], bias: AttentionBias?,
        scratch: BertScratch, output result: UnsafeMutablePointer<Float>, context: ComputeContext
    ) {
        attention(
            input, tokens: tokens, sequences: sequences, qkv: scratch.qkv, attentionContext: scratch.context,
            bias: bias, output: scratch.attention, context: context)
        intermediate.apply(
            scratch.attention, rows: tokens, output: scratch.intermediate, activation: activation, context: context)
        output.apply(scratch.intermediate, rows: tokens, output: result, activation: .identity, context: context)
        addLayerNorm(
            result, residual: scratch.attention, rows: tokens, cols: output.outFeatures, gamma: gamma, beta: beta,
            eps: eps, context: context)
    }
}

/// Buffers of forward passes over up to T tokens, reused by every layer and, when the caller keeps them, by
/// consecutive batches: hidden and nextHidden (T, H) for the layers' input and output, qkv (T, 3H),
/// context (T, H), attention (T, H), intermediate (T, I). Used by one forward pass at a time.
package final class BertScratch {
    /// T: the most tokens a batch using these buffers may have.
    package let capacity: Int
    let hidden: UnsafeMutablePointer<Float>
    let nextHidden: UnsafeMutablePointer<Float>
    let qkv: UnsafeMutablePointer<Float>
    let context: UnsafeMutablePointer<Float>
    let attention: UnsafeMutablePointer<Float>
    let intermediate: UnsafeMutablePointer<Float>

    init(tokens: Int, config: BertConfig) {
        capacity = tokens
        let t = max(tokens, 1)
        hidden = .allocate(capacity: t * config.hiddenSize)
        nextHidden = .allocate(capacity: t * config.hiddenSize)
        qkv = .allocate(capacity: t * 3 * config.hiddenSize)
        context = .allocate(capacity: t * config.hiddenSize)
        attention = .allocate(capacity: t * config.hiddenSize)
        intermediate = .allocate(capacity: t * config.intermediateSize)
    }

    deinit {
        hidden.deallocate()
        nextHidden.deallocate()
        qkv.deallocate()
        context.deallocate()
        attention.deallocate()
        intermediate.deallocate()
    }
}
