// The sentence-transformers modules after the Transformer: Pooling, Dense, Normalize, then `truncate_dim` and
// `normalize_embeddings`, in sentence-transformers' order.
import BertEmbedKernels
import BertEmbedModel

/// The pipeline from an encoder batch to sentence vectors.
struct SentenceEmbeddingModules: Sendable {
    /// The pooling strategy (the folder's or the caller's).
    let pooling: Pooling
    /// Dense modules after pooling, in order.
    let dense: [DenseModule]
    /// Whether the folder ends with a Normalize module.
    let normalize: Bool
    /// The folder's `include_prompt`: false leaves prompt tokens out of pooling.
    let includePrompt: Bool
    /// The model's encoder layers (negative pooling layers count back from the last).
    let layerCount: Int
    /// Width of the vectors before any truncation.
    let dimension: Int

    /// The modules of `folder` with `pooling` on `model`, Dense modules packed for `context`.
    /// - Throws: `EmbeddingError` for a pooling the model cannot give (the pooler without pooler weights, a layer
    ///   out of range) or a Dense module whose input width does not follow from what comes before it.
    init(pooling: Pooling, folder: SentenceTransformersFolder, model: BertModel, context: ComputeContext) throws {
        let config = model.config
        if pooling == .pooler && !model.hasPooler {
            throw EmbeddingError.invalidOption(
                "pooling 'pooler' needs BERT's pooler weights, which this checkpoint lacks")
        }
        _ = try pooling.request(layerCount: config.numHiddenLayers)
        var width = pooling.dimension(hiddenSize: config.hiddenSize)
        var dense: [DenseModule] = []
        for (index, directory) in folder.denseDirectories.enumerated() {
            let module = try DenseModule(directory: directory, context: context)
            guard module.linear.inFeatures == width else {
                let before = index == 0 ? "the pooling '\(pooling)'" : "the Dense module before it"
                throw EmbeddingError.invalidModelFolder(
                    file: module.configPath,
                    reason: "in_features is \(module.linear.inFeatures), but \(before) gives \(width) values")
            }
            width = module.linear.outFeatures
            dense.append(module)
        }
        self.pooling = pooling
        self.dense = dense
        normalize = folder.normalize
        includePrompt = folder.includePrompt
        layerCount = config.numHiddenLayers
        dimension = width
    }

    /// What the encoder must output for the pooling.
    func request() throws -> BertOutputRequest { try pooling.request(layerCount: layerCount) }

    /// The sentence vector of each sequence of `batch` (or of those at positions `sequences`), in that order:
    /// pooled, through the Dense modules, then sentence-transformers' order: the folder's Normalize module (unless
    /// `normalize` is false), the truncation to `truncateDimension`, and `normalize_embeddings` (when `normalize`
    /// is true).
    func vectors(
        _ batch: EncoderBatch, sequences: [Int]? = nil, normalize: Bool?, truncateDimension: Int?
    ) throws -> [[Float]] {
        let chosen = sequences ?? Array(batch.indices.indices)
        let count = chosen.count
        var rows: [Float] = []
        rows.reserveCapacity(count * pooling.dimension(hiddenSize: batch.output.hiddenSize))
        for s in chosen {
            rows += try pooling.pool(
                batch.output, sequence: s, layerCount: layerCount,
                firstPooledToken: includePrompt ? 0 : batch.promptTokenCount)
        }
        for module in dense { rows = module(rows, rows: count, context: batch.context) }
        let width = rows.count / max(count, 1)
        return (0..<count).map { s in
            var vector = Array(rows[(s * width)..<((s + 1) * width)])
            if self.normalize && normalize != false { normalizeL2(&vector) }
            if let dim = truncateDimension { vector.removeLast(vector.count - dim) }
            if normalize == true { normalizeL2(&vector) }
            return vector
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
