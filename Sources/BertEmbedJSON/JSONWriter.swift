// Writing JSON: string literals and integer lists, appended as UTF-8 bytes (the CLI's JSON lines, search results).

/// Appends JSON text to a byte buffer.
package enum JSONWriter {
    /// Appends `string` as a JSON string literal: quotes, backslashes and every control character below U+0020
    /// escaped (`\u00XX`), everything else as raw UTF-8.
    package static func appendString(_ string: String, to output: inout [UInt8]) {
        let hex: [UInt8] = Array("0123456789abcdef".utf8)
        output.append(0x22)
        for byte in string.utf8 {
            switch byte {
            case 0x22: output.append(contentsOf: [0x5C, 0x22])
            case 0x5C: output.append(contentsOf: [0x5C, 0x5C])
            case 0..<0x20:
                output.append(contentsOf: Array("\\u00".utf8))
                output.append(hex[Int(byte >> 4)])
                output.append(hex[Int(byte & 15)])
            default: output.append(byte)
            }
        }
        output.append(0x22)
    }

    /// `string` as a JSON string literal (see `appendString`).
    package static func quoted(_ string: String) -> String {
        var bytes: [UInt8] = []
        appendString(string, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends `[a,b,c]`.
    package static func appendInts(_ values: [Int], to output: inout [UInt8]) {
        output.append(0x5B)
        for (index, value) in values.enumerated() {
            if index > 0 { output.append(0x2C) }
            output.append(contentsOf: String(value).utf8)
        }
        output.append(0x5D)
    }
}
