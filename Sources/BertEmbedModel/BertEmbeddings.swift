// Ports transformers' BertEmbeddings (modeling_bert.py): word + position + token-type embeddings, then LayerNorm.
import BertEmbedKernels

/// The embedding layer. Tables as PyTorch stores them: word (vocab, H), position (maxPositions, H),
/// token type (typeVocab, H), read in place from the checkpoint (see `WeightTable`); LayerNorm gamma/beta (H).
/// Dropout is a training leftover and absent here.
struct BertEmbeddings: Sendable {
    let hidden: Int
    let wordEmbeddings: WeightTable
    let positionEmbeddings: WeightTable
    let tokenTypeEmbeddings: WeightTable
    let gamma: [Float]
    let beta: [Float]
    let eps: Float
    let vocabSize: Int
    let maxPositions: Int
    let typeVocabSize: Int

    init(config: BertConfig, scope: WeightScope) throws {
        let h = config.hiddenSize
        hidden = h
        vocabSize = config.vocabSize
        maxPositions = config.maxPositionEmbeddings
        typeVocabSize = config.typeVocabSize
        eps = config.layerNormEps
        wordEmbeddings = try scope.table("word_embeddings.weight", shape: [config.vocabSize, h])
        positionEmbeddings = try scope.table("position_embeddings.weight", shape: [config.maxPositionEmbeddings, h])
        tokenTypeEmbeddings = try scope.table("token_type_embeddings.weight", shape: [config.typeVocabSize, h])
        gamma = try scope.tensor("LayerNorm.weight", shape: [h])
        beta = try scope.tensor("LayerNorm.bias", shape: [h])
    }

    /// output (T, H): the embeddings of every token of every sequence, concatenated; positions restart at 0 for
    /// each sequence. `inputIds[s]` and `tokenTypeIds[s]` hold sequence s (ids already validated by the caller).
    func callAsFunction(
        inputIds: [[Int]], tokenTypeIds: [[Int]], output: UnsafeMutablePointer<Float>, context: ComputeContext
    ) {
        var row = 0
        wordEmbeddings.withUnsafeBufferPointer { wordEmbeddings in
            positionEmbeddings.withUnsafeBufferPointer { positionEmbeddings in
                tokenTypeEmbeddings.withUnsafeBufferPointer { tokenTypeEmbeddings in
                    for (ids, types) in zip(inputIds, tokenTypeIds) {
                        for position in ids.indices {
                            let out = output + row * hidden
                            let word = ids[position] * hidden
                            let pos = position * hidden
                            let type = types[position] * hidden
                            for c in 0..<hidden {
                                // Same summation order as PyTorch: (word + token_type) + position.
                                out[c] =
                                    (wordEmbeddings[word + c] + tokenTypeEmbeddings[type + c])
                                    + positionEmbeddings[pos + c]
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
}
