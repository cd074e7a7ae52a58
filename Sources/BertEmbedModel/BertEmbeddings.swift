// Ports transformers' BertEmbeddings (modeling_bert.py): word + position + token-type embeddings, then LayerNorm; and
// the embeddings of the families sharing it: RobertaEmbeddings (positions counted from the padding index, one token
// type row), DistilBERT's Embeddings (no token types; sinusoidal positions when the checkpoint lacks the table) and
// MPNetEmbeddings (RoBERTa's positions, no token types).
import BertEmbedKernels
import Foundation

/// The embedding layer. Tables as PyTorch stores them: word (vocab, H), position (maxPositions, H),
/// token type (typeVocab, H) where the family has one, read in place from the checkpoint (see `WeightTable`);
/// LayerNorm gamma/beta (H). Dropout is a training leftover and absent here.
struct BertEmbeddings: Sendable {
    let hidden: Int
    let wordEmbeddings: WeightTable
    let positionEmbeddings: WeightTable
    /// nil for the families without token types.
    let tokenTypeEmbeddings: WeightTable?
    let gamma: [Float]
    let beta: [Float]
    let eps: Float
    /// Where positions count from (see `BertConfig.positionPaddingIndex`).
    let positionPaddingIndex: Int?

    init(config: BertConfig, scope: WeightScope) throws {
        let h = config.hiddenSize
        hidden = h
        eps = config.layerNormEps
        positionPaddingIndex = config.positionPaddingIndex
        wordEmbeddings = try scope.table("word_embeddings.weight", shape: [config.vocabSize, h])
        let positions = [config.maxPositionEmbeddings, h]
        if config.sinusoidalPositions && !scope.hasTensor("position_embeddings.weight") {
            positionEmbeddings = .copied(
                WeightBuffer(count: positions[0] * h) { Self.sinusoids(rows: positions[0], width: h, into: $0) })
        } else {
            positionEmbeddings = try scope.table("position_embeddings.weight", shape: positions)
        }
        tokenTypeEmbeddings =
            config.typeVocabSize > 0
            ? try scope.table("token_type_embeddings.weight", shape: [config.typeVocabSize, h]) : nil
        gamma = try scope.tensor("LayerNorm.weight", shape: [h])
        beta = try scope.tensor("LayerNorm.bias", shape: [h])
    }

    /// DistilBERT's sinusoidal position table (`create_sinusoidal_embeddings`), computed in Double and rounded to
    /// Float as transformers computes it in float64 NumPy: angle = position / 10000^(2 (j / 2) / width), sine in the
    /// even columns, cosine in the odd ones. (rows, width) row-major.
    static func sinusoids(rows: Int, width: Int, into table: UnsafeMutablePointer<Float>) {
        for position in 0..<rows {
            for j in 0..<width {
                let angle = Double(position) / pow(10000, Double(2 * (j / 2)) / Double(width))
                table[position * width + j] = Float(j % 2 == 0 ? sin(angle) : cos(angle))
            }
        }
    }

    /// The position id of each token of `ids`: 0, 1, 2, ..., or, counting from a padding index p, p + the number of
    /// tokens other than p up to this one (p itself for a token equal to p), as `create_position_ids_from_input_ids`.
    func positionIds(_ ids: [Int]) -> [Int] {
        guard let padding = positionPaddingIndex else { return Array(ids.indices) }
        var count = 0
        return ids.map { id in
            guard id != padding else { return padding }
            count += 1
            return padding + count
        }
    }

    /// output (T, H): the embeddings of every token of every sequence, concatenated; positions restart for each
    /// sequence. `inputIds[s]` and `tokenTypeIds[s]` hold sequence s (ids already validated by the caller; type ids
    /// are ignored by the families without token types).
    func callAsFunction(
        inputIds: [[Int]], tokenTypeIds: [[Int]], output: UnsafeMutablePointer<Float>, context: ComputeContext
    ) {
        var row = 0
        wordEmbeddings.withUnsafeBufferPointer { wordEmbeddings in
            positionEmbeddings.withUnsafeBufferPointer { positionEmbeddings in
                withTokenTypes { tokenTypeEmbeddings in
                    for (ids, types) in zip(inputIds, tokenTypeIds) {
                        for (t, position) in positionIds(ids).enumerated() {
                            let out = output + row * hidden
                            let word = ids[t] * hidden, pos = position * hidden
                            if let tokenTypeEmbeddings {
                                let type = types[t] * hidden
                                for c in 0..<hidden {
                                    // Same summation order as PyTorch: (word + token_type) + position.
                                    out[c] =
                                        (wordEmbeddings[word + c] + tokenTypeEmbeddings[type + c])
                                        + positionEmbeddings[pos + c]
                                }
                            } else {
                                for c in 0..<hidden { out[c] = wordEmbeddings[word + c] + positionEmbeddings[pos + c] }
                            }
                            row += 1
                        }
                    }
                }
            }
        }
        addLayerNorm(
            output, residual: nil, rows: row, cols: hidden, gamma: gamma, beta: beta, eps: eps, context: context)
    }

    /// Calls `body` with the token type table, or nil.
    private func withTokenTypes<R>(_ body: (UnsafeBufferPointer<Float>?) throws -> R) rethrows -> R {
        guard let tokenTypeEmbeddings else { return try body(nil) }
        return try tokenTypeEmbeddings.withUnsafeBufferPointer { try body($0) }
    }
}
