// The public facade: a model folder in, `encode(sentences)` out, equal to sentence-transformers' encode.
import BertEmbedKernels
import BertEmbedModel
import BertEmbedTokenizer
import Foundation

/// A loaded sentence-embedding model: tokenizer, BERT encoder, pooling and the modules after it.
///
/// ```swift
/// let encoder = try SentenceEncoder(modelDirectory: URL(fileURLWithPath: "all-MiniLM-L6-v2"))
/// let vectors = try encoder.encode(["A man is eating food.", "A man is riding a horse."])
/// let score = Similarity.cosine(vectors[0], vectors[1])
/// ```
///
/// Immutable after loading and `Sendable`: many tasks may call `encode` at once on one encoder and get the same
/// results as sequential calls.
///
/// Loading packs the dense weights into memory of their own but reads the embedding tables in place from the
/// memory-mapped `model.safetensors`: do not truncate or rewrite that file while the encoder lives (replacing it
/// with a new file, as downloads do, is safe).
public final class SentenceEncoder: Sendable {
    let tokenizer: BertTokenizer
    let model: BertModel
    let folder: SentenceTransformersFolder
    let defaultThreads: Int?

    /// The pooling strategy in use (the folder's, or the one passed to `init`).
    public let pooling: Pooling
    /// The length of the vectors `encode` returns (before `truncateDimension`).
    public let dimension: Int
    /// Whether `encode` normalizes by default (the folder ends with a `Normalize` module).
    public let normalizesByDefault: Bool
    /// Tokens per text, special tokens included, beyond which `encode` truncates by default.
    public let maxSequenceLength: Int
    /// The folder's named prompts (`config_sentence_transformers.json`).
    public let prompts: [String: String]
    /// The prompt used when `encode` is given none.
    public let defaultPromptName: String?
    /// The similarity the model was trained for (`similarity_fn_name`), cosine when the folder does not say.
    public let similarityFunction: SimilarityFunction

    /// Loads a sentence-transformers folder (`modules.json`, `1_Pooling/`, optional `2_Dense/`, `2_Normalize/`) or
    /// a plain Hugging Face BERT folder (`config.json`, `model.safetensors`, `vocab.txt` or `tokenizer.json`).
    ///
    /// - Parameters:
    ///   - modelDirectory: the folder.
    ///   - pooling: a strategy replacing the folder's Pooling module; required for a plain BERT folder.
    ///   - threads: worker threads for `encode` (nil: all cores); `EncodeOptions.threads` overrides it per call.
    /// - Throws: `EmbeddingError` naming the file and the problem.
    public init(modelDirectory: URL, pooling: Pooling? = nil, threads: Int? = nil) throws {
        if let threads, threads < 1 { throw EmbeddingError.invalidOption("threads must be at least 1, got \(threads)") }
        folder = try SentenceTransformersFolder(directory: modelDirectory)
        guard let chosen = pooling ?? folder.pooling else {
            throw EmbeddingError.poolingRequired(folder: modelDirectory.path)
        }
        let transformer = folder.transformerDirectory
        let readTokenizer: @Sendable () throws -> BertTokenizer = { [folder] in try folder.loadTokenizer() }
        let context = ComputeContext(threads: threads)
        let loadModel = { try BertModel(directory: transformer, context: context) }
        // With more than one thread the tokenizer files are read on another thread while this one packs the weights;
        // either way a tokenizer error is reported before a model error.
        let background = context.threads > 1 ? BackgroundResult(readTokenizer) : nil
        let loaded = background == nil ? nil : Result { try loadModel() }
        tokenizer = try background?.get() ?? readTokenizer()
        do {
            model = try loaded?.get() ?? loadModel()
        } catch let error as BertModelError {
            throw EmbeddingError.invalidModelFolder(file: transformer.path, reason: error.description)
        } catch {
            throw EmbeddingError.invalidModelFolder(file: transformer.path, reason: "\(error)")
        }
        let config = model.config
        if chosen == .pooler && !model.hasPooler {
            throw EmbeddingError.invalidOption("pooling 'pooler' needs BERT's pooler weights, which this checkpoint lacks")
        }
        _ = try chosen.request(layerCount: config.numHiddenLayers)
        var width = chosen.dimension(hiddenSize: config.hiddenSize)
        for (index, dense) in folder.dense.enumerated() {
            guard dense.linear.inFeatures == width else {
                let before = index == 0 ? "the pooling '\(chosen)'" : "the Dense module before it"
                throw EmbeddingError.invalidModelFolder(
                    file: dense.configPath,
                    reason: "in_features is \(dense.linear.inFeatures), but \(before) gives \(width) values")
            }
            width = dense.linear.outFeatures
        }
        self.pooling = chosen
        dimension = width
        normalizesByDefault = folder.normalize
        let positions = config.maxPositionEmbeddings
        maxSequenceLength = min(folder.maxSequenceLength ?? tokenizer.modelMaxLength ?? positions, positions)
        prompts = folder.prompts
        defaultPromptName = folder.defaultPromptName
        similarityFunction = try SimilarityFunction(configName: folder.similarityFunctionName)
        defaultThreads = threads
    }

    /// Sentence embeddings of `sentences`, one vector of `dimension` floats each (or `truncateDimension`), in order.
    ///
    /// - Throws: `EmbeddingError.invalidOption` for inconsistent options.
    public func encode(_ sentences: [String], options: EncodeOptions = EncodeOptions()) throws -> [[Float]] {
        switch options.longTexts {
        case .truncate:
            return try encode(tokenIds: try tokenize(sentences, options: options), options: options)
        case .slidingWindowMean(let size, let stride):
            let windows = try windowTokenIds(sentences, size: size, stride: stride, options: options)
            let vectors = try encode(tokenIds: windows.flatMap { $0 }, options: options)
            let normalizes = options.normalize ?? folder.normalize
            var next = 0
            return windows.map { textWindows in
                var mean = [Float](repeating: 0, count: vectors[next].count)
                for vector in vectors[next..<(next + textWindows.count)] {
                    for d in mean.indices { mean[d] += vector[d] }
                }
                for d in mean.indices { mean[d] /= Float(textWindows.count) }
                if normalizes { normalizeL2(&mean) }
                next += textWindows.count
                return mean
            }
        }
    }

    /// The embeddings of every window of each text (see `LongTextHandling.slidingWindowMean`): one array of window
    /// vectors per text, in text order, windows in text order.
    ///
    /// - Parameters:
    ///   - size: tokens per window, special and prompt tokens included (at most the model's position count).
    ///   - stride: tokens between the starts of consecutive windows (at most the window's content length).
    public func encodeWindows(
        _ sentences: [String], size: Int, stride: Int, options: EncodeOptions = EncodeOptions()
    ) throws -> [[[Float]]] {
        let windows = try windowTokenIds(sentences, size: size, stride: stride, options: options)
        var vectors = try encode(tokenIds: windows.flatMap { $0 }, options: options)[...]
        return windows.map { textWindows in
            defer { vectors = vectors.dropFirst(textWindows.count) }
            return Array(vectors.prefix(textWindows.count))
        }
    }

    /// The windows of each text: `[CLS]` + prompt + a slice of the text's tokens + `[SEP]`, slices starting every
    /// `stride` tokens until one reaches the end.
    private func windowTokenIds(_ sentences: [String], size: Int, stride: Int, options: EncodeOptions) throws -> [[[Int]]] {
        let positions = model.config.maxPositionEmbeddings
        guard size >= 3 && size <= positions else {
            throw EmbeddingError.invalidOption("window size must be in 3...\(positions), got \(size)")
        }
        let (prompt, _) = try promptPrefix(options)
        // [CLS] + prompt tokens: the prompt's own encoding without its [SEP].
        let head = Array(tokenizer.encodeIds(prompt).dropLast())
        let content = size - head.count - 1
        guard content >= 1 else {
            throw EmbeddingError.invalidOption("window size \(size) leaves no room for text after the prompt")
        }
        guard stride >= 1 && stride <= content else {
            throw EmbeddingError.invalidOption("window stride must be in 1...\(content), got \(stride)")
        }
        let sep = tokenizer.sepTokenId
        return sentences.map { text in
            let ids = Array(tokenizer.encodeIds(text).dropFirst().dropLast())
            var windows: [[Int]] = []
            var start = 0
            repeat {
                let end = min(start + content, ids.count)
                windows.append(head + ids[start..<end] + [sep])
                if end == ids.count { break }
                start += stride
            } while true
            return windows
        }
    }

    /// Sentence embeddings of already tokenized inputs (`tokenIds(_:options:)` of each text: prompt included and
    /// truncated); `options.prompt`/`promptName` only tell how many leading tokens are the prompt.
    package func encode(tokenIds ids: [[Int]], options: EncodeOptions) throws -> [[Float]] {
        var results = [[Float]](repeating: [], count: ids.count)
        let normalize = options.normalize
        if let dim = options.truncateDimension, dim < 1 || dim > dimension {
            throw EmbeddingError.invalidOption("truncateDimension must be in 1...\(dimension), got \(dim)")
        }
        try forEachBatch(ids, options: options) { output, indices, promptTokens, context in
            var rows: [Float] = []
            rows.reserveCapacity(indices.count * pooling.dimension(hiddenSize: output.hiddenSize))
            for s in indices.indices {
                rows += try pooling.pool(
                    output, sequence: s, layerCount: model.config.numHiddenLayers,
                    firstPooledToken: folder.includePrompt ? 0 : promptTokens)
            }
            for dense in folder.dense { rows = dense(rows, rows: indices.count, context: context) }
            let width = rows.count / max(indices.count, 1)
            for (s, index) in indices.enumerated() {
                var vector = Array(rows[(s * width)..<((s + 1) * width)])
                // sentence-transformers' order: the folder's Normalize module, truncate_dim, normalize_embeddings.
                if folder.normalize && normalize != false { normalizeL2(&vector) }
                if let dim = options.truncateDimension { vector.removeLast(vector.count - dim) }
                if normalize == true { normalizeL2(&vector) }
                results[index] = vector
            }
        }
        return results
    }

    /// The sentence embedding of one text (see `encode(_:options:)`).
    public func encode(_ sentence: String, options: EncodeOptions = EncodeOptions()) throws -> [Float] {
        try encode([sentence], options: options)[0]
    }

    /// The last layer's token vectors of each text, padding trimmed: one (tokens x hidden size) array per text,
    /// as sentence-transformers' `output_value="token_embeddings"` (special tokens included).
    public func tokenEmbeddings(_ sentences: [String], options: EncodeOptions = EncodeOptions()) throws -> [[[Float]]] {
        var results = [[[Float]]](repeating: [], count: sentences.count)
        let ids = try tokenize(sentences, options: options)
        try forEachBatch(ids, options: options, layers: [model.config.numHiddenLayers]) { output, indices, _, _ in
            let h = output.hiddenSize
            for (s, index) in indices.enumerated() {
                let rows = output.hiddenState(layer: model.config.numHiddenLayers, sequence: s)
                results[index] = stride(from: rows.startIndex, to: rows.endIndex, by: h).map { Array(rows[$0..<($0 + h)]) }
            }
        }
        return results
    }

    /// Token ids of `text` as `encode` feeds them to the model (prompt, lowercasing and truncation applied).
    public func tokenIds(_ text: String, options: EncodeOptions = EncodeOptions()) throws -> [Int] {
        let (prefix, _) = try promptPrefix(options)
        return tokenizer.encodeIds(prefix + text, maxLength: try sequenceLength(options))
    }

    /// Floating-point operations per token in the encoder's dense layers (q, k, v, attention output,
    /// intermediate, output): 2 x multiply-adds. Used by `bert-embed bench` to report GFLOP/s.
    package var denseFlopsPerToken: Double {
        let h = Double(model.config.hiddenSize), i = Double(model.config.intermediateSize)
        return Double(model.config.numHiddenLayers) * 2 * (4 * h * h + 2 * h * i)
    }

    // MARK: - Batching

    private func sequenceLength(_ options: EncodeOptions) throws -> Int {
        guard let length = options.maxSequenceLength else { return maxSequenceLength }
        let positions = model.config.maxPositionEmbeddings
        guard length >= 2 && length <= positions else {
            throw EmbeddingError.invalidOption("maxSequenceLength must be in 2...\(positions), got \(length)")
        }
        return length
    }

    /// The prompt text to prepend, and its token count with `[CLS]` (excluded from pooling when the folder's
    /// `include_prompt` is false).
    private func promptPrefix(_ options: EncodeOptions) throws -> (String, Int) {
        let prompt = try folder.promptText(prompt: options.prompt, promptName: options.promptName)
        guard !prompt.isEmpty else { return ("", 0) }
        return (prompt, tokenizer.encodeIds(prompt).count - 1)
    }

    /// The token ids of each text as the model gets them (prompt prepended, truncated).
    private func tokenize(_ sentences: [String], options: EncodeOptions) throws -> [[Int]] {
        let maxLength = try sequenceLength(options)
        let (prefix, _) = try promptPrefix(options)
        return sentences.map { tokenizer.encodeIds(prefix + $0, maxLength: maxLength) }
    }

    /// Groups `ids` by length, runs the encoder, and hands each batch's output to `body` with the input
    /// indices of its sequences.
    private func forEachBatch(
        _ ids: [[Int]], options: EncodeOptions, layers: [Int]? = nil,
        _ body: (BertBatchOutput, [Int], Int, ComputeContext) throws -> Void
    ) throws {
        guard options.batchSize >= 1 else {
            throw EmbeddingError.invalidOption("batchSize must be at least 1, got \(options.batchSize)")
        }
        if let threads = options.threads, threads < 1 {
            throw EmbeddingError.invalidOption("threads must be at least 1, got \(threads)")
        }
        let context = ComputeContext(threads: options.threads ?? defaultThreads)
        let (_, promptTokens) = try promptPrefix(options)
        // Longest first, as sentence-transformers does; ties keep input order.
        let order = ids.indices.sorted { ids[$0].count > ids[$1].count || (ids[$0].count == ids[$1].count && $0 < $1) }
        var request = try pooling.request(layerCount: model.config.numHiddenLayers)
        if let layers { request = BertOutputRequest(hiddenStates: Set(layers)) }
        // One set of activation buffers for all batches: the first batch, of the longest texts, has the most tokens.
        let scratch = model.scratch(tokens: order.prefix(options.batchSize).reduce(0) { $0 + ids[$1].count })
        var done = 0
        for start in stride(from: 0, to: order.count, by: options.batchSize) {
            let indices = Array(order[start..<min(start + options.batchSize, order.count)])
            let output: BertBatchOutput
            do {
                output = try model.forward(
                    inputIds: indices.map { ids[$0] }, request: request, context: context, scratch: scratch)
            } catch let error as BertModelError {
                throw EmbeddingError.invalidInput(error.description)
            }
            try body(output, indices, promptTokens, context)
            done += indices.count
            options.progress?(done, ids.count)
        }
    }
}

/// Scales `vector` to unit L2 norm (a zero vector stays zero), as torch's `F.normalize` (eps 1e-12).
func normalizeL2(_ vector: inout [Float]) {
    var sum: Float = 0
    for v in vector { sum += v * v }
    let norm = max(sum.squareRoot(), 1e-12)
    for i in vector.indices { vector[i] /= norm }
}
