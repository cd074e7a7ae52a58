// The public sparse (SPLADE) encoder: a SPLADE folder in, one sparse vector over the vocabulary per text out, equal
// to sentence-transformers' SparseEncoder.encode.
//
// What happens where: SparseEncoderFolder (what the folder says), the tokenizer, EncoderBatches (length-sorted
// batches), MaskedLMHead (vocabulary logits and SpladePooling), then sparsification here.
import BertEmbedKernels
import BertEmbedModel
import BertEmbedTokenizer
import Foundation

/// A sparse vector over a vocabulary: the entries above zero, by ascending index.
public struct SparseEmbedding: Sendable, Equatable {
    /// The vector's length (the vocabulary size).
    public var dimension: Int
    /// The indices of the non-zero entries, ascending.
    public var indices: [Int]
    /// Their values, in the same order.
    public var values: [Float]

    /// A sparse vector of `dimension` entries, `values[i]` at `indices[i]` (ascending, no repeats).
    public init(dimension: Int, indices: [Int], values: [Float]) {
        precondition(indices.count == values.count, "one value per index")
        self.dimension = dimension
        self.indices = indices
        self.values = values
    }

    /// The dot product with `other` (entries present in both).
    public func dot(_ other: SparseEmbedding) -> Float {
        var i = 0, j = 0
        var sum: Float = 0
        while i < indices.count && j < other.indices.count {
            if indices[i] == other.indices[j] {
                sum += values[i] * other.values[j]
                i += 1
                j += 1
            } else if indices[i] < other.indices[j] {
                i += 1
            } else {
                j += 1
            }
        }
        return sum
    }

    /// The Euclidean norm.
    public var norm: Float { values.reduce(0) { $0 + $1 * $1 }.squareRoot() }

    /// The vector with every entry, zeros included.
    public var dense: [Float] {
        var result = [Float](repeating: 0, count: dimension)
        for (index, value) in zip(indices, values) { result[index] = value }
        return result
    }
}

/// A loaded SPLADE model: texts in, sparse vectors over the vocabulary out, for lexical-semantic (hybrid) search.
///
/// ```swift
/// let splade = try SparseEncoder(modelDirectory: URL(fileURLWithPath: "splade-v3"))
/// let vectors = try splade.encode(["What is the capital of France?", "Paris is the capital of France."])
/// print(splade.similarity(vectors[0], vectors[1]))
/// print(splade.decode(vectors[0], topK: 5))   // the heaviest vocabulary entries
/// ```
///
/// Loads a folder saved by sentence-transformers' `SparseEncoder` (a masked-language-model Transformer module and a
/// SpladePooling module) or a plain `BertForMaskedLM` / `DistilBertForMaskedLM` folder (then max pooling). For each
/// text, the MLM head's logits over the vocabulary at every token, log(1 + relu(logit)), pooled by max (or sum)
/// over the tokens (special tokens included), as sentence-transformers' SpladePooling.
///
/// Immutable after loading and `Sendable`.
public final class SparseEncoder: Sendable {
    /// Options of one `encode` call.
    public struct Options: Sendable {
        /// Texts per forward pass (default 32; results do not depend on it).
        public var batchSize: Int = 32
        /// Worker threads for this call (nil: the encoder's).
        public var threads: Int? = nil
        /// Keep only the largest this many entries of each vector (nil: the folder's `max_active_dims`, else all).
        public var maxActiveDimensions: Int? = nil
        /// Called after each batch with (texts done, texts in all).
        public var progress: (@Sendable (Int, Int) -> Void)? = nil

        /// Options with the defaults.
        public init() {}
    }

    let tokenizer: Tokenizer
    let model: BertModel
    let head: MaskedLMHead
    let context: ComputeContext
    let pooling: MaskedLMHead.Pooling
    let weightFunction: MaskedLMHead.WeightFunction
    /// The forward passes the async calls share.
    let passes: SharedForwardPasses

    /// The length of the vectors (the vocabulary size).
    public var dimension: Int { head.vocabularySize }
    /// Tokens per text, special tokens included, beyond which texts are truncated.
    public let maxSequenceLength: Int
    /// The similarity the model was trained for (`similarity_fn_name`): the dot product unless the folder says
    /// cosine.
    public let similarityFunction: SimilarityFunction
    /// The folder's `max_active_dims` (nil: every non-zero entry is kept).
    public let maxActiveDimensions: Int?

    /// Loads a SPLADE folder.
    ///
    /// - Parameters:
    ///   - modelDirectory: a folder saved by sentence-transformers' `SparseEncoder`, or a plain `BertForMaskedLM` /
    ///     `DistilBertForMaskedLM` folder.
    ///   - compute: threads, CPU code and compute type (see `ComputeOptions`).
    /// - Throws: `EmbeddingError.invalidModelFolder` naming the file and the problem, also when the folder is a
    ///   dense embedding model or a cross-encoder.
    public init(modelDirectory: URL, compute: ComputeOptions = ComputeOptions()) throws {
        context = try compute.context()
        let folder = try SparseEncoderFolder(directory: modelDirectory)
        let directory = folder.transformerDirectory
        let configURL = directory.appendingPathComponent("config.json")
        let config = try ModelLoading.config(directory)
        if !config.architectures.isEmpty, !config.architectures.contains(where: { $0.hasSuffix("ForMaskedLM") }) {
            throw EmbeddingError.invalidModelFolder(
                file: configURL.path,
                reason: "architectures \(config.architectures): not a SPLADE model (a masked-language model, such as "
                    + "BertForMaskedLM)")
        }
        (tokenizer, model) = try ModelLoading.tokenizerAndModel(
            directory: directory, lowercase: folder.lowercaseInput, context: context)
        let headContext = context
        head = try ModelLoading.head("MLM head", directory: directory, family: config.family) { weights in
            guard MaskedLMHead.isPresent(in: weights) else {
                throw EmbeddingError.invalidModelFolder(
                    file: directory.path,
                    reason: "no masked-language-model head (cls.predictions.* or vocab_transform.*): not a SPLADE "
                        + "model")
            }
            return try MaskedLMHead(config: config, weights: weights, context: headContext)
        }
        if let dimension = folder.dimension, dimension != config.vocabSize {
            throw EmbeddingError.invalidModelFolder(
                file: directory.path,
                reason:
                    "SpladePooling's embedding_dimension \(dimension) is not the vocabulary size \(config.vocabSize)")
        }
        pooling = folder.pooling
        weightFunction = folder.weightFunction
        maxActiveDimensions = folder.maxActiveDimensions
        switch folder.similarityFunctionName {
        case nil, "dot", "dot_product": similarityFunction = .dot
        case "cosine": similarityFunction = .cosine
        case let other?:
            throw EmbeddingError.invalidModelFolder(
                file: modelDirectory.appendingPathComponent("config_sentence_transformers.json").path,
                reason: "similarity_fn_name '\(other)' is not supported for sparse vectors (dot, cosine)")
        }
        maxSequenceLength = ModelLoading.sequenceLength(
            configured: folder.maxSequenceLength, tokenizer: tokenizer, config: config)
        passes = SharedForwardPasses(model: model, context: context, tokenBudget: compute.passTokenBudget)
    }

    /// The sparse vectors of `texts` (see `encode(_:options:)`), in forward passes shared with concurrent async
    /// calls, without blocking the caller's executor; cancelling the calling task throws `CancellationError` at
    /// once. `options.batchSize` gives way to `ComputeOptions.passTokenBudget` here.
    ///
    /// - Throws: `CancellationError`, or `EmbeddingError.invalidOption` as the synchronous `encode`.
    public func encode(_ texts: [String], options: Options = Options()) async throws -> [SparseEmbedding] {
        try Task.checkCancellation()
        let keep = try checked(options)
        return try await encodeTokenIds(try texts.map { try tokenIds($0) }, keep: keep, options: options)
    }

    /// The sparse vectors of inputs already tokenized (each sequence exactly as the model gets it, special tokens
    /// included, as `tokenize(_:)` gives it in `TokenizedText.ids`), in shared passes as `encode(_:options:) async`:
    /// for a caller that tokenized its texts to check their lengths, so that they are not tokenized twice.
    ///
    /// - Throws: `EmbeddingError.invalidInput` for an empty sequence, one longer than the model's positions, or an
    ///   id outside the vocabulary; `CancellationError`; `EmbeddingError.invalidOption` as `encode(_:options:)`.
    public func encode(tokenIds ids: [[Int]], options: Options = Options()) async throws -> [SparseEmbedding] {
        try Task.checkCancellation()
        let keep = try checked(options)
        let positions = model.config.maxSequenceLength
        for (index, sequence) in ids.enumerated() where sequence.isEmpty || sequence.count > positions {
            throw EmbeddingError.invalidInput(
                "token sequence \(index) has \(sequence.count) tokens; the model takes 1...\(positions)")
        }
        return try await encodeTokenIds(ids, keep: keep, options: options)
    }

    /// The number of entries to keep per vector that `options` ask for (nil: all).
    /// - Throws: `EmbeddingError.invalidOption` for a thread count or `maxActiveDimensions` below 1.
    private func checked(_ options: Options) throws -> Int? {
        if let threads = options.threads, threads < 1 {
            throw EmbeddingError.invalidOption("threads must be at least 1, got \(threads)")
        }
        let keep = options.maxActiveDimensions ?? maxActiveDimensions
        if let keep, keep < 1 {
            throw EmbeddingError.invalidOption("maxActiveDimensions must be at least 1, got \(keep)")
        }
        return keep
    }

    /// The sparse vectors of `ids` in shared passes, `keep` entries each at most.
    private func encodeTokenIds(_ ids: [[Int]], keep: Int?, options: Options) async throws -> [SparseEmbedding] {
        let v = head.vocabularySize
        let results = ResultSlots(
            repeating: SparseEmbedding(dimension: v, indices: [], values: []), count: ids.count)
        let key = SharedForwardPasses.Key(
            hiddenStates: [model.config.numHiddenLayers], pooler: false, promptTokenCount: 0, threads: options.threads)
        try await passes.run(
            SharedForwardPasses.Job(key: key, ids: ids, progress: options.progress) {
                [head, pooling, weightFunction] batch, rows, indices in
                let pooled = head.splade(
                    batch.output, sequences: rows, pooling: pooling, function: weightFunction, context: batch.context)
                for (row, index) in indices.enumerated() {
                    results.values[index] = Self.sparse(pooled[(row * v)..<((row + 1) * v)], keep: keep)
                }
            })
        return results.values
    }

    /// The sparse vectors of `texts`, in order.
    ///
    /// - Throws: `EmbeddingError.invalidOption` for a batch size, thread count or `maxActiveDimensions` below 1.
    public func encode(_ texts: [String], options: Options = Options()) throws -> [SparseEmbedding] {
        let keep = try checked(options)
        let ids = try texts.map { try tokenIds($0) }
        var encodeOptions = EncodeOptions()
        encodeOptions.batchSize = options.batchSize
        encodeOptions.progress = options.progress
        let v = head.vocabularySize
        var vectors = [SparseEmbedding](
            repeating: SparseEmbedding(dimension: v, indices: [], values: []), count: texts.count)
        try EncoderBatches(model: model).forEach(
            ids, request: BertOutputRequest(hiddenStates: [model.config.numHiddenLayers]), promptTokenCount: 0,
            options: encodeOptions, context: context.with(threads: options.threads)
        ) { batch in
            let pooled = head.splade(batch.output, pooling: pooling, function: weightFunction, context: batch.context)
            for (row, index) in batch.indices.enumerated() {
                vectors[index] = Self.sparse(pooled[(row * v)..<((row + 1) * v)], keep: keep)
            }
        }
        return vectors
    }

    /// Whether `directory` holds a sparse encoder as sentence-transformers saves one (config_sentence_transformers.json
    /// says SparseEncoder, or modules.json has a SpladePooling module): for tools that pick the encoder by folder.
    package static func isSparseEncoderFolder(_ directory: URL) -> Bool {
        SparseEncoderFolder.isSparseEncoder(directory)
    }

    /// The sparse vector of one text (see `encode(_:options:)`).
    public func encode(_ text: String, options: Options = Options()) throws -> SparseEmbedding {
        try encode([text], options: options)[0]
    }

    /// `text` tokenized as `encode` tokenizes it (special tokens added, cut to `maxSequenceLength`), with the count
    /// before the cut: a caller that must refuse over-long texts rather than cut them checks `wasTruncated`.
    ///
    /// - Throws: `EmbeddingError.invalidInput` when the tokenizer fails on the text.
    public func tokenize(_ text: String) throws -> TokenizedText {
        try TokenizedText(text, tokenizer: tokenizer, maxLength: maxSequenceLength)
    }

    /// The token ids the model gets for `text`: special tokens added, truncated to `maxSequenceLength`.
    package func tokenIds(_ text: String) throws -> [Int] {
        try tokenizer.encodeIds(text, maxLength: maxSequenceLength)
    }

    /// The heaviest entries of `embedding` as vocabulary tokens, heaviest first (equal weights by ascending index),
    /// the first `topK` only when given (sentence-transformers' `SparseEncoder.decode`).
    public func decode(_ embedding: SparseEmbedding, topK: Int? = nil) -> [(token: String, weight: Float)] {
        let order = embedding.indices.indices.sorted {
            embedding.values[$0] > embedding.values[$1]
                || (embedding.values[$0] == embedding.values[$1] && embedding.indices[$0] < embedding.indices[$1])
        }
        return order.prefix(max(0, topK ?? order.count)).map {
            (tokenizer.token(for: embedding.indices[$0]) ?? "[\(embedding.indices[$0])]", embedding.values[$0])
        }
    }

    /// The model's similarity of two vectors (`similarityFunction`: dot product or cosine).
    public func similarity(_ a: SparseEmbedding, _ b: SparseEmbedding) -> Float {
        let dot = a.dot(b)
        guard similarityFunction == .cosine else { return dot }
        let norms = a.norm * b.norm
        return norms > 0 ? dot / norms : 0
    }

    /// The entries of `dense` above zero; with `keep`, only the largest `keep` of them (equal values: lower index).
    static func sparse(_ dense: ArraySlice<Float>, keep: Int?) -> SparseEmbedding {
        var indices: [Int] = []
        var values: [Float] = []
        for (offset, value) in dense.enumerated() where value > 0 {
            indices.append(offset)
            values.append(value)
        }
        if let keep, indices.count > keep {
            let kept = indices.indices.sorted { values[$0] > values[$1] || (values[$0] == values[$1] && $0 < $1) }
                .prefix(keep).sorted()
            indices = kept.map { indices[$0] }
            values = kept.map { values[$0] }
        }
        return SparseEmbedding(dimension: dense.count, indices: indices, values: values)
    }
}
