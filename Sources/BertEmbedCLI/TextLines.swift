// Reading texts for commands: a file or stdin, one text per line, split on "\n" only, strictly UTF-8.
import Foundation

/// The lines of a UTF-8 file (a final newline does not make an extra empty line).
func readTextFile(_ path: String) throws -> [String] {
    guard let data = FileManager.default.contents(atPath: path) else { throw CLIError("cannot read \(path)") }
    return try splitLines(Array(data), source: path)
}

/// The lines of standard input.
func readStandardInputLines() throws -> [String] {
    try splitLines(Array(FileHandle.standardInput.readDataToEndOfFile()), source: "stdin")
}

/// Splits bytes on "\n" and decodes each line as UTF-8, naming the line of the first invalid one.
func splitLines(_ bytes: [UInt8], source: String) throws -> [String] {
    var lines: [String] = []
    var start = 0
    var number = 1
    while start < bytes.count {
        let end = bytes[start...].firstIndex(of: 10) ?? bytes.count
        guard let line = String(validating: bytes[start..<end], as: UTF8.self) else {
            throw CLIError("\(source): line \(number) is not valid UTF-8")
        }
        lines.append(line)
        start = end + 1
        number += 1
    }
    return lines
}

/// `text` as a JSON string literal.
func jsonString(_ text: String) -> String {
    var out = "\""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        case _ where scalar.value < 0x20:
            let hex = String(scalar.value, radix: 16)
            out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
        default: out.unicodeScalars.append(scalar)
        }
    }
    return out + "\""
}
