// HTTP to the Hugging Face Hub through Foundation's URLSession (FoundationNetworking on Linux: part of the toolchain,
// no package). Two kinds of request: a JSON answer of the API (the repository's commit and file listing), and a
// file's bytes streamed to a sink (the download's file and digest) as they arrive, with a Range to resume.
//
// The Hub answers an LFS file's `resolve` URL with a redirect to its CDN, on another host: the token is sent to the
// Hub only, never along a redirect to another host (a signed CDN URL refuses a second credential).
import Foundation

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// A failed request: the HTTP status (0: no answer) and what the Hub said, or the transport's error.
struct HubHTTPError: Error {
    /// The HTTP status, 0 when the server was not reached or the transfer broke.
    let status: Int
    /// The Hub's X-Error-Code header ("RepoNotFound", "RevisionNotFound", "EntryNotFound"), if any.
    let code: String?
    /// The Hub's message, the transport's, or the sink's.
    let message: String
    /// Whether the Hub could not be reached at all (no connection, name not resolved, timed out before an answer).
    let unreachable: Bool
    /// An error thrown by the sink (a failed write), passed through as it is.
    let sinkError: (any Error)?
}

/// The answer's status and headers (names lowercased).
struct HubHTTPResponse {
    let status: Int
    let headers: [String: String]
}

/// Requests to one Hub endpoint, with its token.
struct HubClient {
    let endpoint: URL
    let token: String?
    let timeout: Double

    /// The URL `endpoint` + `path` (already percent-encoded) + `query`.
    func url(_ path: String, query: String? = nil) -> URL? {
        var text = endpoint.absoluteString
        while text.hasSuffix("/") { text.removeLast() }
        return URL(string: text + path + (query.map { "?" + $0 } ?? ""))
    }

    /// GET `url` and return the whole body (a small JSON answer).
    func get(_ url: URL) throws(HubHTTPError) -> [UInt8] {
        var body: [UInt8] = []
        _ = try stream(url, from: 0) { bytes, _ in body.append(contentsOf: bytes) }
        return body
    }

    /// GET `url` from byte `offset` (a Range request when > 0), handing each piece of the body to `sink` with whether
    /// the server honoured the range (206; false: the body starts at byte 0). Redirects are followed; the token goes to
    /// the endpoint's host only.
    func stream(
        _ url: URL, from offset: Int64, sink: @escaping (UnsafeRawBufferPointer, _ resumed: Bool) throws -> Void
    ) throws(HubHTTPError) -> HubHTTPResponse {
        var request = URLRequest(url: url, timeoutInterval: timeout)
        request.setValue("identity", forHTTPHeaderField: "Accept-Encoding")
        request.setValue("swift-bert-embed", forHTTPHeaderField: "User-Agent")
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        if offset > 0 { request.setValue("bytes=\(offset)-", forHTTPHeaderField: "Range") }
        let transfer = Transfer(authorizedHost: endpoint.host, sink: sink)
        let queue = OperationQueue()
        queue.maxConcurrentOperationCount = 1
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        let session = URLSession(configuration: configuration, delegate: transfer, delegateQueue: queue)
        session.dataTask(with: request).resume()
        transfer.done.wait()
        session.finishTasksAndInvalidate()
        return try transfer.result()
    }
}

/// One request's delegate: collects the status, streams a successful body to the sink, keeps an error body.
private final class Transfer: NSObject, URLSessionDataDelegate, @unchecked Sendable {
    // Touched only on the session's serial delegate queue until `done` is signalled, then only by the waiting thread.
    let done = DispatchSemaphore(value: 0)
    private let authorizedHost: String?
    private let sink: (UnsafeRawBufferPointer, Bool) throws -> Void
    private var response: HTTPURLResponse?
    private var errorBody: [UInt8] = []
    private var sinkError: (any Error)?
    private var transportError: URLError?

    init(authorizedHost: String?, sink: @escaping (UnsafeRawBufferPointer, Bool) throws -> Void) {
        self.authorizedHost = authorizedHost
        self.sink = sink
    }

    func urlSession(
        _ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
        newRequest request: URLRequest, completionHandler: @escaping (URLRequest?) -> Void
    ) {
        var next = request
        if next.url?.host != authorizedHost { next.setValue(nil, forHTTPHeaderField: "Authorization") }
        completionHandler(next)
    }

    func urlSession(
        _ session: URLSession, dataTask: URLSessionDataTask, didReceive response: URLResponse,
        completionHandler: @escaping (URLSession.ResponseDisposition) -> Void
    ) {
        self.response = response as? HTTPURLResponse
        completionHandler(.allow)
    }

    func urlSession(_ session: URLSession, dataTask: URLSessionDataTask, didReceive data: Data) {
        guard sinkError == nil, let status = response?.statusCode else { return }
        guard (200..<300).contains(status) else {
            if errorBody.count < 4096 { errorBody.append(contentsOf: data.prefix(4096 - errorBody.count)) }
            return
        }
        do {
            try data.withUnsafeBytes { try sink($0, status == 206) }
        } catch {
            sinkError = error
            dataTask.cancel()
        }
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: (any Error)?) {
        if let error, sinkError == nil { transportError = (error as? URLError) ?? URLError(.unknown) }
        done.signal()
    }

    func result() throws(HubHTTPError) -> HubHTTPResponse {
        if let sinkError {
            throw HubHTTPError(status: 0, code: nil, message: "\(sinkError)", unreachable: false, sinkError: sinkError)
        }
        if let transportError {
            let unreachable: Set<URLError.Code> = [
                .cannotFindHost, .cannotConnectToHost, .dnsLookupFailed, .notConnectedToInternet,
                .networkConnectionLost, .timedOut, .secureConnectionFailed,
            ]
            throw HubHTTPError(
                status: 0, code: nil, message: transportError.localizedDescription,
                unreachable: response == nil && unreachable.contains(transportError.code), sinkError: nil)
        }
        guard let response else {
            throw HubHTTPError(status: 0, code: nil, message: "no answer", unreachable: true, sinkError: nil)
        }
        var headers: [String: String] = [:]
        for (key, value) in response.allHeaderFields {
            if let key = key as? String, let value = value as? String { headers[key.lowercased()] = value }
        }
        guard (200..<300).contains(response.statusCode) else {
            let message =
                headers["x-error-message"]
                ?? String(decoding: errorBody, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            throw HubHTTPError(
                status: response.statusCode, code: headers["x-error-code"], message: message, unreachable: false,
                sinkError: nil)
        }
        return HubHTTPResponse(status: response.statusCode, headers: headers)
    }
}
