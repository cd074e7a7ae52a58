// Reading texts from standard input: bytes split on "\n" only, UTF-8 checked with line numbers, optional JSON strings.
import BertEmbedJSON
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
        var from = start  // where the search for the newline goes on (bytes before it hold none)
        while true {
            if let newline = buffer[from...].firstIndex(of: 0x0A) {
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
            from = buffer.count - start
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

    /// The JSON value of `text` (a line of JSON lines input), by the package's strict parser; throws naming `line`
    /// when it does not parse.
    static func parseJSON(_ text: String, line: Int, name: String) throws -> JSONValue {
        do {
            return try JSONParser.parse(Array(text.utf8))
        } catch {
            throw CLIError("\(name) line \(line): invalid JSON (\(error))")
        }
    }

    /// `text` parsed as one JSON string.
    static func parseJSONString(_ text: String, line: Int, name: String) throws -> String {
        guard case .string(let string) = try parseJSON(text, line: line, name: name) else {
            throw CLIError("\(name) line \(line): expected a JSON string")
        }
        return string
    }

    /// `text` parsed as a JSON array of two strings.
    static func parseJSONStringPair(_ text: String, line: Int, name: String) throws -> (String, String) {
        guard case .array(let items) = try parseJSON(text, line: line, name: name), items.count == 2,
            case .string(let first) = items[0], case .string(let second) = items[1]
        else {
            throw CLIError("\(name) line \(line): expected a JSON array of two strings")
        }
        return (first, second)
    }
}
