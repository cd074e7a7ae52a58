// The texts of `bert-embed embed` from standard input: one per line, checked UTF-8, optionally JSON strings.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Every byte of file descriptor `fd` until end of file.
func readAllBytes(_ fd: Int32) throws -> [UInt8] {
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    while true {
        let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if n < 0 {
            if errno == EINTR { continue }
            throw CLIError("cannot read standard input: \(String(cString: strerror(errno)))")
        }
        if n == 0 { return bytes }
        bytes.append(contentsOf: chunk[0..<n])
    }
}

/// The texts of `bytes`, one per line.
///
/// Lines are split on `\n` only (a `\r` stays in the text); a final `\n` does not make an extra empty text, and
/// an empty line is an empty text. Each line must be valid UTF-8; with `json`, each line must be one JSON string
/// (`"..."`, escapes allowed), so that texts may hold newlines. Errors name the 1-based line.
func inputTexts(_ bytes: [UInt8], json: Bool) throws -> [String] {
    var lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
    if bytes.last == UInt8(ascii: "\n") || bytes.isEmpty { lines.removeLast() }
    return try lines.enumerated().map { index, line in
        // Decoding repairs invalid UTF-8 with U+FFFD, so valid input is exactly what re-encodes to the same bytes
        // (String(validating:) would need macOS 15).
        let text = String(decoding: line, as: UTF8.self)
        guard text.utf8.elementsEqual(line) else {
            throw CLIError("standard input line \(index + 1): not valid UTF-8")
        }
        guard json else { return text }
        let value = try? JSONSerialization.jsonObject(with: Data(line), options: [.fragmentsAllowed])
        guard let string = value as? String else {
            throw CLIError(
                "standard input line \(index + 1): not a JSON string (with --jsonl each line is one, e.g. \"text\")")
        }
        return string
    }
}
