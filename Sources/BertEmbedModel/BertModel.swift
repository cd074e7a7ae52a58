// Ports transformers' BertModel (modeling_bert.py): embeddings, the encoder's layers, the pooler. The same class runs
// RobertaModel, XLMRobertaModel, CamembertModel, DistilBertModel and MPNetModel, whose differences ModelFamily.swift
// lists (positions, token types and weight names in BertEmbeddings and WeightNames, MPNet's bias in its own file).
import BertEmbedKernels
import Foundation

/// Which outputs a forward pass keeps.
package struct BertOutputRequest: Sendable, Equatable {
    /// Indices of the hidden states to return: 0 is the embedding layer's output, `numHiddenLayers` the last
    /// layer's (as transformers' `output_hidden_states`, 13 entries for BERT-base).
    package var hiddenStates: Set<Int>
    /// Whether to compute BERT's pooler output (dense + tanh on the first token).
    package var pooler: Bool

    /// Keeps `hiddenStates` (indices as above) and the pooler output if `pooler`.
    package init(hiddenStates: Set<Int>, pooler: Bool = false) {
        self.hiddenStates = hiddenStates
        self.pooler = pooler
    }
}

/// The result of one forward pass over a batch, in the concatenated-token layout (no padding anywhere).
package struct BertBatchOutput: Sendable {
    /// The token rows of each input sequence: sequence s is rows `sequences[s]` of every hidden state.
    package var sequences: [Range<Int>]
    /// Width of every hidden state row.
    package var hiddenSize: Int
    /// `hiddenStates[l]` for l in 0...numHiddenLayers: (T, hiddenSize) row-major, T = total tokens of the batch;
    /// an empty array for a layer that was not requested.
    package var hiddenStates: [[Float]]
    /// (batch, hiddenSize) pooler output when requested, else empty.
    package var pooled: [Float]

    /// Hidden state `layer` of sequence `s`: (length, hiddenSize) row-major.
    package func hiddenState(layer: Int, sequence s: Int) -> ArraySlice<Float> {
        let range = sequences[s]
        return hiddenStates[layer][(range.lowerBound * hiddenSize)..<(range.upperBound * hiddenSize)]
    }
}

/// A BERT-like encoder (any `ModelFamily`) with its weights loaded and packed: token ids in, hidden states out.
///
/// Dense layers run on the concatenated real tokens of the batch and attention per sequence and head over its true
/// length, so no result depends on what else is in the batch. Immutable after load, so one instance may serve many
/// threads at once.
package final class BertModel: Sendable {
    /// The configuration the model was built from.
    package let config: BertConfig
    let embeddings: BertEmbeddings
    let layers: [BertLayer]
    /// nil when the checkpoint has no pooler weights (then the pooler output cannot be requested).
    let pooler: BertPooler?
    /// MPNet's relative position bias, shared by every layer; nil for the other families.
    let attentionBias: AttentionBias?

    /// Loads `config.json` and the safetensors weights of a Hugging Face model folder of any `ModelFamily`, packing
    /// the weights on `context`'s threads.
    package convenience init(directory: URL, context: ComputeContext = ComputeContext()) throws {
        let config = try BertConfig(contentsOf: directory.appendingPathComponent("config.json"))
        try self.init(
            config: config, weights: try BertWeights(directory: directory, family: config.family), context: context)
    }

    /// Binds and packs every tensor the encoder needs (packing on `context`'s threads); throws naming every missing
    /// tensor or a wrong shape.
    package init(config: BertConfig, weights: BertWeights, context: ComputeContext = ComputeContext()) throws {
        self.config = config
        let root = weights.root
        embeddings = try BertEmbeddings(config: config, scope: root.scope("embeddings"))
        var layers: [BertLayer] = []
        for index in 0..<config.numHiddenLayers {
            layers.append(try BertLayer(config: config, scope: root.scope("encoder.layer.\(index)"), context: context))
        }
        self.layers = layers
        attentionBias =
            config.family == .mpnet
            ? try MPNetRelativePositionBias(config: config, scope: root.scope("encoder")).attentionBias : nil
        try weights.checkComplete()
        // The pooler is optional: sentence-transformers checkpoints sometimes drop it.
        pooler =
            weights.hasTensor("pooler.dense.weight")
            ? try BertPooler(config: config, scope: root.scope("pooler"), context: context) : nil
        try weights.checkComplete()
    }

    /// Whether the checkpoint has BERT's pooler (dense + tanh) weights.
    package var hasPooler: Bool { pooler != nil }

    /// The bytes the dense layers keep (packed weights and biases, in the compute context's `WeightFormat`).
    package var denseWeightBytes: Int {
        let layerBytes = layers.reduce(0) { total, layer in
            total + layer.attention.queryKeyValue.byteCount + layer.attention.outputDense.byteCount
                + layer.intermediate.byteCount + layer.output.byteCount
        }
        return layerBytes + (pooler?.dense.byteCount ?? 0)
    }

    /// Runs the encoder over a batch of sequences of token ids (with special tokens already added).
    ///
    /// - Parameters:
    ///   - inputIds: one array of token ids per sequence, each id in 0..<vocabSize, each sequence at most
    ///     `maxSequenceLength` long. Empty sequences are allowed (their rows are empty).
    ///   - tokenTypeIds: segment ids per token (same shapes as `inputIds`), or nil for all zeros.
    ///   - request: which hidden states (and whether the pooler output) to keep.
    ///   - context: the thread count; results do not depend on it.
    ///   - scratch: buffers to reuse when they hold enough tokens (`scratch(tokens:)`; one caller at a time), so that
    ///     consecutive batches do not map fresh memory for their activations; nil or too small: new ones.
    /// - Throws: `BertModelError.invalidInput` for an id out of range, a sequence too long, or mismatched shapes.
    package func forward(
        inputIds: [[Int]], tokenTypeIds: [[Int]]? = nil, request: BertOutputRequest, context: ComputeContext,
        scratch reusable: BertScratch? = nil
    ) throws -> BertBatchOutput {
        try validate(inputIds: inputIds, tokenTypeIds: tokenTypeIds, request: request)
        let types = tokenTypeIds ?? inputIds.map { [Int](repeating: 0, count: $0.count) }
        var sequences: [Range<Int>] = []
        var tokens = 0
        for ids in inputIds {
            sequences.append(tokens..<(tokens + ids.count))
            tokens += ids.count
        }
        let h = config.hiddenSize
        let scratch = reusable.flatMap { $0.capacity >= tokens ? $0 : nil } ?? self.scratch(tokens: tokens)
        // The hidden state ping-pongs between the scratch's two (T, H) buffers; requested states are copied out.
        var current = scratch.hidden, next = scratch.nextHidden
        func copy(_ state: UnsafeMutablePointer<Float>) -> [Float] {
            Array(UnsafeBufferPointer(start: state, count: tokens * h))
        }
        var hiddenStates = [[Float]](repeating: [], count: layers.count + 1)
        if tokens > 0 { embeddings(inputIds: inputIds, tokenTypeIds: types, output: current, context: context) }
        if request.hiddenStates.contains(0) { hiddenStates[0] = copy(current) }
        for (index, layer) in layers.enumerated() {
            if tokens > 0 {
                layer(
                    current, tokens: tokens, sequences: sequences, bias: attentionBias, scratch: scratch, output: next,
                    context: context)
            }
            swap(&current, &next)
            if request.hiddenStates.contains(index + 1) { hiddenStates[index + 1] = copy(current) }
        }
        var pooled: [Float] = []
        if request.pooler, let pooler {
            pooled = pooler(current, sequences: sequences, context: context)
        }
        return BertBatchOutput(sequences: sequences, hiddenSize: h, hiddenStates: hiddenStates, pooled: pooled)
    }

    /// Buffers for a forward pass over up to `tokens` tokens, for `forward(...scratch:)`.
    package func scratch(tokens: Int) -> BertScratch { BertScratch(tokens: tokens, config: config) }

    /// The checks `forward` makes of its inputs before it computes anything: callers that gather several requests
    /// into one pass check each request's inputs first, so that one bad request does not fail the others (sequence
    /// numbers in the messages are then the request's own).
    /// - Throws: as `forward`.
    package func validate(inputIds: [[Int]], tokenTypeIds: [[Int]]?, request: BertOutputRequest) throws {
        if let tokenTypeIds, tokenTypeIds.count != inputIds.count {
            throw BertModelError.invalidInput(
                "\(inputIds.count) sequences of input ids but \(tokenTypeIds.count) of token type ids")
        }
        for (s, ids) in inputIds.enumerated() {
            guard ids.count <= config.maxSequenceLength else {
                throw BertModelError.invalidInput(
                    "sequence \(s) has \(ids.count) tokens; the model takes at most \(config.maxSequenceLength)")
            }
            if let bad = ids.first(where: { $0 < 0 || $0 >= config.vocabSize }) {
                throw BertModelError.invalidInput(
                    "sequence \(s): token id \(bad) is outside the vocabulary (0..<\(config.vocabSize))")
            }
            // nil type ids are zeros, valid for every family.
            guard let types = tokenTypeIds?[s] else { continue }
            guard types.count == ids.count else {
                throw BertModelError.invalidInput(
                    "sequence \(s): \(ids.count) input ids but \(types.count) token type ids")
            }
            // The families without token types take (and ignore) any; the others need a row for each.
            if config.typeVocabSize > 0, let bad = types.first(where: { $0 < 0 || $0 >= config.typeVocabSize }) {
                throw BertModelError.invalidInput(
                    "sequence \(s): token type id \(bad) is outside 0..<\(config.typeVocabSize)")
            }
        }
        if let bad = request.hiddenStates.first(where: { $0 < 0 || $0 > layers.count }) {
            throw BertModelError.invalidInput("hidden state \(bad) requested; the model has 0...\(layers.count)")
        }
        if request.pooler && pooler == nil {
            throw BertModelError.invalidInput(
                "the pooler output was requested but the checkpoint has no pooler weights")
        }
    }
}
