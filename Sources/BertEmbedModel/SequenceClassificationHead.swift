// Ports the heads of transformers' *ForSequenceClassification models: BertForSequenceClassification (the pooler's
// dense + tanh, then `classifier`), RobertaClassificationHead (RoBERTa, XLM-RoBERTa, CamemBERT: `classifier.dense` +
// tanh, then `classifier.out_proj`), MPNetClassificationHead (the same layers and names), and
// DistilBertForSequenceClassification (`pre_classifier` + ReLU, then `classifier`). Every one is two dense layers on
// the first token's last hidden state; dropout does nothing at inference.
import BertEmbedKernels
import Foundation

/// A sequence-classification head: logits (`labels` per sequence) from each sequence's first-token hidden state.
package struct SequenceClassificationHead: Sendable {
    /// Output labels (logits per sequence).
    package let labels: Int
    /// The hidden layer (H -> H) and its activation.
    let hidden: PackedLinear
    let hiddenActivation: Activation
    /// The output layer (H -> labels).
    let output: PackedLinear

    /// The tensor names of `family`'s head: (hidden layer, its activation, output layer).
    package static func layerNames(_ family: ModelFamily) -> (hidden: String, activation: Activation, output: String) {
        switch family {
        case .bert: return ("pooler.dense", .tanh, "classifier")
        case .roberta, .xlmRoberta, .camembert, .mpnet: return ("classifier.dense", .tanh, "classifier.out_proj")
        case .distilbert: return ("pre_classifier", .relu, "classifier")
        }
    }

    /// Whether `weights` hold a classification head of their family (its output layer's weight).
    package static func isPresent(in weights: BertWeights) -> Bool {
        weights.hasTensor(layerNames(weights.family).output + ".weight")
    }

    /// Binds the head of `config`'s family from `weights`, with `config.numLabels` outputs, packed on `context`'s
    /// threads.
    /// - Throws: `BertModelError.missingTensors` or `.shapeMismatch` naming the tensors.
    package init(config: BertConfig, weights: BertWeights, context: ComputeContext) throws {
        let names = Self.layerNames(config.family)
        let h = config.hiddenSize
        labels = config.numLabels
        hidden = try weights.root.linear([names.hidden], outFeatures: h, inFeatures: h, context: context)
        hiddenActivation = names.activation
        output = try weights.root.linear([names.output], outFeatures: labels, inFeatures: h, context: context)
        try weights.checkComplete()
    }

    /// The logits of each sequence of `output` (or of those at positions `sequences`, in that order; its last
    /// hidden state must have been requested): (count, labels) row-major. An empty sequence (no tokens) gets the
    /// logits of a zero hidden state.
    package func callAsFunction(
        _ output: BertBatchOutput, sequences chosen: [Int]? = nil, context: ComputeContext
    ) -> [Float] {
        let h = output.hiddenSize
        let sequences = chosen ?? Array(output.sequences.indices)
        let batch = sequences.count
        guard batch > 0, let last = output.hiddenStates.last else { return [] }
        precondition(
            last.count == (output.sequences.last?.upperBound ?? 0) * h, "the last hidden state was not requested")
        var first = [Float](repeating: 0, count: batch * h)
        for (row, s) in sequences.enumerated() where !output.sequences[s].isEmpty {
            let start = output.sequences[s].lowerBound * h
            for c in 0..<h { first[row * h + c] = last[start + c] }
        }
        var middle = [Float](repeating: 0, count: batch * h)
        var logits = [Float](repeating: 0, count: batch * labels)
        first.withUnsafeBufferPointer { input in
            middle.withUnsafeMutableBufferPointer { hiddenOutput in
                hidden.apply(
                    input.baseAddress!, rows: batch, output: hiddenOutput.baseAddress!, activation: hiddenActivation,
                    context: context)
            }
        }
        middle.withUnsafeBufferPointer { input in
            logits.withUnsafeMutableBufferPointer { result in
                self.output.apply(
                    input.baseAddress!, rows: batch, output: result.baseAddress!, activation: .identity,
                    context: context)
            }
        }
        return logits
    }
}
