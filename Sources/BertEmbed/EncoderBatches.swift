// The batches of one encode call: texts sorted longest first (as sentence-transformers does), cut into batches,
// run through the encoder with one set of activation buffers, progress reported after each.
import BertEmbedKernels
import BertEmbedModel

/// One batch's encoder output and where its sequences come from.
struct EncoderBatch {
    /// The hidden states (and pooler output) the request asked for.
    let output: BertBatchOutput
    /// The input index of each of the batch's sequences, in batch order.
    let indices: [Int]
    /// The prompt's leading tokens in every sequence.
    let promptTokenCount: Int
    /// The threads and kernels the call computes with.
    let context: ComputeContext
}

/// Runs a model over many token sequences in length-sorted batches.
struct EncoderBatches {
    let model: BertModel

    /// Runs the encoder over `ids` (with segment ids `typeIds`, nil for all zeros) in batches of `options.batchSize`
    /// and hands each batch to `body`, then reports progress.
    /// - Throws: `EmbeddingError.invalidOption` for a batch size below 1, `.invalidInput` for ids the model
    ///   rejects, or what `body` throws.
    func forEach(
        _ ids: [[Int]], typeIds: [[Int]]? = nil, request: BertOutputRequest, promptTokenCount: Int,
        options: EncodeOptions,
        context: ComputeContext, _ body: (EncoderBatch) throws -> Void
    ) throws {
        guard options.batchSize >= 1 else {
            throw EmbeddingError.invalidOption("batchSize must be at least 1, got \(options.batchSize)")
        }
        // Longest first, as sentence-transformers does; ties keep input order.
        let order = ids.indices.sorted { ids[$0].count > ids[$1].count || (ids[$0].count == ids[$1].count && $0 < $1) }
        // One set of activation buffers for all batches: the first batch, of the longest texts, has the most tokens.
        let scratch = model.scratch(tokens: order.prefix(options.batchSize).reduce(0) { $0 + ids[$1].count })
        var done = 0
        for start in stride(from: 0, to: order.count, by: options.batchSize) {
            let indices = Array(order[start..<min(start + options.batchSize, order.count)])
            let output: BertBatchOutput
            do {
                output = try model.forward(
                    inputIds: indices.map { ids[$0] }, tokenTypeIds: typeIds.map { types in indices.map { types[$0] } },
                    request: request, context: context, scratch: scratch)
            } catch let error as BertModelError {
                throw EmbeddingError.invalidInput(error.reason)
            }
            try body(
                EncoderBatch(output: output, indices: indices, promptTokenCount: promptTokenCount, context: context))
            done += indices.count
            options.progress?(done, ids.count)
        }
    }
}
