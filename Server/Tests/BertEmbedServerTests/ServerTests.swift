// The server in process on a loopback port, asked through URLSession and raw sockets: every route gives what the
// library gives (bit for bit), and every bad request gets a clear 4xx while the server keeps serving: malformed JSON,
// wrong types, empty input, too many inputs, bodies over the limit, over-long inputs (refused or truncated as asked),
// a missing API key, a full queue (429 at once), clients that send half a request and leave.
import BertEmbed
import BertEmbedServer
import Foundation
import XCTest

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The repository's Resources folder.
let resources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Resources")

/// A server running in this process until `stop()`.
final class RunningServer: @unchecked Sendable {
    let port: Int
    let models: ServedModels
    private let task: Task<Void, Error>

    init(limits: ServerLimits = ServerLimits(), withHeads: Bool = false) async throws {
        let encoder = try SentenceEncoder(modelDirectory: resources.appendingPathComponent("families/mpnet"))
        models = ServedModels(
            encoder: encoder, name: "tiny-mpnet",
            reranker: withHeads
                ? try CrossEncoder(modelDirectory: resources.appendingPathComponent("heads/bert-cross-encoder-st"))
                : nil,
            sparse: withHeads
                ? try SparseEncoder(modelDirectory: resources.appendingPathComponent("heads/bert-splade-max")) : nil)
        let (stream, continuation) = AsyncStream<Int>.makeStream()
        let app = EmbeddingServer(models: models, limits: limits).application(host: "127.0.0.1", port: 0) { port in
            continuation.yield(port)
        }
        task = Task { try await app.run() }
        var iterator = stream.makeAsyncIterator()
        guard let port = await iterator.next() else { throw URLError(.cannotConnectToHost) }
        self.port = port
    }

    func stop() async {
        task.cancel()
        _ = await task.result
    }

    /// POSTs `body` (JSON text) to `path`; returns the status and body.
    func post(_ path: String, _ body: String, headers: [String: String] = [:]) async throws -> (Int, Data) {
        try await send(path, method: "POST", body: Data(body.utf8), headers: headers)
    }

    func get(_ path: String, headers: [String: String] = [:]) async throws -> (Int, Data) {
        try await send(path, method: "GET", body: nil, headers: headers)
    }

    func send(_ path: String, method: String, body: Data?, headers: [String: String]) async throws -> (Int, Data) {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
        request.httpMethod = method
        request.httpBody = body
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        for (key, value) in headers { request.setValue(value, forHTTPHeaderField: key) }
        let (data, response) = try await URLSession.shared.data(for: request)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, data)
    }
}

/// A JSON value of a response.
func json(_ data: Data) throws -> Any { try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) }

/// Float32 vectors from JSON numbers (each a float32's shortest decimal, so exact).
func floatRows(_ value: Any) -> [[Float]] {
    ((value as? [[Any]]) ?? []).map { row in row.map { Float(($0 as? NSNumber)?.doubleValue ?? .nan) } }
}

final class ServerTests: XCTestCase {
    let texts = ["A man is eating food.", "Ünïcödé and 東京 \"quoted\"\n", ""]

    func testRoutesGiveTheLibraryVectorsBitForBit() async throws {
        let server = try await RunningServer(withHeads: true)
        let encoder = server.models.encoder
        let expected = try Self.encode(encoder, texts, EncodeOptions())
        // OpenAI: floats and base64, a string and a list, token ids, dimensions.
        let (status, body) = try await server.post(
            "/v1/embeddings", #"{"input": ["A man is eating food.", "Ünïcödé and 東京 \"quoted\"\n", ""], "model": "m"}"#)
        XCTAssertEqual(status, 200, String(decoding: body, as: UTF8.self))
        let answer = try XCTUnwrap(try json(body) as? [String: Any])
        let data = try XCTUnwrap(answer["data"] as? [[String: Any]])
        XCTAssertEqual(data.map { $0["index"] as? Int }, [0, 1, 2])
        XCTAssertEqual(floatRows(data.map { $0["embedding"]! }), expected)
        let usage = try XCTUnwrap(answer["usage"] as? [String: Any])
        let tokens = try texts.map { try encoder.tokenize($0).ids.count }.reduce(0, +)
        XCTAssertEqual(usage["prompt_tokens"] as? Int, tokens)
        let (_, b64) = try await server.post(
            "/v1/embeddings", #"{"input": "A man is eating food.", "encoding_format": "base64"}"#)
        let encoded = try XCTUnwrap(
            ((try json(b64) as? [String: Any])?["data"] as? [[String: Any]])?.first?["embedding"] as? String)
        let bytes = try XCTUnwrap(Data(base64Encoded: encoded))
        let decoded = bytes.withUnsafeBytes { raw in
            (0..<(bytes.count / 4)).map {
                Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self)))
            }
        }
        XCTAssertEqual(decoded, expected[0])
        let ids = try encoder.tokenize(texts[0]).ids
        let (_, fromIds) = try await server.post("/v1/embeddings", "{\"input\": [\(ids)]}")
        XCTAssertEqual(
            floatRows(
                ((try json(fromIds) as? [String: Any])?["data"] as? [[String: Any]])?.map { $0["embedding"]! } ?? []),
            [expected[0]])
        var short = EncodeOptions()
        short.truncateDimension = 8
        short.normalize = encoder.normalizesByDefault ? true : nil
        let (_, shortened) = try await server.post(
            "/v1/embeddings", #"{"input": "A man is eating food.", "dimensions": 8}"#)
        XCTAssertEqual(
            floatRows(
                ((try json(shortened) as? [String: Any])?["data"] as? [[String: Any]])?.map { $0["embedding"]! } ?? []),
            try Self.encode(encoder, [texts[0]], short))
        // text-embeddings-inference: /embed normalizes by default.
        var normalized = EncodeOptions()
        normalized.normalize = true
        let (embedStatus, embedBody) = try await server.post(
            "/embed", #"{"inputs": ["A man is eating food.", "Ünïcödé and 東京 \"quoted\"\n", ""]}"#)
        XCTAssertEqual(embedStatus, 200)
        XCTAssertEqual(floatRows(try json(embedBody)), try Self.encode(encoder, texts, normalized))
        let (_, raw) = try await server.post("/embed", #"{"inputs": "A man is eating food.", "normalize": false}"#)
        XCTAssertEqual(floatRows(try json(raw)), [expected[0]])
        // /rerank and /embed_sparse with the heads.
        let reranker = try XCTUnwrap(server.models.reranker)
        let (_, ranked) = try await server.post(
            "/rerank", #"{"query": "q", "texts": ["a", "b c", "q"], "return_text": true}"#)
        let hits = try XCTUnwrap(try json(ranked) as? [[String: Any]])
        let expectedHits = try Self.rank(reranker, "q", ["a", "b c", "q"])
        XCTAssertEqual(hits.map { $0["index"] as? Int }, expectedHits.map(\.index))
        XCTAssertEqual(hits.map { Float(($0["score"] as? NSNumber)?.doubleValue ?? .nan) }, expectedHits.map(\.score))
        XCTAssertEqual(hits.first?["text"] as? String, ["a", "b c", "q"][expectedHits[0].index])
        let sparse = try XCTUnwrap(server.models.sparse)
        let (_, sparseBody) = try await server.post("/embed_sparse", #"{"inputs": ["q", "b c"]}"#)
        let rows = try XCTUnwrap(try json(sparseBody) as? [[[String: Any]]])
        let expectedSparse = try Self.sparseEncode(sparse, ["q", "b c"])
        XCTAssertEqual(rows.map { $0.map { $0["index"] as? Int } }, expectedSparse.map { $0.indices })
        XCTAssertEqual(
            rows.map { $0.map { Float(($0["value"] as? NSNumber)?.doubleValue ?? .nan) } }, expectedSparse.map(\.values)
        )
        // /tokenize, /info, /health, /metrics.
        let (_, tokenized) = try await server.post("/tokenize", #"{"inputs": "A man"}"#)
        let tokenRows = try XCTUnwrap(try json(tokenized) as? [[[String: Any]]])
        XCTAssertEqual(tokenRows.first?.map { $0["id"] as? Int }, try encoder.tokenize("A man").ids)
        XCTAssertEqual(tokenRows.first?.first?["special"] as? Bool, true)
        let (_, info) = try await server.get("/info")
        XCTAssertEqual((try json(info) as? [String: Any])?["model_id"] as? String, "tiny-mpnet")
        let (health, _) = try await server.get("/health")
        XCTAssertEqual(health, 200)
        let (_, metrics) = try await server.get("/metrics")
        let text = String(decoding: metrics, as: UTF8.self)
        XCTAssertTrue(text.contains("bert_embed_requests_total{route=\"/v1/embeddings\",status=\"200\"} 4"), text)
        XCTAssertTrue(text.contains("bert_embed_request_duration_seconds_bucket{route=\"/embed\",le=\"+Inf\"} 2"), text)
        await server.stop()
    }

    func testBadRequestsGetClearErrorsAndTheServerKeepsServing() async throws {
        var limits = ServerLimits()
        limits.maxInputsPerRequest = 4
        limits.maxBodyBytes = 10_000
        let server = try await RunningServer(limits: limits)
        let cases: [(String, String, Int, String)] = [
            ("/v1/embeddings", "{\"input\": [\"a\",", 400, "invalid request body"),
            ("/embed", "{\"inputs\": [\"a\",", 422, "invalid request body"),
            ("/v1/embeddings", #"{"input": 5}"#, 400, "expected a string"),
            ("/v1/embeddings", #"{"model": "m"}"#, 400, "missing field 'input'"),
            ("/embed", #"{"inputs": [1.5]}"#, 422, "expected a string"),
            ("/v1/embeddings", #"{"input": []}"#, 400, "the input is empty"),
            ("/v1/embeddings", #"{"input": [[]]}"#, 400, "token sequence 0 is empty"),
            ("/v1/embeddings", #"{"input": [[1, 99999999]]}"#, 400, "invalid input"),
            ("/v1/embeddings", #"{"input": ["a", "b", "c", "d", "e"]}"#, 413, "the limit is 4"),
            ("/v1/embeddings", #"{"input": "a", "encoding_format": "int8"}"#, 400, "encoding_format"),
            ("/v1/embeddings", #"{"input": "a", "dimensions": 0}"#, 400, "dimensions must be"),
            (
                "/embed", "{\"inputs\": \"" + String(repeating: "word ", count: 1000) + "\"}", 413,
                "the model takes at most"
            ),
            (
                "/embed", "{\"inputs\": \"" + String(repeating: "x", count: 20_000) + "\"}", 413,
                "larger than 10000 bytes"
            ),
            ("/rerank", #"{"query": "q", "texts": ["a"]}"#, 400, "no reranker"),
            ("/embed_sparse", #"{"inputs": "q"}"#, 400, "no sparse model"),
            ("/embed", #"{"inputs": "a", "prompt_name": "nope"}"#, 400, "nope"),
        ]
        for (path, body, status, phrase) in cases {
            let (answer, data) = try await server.post(path, body)
            let text = String(decoding: data, as: UTF8.self)
            XCTAssertEqual(answer, status, "\(path) \(body.prefix(60)): \(text)")
            XCTAssertTrue(text.contains(phrase), "\(path) \(body.prefix(60)): \(text)")
            XCTAssertNotNil(try? json(data), "error bodies are JSON: \(text)")
        }
        // Truncation when asked.
        let long = "{\"inputs\": \"" + String(repeating: "word ", count: 1000) + "\", \"truncate\": true}"
        let (truncated, _) = try await server.post("/embed", long)
        XCTAssertEqual(truncated, 200)
        // Half a request, then gone: the server carries on.
        for fragment in ["POST /embed HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"inputs\"", "GET /hea"] {
            try Self.sendAndClose(fragment, port: server.port)
        }
        let (after, _) = try await server.post("/embed", #"{"inputs": "still here"}"#)
        XCTAssertEqual(after, 200)
        await server.stop()
    }

    func testOverLongRerankAndSparseInputsAreRefusedUnlessCutAsAsked() async throws {
        let server = try await RunningServer(withHeads: true)
        let reranker = try XCTUnwrap(server.models.reranker)
        let sparse = try XCTUnwrap(server.models.sparse)
        let long = String(repeating: "word ", count: 100)
        XCTAssertGreaterThan(try reranker.tokenCount(query: "q", document: long), reranker.maxSequenceLength)
        XCTAssertTrue(try sparse.tokenize(long).wasTruncated)
        XCTAssertLessThanOrEqual(try reranker.tokenCount(query: "q", document: "a"), reranker.maxSequenceLength)
        // Refused (413, naming the input) unless the request asks for truncation: nothing is cut silently.
        for (path, body, phrase) in [
            ("/rerank", #"{"query": "q", "texts": ["a", "\#(long)"]}"#, "text 1 with the query has"),
            ("/rerank", #"{"query": "q", "texts": ["\#(long)"], "truncate": false}"#, "text 0 with the query has"),
            ("/embed_sparse", #"{"inputs": ["q", "\#(long)"]}"#, "input 1 has"),
        ] {
            let (status, data) = try await server.post(path, body)
            let text = String(decoding: data, as: UTF8.self)
            XCTAssertEqual(status, 413, text)
            XCTAssertTrue(text.contains(phrase) && text.contains("the model takes at most"), text)
        }
        // Cut when asked: the library's (longest-first) truncation, bit for bit.
        let (rankStatus, ranked) = try await server.post(
            "/rerank", #"{"query": "q", "texts": ["a", "\#(long)"], "truncate": true}"#)
        XCTAssertEqual(rankStatus, 200)
        let hits = try XCTUnwrap(try json(ranked) as? [[String: Any]])
        let expectedHits = try Self.rank(reranker, "q", ["a", long])
        XCTAssertEqual(hits.map { $0["index"] as? Int }, expectedHits.map(\.index))
        XCTAssertEqual(hits.map { Float(($0["score"] as? NSNumber)?.doubleValue ?? .nan) }, expectedHits.map(\.score))
        let (sparseStatus, sparseBody) = try await server.post(
            "/embed_sparse", #"{"inputs": ["\#(long)"], "truncate": true}"#)
        XCTAssertEqual(sparseStatus, 200)
        let rows = try XCTUnwrap(try json(sparseBody) as? [[[String: Any]]])
        let expected = try Self.sparseEncode(sparse, [long])
        XCTAssertEqual(rows.map { $0.map { $0["index"] as? Int } }, expected.map(\.indices))
        XCTAssertEqual(
            rows.map { $0.map { Float(($0["value"] as? NSNumber)?.doubleValue ?? .nan) } }, expected.map(\.values))
        await server.stop()
    }

    func testAPIKeyAndBackpressure() async throws {
        var limits = ServerLimits()
        limits.apiKey = "s3cret"
        limits.maxQueuedInputs = 100
        limits.maxInputsPerRequest = 100
        let server = try await RunningServer(limits: limits)
        let (missing, body) = try await server.post("/embed", #"{"inputs": "a"}"#)
        XCTAssertEqual(missing, 401, String(decoding: body, as: UTF8.self))
        let (wrong, _) = try await server.post(
            "/embed", #"{"inputs": "a"}"#, headers: ["Authorization": "Bearer s3cre"])
        XCTAssertEqual(wrong, 401)
        let (health, _) = try await server.get("/health")
        XCTAssertEqual(health, 200, "/health needs no key")
        let key = ["Authorization": "Bearer s3cret"]
        // While a request of 100 long inputs fills the queue (limit 100), another is refused at once with 429; once
        // it is answered, the queue is free again. (Tried until the second request lands while the first runs.)
        let big =
            "{\"inputs\": ["
            + Array(repeating: "\"" + String(repeating: "word ", count: 400) + "\"", count: 100)
            .joined(separator: ",") + "], \"truncate\": true}"
        var refused = false
        for _ in 0..<10 where !refused {
            let first = Task { try await server.post("/embed", big, headers: key).0 }
            while true {
                let (_, metrics) = try await server.get("/metrics", headers: key)
                if String(decoding: metrics, as: UTF8.self).contains("bert_embed_queue_depth 100") { break }
                try await Task.sleep(nanoseconds: 200_000)
            }
            let (second, _) = try await server.post("/embed", #"{"inputs": "a"}"#, headers: key)
            XCTAssertTrue([200, 429].contains(second))
            refused = second == 429
            let firstStatus = try await first.value
            XCTAssertEqual(firstStatus, 200)
        }
        XCTAssertTrue(refused, "a request arriving while the queue is full is refused with 429")
        let (again, _) = try await server.post("/embed", #"{"inputs": "a"}"#, headers: key)
        XCTAssertEqual(again, 200, "the queue drains")
        await server.stop()
    }

    static func encode(_ encoder: SentenceEncoder, _ texts: [String], _ options: EncodeOptions) throws -> [[Float]] {
        try encoder.encode(texts, options: options)
    }

    static func rank(
        _ reranker: CrossEncoder, _ query: String, _ documents: [String]
    ) throws -> [CrossEncoder.RankedDocument] {
        try reranker.rank(query: query, documents: documents)
    }

    static func sparseEncode(_ encoder: SparseEncoder, _ texts: [String]) throws -> [SparseEmbedding] {
        try encoder.encode(texts)
    }

    /// Opens a connection, sends `text`, closes it without reading.
    static func sendAndClose(_ text: String, port: Int) throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw URLError(.cannotConnectToHost) }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else { throw URLError(.cannotConnectToHost) }
        _ = Array(text.utf8).withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
    }
}
