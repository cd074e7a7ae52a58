// bert-embed search: embed a corpus, then print the top-k corpus lines for each query.
import BertEmbed
import BertEmbedJSON
import Foundation

let searchCommand = Subcommand(
    name: "search",
    summary: "semantic search: the corpus lines closest to each query",
    help: """
        usage: bert-embed search --model DIR --corpus FILE [--top-k K] [options] [QUERY ...]

        Embeds every line of the corpus file (one text per line; empty lines are skipped), then for each query prints
        the top-k corpus lines with their similarity (the model's similarity function, cosine unless the folder says
        otherwise), best first. Queries come from the arguments, or else from stdin, one per line.

        options:
          --model DIR        a sentence-transformers folder (or a BERT folder together with --pooling)
          --corpus FILE      the texts to search, one per line (UTF-8)
          --top-k K          hits per query (default 5)
          --pooling NAME     override the folder's pooling (cls, pooler, mean, max, mean-sqrt-len, weighted-mean,
                             last-token, last4-concat, last4-sum, second-to-last-mean)
          --batch-size N     texts per forward pass (default 32)
          --threads N        worker threads (default: all cores)
          --compute-type T   float32 (default), bfloat16 (dense weights half the memory, cosine >= 0.9998 to
                             float32) or int8 (weights in int8 blocks, 31 % of the memory, cosine >= 0.998)
          --json             one JSON object per query: {"query", "hits": [{"rank", "score", "index", "text"}]}
                             ("index": the hit's 0-based position among the corpus's non-empty lines)
          --quiet            no progress on stderr
        """,
    run: { args in
        var arguments = try Arguments(
            args, valueOptions: ["model", "corpus", "top-k", "pooling", "batch-size", "threads", "compute-type"])
        guard let model = try arguments.string("model") else { throw UsageError("--model DIR is required") }
        guard let corpusPath = try arguments.string("corpus") else { throw UsageError("--corpus FILE is required") }
        let topK = try arguments.int("top-k") ?? 5
        let poolingName = try arguments.string("pooling")
        let batchSize = try arguments.int("batch-size") ?? 32
        let threads = try arguments.int("threads")
        let computeType = try arguments.computeType()
        let json = try arguments.flag("json")
        let quiet = try arguments.flag("quiet")
        try arguments.finish()

        let corpus = try readTextFile(corpusPath).filter { !$0.isEmpty }
        guard !corpus.isEmpty else { throw CLIError("\(corpusPath) has no texts") }
        let queries = arguments.positional.isEmpty ? try readStandardInputLines() : arguments.positional
        let encoder = try loadEncoder(
            model: model, poolingName: poolingName, compute: ComputeOptions(threads: threads, computeType: computeType))

        let progress = ProgressReporter(label: "embedding corpus", quiet: quiet)
        let corpusVectors = try encoder.encode(
            corpus, options: EncodeOptions(batchSize: batchSize, progress: { progress.update(done: $0, total: $1) }))
        let queryVectors = try encoder.encode(queries, options: EncodeOptions(batchSize: batchSize))
        let results = Similarity.search(
            queries: queryVectors, corpus: corpusVectors, topK: topK, function: encoder.similarityFunction)

        var out = BufferedWriter(fd: 1)
        for (query, hits) in zip(queries, results) {
            if json {
                let items = hits.enumerated().map { rank, hit in
                    "{\"rank\": \(rank + 1), \"score\": \(jsonNumber(hit.score)), \"index\": \(hit.corpusIndex), \"text\": \(JSONWriter.quoted(corpus[hit.corpusIndex]))}"
                }
                out.write("{\"query\": \(JSONWriter.quoted(query)), \"hits\": [\(items.joined(separator: ", "))]}\n")
            } else {
                out.write("query: \(query)\n")
                for (rank, hit) in hits.enumerated() {
                    out.write("  \(rank + 1). \(fixed(hit.score, digits: 4))  \(corpus[hit.corpusIndex])\n")
                }
                out.write("\n")
            }
        }
        try out.flush()
    }
)

/// Loads a model folder for a command, with an optional pooling name, computing as `compute` says.
func loadEncoder(model: String, poolingName: String?, compute: ComputeOptions) throws -> SentenceEncoder {
    var pooling: Pooling?
    if let poolingName {
        guard let chosen = Pooling(name: poolingName) else {
            throw UsageError(
                "unknown pooling '\(poolingName)' (one of: \(Pooling.named.map(\.name).joined(separator: ", ")))")
        }
        pooling = chosen
    }
    return try SentenceEncoder(
        modelDirectory: try modelFolder(model), pooling: pooling, compute: compute)
}

/// `value` with exactly `digits` decimals (no Foundation formatting).
package func fixed(_ value: Float, digits: Int) -> String {
    var scale = 1.0
    for _ in 0..<digits { scale *= 10 }
    let scaled = (Double(value) * scale).rounded()
    // From 2^53 on the scaled value is no longer an exact integer (and Int() traps past Int.max): plain form.
    guard value.isFinite, abs(scaled) < 0x1p53 else { return "\(value)" }
    let negative = scaled < 0
    let magnitude = Int(abs(scaled))
    let whole = magnitude / Int(scale), fraction = magnitude % Int(scale)
    let fractionText = String(fraction)
    let padded = String(repeating: "0", count: digits - fractionText.count) + fractionText
    return (negative ? "-" : "") + "\(whole)" + (digits > 0 ? "." + padded : "")
}

/// The folder `--model` names: a path when one exists there, else a Hugging Face repository id ("ORG/NAME",
/// "@REVISION" after it picks a branch, tag or commit, default main) from the Hugging Face cache, downloaded into it
/// first where missing (`HF_ENDPOINT`, `HF_TOKEN`, `HF_HUB_OFFLINE`, `HF_HUB_CACHE` as Python's huggingface_hub reads
/// them), with the download's progress on stderr.
func modelFolder(_ model: String) throws -> URL {
    if FileManager.default.fileExists(atPath: model) { return URL(fileURLWithPath: model) }
    let parts = model.split(separator: "@", maxSplits: 1).map(String.init)
    guard let repository = parts.first, HubCache.isRepositoryId(repository) else {
        throw CLIError("\(model): no such folder (nor a Hugging Face repository id ORG/NAME)")
    }
    var options = HubOptions()
    let printer = DownloadProgressPrinter()
    options.progress = { printer.report($0) }
    return try HuggingFaceHub.snapshot(repository, revision: parts.count > 1 ? parts[1] : "main", options: options)
}

/// Download progress as lines on stderr: each finished file, and the file in progress at most twice a second.
final class DownloadProgressPrinter: @unchecked Sendable {
    private let lock = NSLock()
    private var last = 0.0

    func report(_ progress: HubProgress) {
        lock.lock()
        defer { lock.unlock() }
        let now = monotonicSeconds(), finished = progress.fileBytes == progress.fileSize
        guard finished || now - last >= 0.5 else { return }
        last = now
        func megabytes(_ bytes: Int64) -> String { fixed(Float(Double(bytes) / 1e6), digits: 1) + " MB" }
        printError(
            "\(progress.repository): \(progress.file) \(megabytes(progress.fileBytes)) of \(megabytes(progress.fileSize))"
                + " (all files: \(megabytes(progress.totalBytes)) of \(megabytes(progress.totalSize)))")
    }
}
