// Ports the masked-language-model heads of transformers' BertForMaskedLM (BertLMPredictionHead: `cls.predictions.
// transform.dense` + the config's activation + `transform.LayerNorm`, then the decoder, its weight tied to the word
// embeddings, plus `cls.predictions.bias`) and DistilBertForMaskedLM (`vocab_transform` + activation +
// `vocab_layer_norm`, then `vocab_projector` tied to the word embeddings), and sentence-transformers' SpladePooling
// (sparse_encoder/modules/splade_pooling.py) over their logits.
import BertEmbedKernels
import Foundation

/// An MLM head: vocabulary logits for every token, pooled SPLADE-style into one vocabulary-sized vector per sequence.
package struct MaskedLMHead: Sendable {
    /// How SpladePooling combines the tokens' weights (`pooling_strategy`).
    package enum Pooling: String, Sendable {
        /// The largest weight of each vocabulary entry over the tokens.
        case max
        /// The sum over the tokens.
        case sum
    }

    /// What SpladePooling does to each logit before pooling (`activation_function`).
    package enum WeightFunction: String, Sendable {
        /// log(1 + relu(x)).
        case relu
        /// log(1 + log(1 + relu(x))).
        case log1pRelu = "log1p_relu"
    }

    /// The vocabulary size (the decoder's outputs).
    package let vocabularySize: Int
    let transform: PackedLinear
    let transformActivation: Activation
    let gamma: [Float], beta: [Float], eps: Float
    let decoder: PackedLinear

    /// The tensor names of `family`'s head: (transform, LayerNorm, decoder weight, decoder bias, word embeddings).
    static func names(
        _ family: ModelFamily
    ) -> (
        transform: String, layerNorm: String, decoder: String, bias: String
    )? {
        switch family {
        case .bert:
            return (
                "cls.predictions.transform.dense", "cls.predictions.transform.LayerNorm",
                "cls.predictions.decoder.weight", "cls.predictions.bias"
            )
        case .distilbert:
            return ("vocab_transform", "vocab_layer_norm", "vocab_projector.weight", "vocab_projector.bias")
        case .roberta, .xlmRoberta, .camembert, .mpnet:
            return nil
        }
    }

    /// Whether `weights` hold an MLM head of their family (its transform's weight).
    package static func isPresent(in weights: BertWeights) -> Bool {
        guard let names = names(weights.family) else { return false }
        return weights.hasTensor(names.transform + ".weight")
    }

    /// Binds the head of `config`'s family from `weights`, packed on `context`'s threads. The decoder's weight is
    /// the checkpoint's own when stored, else the word embeddings it is tied to.
    /// - Throws: `BertModelError.invalidConfig` for a family whose MLM head is not ported (RoBERTa, XLM-R,
    ///   CamemBERT, MPNet); `.missingTensors` or `.shapeMismatch` naming the tensors.
    package init(config: BertConfig, weights: BertWeights, context: ComputeContext) throws {
        guard let names = Self.names(config.family) else {
            throw BertModelError.invalidConfig(
                file: "config.json",
                reason: "model_type \(config.family.rawValue): its masked-language-model head is not supported "
                    + "(bert and distilbert are)")
        }
        let h = config.hiddenSize, v = config.vocabSize
        vocabularySize = v
        let root = weights.root
        transform = try root.linear([names.transform], outFeatures: h, inFeatures: h, context: context)
        transformActivation = config.hiddenAct
        gamma = try root.tensor(names.layerNorm + ".weight", shape: [h])
        beta = try root.tensor(names.layerNorm + ".bias", shape: [h])
        // DistilBertForMaskedLM's vocab_layer_norm has eps 1e-12 in code; BERT's uses the config's.
        eps = config.family == .distilbert ? 1e-12 : config.layerNormEps
        let decoderWeight =
            weights.hasTensor(names.decoder) ? names.decoder : "embeddings.word_embeddings.weight"
        let decoderBias =
            weights.hasTensor(names.bias) || config.family != .bert ? names.bias : "cls.predictions.decoder.bias"
        decoder = try root.linear([(decoderWeight, decoderBias)], outFeatures: v, inFeatures: h, context: context)
        try weights.checkComplete()
    }

    /// SpladePooling of each sequence of `output` (its last hidden state must have been requested): for every
    /// vocabulary entry, `function` of the token's logit, then the max or sum over the sequence's tokens (special
    /// tokens included; there is no padding here). (batch, vocabularySize) row-major, every value >= 0.
    /// Tokens go through the decoder in blocks of `tokensPerBlock`, so memory stays at one block of logits. Max
    /// pooling takes the largest logit first and applies `function` once (it is non-decreasing, so the result is
    /// the same), sum applies it to every logit.
    package func splade(
        _ output: BertBatchOutput, sequences chosen: [Int]? = nil, pooling: Pooling, function: WeightFunction,
        context: ComputeContext, tokensPerBlock: Int = 64
    ) -> [Float] {
        let h = output.hiddenSize, v = vocabularySize
        let sequences = chosen ?? Array(output.sequences.indices)
        let batch = sequences.count
        guard batch > 0, let last = output.hiddenStates.last else { return [] }
        precondition(
            last.count == (output.sequences.last?.upperBound ?? 0) * h, "the last hidden state was not requested")
        // The token rows of the chosen sequences, and which of them each row belongs to.
        var hidden: [Float] = []
        var sequenceOfRow: [Int] = []
        for (position, s) in sequences.enumerated() {
            let range = output.sequences[s]
            hidden += last[(range.lowerBound * h)..<(range.upperBound * h)]
            sequenceOfRow += repeatElement(position, count: range.count)
        }
        let tokens = sequenceOfRow.count
        var pooled = [Float](repeating: 0, count: batch * v)
        guard tokens > 0 else { return pooled }
        // The transform for all tokens at once: (T, H), then LayerNorm in place.
        var transformed = [Float](repeating: 0, count: tokens * h)
        hidden.withUnsafeBufferPointer { input in
            transformed.withUnsafeMutableBufferPointer { result in
                transform.apply(
                    input.baseAddress!, rows: tokens, output: result.baseAddress!, activation: transformActivation,
                    context: context)
                addLayerNorm(
                    result.baseAddress!, residual: nil, rows: tokens, cols: h, gamma: gamma, beta: beta, eps: eps,
                    context: context)
            }
        }
        let block = max(1, tokensPerBlock)
        var logits = [Float](repeating: 0, count: min(block, tokens) * v)
        transformed.withUnsafeBufferPointer { input in
            logits.withUnsafeMutableBufferPointer { blockLogits in
                pooled.withUnsafeMutableBufferPointer { result in
                    var first = 0
                    while first < tokens {
                        let rows = min(block, tokens - first)
                        decoder.apply(
                            input.baseAddress! + first * h, rows: rows, output: blockLogits.baseAddress!,
                            activation: .identity, context: context)
                        // Pool the block's rows into their sequences, vocabulary split across the threads.
                        let chunk = 1024
                        let chunks = (v + chunk - 1) / chunk
                        let logitsBase = blockLogits.baseAddress!, resultBase = result.baseAddress!
                        context.parallelFor(chunks) { c in
                            let columns = (c * chunk)..<min(v, (c + 1) * chunk)
                            for r in 0..<rows {
                                let target = resultBase + sequenceOfRow[first + r] * v
                                let source = logitsBase + r * v
                                switch pooling {
                                case .max:
                                    for j in columns { target[j] = Swift.max(target[j], source[j]) }
                                case .sum:
                                    for j in columns { target[j] += Self.weight(source[j], function) }
                                }
                            }
                        }
                        first += rows
                    }
                }
            }
        }
        if pooling == .max {
            for index in pooled.indices { pooled[index] = Self.weight(pooled[index], function) }
        }
        return pooled
    }

    /// SpladePooling's activation of one logit: log1p(relu(x)), and log1p once more for `log1pRelu`.
    @inline(__always)
    static func weight(_ logit: Float, _ function: WeightFunction) -> Float {
        guard logit > 0 else { return 0 }
        let once = Foundation.log1p(logit)
        return function == .relu ? once : Foundation.log1p(once)
    }
}
