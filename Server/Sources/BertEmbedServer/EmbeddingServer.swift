// The HTTP application: OpenAI's /v1/embeddings and text-embeddings-inference's routes over the library's async API,
// whose concurrent calls share forward passes under a token budget (SentenceEncoder's shared passes), with the
// limits of `ServerLimits`: body size (413), inputs per request (413), inputs in flight (429 at once), tokens per
// input (truncated or refused as the request and `autoTruncate` say), an optional API key (401), and 503 once
// graceful shutdown began (requests in flight finish).
import BertEmbed
import Foundation
import Hummingbird
import NIOCore
import ServiceLifecycle

/// A failed request: its status and message, written in the error shape of the route's API.
struct APIError: Error {
    let status: HTTPResponse.Status
    let message: String
    /// text-embeddings-inference's `error_type`.
    let kind: String

    static func validation(_ message: String, status: HTTPResponse.Status = .badRequest) -> APIError {
        APIError(status: status, message: message, kind: "Validation")
    }
}

/// Which API a route follows, for its error bodies.
enum ErrorStyle {
    /// `{"error": {"message", "type", "param", "code"}}`
    case openAI
    /// `{"error": "...", "error_type": "..."}`
    case textEmbeddingsInference
}

/// The routes and what they share.
public struct EmbeddingServer: Sendable {
    let models: ServedModels
    let limits: ServerLimits
    let admission: Admission
    let metrics = Metrics()
    let drain = DrainState()

    /// A server of `models` within `limits`.
    public init(models: ServedModels, limits: ServerLimits) {
        self.models = models
        self.limits = limits
        admission = Admission(limit: limits.maxQueuedInputs)
    }

    /// The application listening on `host`:`port` (0: any free port, reported to `onServerRunning`). Run it with
    /// `runService()`: SIGTERM and SIGINT shut it down gracefully.
    public func application(
        host: String, port: Int, onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        let drain = self.drain
        return Application(
            router: router(),
            server: .http1(configuration: .init(idleTimeout: .seconds(Int64(limits.idleTimeoutSeconds)))),
            configuration: .init(address: .hostname(host, port: port), serverName: "bert-embed-server"),
            services: [DrainService(drain: drain)],
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? port) })
    }

    /// The routes.
    public func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.get("/health") { _, _ in
            await self.respond(route: "/health", style: .textEmbeddingsInference, nil) { "ok" }
        }
        router.get("/info") { request, _ in
            await self.respond(route: "/info", style: .textEmbeddingsInference, request) { self.info() }
        }
        router.get("/metrics") { request, _ in
            await self.respondText(route: "/metrics", request) {
                self.metrics.render(queueDepth: self.admission.depth)
            }
        }
        router.post("/v1/embeddings") { request, _ in
            await self.respond(route: "/v1/embeddings", style: .openAI, request) { body in
                try await self.openAIEmbeddings(try Self.decode(OpenAIEmbeddingRequest.self, body, style: .openAI))
            }
        }
        // text-embeddings-inference answers POST / with its model's route (for an embedding model, /embed): what
        // huggingface_hub's InferenceClient posts to when given the server's URL.
        for path in ["/embed", "/"] {
            router.post(RouterPath(path)) { request, _ in
                await self.respond(route: "/embed", style: .textEmbeddingsInference, request) { body in
                    try await self.embed(try Self.decode(EmbedRequest.self, body, style: .textEmbeddingsInference))
                }
            }
        }
        router.post("/embed_sparse") { request, _ in
            await self.respond(route: "/embed_sparse", style: .textEmbeddingsInference, request) { body in
                try await self.embedSparse(
                    try Self.decode(EmbedSparseRequest.self, body, style: .textEmbeddingsInference))
            }
        }
        router.post("/rerank") { request, _ in
            await self.respond(route: "/rerank", style: .textEmbeddingsInference, request) { body in
                try await self.rerank(try Self.decode(RerankRequest.self, body, style: .textEmbeddingsInference))
            }
        }
        router.post("/tokenize") { request, _ in
            await self.respond(route: "/tokenize", style: .textEmbeddingsInference, request) { body in
                try self.tokenize(try Self.decode(TokenizeRequest.self, body, style: .textEmbeddingsInference))
            }
        }
        return router
    }

    // MARK: Request handling

    /// Runs `handler` on the request's body (collected up to the limit) after the common checks, and writes its JSON
    /// (or the error in the route's style), recording the request's metrics.
    private func respond(
        route: String, style: ErrorStyle, _ request: Request?, _ handler: (ByteBuffer) async throws -> JSONOutput
    ) async -> Response {
        let start = ContinuousClock.now
        var status = HTTPResponse.Status.ok
        defer {
            let elapsed = ContinuousClock.now - start
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
            metrics.request(route: route, status: status.code, seconds: seconds)
        }
        do {
            var body = ByteBuffer()
            if let request {
                try check(request, route: route)
                if request.method == .post {
                    // A declared length over the limit is refused before a byte of the body is read.
                    if let declared = request.headers[.contentLength].flatMap({ Int($0) }),
                        declared > limits.maxBodyBytes
                    {
                        throw APIError.validation(
                            "the request body is larger than \(limits.maxBodyBytes) bytes", status: .contentTooLarge)
                    }
                    do {
                        body = try await request.body.collect(upTo: limits.maxBodyBytes)
                    } catch {
                        throw APIError.validation(
                            "the request body is larger than \(limits.maxBodyBytes) bytes", status: .contentTooLarge)
                    }
                }
            }
            let output = try await handler(body)
            return Self.json(output.bytes, status: .ok)
        } catch let error as APIError {
            status = error.status
            var response = Self.errorResponse(error, style: style)
            // The unread rest of a body too large is not worth reading: the connection ends with the answer.
            if error.status == .contentTooLarge { response.headers[.connection] = "close" }
            return response
        } catch let error as EmbeddingError {
            status = .badRequest
            return Self.errorResponse(.validation("\(error)"), style: style)
        } catch is CancellationError {
            status = .init(code: 499)
            return Self.errorResponse(APIError(status: status, message: "cancelled", kind: "Cancelled"), style: style)
        } catch {
            status = .internalServerError
            return Self.errorResponse(
                APIError(status: .internalServerError, message: "\(error)", kind: "Backend"), style: style)
        }
    }

    private func respond(
        route: String, style: ErrorStyle, _ request: Request?, _ handler: () async throws -> String
    ) async -> Response {
        await respond(route: route, style: style, request) { _ in
            var output = JSONOutput()
            output.string(try await handler())
            return output
        }
    }

    private func respond(
        route: String, style: ErrorStyle, _ request: Request?, _ handler: () -> JSONOutput
    ) async
        -> Response
    {
        await respond(route: route, style: style, request) { (_: ByteBuffer) in handler() }
    }

    private func respondText(route: String, _ request: Request, _ text: () -> String) async -> Response {
        do {
            try check(request, route: route)
        } catch let error as APIError {
            return Self.errorResponse(error, style: .textEmbeddingsInference)
        } catch {}
        metrics.request(route: route, status: 200, seconds: 0)
        var headers = HTTPFields()
        headers[.contentType] = "text/plain; version=0.0.4"
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text())))
    }

    /// 503 while draining; 401 without the API key (every route but /health).
    private func check(_ request: Request, route: String) throws {
        if drain.isDraining {
            throw APIError(status: .serviceUnavailable, message: "the server is shutting down", kind: "Unhealthy")
        }
        guard let key = limits.apiKey, route != "/health" else { return }
        let given = request.headers[.authorization] ?? ""
        guard Self.constantTimeEqual(Array(given.utf8), Array("Bearer \(key)".utf8)) else {
            throw APIError(
                status: .unauthorized, message: "missing or wrong API key (Authorization: Bearer KEY)",
                kind: "Unauthorized")
        }
    }

    /// Whether `a` equals `b`, in time that depends on their lengths only.
    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        var difference = UInt8(a.count == b.count ? 0 : 1)
        for index in 0..<max(a.count, b.count) {
            difference |= (index < a.count ? a[index] : 0) ^ (index < b.count ? b[index] : 0)
        }
        return difference == 0
    }

    static func decode<T: Decodable>(_ type: T.Type, _ body: ByteBuffer, style: ErrorStyle) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: Data(body.readableBytesView))
        } catch let error as DecodingError {
            let message: String
            switch error {
            case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
                let path = context.codingPath.map(\.stringValue).joined(separator: ".")
                message = (path.isEmpty ? "" : "\(path): ") + context.debugDescription
            case .keyNotFound(let key, _):
                message = "missing field '\(key.stringValue)'"
            @unknown default:
                message = "\(error)"
            }
            throw APIError.validation(
                "invalid request body: \(message)", status: style == .openAI ? .badRequest : .unprocessableContent)
        } catch {
            throw APIError.validation("invalid request body: \(error)", status: .badRequest)
        }
    }

    static func json(_ bytes: [UInt8], status: HTTPResponse.Status) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        var buffer = ByteBuffer()
        buffer.writeBytes(bytes)
        return Response(status: status, headers: headers, body: .init(byteBuffer: buffer))
    }

    static func errorResponse(_ error: APIError, style: ErrorStyle) -> Response {
        var output = JSONOutput()
        switch style {
        case .openAI:
            output.raw("{\"error\": {\"message\": ")
            output.string(error.message)
            output.raw(", \"type\": ")
            output.string(error.status.code >= 500 ? "server_error" : "invalid_request_error")
            output.raw(", \"param\": null, \"code\": null}}")
        case .textEmbeddingsInference:
            output.raw("{\"error\": ")
            output.string(error.message)
            output.raw(", \"error_type\": ")
            output.string(error.kind)
            output.raw("}")
        }
        return json(output.bytes, status: error.status)
    }

    // MARK: Routes

    private func info() -> JSONOutput {
        var output = JSONOutput()
        output.raw("{\"model_id\": ")
        output.string(models.name)
        output.raw(", \"model_dtype\": \"float32\", \"model_type\": {\"embedding\": {\"pooling\": ")
        output.string("\(models.encoder.pooling)")
        output.raw(
            "}}, \"dimension\": \(models.encoder.dimension), \"max_input_length\": \(models.encoder.maxSequenceLength)"
                + ", \"max_client_batch_size\": \(limits.maxInputsPerRequest)"
                + ", \"max_concurrent_requests\": \(limits.maxQueuedInputs), \"auto_truncate\": \(limits.autoTruncate)"
                + ", \"reranker\": \(models.reranker != nil), \"sparse\": \(models.sparse != nil)"
                + ", \"version\": \"0.1.0\", \"router\": \"bert-embed-server\"}")
        return output
    }

    /// Checks the count, admits the inputs, runs `body`, then releases them.
    private func admitted<T>(_ count: Int, _ body: () async throws -> T) async throws -> T {
        guard count > 0 else { throw APIError.validation("the input is empty") }
        guard count <= limits.maxInputsPerRequest else {
            throw APIError.validation(
                "\(count) inputs in one request; the limit is \(limits.maxInputsPerRequest)", status: .contentTooLarge)
        }
        guard admission.reserve(count) else {
            throw APIError(
                status: .tooManyRequests, message: "the model is overloaded: \(admission.depth) inputs are waiting",
                kind: "Overloaded")
        }
        defer { admission.release(count) }
        return try await body()
    }

    /// The token ids of `input` as the model gets them, over-long ones truncated when `truncate`, else refused.
    private func modelInputs(_ input: EmbeddingInput, truncate: Bool, options: EncodeOptions) throws -> [[Int]] {
        let limit = models.encoder.maxSequenceLength
        switch input {
        case .texts(let texts, _):
            return try texts.enumerated().map { index, text in
                let tokens = try models.encoder.tokenize(text, options: options)
                try Self.checkLength(
                    "input \(index)", tokens: tokens.untruncatedCount, limit: limit, truncate: truncate)
                return tokens.ids
            }
        case .tokenIds(let batch):
            return try batch.enumerated().map { index, ids in
                guard !ids.isEmpty else { throw APIError.validation("token sequence \(index) is empty") }
                guard ids.count <= limit || truncate else {
                    throw APIError.validation(
                        "token sequence \(index) has \(ids.count) tokens; the model takes at most \(limit)",
                        status: .contentTooLarge)
                }
                return Array(ids.prefix(limit))
            }
        }
    }

    /// Refuses (413) an input of `tokens` tokens over the model's `limit` unless the request lets it be cut.
    private static func checkLength(_ input: String, tokens: Int, limit: Int, truncate: Bool) throws {
        guard tokens <= limit || truncate else {
            throw APIError.validation(
                "\(input) has \(tokens) tokens; the model takes at most \(limit) (send \"truncate\": true to cut it)",
                status: .contentTooLarge)
        }
    }

    /// Embeddings of `input` and the tokens they took.
    private func embedInputs(
        _ input: EmbeddingInput, truncate: Bool, normalize: Bool?, dimensions: Int?, promptName: String?
    ) async throws -> ([[Float]], Int) {
        var options = EncodeOptions()
        options.normalize = normalize
        if case .texts = input { options.promptName = promptName }
        if let dimensions {
            guard (1...models.encoder.dimension).contains(dimensions) else {
                throw APIError.validation("dimensions must be in 1...\(models.encoder.dimension), got \(dimensions)")
            }
            options.truncateDimension = dimensions
            if normalize == nil && models.encoder.normalizesByDefault { options.normalize = true }
        }
        let ids = try modelInputs(input, truncate: truncate, options: options)
        let tokens = ids.reduce(0) { $0 + $1.count }
        let vectors = try await models.encoder.encode(tokenIds: ids, options: options)
        metrics.embedded(inputs: ids.count, tokens: tokens)
        return (vectors, tokens)
    }

    private func openAIEmbeddings(_ request: OpenAIEmbeddingRequest) async throws -> JSONOutput {
        let base64: Bool
        switch request.encodingFormat ?? "float" {
        case "float": base64 = false
        case "base64": base64 = true
        case let other: throw APIError.validation("encoding_format must be float or base64, got '\(other)'")
        }
        let (vectors, tokens) = try await admitted(request.input.count) {
            try await embedInputs(
                request.input, truncate: limits.autoTruncate, normalize: nil, dimensions: request.dimensions,
                promptName: nil)
        }
        var output = JSONOutput(capacity: vectors.count * (vectors.first?.count ?? 0) * 12 + 256)
        output.raw("{\"object\": \"list\", \"data\": [")
        for (index, vector) in vectors.enumerated() {
            output.raw(index == 0 ? "" : ", ")
            output.raw("{\"object\": \"embedding\", \"index\": \(index), \"embedding\": ")
            if base64 { output.base64Floats(vector) } else { output.floats(vector) }
            output.raw("}")
        }
        output.raw("], \"model\": ")
        output.string(request.model ?? models.name)
        output.raw(", \"usage\": {\"prompt_tokens\": \(tokens), \"total_tokens\": \(tokens)}}")
        return output
    }

    private func embed(_ request: EmbedRequest) async throws -> JSONOutput {
        if let direction = request.truncationDirection, direction.lowercased() != "right" {
            throw APIError.validation("truncation_direction \(direction) is not supported (Right only)")
        }
        let (vectors, _) = try await admitted(request.inputs.count) {
            try await embedInputs(
                request.inputs, truncate: request.truncate ?? limits.autoTruncate, normalize: request.normalize ?? true,
                dimensions: request.dimensions, promptName: request.promptName)
        }
        var output = JSONOutput(capacity: vectors.count * (vectors.first?.count ?? 0) * 12 + 16)
        output.raw("[")
        for (index, vector) in vectors.enumerated() {
            if index > 0 { output.raw(",") }
            output.floats(vector)
        }
        output.raw("]")
        return output
    }

    private func embedSparse(_ request: EmbedSparseRequest) async throws -> JSONOutput {
        guard let sparse = models.sparse else {
            throw APIError.validation("this server has no sparse model (start it with --sparse-model)")
        }
        guard case .texts(let texts, _) = request.inputs else {
            throw APIError.validation("/embed_sparse takes texts, not token ids")
        }
        let truncate = request.truncate ?? limits.autoTruncate
        // Each text tokenized once: the ids checked here are the ids encoded.
        let (vectors, tokens) = try await admitted(texts.count) {
            let ids = try texts.enumerated().map { index, text in
                let tokenized = try sparse.tokenize(text)
                try Self.checkLength(
                    "input \(index)", tokens: tokenized.untruncatedCount, limit: sparse.maxSequenceLength,
                    truncate: truncate)
                return tokenized.ids
            }
            return (try await sparse.encode(tokenIds: ids), ids.reduce(0) { $0 + $1.count })
        }
        metrics.embedded(inputs: texts.count, tokens: tokens)
        var output = JSONOutput()
        output.raw("[")
        for (row, vector) in vectors.enumerated() {
            output.raw(row == 0 ? "[" : ",[")
            for (index, (dimension, value)) in zip(vector.indices, vector.values).enumerated() {
                output.raw(
                    index == 0 ? "{\"index\": \(dimension), \"value\": " : ",{\"index\": \(dimension), \"value\": ")
                output.number(value)
                output.raw("}")
            }
            output.raw("]")
        }
        output.raw("]")
        return output
    }

    private func rerank(_ request: RerankRequest) async throws -> JSONOutput {
        guard let reranker = models.reranker else {
            throw APIError.validation("this server has no reranker (start it with --reranker)")
        }
        // Counted only where the cut is refused (ids only, the query once): `rank` tokenizes every pair again.
        let truncate = request.truncate ?? limits.autoTruncate
        if !truncate {
            let counts = try reranker.tokenCounts(query: request.query, documents: request.texts)
            for (index, count) in counts.enumerated() {
                try Self.checkLength(
                    "text \(index) with the query", tokens: count, limit: reranker.maxSequenceLength, truncate: false)
            }
        }
        var options = CrossEncoder.Options()
        if request.rawScores == true { options.activation = .identity }
        let ranked = try await admitted(request.texts.count) {
            try await reranker.rank(query: request.query, documents: request.texts, options: options)
        }
        var output = JSONOutput()
        output.raw("[")
        for (position, hit) in ranked.enumerated() {
            output.raw(position == 0 ? "{" : ",{")
            output.raw("\"index\": \(hit.index), \"score\": ")
            output.number(hit.score)
            if request.returnText == true {
                output.raw(", \"text\": ")
                output.string(request.texts[hit.index])
            }
            output.raw("}")
        }
        output.raw("]")
        return output
    }

    private func tokenize(_ request: TokenizeRequest) throws -> JSONOutput {
        guard case .texts(let texts, _) = request.inputs else {
            throw APIError.validation("/tokenize takes texts, not token ids")
        }
        guard texts.count <= limits.maxInputsPerRequest else {
            throw APIError.validation(
                "\(texts.count) inputs in one request; the limit is \(limits.maxInputsPerRequest)",
                status: .contentTooLarge)
        }
        var output = JSONOutput()
        output.raw("[")
        for (row, text) in texts.enumerated() {
            let tokens = try models.encoder.tokenize(text)
            output.raw(row == 0 ? "[" : ",[")
            var first = true
            for index in tokens.ids.indices {
                let special = tokens.offsets[index].isEmpty
                if special && request.addSpecialTokens == false { continue }
                output.raw(
                    first ? "{\"id\": \(tokens.ids[index]), \"text\": " : ",{\"id\": \(tokens.ids[index]), \"text\": ")
                first = false
                output.string(tokens.tokens[index])
                output.raw(
                    ", \"special\": \(special), \"start\": \(tokens.offsets[index].lowerBound), \"stop\": "
                        + "\(tokens.offsets[index].upperBound)}")
            }
            output.raw("]")
        }
        output.raw("]")
        return output
    }
}

/// Marks the server as draining when graceful shutdown begins (SIGTERM), so new requests get 503.
struct DrainService: Service {
    let drain: DrainState

    func run() async throws {
        try? await gracefulShutdown()
        drain.begin()
    }
}
