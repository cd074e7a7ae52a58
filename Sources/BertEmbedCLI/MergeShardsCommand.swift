// bert-embed merge-shards: the shards of `embed --shard K/N` back into one output in input order (CorpusShards.swift).
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

let mergeShardsCommand = Subcommand(
    name: "merge-shards",
    summary: "join the outputs of embed --shard K/N in input order",
    help: """
        usage: bert-embed merge-shards DIR [--output PATH]

        Reads DIR/shard-K-of-N.jsonl for K = 0 ..< N (written by `bert-embed embed --shard K/N --output DIR`) and
        writes their rows in input order, without the line numbers: the output of one `embed` run over the whole
        input (a JSON array per line; {"indices": ..., "values": ...} for a sparse model). Streams: memory stays
        small for any corpus.

        Fails, writing nothing further, when a shard is missing or unfinished (its .partial file), when the shards
        disagree on N, or when a row's line number is not the next one expected.

        options:
          --output PATH   write to PATH instead of standard output
          -h, --help      this help
        """,
    run: { args in try runMergeShards(args) }
)

func runMergeShards(_ args: [String]) throws {
    var arguments = try Arguments(args, valueOptions: ["output"])
    let outputPath = try arguments.string("output")
    try arguments.finish()
    guard arguments.positional.count == 1, let folder = arguments.positional.first else {
        throw UsageError("merge-shards takes one folder (see --help)")
    }
    let names = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
    let shards = names.compactMap { name -> (Int, Int)? in
        guard name.hasPrefix("shard-"), name.hasSuffix(".jsonl") else { return nil }
        let parts = name.dropFirst(6).dropLast(6).split(separator: "-")
        // The counts `embed --shard K/N` writes (0 <= K < N <= 99999); other names are not its shards.
        guard parts.count == 3, parts[1] == "of", let k = Int(parts[0]), let n = Int(parts[2]),
            (1...99_999).contains(n), (0..<n).contains(k)
        else { return nil }
        return (k, n)
    }
    guard let count = shards.first?.1 else {
        let partial = names.filter { $0.hasSuffix(".jsonl.partial") }
        throw CLIError(
            "\(folder): no finished shard files (shard-K-of-N.jsonl)"
                + (partial.isEmpty ? "" : "; unfinished: \(partial.sorted().joined(separator: ", "))"))
    }
    guard shards.allSatisfy({ $0.1 == count }) else {
        throw CLIError("\(folder): shard files of different shard counts: \(Set(shards.map(\.1)).sorted())")
    }
    let missing = (0..<count).filter { k in !shards.contains { $0.0 == k } }
    guard missing.isEmpty else {
        throw CLIError(
            "\(folder): shards \(missing.map(String.init).joined(separator: ", ")) of \(count) are missing or "
                + "unfinished: run them (embed --shard K/\(count)) first")
    }
    var inputs = try (0..<count).map { k -> InputLines in
        let path = folder + "/" + ShardSpec.fileName(index: k, count: count)
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw CLIError("cannot read \(path): \(String(cString: strerror(errno)))") }
        return InputLines(fd: fd, name: path)
    }
    defer { for input in inputs { close(input.fd) } }
    let fd: Int32
    if let outputPath {
        // Opening the output truncates it: it must not be one of the shards being read (by any path to it).
        var target = stat()
        if stat(outputPath, &target) == 0 {
            for input in inputs {
                var shard = stat()
                if fstat(input.fd, &shard) == 0 && shard.st_dev == target.st_dev && shard.st_ino == target.st_ino {
                    throw CLIError("--output \(outputPath) is the shard \(input.name): write the merge elsewhere")
                }
            }
        }
        fd = open(outputPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw CLIError("cannot write \(outputPath): \(String(cString: strerror(errno)))") }
    } else {
        fd = 1
    }
    defer { if fd != 1 { close(fd) } }
    var out = BufferedWriter(fd: fd)
    var line = 0  // 0-based input line number
    while true {
        let k = line % count
        guard let row = try inputs[k].nextBytes() else { break }
        out.write(bytes: try strippedRow(row, expectedLine: line + 1, name: inputs[k].name))
        line += 1
    }
    for k in 0..<count where try inputs[k].nextBytes() != nil {
        throw CLIError("\(inputs[k].name): rows after input line \(line), where shard \(line % count) ended")
    }
    try out.flush()
}

/// `{"line": L, "embedding": ROW}` -> `ROW\n`, `{"line": L, REST` -> `{REST\n`; L must be `expectedLine`.
private func strippedRow(_ row: ArraySlice<UInt8>, expectedLine: Int, name: String) throws -> [UInt8] {
    let prefix = Array("{\"line\": \(expectedLine), ".utf8)
    guard row.starts(with: prefix) else {
        throw CLIError(
            "\(name): expected the row of input line \(expectedLine), found: \(String(decoding: row.prefix(40), as: UTF8.self))"
        )
    }
    let rest = row.dropFirst(prefix.count)
    let embedding = Array("\"embedding\": ".utf8)
    if rest.starts(with: embedding) && rest.last == UInt8(ascii: "}") {
        return Array(rest.dropFirst(embedding.count).dropLast()) + [UInt8(ascii: "\n")]
    }
    return [UInt8(ascii: "{")] + Array(rest) + [UInt8(ascii: "\n")]
}
