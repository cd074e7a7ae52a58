// Reading texts for commands from a file or stdin (one text per line, as `inputTexts`), and JSON string literals.
import Foundation

/// The lines of a UTF-8 file, as `inputTexts` splits standard input (errors name the file and line).
func readTextFile(_ path: String) throws -> [String] {
    guard let data = FileManager.default.contents(atPath: path) else { throw CLIError("cannot read \(path)") }
    do {
        return try inputTexts(Array(data), json: false)
    } catch let error as CLIError {
        throw CLIError(error.description.replacingOccurrences(of: "standard input", with: path))
    }
}

/// The lines of standard input (see `inputTexts`).
func readStandardInputLines() throws -> [String] {
    try inputTexts(readAllBytes(0), json: false)
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
