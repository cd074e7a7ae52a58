// GET /metrics in Prometheus' text format (version 0.0.4): request counts by route and status, inputs and tokens
// embedded, inputs per request, the admission queue's depth, request latency. Histograms with fixed buckets.
import Foundation

/// The server's counters, safe to update from any request.
final class Metrics: @unchecked Sendable {
    // @unchecked: every field is guarded by `lock`.
    private let lock = NSLock()
    private var requests: [String: Int] = [:]  // "route\u{0}status" -> count
    private var inputs = 0
    private var tokens = 0
    private var latency: [String: Histogram] = [:]
    private var batch = Histogram(bounds: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512])

    static let latencyBounds = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

    struct Histogram {
        let bounds: [Double]
        var counts: [Int]
        var sum = 0.0
        var count = 0

        init(bounds: [Double]) {
            self.bounds = bounds
            counts = Array(repeating: 0, count: bounds.count)
        }

        mutating func observe(_ value: Double) {
            for (index, bound) in bounds.enumerated() where value <= bound { counts[index] += 1 }
            sum += value
            count += 1
        }
    }

    /// Records one answered request.
    func request(route: String, status: Int, seconds: Double) {
        lock.lock()
        requests[route + "\u{0}" + String(status), default: 0] += 1
        latency[route, default: Histogram(bounds: Self.latencyBounds)].observe(seconds)
        lock.unlock()
    }

    /// Records the inputs and tokens of one embedding request.
    func embedded(inputs count: Int, tokens tokenCount: Int) {
        lock.lock()
        inputs += count
        tokens += tokenCount
        batch.observe(Double(count))
        lock.unlock()
    }

    /// The exposition text; `queueDepth` is read by the caller.
    func render(queueDepth: Int) -> String {
        lock.lock()
        defer { lock.unlock() }
        var text = "# HELP bert_embed_requests_total Requests answered, by route and HTTP status.\n"
        text += "# TYPE bert_embed_requests_total counter\n"
        for key in requests.keys.sorted() {
            let parts = key.split(separator: "\u{0}", omittingEmptySubsequences: false)
            text += "bert_embed_requests_total{route=\"\(parts[0])\",status=\"\(parts[1])\"} \(requests[key]!)\n"
        }
        text += "# HELP bert_embed_inputs_total Inputs embedded.\n# TYPE bert_embed_inputs_total counter\n"
        text += "bert_embed_inputs_total \(inputs)\n"
        text += "# HELP bert_embed_tokens_total Tokens embedded.\n# TYPE bert_embed_tokens_total counter\n"
        text += "bert_embed_tokens_total \(tokens)\n"
        text += "# HELP bert_embed_queue_depth Inputs admitted and not answered yet.\n"
        text += "# TYPE bert_embed_queue_depth gauge\nbert_embed_queue_depth \(queueDepth)\n"
        text += "# HELP bert_embed_request_inputs Inputs per embedding request.\n"
        text += "# TYPE bert_embed_request_inputs histogram\n"
        text += Self.render(batch, name: "bert_embed_request_inputs", labels: "")
        text += "# HELP bert_embed_request_duration_seconds Time to answer a request, by route.\n"
        text += "# TYPE bert_embed_request_duration_seconds histogram\n"
        for route in latency.keys.sorted() {
            text += Self.render(
                latency[route]!, name: "bert_embed_request_duration_seconds", labels: "route=\"\(route)\",")
        }
        return text
    }

    private static func render(_ histogram: Histogram, name: String, labels: String) -> String {
        var text = ""
        for (bound, count) in zip(histogram.bounds, histogram.counts) {
            text += "\(name)_bucket{\(labels)le=\"\(bound)\"} \(count)\n"
        }
        text += "\(name)_bucket{\(labels)le=\"+Inf\"} \(histogram.count)\n"
        let plain = labels.isEmpty ? "" : "{" + labels.dropLast() + "}"
        text += "\(name)_sum\(plain) \(histogram.sum)\n\(name)_count\(plain) \(histogram.count)\n"
        return text
    }
}
