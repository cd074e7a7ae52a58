// The public facade: a model folder in, `encode(sentences)` out, equal to sentence-transformers' encode.
//
// What happens where: EncoderInputs (prompt, tokenization, lengths), LongTextWindows (texts longer than the model),
// EncoderBatches (length-sorted batches through the encoder), SentenceEmbeddingModules (pooling, Dense, Normalize,
// truncation), SentenceTransformersFolder (what the folder says), ComputeOptions (threads and kernels).
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
    let inputs: EncoderInputs
    let model: BertModel
    let modules: SentenceEmbeddingModules
    /// The threads and kernels chosen at load.
    let context: ComputeContext
    /// The forward passes the async calls share.
    package let passes: SharedForwardPasses

    /// The pooling strategy in use (the folder's, or the one passed to `init`).
    public var pooling: Pooling { modules.pooling }
    /// The length of the vectors `encode` returns (before `truncateDimension`).
    public var dimension: Int { modules.dimension }
    /// Whether `encode` normalizes by default (the folder ends with a `Normalize` module).
    public var normalizesByDefault: Bool { modules.normalize }
    /// Tokens per text, special tokens included, beyond which `encode` truncates by default.
    public var maxSequenceLength: Int { inputs.defaultSequenceLength }
    /// The folder's named prompts (`config_sentence_transformers.json`).
    public var prompts: [String: String] { inputs.folder.prompts }
    /// The prompt used when `encode` is given none.
    public var defaultPromptName: String? { inputs.folder.defaultPromptName }
    /// The similarity the model was trained for (`similarity_fn_name`), cosine when the folder does not say.
    public let similarityFunction: SimilarityFunction

    /// Loads a sentence-transformers folder (`modules.json`, `1_Pooling/`, optional `2_Dense/`, `2_Normalize/`) or
    /// a plain Hugging Face BERT folder (`config.json`, `model.safetensors`, `vocab.txt` or `tokenizer.json`).
    ///
    /// - Parameters:
    ///   - modelDirectory: the folder.
    ///   - pooling: a strategy replacing the folder's Pooling module; required for a plain BERT folder.
    ///   - compute: threads and CPU code (see `ComputeOptions`); the environment fills in what it leaves nil.
    /// - Throws: `EmbeddingError` naming the file and the problem, or the option or environment variable.
    public init(modelDirectory: URL, pooling: Pooling? = nil, compute: ComputeOptions = ComputeOptions()) throws {
        context = try compute.context()
        let folder = try SentenceTransformersFolder(directory: modelDirectory)
        guard let chosen = pooling ?? folder.pooling else {
            // A plain cross-encoder folder: say so rather than ask for a pooling.
            let configURL = folder.transformerDirectory.appendingPathComponent("config.json")
            if let config = try? BertConfig(contentsOf: configURL),
                let task = config.architectures.first(where: { $0.hasSuffix("ForSequenceClassification") })
            {
                throw EmbeddingError.invalidModelFolder(
                    file: configURL.path,
                    reason: "architectures [\(task)]: a cross-encoder (reranker); load it with CrossEncoder, or give "
                        + "a pooling to embed with its encoder")
            }
            throw EmbeddingError.poolingRequired(folder: modelDirectory.path)
        }
        let tokenizer: Tokenizer
        (tokenizer, model) = try Self.load(folder, context: context)
        modules = try SentenceEmbeddingModules(pooling: chosen, folder: folder, model: model, context: context)
        let positions = model.config.maxSequenceLength
        inputs = EncoderInputs(
            tokenizer: tokenizer, folder: folder,
            defaultSequenceLength: min(folder.maxSequenceLength ?? tokenizer.modelMaxLength ?? positions, positions),
            positions: positions)
        similarityFunction = try SimilarityFunction(configName: folder.similarityFunctionName)
        passes = SharedForwardPasses(model: model, context: context, tokenBudget: compute.passTokenBudget)
    }

    /// The tokenizer and the model of `folder` (see `ModelLoading`).
    private static func load(
        _ folder: SentenceTransformersFolder, context: ComputeContext
    ) throws -> (Tokenizer, BertModel) {
        try ModelLoading.tokenizerAndModel(
            directory: folder.transformerDirectory, readTokenizer: { try folder.loadTokenizer() }, context: context)
    }

    /// Sentence embeddings of `sentences`, one vector of `dimension` floats each (or `truncateDimension`), in order.
    ///
    /// - Throws: `EmbeddingError.invalidOption` for inconsistent options.
    public func encode(_ sentences: [String], options: EncodeOptions = EncodeOptions()) throws -> [[Float]] {
        switch options.longTexts {
        case .truncate:
            return try encode(tokenIds: try inputs.tokenIds(sentences, options: options), options: options)
        case .slidingWindowMean(let size, let stride):
            let windows = try LongTextWindows.tokenIds(
                sentences, size: size, stride: stride, inputs: inputs, options: options)
            let vectors = try encode(
                tokenIds: windows.flatMap { $0 },
                options: LongTextWindows.progressInTexts(options, texts: sentences.count))
            let normalizes = options.normalize ?? modules.normalize
            var next = 0
            return windows.map { textWindows in
                defer { next += textWindows.count }
                return LongTextWindows.mean(vectors[next..<(next + textWindows.count)], normalize: normalizes)
            }
        }
    }

    /// The sentence embedding of one text (see `encode(_:options:)`).
    public func encode(_ sentence: String, options: EncodeOptions = EncodeOptions()) throws -> [Float] {
        try encode([sentence], options: options)[0]
    }

    /// The embeddings of every window of each text (see `LongTextHandling.slidingWindowMean`): one array of window
    /// vectors per text, in text order, windows in text order.
    ///
    /// - Parameters:
    ///   - sentences: the texts.
    ///   - size: tokens per window, special and prompt tokens included (at most the model's position count).
    ///   - stride: tokens between the starts of consecutive windows (at most the window's room for text).
    ///   - options: as for `encode` (`longTexts` is ignored).
    /// - Throws: `EmbeddingError.invalidOption` for a window that does not fit, or inconsistent options.
    public func encodeWindows(
        _ sentences: [String], size: Int, stride: Int, options: EncodeOptions = EncodeOptions()
    ) throws -> [[[Float]]] {
        let windows = try LongTextWindows.tokenIds(
            sentences, size: size, stride: stride, inputs: inputs, options: options)
        var vectors = try encode(tokenIds: windows.flatMap { $0 }, options: options)[...]
        return windows.map { textWindows in
            defer { vectors = vectors.dropFirst(textWindows.count) }
            return Array(vectors.prefix(textWindows.count))
        }
    }

    /// The last layer's token vectors of each text, padding trimmed: one (tokens x hidden size) array per text,
    /// as sentence-transformers' `output_value="token_embeddings"` (special tokens included).
    ///
    /// - Throws: `EmbeddingError.invalidOption` for inconsistent options.
    public func tokenEmbeddings(_ sentences: [String], options: EncodeOptions = EncodeOptions()) throws -> [[[Float]]] {
        var results = [[[Float]]](repeating: [], count: sentences.count)
        let last = model.config.numHiddenLayers
        try forEachBatch(
            try inputs.tokenIds(sentences, options: options), request: BertOutputRequest(hiddenStates: [last]),
            options: options
        ) { batch in
            let h = batch.output.hiddenSize
            for (s, index) in batch.indices.enumerated() {
                let rows = batch.output.hiddenState(layer: last, sequence: s)
                results[index] = stride(from: rows.startIndex, to: rows.endIndex, by: h).map {
                    Array(rows[$0..<($0 + h)])
                }
            }
        }
        return results
    }

    /// Token ids of `text` as `encode` feeds them to the model (prompt, lowercasing and truncation applied).
    ///
    /// - Throws: `EmbeddingError.invalidOption` for an unknown prompt name or a length out of range.
    public func tokenIds(_ text: String, options: EncodeOptions = EncodeOptions()) throws -> [Int] {
        try inputs.tokenIds([text], options: options)[0]
    }

    /// Sentence embeddings of already tokenized inputs (`tokenIds(_:options:)` of each text: prompt included and
    /// truncated); `options.prompt`/`promptName` only tell how many leading tokens are the prompt.
    package func encode(tokenIds ids: [[Int]], options: EncodeOptions) throws -> [[Float]] {
        if let dim = options.truncateDimension, dim < 1 || dim > dimension {
            throw EmbeddingError.invalidOption("truncateDimension must be in 1...\(dimension), got \(dim)")
        }
        var results = [[Float]](repeating: [], count: ids.count)
        try forEachBatch(ids, request: try modules.request(), options: options) { batch in
            let vectors = try modules.vectors(
                batch, normalize: options.normalize, truncateDimension: options.truncateDimension)
            for (vector, index) in zip(vectors, batch.indices) { results[index] = vector }
        }
        return results
    }

    /// Runs `ids` through the encoder in length-sorted batches with the call's threads.
    private func forEachBatch(
        _ ids: [[Int]], request: BertOutputRequest, options: EncodeOptions, _ body: (EncoderBatch) throws -> Void
    ) throws {
        if let threads = options.threads, threads < 1 {
            throw EmbeddingError.invalidOption("threads must be at least 1, got \(threads)")
        }
        try EncoderBatches(model: model).forEach(
            ids, request: request, promptTokenCount: try inputs.prompt(options).tokenCount, options: options,
            context: context.with(threads: options.threads), body)
    }

    /// Floating-point operations per token in the encoder's dense layers (q, k, v, attention output,
    /// intermediate, output): 2 x multiply-adds. Used by `bert-embed bench` to report GFLOP/s.
    package var denseFlopsPerToken: Double {
        let h = Double(model.config.hiddenSize), i = Double(model.config.intermediateSize)
        return Double(model.config.numHiddenLayers) * 2 * (4 * h * h + 2 * h * i)
    }

    /// The name of the GEMM micro-kernel the encoder runs (`bert-embed bench` reports it).
    package var gemmKernelName: String { context.kernels.gemm.name }

    /// The name of the integer micro-kernel the encoder's int8 layers run, or nil: not int8, or int8 layers that widen
    /// their weights to float32 for `gemmKernelName` (`bert-embed bench` reports it).
    package var int8KernelName: String? { context.weightFormat == .int8 ? context.kernels.int8Gemm?.name : nil }

    /// The kernel the encoder's bfloat16 layers run (`KernelSet.bfloat16KernelName`: the AMX tile, or
    /// `gemmKernelName` + "-bf16pairs" for the generated tile's twin reading bfloat16 pairs), or nil: not bfloat16,
    /// or bfloat16 layers that widen their weights to float32 in memory (`bert-embed bench` reports it).
    package var bfloat16KernelName: String? {
        context.weightFormat == .bfloat16 ? context.kernels.bfloat16KernelName : nil
    }

    /// The bytes the dense layers keep, the encoder's and the `Dense` modules' (`bert-embed bench` reports it).
    package var denseWeightBytes: Int {
        model.denseWeightBytes + modules.dense.reduce(0) { $0 + $1.linear.byteCount }
    }
}
