// The async face of SentenceEncoder: calls from Swift concurrency share forward passes (SharedForwardPasses) and
// honour cancellation between passes; the synchronous API stays as it is.
import BertEmbedModel

extension SentenceEncoder {
    /// Sentence embeddings of `sentences`, as the synchronous `encode(_:options:)` gives them, bit for bit, without
    /// blocking the caller's executor.
    ///
    /// The forward passes run on a thread of the encoder's own, not on Swift's cooperative pool, and concurrent
    /// calls share them: 64 tasks each encoding one query run as a few passes of many sequences (at most
    /// `ComputeOptions.passTokenBudget` tokens each), close to the throughput of one call with all 64 texts.
    /// Calls share a pass when they ask the same of the encoder (pooling layers, prompt length, `threads`);
    /// normalization and truncation stay each call's own. Tokenizing happens in the calling task.
    /// `options.batchSize` gives way to the token budget here.
    ///
    /// Cancelling the calling task makes the call throw `CancellationError` at once; its texts not yet in a pass
    /// are dropped, and the encoder stays usable.
    ///
    /// - Throws: `CancellationError`, or `EmbeddingError.invalidOption` for inconsistent options.
    public func encode(_ sentences: [String], options: EncodeOptions = EncodeOptions()) async throws -> [[Float]] {
        try Task.checkCancellation()
        switch options.longTexts {
        case .truncate:
            return try await encodeTokenIds(try tokenIdsCheckingCancellation(sentences, options), options: options)
        case .slidingWindowMean(let size, let stride):
            let windows = try LongTextWindows.tokenIds(
                sentences, size: size, stride: stride, inputs: inputs, options: options)
            let vectors = try await encodeTokenIds(
                windows.flatMap { $0 }, options: LongTextWindows.progressInTexts(options, texts: sentences.count))
            let normalizes = options.normalize ?? modules.normalize
            var next = 0
            return windows.map { textWindows in
                defer { next += textWindows.count }
                return LongTextWindows.mean(vectors[next..<(next + textWindows.count)], normalize: normalizes)
            }
        }
    }

    /// The sentence embedding of one text (see `encode(_:options:) async`).
    public func encode(_ sentence: String, options: EncodeOptions = EncodeOptions()) async throws -> [Float] {
        try await encode([sentence], options: options)[0]
    }

    /// The last layer's token vectors of each text (see the synchronous `tokenEmbeddings(_:options:)`), in shared
    /// passes without blocking the caller's executor, as `encode(_:options:) async`.
    ///
    /// - Throws: `CancellationError`, or `EmbeddingError.invalidOption` for inconsistent options.
    public func tokenEmbeddings(
        _ sentences: [String], options: EncodeOptions = EncodeOptions()
    ) async throws -> [[[Float]]] {
        let ids = try tokenIdsCheckingCancellation(sentences, options)
        let last = model.config.numHiddenLayers
        let results = ResultSlots<[[Float]]>(count: ids.count)
        try await passes.run(
            try job(ids, request: BertOutputRequest(hiddenStates: [last]), options: options) { batch, rows, indices in
                let h = batch.output.hiddenSize
                for (row, index) in zip(rows, indices) {
                    let state = batch.output.hiddenState(layer: last, sequence: row)
                    results.values[index] = stride(from: state.startIndex, to: state.endIndex, by: h).map {
                        Array(state[$0..<($0 + h)])
                    }
                }
            })
        return results.values
    }

    /// The token ids of `sentences` (as `EncoderInputs.tokenIds`), 256 texts at a time with a cancellation check
    /// before each, so that a cancelled call over many texts stops tokenizing too.
    private func tokenIdsCheckingCancellation(_ sentences: [String], _ options: EncodeOptions) throws -> [[Int]] {
        var ids: [[Int]] = []
        ids.reserveCapacity(sentences.count)
        for start in stride(from: 0, to: sentences.count, by: 256) {
            try Task.checkCancellation()
            ids += try inputs.tokenIds(Array(sentences[start..<min(sentences.count, start + 256)]), options: options)
        }
        try Task.checkCancellation()
        return ids
    }

    /// Sentence embeddings of inputs already tokenized: each a sequence of the model's token ids exactly as the
    /// model gets them (special tokens included, as `tokenize(_:options:)` gives them), in shared passes as
    /// `encode(_:options:) async`. For clients that send token ids (OpenAI's and text-embeddings-inference's APIs
    /// accept them). `options.prompt`/`promptName` only tell how many leading tokens are a prompt.
    ///
    /// - Throws: `EmbeddingError.invalidInput` for an empty sequence, one longer than the model's positions, or an
    ///   id outside the vocabulary; `CancellationError`.
    public func encode(tokenIds ids: [[Int]], options: EncodeOptions = EncodeOptions()) async throws -> [[Float]] {
        for (index, sequence) in ids.enumerated() where sequence.isEmpty || sequence.count > inputs.positions {
            throw EmbeddingError.invalidInput(
                "token sequence \(index) has \(sequence.count) tokens; the model takes 1...\(inputs.positions)")
        }
        return try await encodeTokenIds(ids, options: options)
    }

    /// Sentence embeddings of token ids (see the synchronous `encode(tokenIds:options:)`), in shared passes.
    func encodeTokenIds(_ ids: [[Int]], options: EncodeOptions) async throws -> [[Float]] {
        if let dim = options.truncateDimension, dim < 1 || dim > dimension {
            throw EmbeddingError.invalidOption("truncateDimension must be in 1...\(dimension), got \(dim)")
        }
        let results = ResultSlots<[Float]>(count: ids.count)
        try await passes.run(
            try job(ids, request: try modules.request(), options: options) { [modules] batch, rows, indices in
                let vectors = try modules.vectors(
                    batch, sequences: rows, normalize: options.normalize, truncateDimension: options.truncateDimension)
                for (vector, index) in zip(vectors, indices) { results.values[index] = vector }
            })
        return results.values
    }

    /// A shared-pass job for `ids` with `options`' threads, prompt and progress.
    private func job(
        _ ids: [[Int]], request: BertOutputRequest, options: EncodeOptions,
        deliver: @escaping (EncoderBatch, [Int], [Int]) throws -> Void
    ) throws -> SharedForwardPasses.Job {
        if let threads = options.threads, threads < 1 {
            throw EmbeddingError.invalidOption("threads must be at least 1, got \(threads)")
        }
        // Passes follow the token budget, not the batch size; a batch size below 1 is refused all the same.
        guard options.batchSize >= 1 else {
            throw EmbeddingError.invalidOption("batchSize must be at least 1, got \(options.batchSize)")
        }
        let key = SharedForwardPasses.Key(
            hiddenStates: request.hiddenStates, pooler: request.pooler,
            promptTokenCount: try inputs.prompt(options).tokenCount, threads: options.threads)
        return SharedForwardPasses.Job(key: key, ids: ids, progress: options.progress, deliver: deliver)
    }
}

/// One result per input, written by the pass thread and read by the caller after the call completes
/// (`SharedForwardPasses.run` orders the two).
final class ResultSlots<Value>: @unchecked Sendable {
    var values: [Value]

    init(count: Int) where Value: RangeReplaceableCollection { values = Array(repeating: Value(), count: count) }

    init(repeating value: Value, count: Int) { values = Array(repeating: value, count: count) }
}
