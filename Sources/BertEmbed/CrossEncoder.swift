// The public reranker: a cross-encoder folder in, a score per (query, document) pair out, equal to
// sentence-transformers' CrossEncoder.predict and CrossEncoder.rank.
//
// What happens where: CrossEncoderFolder (what the folder says: activation, lengths), the tokenizer (pairs with
// longest-first truncation and segment ids), EncoderBatches (length-sorted batches through the encoder),
// SequenceClassificationHead (the family's two dense layers on the first token), then the activation here.
import BertEmbedKernels
import BertEmbedModel
import BertEmbedTokenizer
import Foundation

/// A loaded cross-encoder (reranker): scores how well a document answers a query by reading both together.
///
/// ```swift
/// let reranker = try CrossEncoder(modelDirectory: URL(fileURLWithPath: "ms-marco-MiniLM-L-6-v2"))
/// let ranked = try reranker.rank(query: "How many people live in Berlin?", documents: hits, topK: 3)
/// for hit in ranked { print(hit.score, hits[hit.index]) }
/// ```
///
/// Loads a Hugging Face `*ForSequenceClassification` folder of any supported family (BERT, RoBERTa, XLM-RoBERTa,
/// CamemBERT, DistilBERT, MPNet), plain or saved by sentence-transformers' `CrossEncoder.save`. Each pair is
/// tokenized as one input (`[CLS] query [SEP] document [SEP]`, segment ids 0 then 1 where the tokenizer passes
/// them), truncated longest-first to `maxSequenceLength`, and scored by the classification head, then the folder's
/// activation (sigmoid for one label unless the folder says otherwise, none for several).
///
/// Immutable after loading and `Sendable`: many tasks may score at once on one instance.
public final class CrossEncoder: Sendable {
    /// The function applied to a cross-encoder's logits (sentence-transformers' `activation_fn`).
    public enum Activation: String, Sendable, CaseIterable {
        /// 1 / (1 + e^-x): a probability-like score in (0, 1). The default for one label.
        case sigmoid
        /// The raw logits. The default for several labels.
        case identity
        /// tanh(x), in (-1, 1).
        case tanh

        func apply(_ x: Float) -> Float {
            switch self {
            case .sigmoid: return 1 / (1 + Foundation.exp(-x))
            case .identity: return x
            case .tanh: return Foundation.tanh(x)
            }
        }
    }

    /// Options of one scoring call.
    public struct Options: Sendable {
        /// Pairs per forward pass (default 32; results do not depend on it).
        public var batchSize: Int = 32
        /// Worker threads for this call (nil: the encoder's).
        public var threads: Int? = nil
        /// The activation instead of the folder's (`.identity` for raw logits).
        public var activation: Activation? = nil
        /// With several labels, a softmax over each pair's scores after the activation (sentence-transformers'
        /// `apply_softmax`); no effect with one label.
        public var applySoftmax = false
        /// Called after each batch with (pairs done, pairs in all).
        public var progress: (@Sendable (Int, Int) -> Void)? = nil

        /// Options with the defaults.
        public init() {}
    }

    /// A document's place in a ranking.
    public struct RankedDocument: Sendable, Equatable {
        /// The document's index in the list given to `rank`.
        public var index: Int
        /// Its score for the query (after the activation).
        public var score: Float

        /// A ranked document.
        public init(index: Int, score: Float) {
            self.index = index
            self.score = score
        }
    }

    let tokenizer: Tokenizer
    let model: BertModel
    let head: SequenceClassificationHead
    let context: ComputeContext
    /// Whether the model gets the tokenizer's segment ids (else zeros).
    let passesTokenTypeIds: Bool
    /// The forward passes the async calls share.
    let passes: SharedForwardPasses

    /// Scores per pair: the classification head's labels.
    public var labelCount: Int { head.labels }
    /// The activation the folder asks for (sigmoid for one label, identity for several, unless it names another).
    public let activation: Activation
    /// Tokens per pair, special tokens included, beyond which pairs are truncated longest-first.
    public let maxSequenceLength: Int

    /// Loads a cross-encoder folder.
    ///
    /// - Parameters:
    ///   - modelDirectory: a `*ForSequenceClassification` folder, or one saved by sentence-transformers'
    ///     `CrossEncoder.save`.
    ///   - compute: threads, CPU code and compute type (see `ComputeOptions`).
    /// - Throws: `EmbeddingError.invalidModelFolder` naming the file and the problem, also when the folder is an
    ///   embedding model or lacks a classification head; `.invalidOption` for a bad compute option.
    public init(modelDirectory: URL, compute: ComputeOptions = ComputeOptions()) throws {
        context = try compute.context()
        let folder = try CrossEncoderFolder(directory: modelDirectory)
        let directory = folder.transformerDirectory
        let config = try ModelLoading.config(directory)
        if !config.architectures.isEmpty,
            !config.architectures.contains(where: { $0.hasSuffix("ForSequenceClassification") })
        {
            throw EmbeddingError.invalidModelFolder(
                file: directory.appendingPathComponent("config.json").path,
                reason: "architectures \(config.architectures): not a cross-encoder (a sequence-classification "
                    + "model, such as BertForSequenceClassification)"
                    + (config.architectures.contains(where: { $0.hasSuffix("ForMaskedLM") })
                        ? "" : "; for embeddings load it with SentenceEncoder"))
        }
        (tokenizer, model) = try ModelLoading.tokenizerAndModel(
            directory: directory, lowercase: folder.lowercaseInput, context: context)
        let headContext = context
        head = try ModelLoading.head("classification head", directory: directory, family: config.family) { weights in
            guard SequenceClassificationHead.isPresent(in: weights) else {
                let name = SequenceClassificationHead.layerNames(config.family).output + ".weight"
                throw EmbeddingError.invalidModelFolder(
                    file: directory.path,
                    reason: "no classification head (tensor \(name)): not a cross-encoder; for embeddings load it "
                        + "with SentenceEncoder")
            }
            return try SequenceClassificationHead(config: config, weights: weights, context: headContext)
        }
        activation = try folder.activation(labels: config.numLabels)
        // sentence-transformers caps the tokenizer's model_max_length by max_position_embeddings unless
        // sentence_bert_config.json sets max_seq_length; the position table's real length caps it here too (where
        // sentence-transformers would fail on a longer pair).
        maxSequenceLength = ModelLoading.sequenceLength(
            configured: folder.maxSequenceLength, tokenizer: tokenizer, config: config)
        passesTokenTypeIds = config.family.hasTokenTypes && (tokenizer.passesTokenTypeIds ?? (config.family == .bert))
        passes = SharedForwardPasses(model: model, context: context, tokenBudget: compute.passTokenBudget)
    }

    /// The scores of each (query, document) pair: `labelCount` values per pair, after the activation (and the
    /// softmax when asked), in pair order.
    ///
    /// - Throws: `EmbeddingError.invalidOption` for a batch size or thread count below 1.
    public func predict(_ pairs: [(String, String)], options: Options = Options()) throws -> [[Float]] {
        if let threads = options.threads, threads < 1 {
            throw EmbeddingError.invalidOption("threads must be at least 1, got \(threads)")
        }
        var ids: [[Int]] = [], typeIds: [[Int]] = []
        ids.reserveCapacity(pairs.count)
        typeIds.reserveCapacity(pairs.count)
        for (query, document) in pairs {
            let input = try modelInput(query: query, document: document)
            ids.append(input.ids)
            typeIds.append(input.typeIds)
        }
        var encodeOptions = EncodeOptions()
        encodeOptions.batchSize = options.batchSize
        encodeOptions.progress = options.progress
        let labels = head.labels
        let activation = options.activation ?? self.activation
        var scores = [[Float]](repeating: [], count: pairs.count)
        try EncoderBatches(model: model).forEach(
            ids, typeIds: typeIds, request: BertOutputRequest(hiddenStates: [model.config.numHiddenLayers]),
            promptTokenCount: 0, options: encodeOptions, context: context.with(threads: options.threads)
        ) { batch in
            let logits = head(batch.output, context: batch.context)
            for (row, index) in batch.indices.enumerated() {
                var values = logits[(row * labels)..<((row + 1) * labels)].map(activation.apply)
                if options.applySoftmax && labels > 1 { values = Self.softmax(values) }
                scores[index] = values
            }
        }
        return scores
    }

    /// The tokens of a (query, document) pair before truncation, special tokens included: over `maxSequenceLength`,
    /// `predict`, `scores` and `rank` cut the pair longest-first, so a caller that must refuse such pairs rather than
    /// cut them compares this count with `maxSequenceLength`.
    ///
    /// - Throws: `EmbeddingError.invalidInput` when the tokenizer fails on the texts.
    public func tokenCount(query: String, document: String) throws -> Int {
        try tokenCounts(query: query, documents: [document])[0]
    }

    /// `tokenCount(query:document:)` of each document with `query`, in document order, the query tokenized once
    /// (a pair's texts are tokenized apart and joined by the post-processor, so its count is the two texts' counts
    /// and the special tokens').
    ///
    /// - Throws: `EmbeddingError.invalidInput` when the tokenizer fails on a text.
    public func tokenCounts(query: String, documents: [String]) throws -> [Int] {
        do {
            let base = try tokenizer.contentIds(query).count + tokenizer.addedTokenCount(pair: true)
            return try documents.map { base + (try tokenizer.contentIds($0).count) }
        } catch {
            throw EmbeddingError.invalidInput("\(error)")
        }
    }

    /// The token ids and segment ids the model gets for a pair: tokenized together, truncated longest-first to
    /// `maxSequenceLength`, segment ids zero where the tokenizer passes none.
    package func modelInput(query: String, document: String) throws -> (ids: [Int], typeIds: [Int]) {
        let encoding = try tokenizer.encode(query, pair: document, maxLength: maxSequenceLength)
        return (encoding.ids, passesTokenTypeIds ? encoding.typeIds : [Int](repeating: 0, count: encoding.ids.count))
    }

    /// The score of each document for `query`, in document order (a one-label model's `predict`).
    ///
    /// - Throws: `EmbeddingError.invalidOption` when the model has several labels, or for bad options.
    public func scores(query: String, documents: [String], options: Options = Options()) throws -> [Float] {
        guard head.labels == 1 else {
            throw EmbeddingError.invalidOption(
                "scores and rank need a one-label cross-encoder; this one has \(head.labels) labels (use predict)")
        }
        return try predict(documents.map { (query, $0) }, options: options).map { $0[0] }
    }

    /// The documents ranked for `query`, best first: index in `documents` and score, the first `topK` only when
    /// given. Equal scores keep document order (as sentence-transformers' stable sort).
    ///
    /// - Throws: `EmbeddingError.invalidOption` when the model has several labels, `topK` is below 1, or for bad
    ///   options.
    public func rank(
        query: String, documents: [String], topK: Int? = nil, options: Options = Options()
    ) throws -> [RankedDocument] {
        if let topK, topK < 1 { throw EmbeddingError.invalidOption("topK must be at least 1, got \(topK)") }
        return Self.ranking(try scores(query: query, documents: documents, options: options), topK: topK)
    }

    /// The scores of each pair (see `predict(_:options:)`), in forward passes shared with concurrent async calls,
    /// without blocking the caller's executor; cancelling the calling task throws `CancellationError` at once.
    /// `options.batchSize` gives way to `ComputeOptions.passTokenBudget` here.
    ///
    /// - Throws: `CancellationError`, or `EmbeddingError.invalidOption` for a thread count below 1.
    public func predict(_ pairs: [(String, String)], options: Options = Options()) async throws -> [[Float]] {
        try Task.checkCancellation()
        if let threads = options.threads, threads < 1 {
            throw EmbeddingError.invalidOption("threads must be at least 1, got \(threads)")
        }
        var ids: [[Int]] = [], typeIds: [[Int]] = []
        for (query, document) in pairs {
            let input = try modelInput(query: query, document: document)
            ids.append(input.ids)
            typeIds.append(input.typeIds)
        }
        let labels = head.labels
        let activation = options.activation ?? self.activation
        let results = ResultSlots<[Float]>(count: pairs.count)
        let key = SharedForwardPasses.Key(
            hiddenStates: [model.config.numHiddenLayers], pooler: false, promptTokenCount: 0, threads: options.threads)
        try await passes.run(
            SharedForwardPasses.Job(key: key, ids: ids, typeIds: typeIds, progress: options.progress) {
                [head] batch, rows, indices in
                let logits = head(batch.output, sequences: rows, context: batch.context)
                for (row, index) in indices.enumerated() {
                    var values = logits[(row * labels)..<((row + 1) * labels)].map(activation.apply)
                    if options.applySoftmax && labels > 1 { values = Self.softmax(values) }
                    results.values[index] = values
                }
            })
        return results.values
    }

    /// The score of each document for `query` (see `scores(query:documents:options:)`), async as
    /// `predict(_:options:) async`.
    ///
    /// - Throws: `CancellationError`, or `EmbeddingError.invalidOption` when the model has several labels.
    public func scores(query: String, documents: [String], options: Options = Options()) async throws -> [Float] {
        guard head.labels == 1 else {
            throw EmbeddingError.invalidOption(
                "scores and rank need a one-label cross-encoder; this one has \(head.labels) labels (use predict)")
        }
        return try await predict(documents.map { (query, $0) }, options: options).map { $0[0] }
    }

    /// The documents ranked for `query` (see `rank(query:documents:topK:options:)`), async as
    /// `predict(_:options:) async`.
    ///
    /// - Throws: `CancellationError`, or `EmbeddingError.invalidOption` as the synchronous `rank`.
    public func rank(
        query: String, documents: [String], topK: Int? = nil, options: Options = Options()
    ) async throws -> [RankedDocument] {
        if let topK, topK < 1 { throw EmbeddingError.invalidOption("topK must be at least 1, got \(topK)") }
        let scores = try await scores(query: query, documents: documents, options: options)
        return Self.ranking(scores, topK: topK)
    }

    /// Indices by descending score, ties by index, the first `topK` when given.
    static func ranking(_ scores: [Float], topK: Int?) -> [RankedDocument] {
        let order = scores.indices.sorted { scores[$0] > scores[$1] || (scores[$0] == scores[$1] && $0 < $1) }
        return order.prefix(topK ?? order.count).map { RankedDocument(index: $0, score: scores[$0]) }
    }

    /// exp(x - max) / sum, in Float as torch.softmax.
    static func softmax(_ values: [Float]) -> [Float] {
        let largest = values.max() ?? 0
        let exponentials = values.map { Foundation.exp($0 - largest) }
        let sum = exponentials.reduce(0, +)
        return exponentials.map { $0 / sum }
    }
}
