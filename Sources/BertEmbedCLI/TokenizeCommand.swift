// bert-embed tokenize: text lines in, BERT input ids, type ids, mask, tokens and offsets out (one JSON object a line).
import BertEmbed
import BertEmbedJSON
import BertEmbedTokenizer
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

let tokenizeCommand = Subcommand(
    name: "tokenize",
    summary: "print BERT input ids, tokens and offsets for each input line",
    help: """
        usage: bert-embed tokenize --model DIR [--max-length N] [--prompt TEXT | --prompt-name NAME] [--jsonl]
               bert-embed tokenize --model DIR --pair [--max-length N] [--jsonl]
               bert-embed tokenize --model DIR --benchmark FILE [--max-length N]

        Reads texts from standard input, one per line (lines end at \\n only; a \\r stays part of the text), and
        prints one JSON object per line: {"ids", "type_ids", "attention_mask", "tokens", "offsets"}, with
        [CLS]/[SEP] added and offsets as [[start, end], ...] in Unicode scalars of the text as tokenized (the
        prompt, if any, then the line).

        The tokens are those `bert-embed embed` feeds the model for the same folder and options: a
        sentence-transformers folder's Transformer module (which may be a subfolder) supplies the tokenizer, its
        do_lower_case applies, and so does its default prompt (config_sentence_transformers.json). Only the
        truncation differs: embed cuts at the folder's max_seq_length, tokenize only at --max-length.

        options:
          --model DIR        a sentence-transformers folder, or a model folder with tokenizer.json, or vocab.txt
                             (+ tokenizer_config.json)
          --max-length N     truncate to N tokens in all, special tokens included (longest first for pairs);
                             without it nothing is truncated
          --pair             each line is a pair of texts, TAB-separated (A<TAB>B, split at the first tab),
                             or with --jsonl a JSON array of two strings; type ids are 0 then 1
          --jsonl            each line is a JSON string (or, with --pair, an array of two strings)
          --prompt TEXT      text prepended to every line (e.g. "query: "), as embed does
          --prompt-name NAME one of the folder's prompts (config_sentence_transformers.json)
                             (prompts apply to single texts only, never with --pair)
          --benchmark FILE   time the tokenizer on FILE (one text per line), single thread, and print the
                             throughput in MB/s of UTF-8 text for the ids-only path and the full encoding

        Invalid UTF-8 or an invalid JSON line stops with an error naming the line (exit status 1).
        """,
    run: { args in
        var arguments = try Arguments(
            args, valueOptions: ["model", "max-length", "benchmark", "prompt", "prompt-name"])
        guard let model = try arguments.string("model") else { throw UsageError("--model DIR is required") }
        let maxLength = try arguments.int("max-length", minimum: 0)
        let pair = try arguments.flag("pair")
        let jsonl = try arguments.flag("jsonl")
        let benchmark = try arguments.string("benchmark")
        let prompt = try arguments.string("prompt"), promptName = try arguments.string("prompt-name")
        try arguments.finish()
        guard arguments.positional.isEmpty else { throw UsageError("unexpected argument '\(arguments.positional[0])'") }
        guard !(pair && (prompt != nil || promptName != nil)) else {
            throw UsageError("--prompt and --prompt-name take single texts, not --pair")
        }
        guard prompt == nil || promptName == nil else { throw UsageError("give --prompt or --prompt-name, not both") }
        let tokenizer: Tokenizer, prefix: String
        do {
            let folder = try SentenceTransformersFolder(directory: try modelFolder(model))
            tokenizer = try folder.loadTokenizer()
            prefix = pair ? "" : try folder.promptText(prompt: prompt, promptName: promptName)
        } catch {
            throw CLIError("\(error)")
        }
        if let benchmark {
            try runTokenizerBenchmark(tokenizer, file: benchmark, maxLength: maxLength)
            return
        }
        var lines = InputLines()
        var output = BufferedWriter(fd: 1)
        do {
            try tokenizeLines(
                tokenizer, &lines, &output, pair: pair, jsonl: jsonl, prefix: prefix, maxLength: maxLength)
        } catch {
            try? output.flush()  // what was done before the bad line is still written
            throw error
        }
        try output.flush()
    }
)

/// Tokenizes every line of `lines` and writes one JSON object per line to `output`.
func tokenizeLines(
    _ tokenizer: Tokenizer, _ lines: inout InputLines, _ output: inout BufferedWriter,
    pair: Bool, jsonl: Bool, prefix: String, maxLength: Int?
) throws {
    var record: [UInt8] = []
    while let line = try lines.nextText() {
        let number = lines.lineNumber
        var first = line
        var second: String? = nil
        switch (pair, jsonl) {
        case (false, false): break
        case (false, true): first = try InputLines.parseJSONString(line, line: number, name: lines.name)
        case (true, true): (first, second) = try InputLines.parseJSONStringPair(line, line: number, name: lines.name)
        case (true, false):
            guard let tab = line.unicodeScalars.firstIndex(of: "\t") else {
                throw CLIError("\(lines.name) line \(number): --pair expects two texts separated by a tab")
            }
            first = String(line.unicodeScalars[..<tab])
            second = String(line.unicodeScalars[line.unicodeScalars.index(after: tab)...])
        }
        let encoding = try tokenizer.encode(prefix + first, pair: second, maxLength: maxLength)
        record.removeAll(keepingCapacity: true)
        appendEncodingJSON(encoding, to: &record)
        output.write(bytes: record)
    }
}

/// One JSON object (and a newline) for `encoding`.
func appendEncodingJSON(_ encoding: Encoding, to record: inout [UInt8]) {
    record.append(contentsOf: Array(#"{"ids":"#.utf8))
    JSONWriter.appendInts(encoding.ids, to: &record)
    record.append(contentsOf: Array(#","type_ids":"#.utf8))
    JSONWriter.appendInts(encoding.typeIds, to: &record)
    record.append(contentsOf: Array(#","attention_mask":"#.utf8))
    JSONWriter.appendInts(encoding.attentionMask, to: &record)
    record.append(contentsOf: Array(#","tokens":["#.utf8))
    for (index, token) in encoding.tokens.enumerated() {
        if index > 0 { record.append(0x2C) }
        JSONWriter.appendString(token, to: &record)
    }
    record.append(contentsOf: Array(#"],"offsets":["#.utf8))
    for (index, range) in encoding.offsets.enumerated() {
        if index > 0 { record.append(0x2C) }
        JSONWriter.appendInts([range.lowerBound, range.upperBound], to: &record)
    }
    record.append(contentsOf: Array("]}\n".utf8))
}

/// Times `encodeIds` and `encode` over the lines of `file`, single thread, best of several rounds.
func runTokenizerBenchmark(_ tokenizer: Tokenizer, file: String, maxLength: Int?) throws {
    let fd = open(file, O_RDONLY)
    guard fd >= 0 else { throw CLIError("\(file): cannot open (errno \(errno))") }
    defer { close(fd) }
    var lines = InputLines(fd: fd, name: file)
    var texts: [String] = []
    while let text = try lines.nextText() { texts.append(text) }
    let bytes = texts.reduce(0) { $0 + $1.utf8.count }
    guard bytes > 0 else { throw CLIError("\(file): no text to tokenize") }
    let clock = ContinuousClock()
    func measure(_ body: () throws -> Int) rethrows -> (seconds: Double, tokens: Int) {
        var best = Double.infinity
        var tokens = 0
        let deadline = clock.now.advanced(by: .seconds(3))
        var rounds = 0
        while rounds < 3 || (clock.now < deadline && rounds < 20) {
            let start = clock.now
            tokens = try body()
            let elapsed = start.duration(to: clock.now)
            best = min(best, Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18)
            rounds += 1
        }
        return (best, tokens)
    }
    let ids = try measure { try texts.reduce(0) { $0 + (try tokenizer.encodeIds($1, maxLength: maxLength)).count } }
    let full = try measure { try texts.reduce(0) { $0 + (try tokenizer.encode($1, maxLength: maxLength)).count } }
    let megabytes = Double(bytes) / 1e6
    var out = BufferedWriter(fd: 1)
    out.write("texts \(texts.count)  bytes \(bytes)  tokens \(ids.tokens)\n")
    out.write(
        "encodeIds  \(String(format: "%.1f", megabytes / ids.seconds)) MB/s  (\(String(format: "%.1f", ids.seconds * 1000)) ms best)\n"
    )
    out.write(
        "encode     \(String(format: "%.1f", megabytes / full.seconds)) MB/s  (\(String(format: "%.1f", full.seconds * 1000)) ms best)\n"
    )
    try out.flush()
}
