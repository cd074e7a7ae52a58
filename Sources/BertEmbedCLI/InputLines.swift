// Reading texts from standard input: bytes split on "\n" only, UTF-8 checked with line numbers, optional JSON strings.
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads lines from a file descriptor in large chunks. A line ends at `\n` only (a `\r` stays part of the text);
/// a last line without `\n` counts unless it is empty.
struct InputLines {
    let fd: Int32
    /// A name for messages ("standard input", a file path).
    let name: String
    private var buffer: [UInt8] = []
    private var start = 0
    private var atEnd = false
    /// The number of the last line returned (1-based).
    private(set) var lineNumber = 0

    /// Lines of `fd` (standard input by default).
    init(fd: Int32 = 0, name: String = "standard input") {
        self.fd = fd
        self.name = name
    }

    /// The bytes of the next line without its `\n`, nil at the end of the input.
    mutating func nextBytes() throws -> ArraySlice<UInt8>? {
        while true {
            if let newline = buffer[start...].firstIndex(of: 0x0A) {
                let line = buffer[start..<newline]
                start = newline + 1
                lineNumber += 1
                return line
            }
            if atEnd {
                guard start < buffer.count else { return nil }
                let line = buffer[start...]
                start = buffer.count
                lineNumber += 1
                return line
            }
            if start > 0 {
                buffer.removeSubrange(0..<start)
                start = 0
            }
            try fill()
        }
    }

    /// Reads one more chunk into the buffer, or sets `atEnd`.
    private mutating func fill() throws {
        let chunk = 1 << 16
        let old = buffer.count
        buffer.append(contentsOf: repeatElement(0, count: chunk))
        var n: Int
        repeat {
            n = buffer.withUnsafeMutableBytes { raw in
                guard let base = raw.baseAddress else { return -1 }
                return read(fd, base + old, chunk)
            }
        } while n < 0 && errno == EINTR
        guard n >= 0 else {
            buffer.removeSubrange(old...)
            throw CLIError("\(name): read failed (errno \(errno))")
        }
        buffer.removeSubrange((old + n)...)
        if n == 0 { atEnd = true }
    }

    /// The next line as text, nil at the end. Throws when it is not valid UTF-8 (naming the line).
    mutating func nextText() throws -> String? {
        guard let bytes = try nextBytes() else { return nil }
        return try Self.text(bytes, line: lineNumber, name: name)
    }

    /// `bytes` as a String; throws a `CLIError` naming `line` when they are not valid UTF-8.
    static func text(_ bytes: ArraySlice<UInt8>, line: Int, name: String) throws -> String {
        var iterator = bytes.makeIterator()
        var decoder = UTF8()
        var column = 0
        loop: while true {
            switch decoder.decode(&iterator) {
            case .scalarValue: column += 1
            case .emptyInput: break loop
            case .error: throw CLIError("\(name) line \(line): invalid UTF-8 after \(column) characters")
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The JSON value of `text` (a line of JSON lines input); throws naming `line` when it does not parse.
    static func json(_ text: String, line: Int, name: String) throws -> Any {
        do {
            return try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
        } catch {
            throw CLIError("\(name) line \(line): invalid JSON (\(error.localizedDescription))")
        }
    }

    /// `text` parsed as one JSON string.
    static func jsonString(_ text: String, line: Int, name: String) throws -> String {
        guard let string = try json(text, line: line, name: name) as? String else {
            throw CLIError("\(name) line \(line): expected a JSON string")
        }
        return string
    }

    /// `text` parsed as a JSON array of two strings.
    static func jsonPair(_ text: String, line: Int, name: String) throws -> (String, String) {
        guard let array = try json(text, line: line, name: name) as? [Any], array.count == 2,
              let first = array[0] as? String, let second = array[1] as? String else {
            throw CLIError("\(name) line \(line): expected a JSON array of two strings")
        }
        return (first, second)
    }
}

/// Appends `string` to `output` as a JSON string literal: quotes, backslashes and every control character below
/// U+0020 escaped (`\u00XX`), everything else as raw UTF-8.
func appendJSONString(_ string: String, to output: inout [UInt8]) {
    let hex: [UInt8] = Array("0123456789abcdef".utf8)
    output.append(0x22)
    for byte in string.utf8 {
        switch byte {
        case 0x22: output.append(0x5C); output.append(0x22)
        case 0x5C: output.append(0x5C); output.append(0x5C)
        case 0..<0x20:
            output.append(contentsOf: Array("\\u00".utf8))
            output.append(hex[Int(byte >> 4)])
            output.append(hex[Int(byte & 15)])
        default: output.append(byte)
        }
    }
    output.append(0x22)
}

/// Appends `[a,b,c]` to `output`.
func appendJSONInts(_ values: [Int], to output: inout [UInt8]) {
    output.append(0x5B)
    for (index, value) in values.enumerated() {
        if index > 0 { output.append(0x2C) }
        output.append(contentsOf: String(value).utf8)
    }
    output.append(0x5D)
}
