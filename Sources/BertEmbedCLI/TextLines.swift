// Reading the texts of a command, one per line from standard input or a file (`InputLines` rules), and JSON strings.
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The texts of `lines` (all, or the next `limit`): one per line, checked UTF-8; with `json`, each line must be one
/// JSON string (so texts may hold newlines). Errors name the source and the 1-based line.
func readTexts(_ lines: inout InputLines, json: Bool, limit: Int = .max) throws -> [String] {
    var texts: [String] = []
    while texts.count < limit, let text = try lines.nextText() {
        texts.append(json ? try InputLines.parseJSONString(text, line: lines.lineNumber, name: lines.name) : text)
    }
    return texts
}

/// The texts of standard input (see `readTexts`).
func readStandardInputLines(json: Bool = false) throws -> [String] {
    var lines = InputLines()
    return try readTexts(&lines, json: json)
}

/// The lines of the UTF-8 file at `path` (see `readTexts`).
func readTextFile(_ path: String) throws -> [String] {
    let fd = open(path, O_RDONLY)
    guard fd >= 0 else { throw CLIError("cannot read \(path): \(String(cString: strerror(errno)))") }
    defer { close(fd) }
    var lines = InputLines(fd: fd, name: path)
    return try readTexts(&lines, json: false)
}
