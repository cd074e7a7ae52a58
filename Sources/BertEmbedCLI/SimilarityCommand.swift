// bert-embed similarity: the similarity matrix of a few texts, aligned for a terminal.
import BertEmbed

let similarityCommand = Subcommand(
    name: "similarity",
    summary: "the similarity matrix of the given texts",
    help: """
        usage: bert-embed similarity --model DIR [--pooling NAME] [--threads N] [--compute-type T] TEXT TEXT [TEXT ...]

        Embeds the texts and prints the matrix of their similarities (the model's similarity function, cosine unless
        the folder says otherwise), rows and columns numbered as the texts, which are listed first.

        options:
          --model DIR        a sentence-transformers folder (or a BERT folder together with --pooling)
          --pooling NAME     override the folder's pooling (see `bert-embed embed --help` for the names)
          --threads N        worker threads (default: all cores)
          --compute-type T   float32 (default), bfloat16 (dense weights half the memory, cosine >= 0.9998 to
                             float32) or int8 (weights in int8 blocks, 31 % of the memory, cosine >= 0.998)
        """,
    run: { args in
        var arguments = try Arguments(args, valueOptions: ["model", "pooling", "threads", "compute-type"])
        guard let model = try arguments.string("model") else { throw UsageError("--model DIR is required") }
        let poolingName = try arguments.string("pooling")
        let threads = try arguments.int("threads")
        let computeType = try arguments.computeType()
        try arguments.finish()
        let texts = arguments.positional
        guard texts.count >= 2 else { throw UsageError("give at least two texts") }
        let encoder = try loadEncoder(
            model: model, poolingName: poolingName, compute: ComputeOptions(threads: threads, computeType: computeType))
        let vectors = try encoder.encode(texts)
        let matrix = Similarity.matrix(vectors, vectors, function: encoder.similarityFunction)

        var out = BufferedWriter(fd: 1)
        for (i, text) in texts.enumerated() { out.write("[\(i + 1)] \(text)\n") }
        out.write("\n")
        let cells = matrix.map { $0.map { fixed($0, digits: 4) } }
        let width = max(cells.joined().map(\.count).max() ?? 6, "[\(texts.count)]".count)
        func pad(_ s: String) -> String { String(repeating: " ", count: max(0, width - s.count)) + s }
        let labelWidth = "[\(texts.count)]".count
        out.write(
            String(repeating: " ", count: labelWidth) + texts.indices.map { "  " + pad("[\($0 + 1)]") }.joined() + "\n")
        for (i, row) in cells.enumerated() {
            let label = "[\(i + 1)]"
            out.write(
                String(repeating: " ", count: labelWidth - label.count) + label + row.map { "  " + pad($0) }.joined()
                    + "\n")
        }
        try out.flush()
    }
)
