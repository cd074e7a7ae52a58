// Corpus jobs on engines users already run (a Kubernetes Indexed Job, Spark, a shell loop): `embed --shard K/N` embeds
// the input lines whose 0-based number is K modulo N (every shard reads the same input; the split needs no count in
// advance and gives shards within one line of each other), and writes DIR/shard-K-of-N.jsonl, each row with its
// 1-based input line number. A shard writes to a ".partial" file, renamed when complete: a complete shard is skipped
// when run again, a partial one redone from the start (never appended to twice). `merge-shards DIR` reads the N files
// in turn, as the split dealt the lines, and writes the rows in input order, equal to one `embed` run.
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Shard `index` of `count` (0 <= index < count).
struct ShardSpec: Equatable {
    let index: Int
    let count: Int

    /// "K/N" (0-based K), or nil for nil; a usage error for anything else.
    static func parse(_ text: String?, source: String) throws -> ShardSpec? {
        guard let text else { return nil }
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let index = Int(parts[0]), let count = Int(parts[1]), count >= 1, count <= 99_999,
            (0..<count).contains(index)
        else {
            throw UsageError("\(source) needs K/N with 0 <= K < N <= 99999 (K counts from 0), got '\(text)'")
        }
        return ShardSpec(index: index, count: count)
    }

    /// `--shard`, else the Kubernetes Indexed Job's `JOB_COMPLETION_INDEX` with `JOB_COMPLETIONS` (both must be set).
    static func from(option: String?, environment: [String: String]) throws -> ShardSpec? {
        if let option { return try parse(option, source: "--shard") }
        guard let index = environment["JOB_COMPLETION_INDEX"], let count = environment["JOB_COMPLETIONS"] else {
            return nil
        }
        return try parse("\(index)/\(count)", source: "JOB_COMPLETION_INDEX/JOB_COMPLETIONS")
    }

    /// Whether the input line with 0-based number `line` belongs to this shard.
    func owns(line: Int) -> Bool { line % count == index }

    /// The shard's file name: shard-00003-of-00008.jsonl.
    var fileName: String { Self.fileName(index: index, count: count) }

    static func fileName(index: Int, count: Int) -> String {
        func padded(_ value: Int) -> String { String(repeating: "0", count: max(0, 5 - "\(value)".count)) + "\(value)" }
        return "shard-\(padded(index))-of-\(padded(count)).jsonl"
    }
}

/// The lines of standard input that belong to a shard, with their 1-based line numbers.
struct ShardedTexts {
    let shard: ShardSpec
    let json: Bool
    private var lines = InputLines()

    init(shard: ShardSpec, json: Bool) {
        self.shard = shard
        self.json = json
    }

    /// The next (at most) `limit` texts of the shard and their line numbers; empty at the end.
    mutating func next(limit: Int) throws -> (texts: [String], lines: [Int]) {
        var texts: [String] = [], numbers: [Int] = []
        while texts.count < limit, let bytes = try lines.nextBytes() {
            guard shard.owns(line: lines.lineNumber - 1) else { continue }  // not even decoded
            let text = try InputLines.text(bytes, line: lines.lineNumber, name: lines.name)
            texts.append(json ? try InputLines.parseJSONString(text, line: lines.lineNumber, name: lines.name) : text)
            numbers.append(lines.lineNumber)
        }
        return (texts, numbers)
    }
}

/// A shard's output file: rows `{"line": L, ...}` written to `.partial`, renamed into place by `finish`.
struct ShardOutput {
    /// The finished file.
    let path: String
    private let partial: String
    private var writer: BufferedWriter

    /// Whether the shard's finished file exists (then the shard is skipped).
    static func isComplete(folder: String, shard: ShardSpec) -> Bool {
        FileManager.default.fileExists(atPath: folder + "/" + shard.fileName)
    }

    /// Starts (or starts over) the shard's file in `folder` (created if missing).
    init(folder: String, shard: ShardSpec) throws {
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw CLIError("cannot create the output folder \(folder): \(error.localizedDescription)")
        }
        path = folder + "/" + shard.fileName
        partial = path + ".partial"
        let fd = open(partial, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw CLIError("cannot write \(partial): \(String(cString: strerror(errno)))") }
        writer = BufferedWriter(fd: fd)
    }

    /// Appends the rows of `lines`: each row of `rows` (a JSON array or object, one per line, as `embed` writes
    /// them) with its input line number: `{"line": L, "embedding": [...]}`, or `{"line": L, "indices": ...}` for an
    /// object row.
    mutating func append(rows: [UInt8], lines: [Int]) throws {
        var start = 0, index = 0
        for end in rows.indices where rows[end] == UInt8(ascii: "\n") {
            let row = rows[start..<end]
            guard index < lines.count, let first = row.first else { throw CLIError("internal: rows and lines differ") }
            var line = Array("{\"line\": \(lines[index]), ".utf8)
            if first == UInt8(ascii: "{") {
                line += row.dropFirst()
            } else {
                line += Array("\"embedding\": ".utf8) + row + [UInt8(ascii: "}")]
            }
            line.append(UInt8(ascii: "\n"))
            writer.write(bytes: line)
            start = end + 1
            index += 1
        }
        guard index == lines.count else { throw CLIError("internal: rows and lines differ") }
        try flush()
    }

    private mutating func flush() throws {
        do {
            try writer.flush()
        } catch {
            throw CLIError("cannot write \(partial): \(String(cString: strerror(errno)))")
        }
    }

    /// Flushes, syncs and renames the file into place.
    mutating func finish() throws {
        try flush()
        guard fsync(writer.fd) == 0, close(writer.fd) == 0 else {
            throw CLIError("cannot write \(partial): \(String(cString: strerror(errno)))")
        }
        guard rename(partial, path) == 0 else {
            throw CLIError("cannot rename \(partial) to \(path): \(String(cString: strerror(errno)))")
        }
    }
}
