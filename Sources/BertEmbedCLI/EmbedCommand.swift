// bert-embed embed: texts in (arguments or standard input), sentence embeddings out (jsonl, npy or csv).
import BertEmbed
import BertEmbedJSON
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

let embedCommand = Subcommand(
    name: "embed",
    summary: "print a sentence embedding for each text",
    help: """
        usage: bert-embed embed --model DIR [options] [TEXT ...]

        Sentence embeddings, equal to sentence-transformers' encode, one per text, in input order.
        Texts are the arguments; without any, standard input, one text per line (split on \\n only; a final
        newline adds no text; an empty line is the empty text).

        options:
          --model DIR          a sentence-transformers folder (modules.json, 1_Pooling/, ...) or a plain
                               Hugging Face BERT folder (then --pooling is required); or a repository id
                               (ORG/NAME[@REVISION]) from the Hugging Face cache ($HF_HUB_CACHE, $HF_HOME/hub,
                               ~/.cache/huggingface/hub), downloaded there first where missing ($HF_ENDPOINT,
                               $HF_TOKEN; never with HF_HUB_OFFLINE=1)
          --pooling NAME       replace the folder's pooling: cls, pooler, mean, max, mean-sqrt-len,
                               weighted-mean, last-token, last4-concat, last4-sum, second-to-last-mean
                               (the folder's Dense and Normalize modules still apply)
          --normalize          L2-normalize every vector
          --no-normalize       never normalize (skips the folder's Normalize module)
                               (neither: the folder decides)
          --batch-size N       texts per forward pass (default 32; results do not depend on it)
          --max-length N       tokens per text, special tokens included (default: the folder's max_seq_length)
          --threads N          worker threads (default: all cores; results do not depend on it)
          --compute-type T     how the dense layers compute: float32 (default), bfloat16 (weights stored as
                               bfloat16, half the memory, float32 arithmetic; cosine >= 0.9998 to float32) or
                               int8 (weights in int8 blocks of 16, 31 % of the memory; cosine >= 0.998)
          --truncate-dim N     keep the first N dimensions (Matryoshka); renormalized only with --normalize
          --precision P        float32 (default), int8, uint8, binary or ubinary, with sentence-transformers'
                               quantize_embeddings formulas (int8/uint8 ranges from these embeddings, so give
                               at least two texts; binary packs 8 dimensions per byte)
          --prompt TEXT        text prepended to every input (e.g. "query: ")
          --prompt-name NAME   one of the folder's prompts (config_sentence_transformers.json)
          --window N           texts longer than N tokens are split into windows of N tokens and embedded as the
                               mean of the windows (default: truncate to --max-length)
          --stride N           tokens between window starts (default: half the window)
          --quiet              no progress on standard error (shown for long jobs: a bar on a terminal,
                               a line every 5 seconds otherwise)
          --jsonl              each input line is a JSON string ("..."), so texts may hold newlines
          --format FORMAT      jsonl (default): one JSON array of numbers per line
                               npy: a NumPy array of shape (texts, dimension) for numpy.load (float32, or
                               int8/uint8 with --precision)
                               csv: one comma-separated row per text, no header
          --output PATH        write to PATH instead of standard output
          --shard K/N          embed only the input lines whose 0-based number is K modulo N, into
                               DIR/shard-K-of-N.jsonl (--output DIR), each row {"line": L, "embedding": [...]}
                               with its 1-based input line; a complete shard is skipped, a partial one redone;
                               `bert-embed merge-shards DIR` joins them in input order. Default: from
                               JOB_COMPLETION_INDEX and JOB_COMPLETIONS when both are set (a Kubernetes Indexed Job)
          -h, --help           this help

        On a sparse (SPLADE) folder, saved by sentence-transformers' SparseEncoder, each line is the text's sparse
        vector over the vocabulary, {"indices": [...], "values": [...]} (non-zero entries, ascending index), equal to
        SparseEncoder.encode; --pooling, --normalize, --max-length, --truncate-dim, --prompt, --window, --precision
        and --format do not apply there.

        Standard input is read, embedded and written 4,096 texts at a time, so any amount of input runs in bounded
        memory (except --format npy and --precision int8/uint8, which need every row before writing: the header
        holds the row count, the quantization ranges come from all the embeddings). The --output file is opened
        at the first write.

        Errors (bad folder, bad input line, unwritable output) go to standard error with exit code 1 (rows of
        the chunks written before the error stay written); a bad command line exits with 2.
        """,
    run: { args in try runEmbed(args) }
)

func runEmbed(_ args: [String]) throws {
    var arguments = try Arguments(
        args,
        valueOptions: [
            "model", "pooling", "batch-size", "max-length", "threads", "format", "output", "truncate-dim", "precision",
            "prompt", "prompt-name", "window", "stride", "compute-type", "shard",
        ])
    guard let model = try arguments.string("model") else { throw UsageError("--model DIR is required (see --help)") }
    let poolingName = try arguments.string("pooling")
    let normalize = try arguments.flag("normalize"), noNormalize = try arguments.flag("no-normalize")
    guard !(normalize && noNormalize) else { throw UsageError("--normalize and --no-normalize exclude each other") }
    var options = EncodeOptions()
    options.normalize = normalize ? true : noNormalize ? false : nil
    options.batchSize = try arguments.int("batch-size") ?? 32
    options.maxSequenceLength = try arguments.int("max-length", minimum: 2)
    options.threads = try arguments.int("threads")
    let computeType = try arguments.computeType()
    options.truncateDimension = try arguments.int("truncate-dim")
    options.prompt = try arguments.string("prompt")
    options.promptName = try arguments.string("prompt-name")
    if let window = try arguments.int("window", minimum: 3) {
        options.longTexts = .slidingWindowMean(
            size: window, stride: try arguments.int("stride") ?? max(1, (window - 2) / 2))
    } else if try arguments.string("stride") != nil {
        throw UsageError("--stride needs --window")
    }
    let precisionName = try arguments.string("precision") ?? "float32"
    guard let precision = Precision(rawValue: precisionName) else {
        throw UsageError(
            "unknown precision '\(precisionName)' (\(Precision.allCases.map(\.rawValue).joined(separator: ", ")))")
    }
    let quiet = try arguments.flag("quiet")
    let json = try arguments.flag("jsonl")
    let formatName = try arguments.string("format") ?? "jsonl"
    guard let format = EmbeddingFormat(rawValue: formatName) else {
        throw UsageError("unknown format '\(formatName)' (jsonl, npy or csv)")
    }
    let outputPath = try arguments.string("output")
    let shard = try ShardSpec.from(option: arguments.string("shard"), environment: ProcessInfo.processInfo.environment)
    try arguments.finish()
    if let shard {
        guard arguments.positional.isEmpty else {
            throw UsageError("--shard splits the lines of standard input: give the texts there, not as arguments")
        }
        guard format == .jsonl, precision != .int8, precision != .uint8 else {
            throw UsageError(
                "--shard writes JSON lines with line numbers: not with --format \(format.rawValue) or --precision "
                    + "\(precision.rawValue) (int8/uint8 take their ranges from every embedding: quantize after "
                    + "merge-shards)")
        }
        guard let outputPath else { throw UsageError("--shard needs --output DIR, the folder of the shard files") }
        if ShardOutput.isComplete(folder: outputPath, shard: shard) {
            printError("\(outputPath)/\(shard.fileName) is complete: shard \(shard.index) of \(shard.count) skipped")
            return
        }
    }

    if SparseEncoder.isSparseEncoderFolder(try modelFolder(model)) {
        // A SPLADE folder: sparse vectors, one JSON object per line; the dense-only options do not apply.
        let given = [
            ("--pooling", poolingName != nil), ("--normalize", normalize), ("--no-normalize", noNormalize),
            ("--max-length", options.maxSequenceLength != nil), ("--truncate-dim", options.truncateDimension != nil),
            ("--prompt", options.prompt != nil), ("--prompt-name", options.promptName != nil),
            ("--window", options.longTexts != .truncate), ("--precision", precision != .float32),
            ("--format", format != .jsonl),
        ].filter(\.1).map(\.0)
        guard given.isEmpty else {
            throw UsageError(
                "\(given.joined(separator: ", ")): not for a sparse (SPLADE) model, whose output is "
                    + "{\"indices\": [...], \"values\": [...]} per line")
        }
        let compute = ComputeOptions(threads: options.threads, computeType: computeType)
        if let shard, let outputPath {
            let encoder = try SparseEncoder(modelDirectory: try modelFolder(model), compute: compute)
            var sparseOptions = SparseEncoder.Options()
            sparseOptions.batchSize = options.batchSize
            return try embedShard(shard, json: json, folder: outputPath, quiet: quiet) { texts in
                try encoder.encode(texts, options: sparseOptions).flatMap(sparseRow)
            }
        }
        try embedSparse(
            model: model, compute: compute, batchSize: options.batchSize, texts: arguments.positional,
            jsonInput: json, outputPath: outputPath, quiet: quiet)
        return
    }

    let encoder = try loadEncoder(
        model: model, poolingName: poolingName,
        compute: ComputeOptions(threads: options.threads, computeType: computeType))
    if let shard, let outputPath {
        let dimension = options.truncateDimension ?? encoder.dimension
        return try embedShard(shard, json: json, folder: outputPath, quiet: quiet) { texts in
            let quantized = try Similarity.quantize(try encoder.encode(texts, options: options), precision: precision)
            return try encodeEmbeddings(quantized, dimension: dimension, format: .jsonl)
        }
    }
    var sink = EmbeddingSink(
        format: format, precision: precision, dimension: options.truncateDimension ?? encoder.dimension,
        outputPath: outputPath)
    // Standard input is read, encoded and written a chunk of texts at a time, so that memory stays bounded for
    // any input length (a text's vector does not depend on the texts it is batched with).
    var input = InputLines()
    let chunkSize = 4096
    let fromArguments = !arguments.positional.isEmpty
    var chunk = fromArguments ? arguments.positional : try readTexts(&input, json: json, limit: chunkSize)
    let total: Int? = fromArguments || chunk.count < chunkSize ? chunk.count : nil  // nil: still streaming in
    let progress = total.map { $0 < 256 } ?? false ? nil : ProgressReporter(label: "embedding", quiet: quiet)
    var done = 0
    while !chunk.isEmpty {
        if let progress {
            let before = done
            options.progress = { chunkDone, _ in progress.update(done: before + chunkDone, total: total) }
        }
        try sink.append(try encoder.encode(chunk, options: options))
        done += chunk.count
        chunk = fromArguments ? [] : try readTexts(&input, json: json, limit: chunkSize)
    }
    if total == nil { progress?.finish(done: done) }
    try sink.finish()
}

/// `embed` on a SPLADE folder: each text's sparse vector as `{"indices": [...], "values": [...]}` on a line of its
/// own, in input order, standard input read a chunk at a time as for dense vectors.
func embedSparse(
    model: String, compute: ComputeOptions, batchSize: Int, texts: [String], jsonInput: Bool, outputPath: String?,
    quiet: Bool
) throws {
    let encoder = try SparseEncoder(modelDirectory: try modelFolder(model), compute: compute)
    let fd: Int32
    if let outputPath {
        fd = open(outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else { throw CLIError("cannot write \(outputPath): \(String(cString: strerror(errno)))") }
    } else {
        fd = 1
    }
    defer { if fd != 1 { close(fd) } }
    var out = BufferedWriter(fd: fd)
    var input = InputLines()
    let chunkSize = 4096
    let fromArguments = !texts.isEmpty
    var chunk = fromArguments ? texts : try readTexts(&input, json: jsonInput, limit: chunkSize)
    let progress = quiet || chunk.count < 256 ? nil : ProgressReporter(label: "embedding", quiet: quiet)
    var done = 0
    var options = SparseEncoder.Options()
    options.batchSize = batchSize
    while !chunk.isEmpty {
        if let progress {
            let before = done
            options.progress = { chunkDone, _ in progress.update(done: before + chunkDone, total: nil) }
        }
        for vector in try encoder.encode(chunk, options: options) { out.write(bytes: sparseRow(vector)) }
        done += chunk.count
        chunk = fromArguments ? [] : try readTexts(&input, json: jsonInput, limit: chunkSize)
    }
    progress?.finish(done: done)
    try out.flush()
}

/// A sparse vector's line of `embed` output: `{"indices": [...], "values": [...]}` and a newline.
func sparseRow(_ vector: SparseEmbedding) -> [UInt8] {
    var line: [UInt8] = Array("{\"indices\": ".utf8)
    JSONWriter.appendInts(vector.indices, to: &line)
    line += Array(", \"values\": [".utf8)
    line += Array(vector.values.map(jsonNumber).joined(separator: ", ").utf8)
    line += Array("]}\n".utf8)
    return line
}

/// `embed --shard`: the shard's lines of standard input, 4,096 at a time, through `rows` (their output lines), into
/// the shard's file in `folder` with their line numbers (see CorpusShards.swift).
func embedShard(
    _ shard: ShardSpec, json: Bool, folder: String, quiet: Bool, rows: ([String]) throws -> [UInt8]
) throws {
    var input = ShardedTexts(shard: shard, json: json)
    var output = try ShardOutput(folder: folder, shard: shard)
    let progress = ProgressReporter(label: "embedding shard \(shard.index)/\(shard.count)", quiet: quiet)
    var done = 0
    while true {
        let (texts, lines) = try input.next(limit: 4096)
        if texts.isEmpty { break }
        try output.append(rows: try rows(texts), lines: lines)
        done += texts.count
        progress.update(done: done, total: nil)
    }
    try output.finish()
    progress.finish(done: done)
}
