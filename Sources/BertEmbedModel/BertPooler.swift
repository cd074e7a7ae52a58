// Ports transformers' BertPooler (modeling_bert.py): dense + tanh on each sequence's first token ([CLS]).
import BertEmbedKernels

/// BERT's `pooled_output`: tanh(dense(hidden state of the first token)). Weight (H, H), bias (H).
struct BertPooler: Sendable {
    let dense: PackedLinear

    init(config: BertConfig, scope: WeightScope, context: ComputeContext) throws {
        let h = config.hiddenSize
        dense = try scope.linear(["dense"], outFeatures: h, inFeatures: h, context: context)
    }

    /// hidden (T, H) with sequences at `sequences` -> (batch, H).
    func callAsFunction(_ hidden: UnsafePointer<Float>, sequences: [Range<Int>], context: ComputeContext) -> [Float] {
        let h = dense.inFeatures
        guard !sequences.isEmpty else { return [] }
        var first = [Float](repeating: 0, count: sequences.count * h)
        for (s, range) in sequences.enumerated() where !range.isEmpty {
            for c in 0..<h { first[s * h + c] = hidden[range.lowerBound * h + c] }
        }
        var pooled = [Float](repeating: 0, count: sequences.count * h)
        first.withUnsafeBufferPointer { input in
            pooled.withUnsafeMutableBufferPointer { output in
                dense.apply(
                    input.baseAddress!, rows: sequences.count, output: output.baseAddress!, activation: .tanh,
                    context: context)
            }
        }
        return pooled
    }
}
