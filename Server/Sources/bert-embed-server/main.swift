// bert-embed-server: serve a sentence-transformers model over HTTP (see the package's EmbeddingServer).
import ArgumentParser
import BertEmbed
import BertEmbedServer
import Foundation

@main
struct BertEmbedServerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bert-embed-server",
        abstract: "Serve sentence embeddings over HTTP: OpenAI's /v1/embeddings and text-embeddings-inference's "
            + "/embed, /embed_sparse, /rerank, /tokenize, /info, /health and /metrics.")

    @Option(help: "A model folder, or a Hugging Face repository id (ORG/NAME[@REVISION]) from the cache / Hub.")
    var model: String

    @Option(help: "A cross-encoder (folder or repository id) for /rerank.")
    var reranker: String?

    @Option(help: "A SPLADE model (folder or repository id) for /embed_sparse.")
    var sparseModel: String?

    @Option(help: "The address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "The port (0: any free port, printed on standard output).")
    var port = 8080

    @Option(help: "Threads of the forward passes (default: all cores).")
    var threads: Int?

    @Option(help: "How the dense layers compute: float32 (default), bfloat16 (half the weight memory) or int8 (31 %).")
    var computeType = "float32"

    @Option(help: "Tokens per shared forward pass (concurrent requests are batched up to it).")
    var passTokens = 4096

    @Option(help: "Most inputs in one request.")
    var maxClientBatchSize = 512

    @Option(help: "Most inputs waiting or running over all requests; past it requests get 429 at once.")
    var maxConcurrentInputs = 8192

    @Option(help: "Largest request body in bytes.")
    var maxBodyBytes = 2 << 20

    @Flag(help: "Truncate over-long inputs unless a request says otherwise (default: refuse them with 413).")
    var autoTruncate = false

    @Option(help: "Require 'Authorization: Bearer KEY' (default: $BERT_EMBED_API_KEY if set).")
    var apiKey: String?

    func validate() throws {
        guard ComputeType(name: computeType) != nil else {
            throw ValidationError(
                "unknown compute type '\(computeType)' (one of: \(ComputeType.allCases.map(\.name).joined(separator: ", ")))"
            )
        }
    }

    func run() async throws {
        var compute = ComputeOptions(threads: threads, computeType: ComputeType(name: computeType) ?? .float32)
        compute.passTokenBudget = passTokens
        func folder(_ name: String) throws -> URL {
            if FileManager.default.fileExists(atPath: name) { return URL(fileURLWithPath: name) }
            let parts = name.split(separator: "@", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            guard let repository = parts.first, !repository.isEmpty else {
                throw ValidationError(
                    "'\(name)': no such folder, nor a Hugging Face repository id (ORG/NAME[@REVISION])")
            }
            return try HuggingFaceHub.snapshot(repository, revision: parts.count > 1 ? parts[1] : "main")
        }
        let models = ServedModels(
            encoder: try SentenceEncoder(modelDirectory: try folder(model), compute: compute),
            name: FileManager.default.fileExists(atPath: model) ? URL(fileURLWithPath: model).lastPathComponent : model,
            reranker: try reranker.map { try CrossEncoder(modelDirectory: try folder($0), compute: compute) },
            sparse: try sparseModel.map { try SparseEncoder(modelDirectory: try folder($0), compute: compute) })
        var limits = ServerLimits()
        limits.maxInputsPerRequest = maxClientBatchSize
        limits.maxQueuedInputs = maxConcurrentInputs
        limits.maxBodyBytes = maxBodyBytes
        limits.autoTruncate = autoTruncate
        limits.apiKey =
            apiKey ?? ProcessInfo.processInfo.environment["BERT_EMBED_API_KEY"].flatMap { $0.isEmpty ? nil : $0 }
        let server = EmbeddingServer(models: models, limits: limits)
        let app = server.application(host: host, port: port) { port in
            // One line for scripts waiting for the port; written unbuffered.
            FileHandle.standardOutput.write(Data("listening on http://\(host):\(port)\n".utf8))
        }
        try await app.runService()
    }
}
