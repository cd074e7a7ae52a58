// What a server serves and its limits: every value a command-line option of bert-embed-server.
import BertEmbed

/// The models one server answers with.
public struct ServedModels: Sendable {
    /// The sentence encoder behind /v1/embeddings and /embed.
    public let encoder: SentenceEncoder
    /// The name reported in responses and /info (a repository id or the folder's name).
    public let name: String
    /// The cross-encoder behind /rerank, if any.
    public let reranker: CrossEncoder?
    /// The SPLADE encoder behind /embed_sparse, if any.
    public let sparse: SparseEncoder?

    /// The models.
    public init(encoder: SentenceEncoder, name: String, reranker: CrossEncoder? = nil, sparse: SparseEncoder? = nil) {
        self.encoder = encoder
        self.name = name
        self.reranker = reranker
        self.sparse = sparse
    }
}

/// A server's limits and settings.
public struct ServerLimits: Sendable {
    /// Largest request body accepted (413 above it). Default 2 MB, as text-embeddings-inference's payload limit.
    public var maxBodyBytes = 2 << 20
    /// Most inputs (texts, token sequences, rerank documents) in one request (413 above it).
    public var maxInputsPerRequest = 512
    /// Most inputs waiting or running at once over all requests: a request that would pass it is answered 429 at
    /// once (memory stays bounded; the client retries or goes to another replica).
    public var maxQueuedInputs = 8192
    /// Inputs over the model's length limit are truncated when a request does not say (text-embeddings-inference's
    /// `--auto-truncate`); otherwise they are refused unless the request asks for truncation.
    public var autoTruncate = false
    /// `Authorization: Bearer KEY` required on every route but /health when set.
    public var apiKey: String?
    /// Seconds a connection may stay idle (slow or stalled clients are closed).
    public var idleTimeoutSeconds = 60

    /// The defaults.
    public init() {}
}
