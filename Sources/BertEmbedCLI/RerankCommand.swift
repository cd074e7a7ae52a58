// bert-embed rerank: documents from stdin scored against a query by a cross-encoder, printed best first.
import BertEmbed
import BertEmbedJSON
import Foundation

let rerankCommand = Subcommand(
    name: "rerank",
    summary: "rank documents for a query with a cross-encoder (reranker)",
    help: """
        usage: bert-embed rerank --model DIR --query TEXT [--top-k N] [--json] [options] < documents.txt

        Reads the documents from standard input, one per line (every line is a document, empty ones included), scores
        each against the query with a cross-encoder (as sentence-transformers' CrossEncoder.rank: the pair read
        together, the folder's activation, sigmoid by default) and prints them best first: score, then the text.
        Equal scores keep input order.

        options:
          --model DIR        a cross-encoder folder (BertForSequenceClassification and the like, plain or saved by
                             sentence-transformers' CrossEncoder.save), with one label
          --query TEXT       the query
          --top-k N          print the N best only (default: all)
          --json             one JSON object per line, in rank order: {"index": i, "score": s, "text": "..."},
                             index being the 0-based input line
          --batch-size N     pairs per forward pass (default 32)
          --threads N        worker threads (default: all cores)
          --compute-type T   float32 (default), bfloat16 (dense weights half the memory) or int8 (31 %)
          --quiet            no progress on stderr
        """,
    run: { args in
        var arguments = try Arguments(
            args, valueOptions: ["model", "query", "top-k", "batch-size", "threads", "compute-type"])
        guard let model = try arguments.string("model") else { throw UsageError("--model DIR is required") }
        guard let query = try arguments.string("query") else { throw UsageError("--query TEXT is required") }
        let topK = try arguments.int("top-k")
        let batchSize = try arguments.int("batch-size") ?? 32
        let threads = try arguments.int("threads")
        let computeType = try arguments.computeType()
        let json = try arguments.flag("json")
        let quiet = try arguments.flag("quiet")
        try arguments.finish()
        guard arguments.positional.isEmpty else {
            throw UsageError("unexpected argument '\(arguments.positional[0])': documents come from standard input")
        }

        let documents = try readStandardInputLines()
        let reranker = try CrossEncoder(
            modelDirectory: try modelFolder(model),
            compute: ComputeOptions(threads: threads, computeType: computeType))
        let progress = ProgressReporter(label: "scoring", quiet: quiet)
        var options = CrossEncoder.Options()
        options.batchSize = batchSize
        options.progress = { progress.update(done: $0, total: $1) }
        let ranked = try reranker.rank(query: query, documents: documents, topK: topK, options: options)

        var out = BufferedWriter(fd: 1)
        for hit in ranked {
            if json {
                out.write(
                    "{\"index\": \(hit.index), \"score\": \(jsonNumber(hit.score)), \"text\": "
                        + "\(JSONWriter.quoted(documents[hit.index]))}\n")
            } else {
                out.write("\(fixed(hit.score, digits: 4))  \(documents[hit.index])\n")
            }
        }
        try out.flush()
    }
)
