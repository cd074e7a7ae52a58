// A small strict JSON parser (RFC 8259) over untrusted bytes: no trapping, bounded nesting, duplicate keys kept.
// Foundation's JSONSerialization silently keeps one value of a duplicated key, which a safetensors
// reader must reject, and it cannot tell 12 from 12.0 or 1 from true; hence this parser.

/// Where and why a document is not JSON.
package struct JSONSyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Byte offset of the problem from the start of the document.
    package let offset: Int
    /// What is wrong there.
    package let message: String

    /// "at byte N: message".
    package var description: String { "at byte \(offset): \(message)" }
}

/// Parses one JSON document: optional whitespace, one value, optional whitespace, end of input.
package enum JSONParser {
    /// Deepest nesting of lists and objects accepted (serde_json's default limit is 128 too).
    package static let maximumDepth = 128

    /// Parses `bytes` (UTF-8). Never traps on any input; throws `JSONSyntaxError` instead.
    package static func parse(_ bytes: UnsafeRawBufferPointer) throws -> JSONValue {
        var cursor = Cursor(bytes: bytes)
        cursor.skipWhitespace()
        let value = try cursor.parseValue(depth: 0)
        cursor.skipWhitespace()
        if cursor.position < bytes.count { throw cursor.error("unexpected characters after the JSON value") }
        return value
    }

    /// Parses `bytes` (UTF-8); see `parse(_:)` for raw buffers.
    package static func parse(_ bytes: [UInt8]) throws -> JSONValue {
        try bytes.withUnsafeBytes { try parse($0) }
    }

    private struct Cursor {
        let bytes: UnsafeRawBufferPointer
        var position = 0

        init(bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

        func error(_ message: String) -> JSONSyntaxError { JSONSyntaxError(offset: position, message: message) }

        var current: UInt8? { position < bytes.count ? bytes[position] : nil }

        mutating func skipWhitespace() {
            while let c = current, c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D { position += 1 }
        }

        mutating func expect(_ literal: StaticString) throws {
            let count = literal.utf8CodeUnitCount
            guard bytes.count - position >= count else { throw error("unexpected end of input") }
            let matches = literal.withUTF8Buffer { word in
                (0..<count).allSatisfy { bytes[position + $0] == word[$0] }
            }
            guard matches else { throw error("invalid literal (expected \(literal))") }
            position += count
        }

        mutating func parseValue(depth: Int) throws -> JSONValue {
            guard let c = current else { throw error("unexpected end of input, expected a value") }
            switch c {
            case UInt8(ascii: "{"): return try parseObject(depth: depth + 1)
            case UInt8(ascii: "["): return try parseArray(depth: depth + 1)
            case UInt8(ascii: "\""): return .string(try parseString())
            case UInt8(ascii: "t"):
                try expect("true")
                return .bool(true)
            case UInt8(ascii: "f"):
                try expect("false")
                return .bool(false)
            case UInt8(ascii: "n"):
                try expect("null")
                return .null
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try parseNumber())
            default: throw error("unexpected character 0x\(String(c, radix: 16)), expected a value")
            }
        }

        mutating func parseObject(depth: Int) throws -> JSONValue {
            guard depth <= JSONParser.maximumDepth else {
                throw error("nesting deeper than \(JSONParser.maximumDepth)")
            }
            position += 1  // {
            var members: [JSONMember] = []
            skipWhitespace()
            if current == UInt8(ascii: "}") {
                position += 1
                return .object(members)
            }
            while true {
                skipWhitespace()
                guard current == UInt8(ascii: "\"") else { throw error("expected a string key") }
                let key = try parseString()
                skipWhitespace()
                guard current == UInt8(ascii: ":") else { throw error("expected ':' after a key") }
                position += 1
                skipWhitespace()
                members.append(JSONMember(key: key, value: try parseValue(depth: depth)))
                skipWhitespace()
                switch current {
                case UInt8(ascii: ","): position += 1
                case UInt8(ascii: "}"):
                    position += 1
                    return .object(members)
                default: throw error("expected ',' or '}' in an object")
                }
            }
        }

        mutating func parseArray(depth: Int) throws -> JSONValue {
            guard depth <= JSONParser.maximumDepth else {
                throw error("nesting deeper than \(JSONParser.maximumDepth)")
            }
            position += 1  // [
            var elements: [JSONValue] = []
            skipWhitespace()
            if current == UInt8(ascii: "]") {
                position += 1
                return .array(elements)
            }
            while true {
                skipWhitespace()
                elements.append(try parseValue(depth: depth))
                skipWhitespace()
                switch current {
                case UInt8(ascii: ","): position += 1
                case UInt8(ascii: "]"):
                    position += 1
                    return .array(elements)
                default: throw error("expected ',' or ']' in a list")
                }
            }
        }

        mutating func parseNumber() throws -> JSONNumber {
            let start = position
            var isInteger = true
            if current == UInt8(ascii: "-") { position += 1 }
            guard let first = current, isDigit(first) else { throw error("expected a digit") }
            position += 1
            if first != UInt8(ascii: "0") { while let c = current, isDigit(c) { position += 1 } }
            if current == UInt8(ascii: ".") {
                isInteger = false
                position += 1
                guard let c = current, isDigit(c) else { throw error("expected a digit after '.'") }
                while let c = current, isDigit(c) { position += 1 }
            }
            if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
                isInteger = false
                position += 1
                if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { position += 1 }
                guard let c = current, isDigit(c) else { throw error("expected a digit in the exponent") }
                while let c = current, isDigit(c) { position += 1 }
            }
            let literal = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
            return JSONNumber(literal: literal, isIntegerLiteral: isInteger)
        }

        func isDigit(_ c: UInt8) -> Bool { c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") }

        mutating func parseString() throws -> String {
            let start = position
            position += 1  // opening quote
            // Most strings have no escape: then the bytes up to the closing quote are the string, validated at once.
            var end = position
            while end < bytes.count, bytes[end] != UInt8(ascii: "\""), bytes[end] != UInt8(ascii: "\\"),
                bytes[end] >= 0x20
            {
                end += 1
            }
            if end < bytes.count, bytes[end] == UInt8(ascii: "\"") {
                let text = UnsafeRawBufferPointer(rebasing: bytes[position..<end])
                // ASCII is valid UTF-8; String(decoding:) is specialized here, String(validating:) is not (~3x slower).
                let s =
                    text.allSatisfy { $0 < 0x80 }
                    ? String(decoding: text, as: UTF8.self) : String(validating: text, as: UTF8.self)
                guard let s else { throw JSONSyntaxError(offset: start, message: "string is not valid UTF-8") }
                position = end + 1
                return s
            }
            var utf8: [UInt8] = []
            while true {
                guard let c = current else { throw error("unterminated string") }
                position += 1
                switch c {
                case UInt8(ascii: "\""):
                    guard let s = String(validating: utf8, as: UTF8.self) else {
                        throw JSONSyntaxError(offset: start, message: "string is not valid UTF-8")
                    }
                    return s
                case UInt8(ascii: "\\"): try parseEscape(into: &utf8)
                case 0..<0x20: throw error("control character 0x\(String(c, radix: 16)) inside a string")
                default: utf8.append(c)
                }
            }
        }

        mutating func parseEscape(into utf8: inout [UInt8]) throws {
            guard let c = current else { throw error("unterminated escape") }
            position += 1
            switch c {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): utf8.append(c)
            case UInt8(ascii: "b"): utf8.append(0x08)
            case UInt8(ascii: "f"): utf8.append(0x0C)
            case UInt8(ascii: "n"): utf8.append(0x0A)
            case UInt8(ascii: "r"): utf8.append(0x0D)
            case UInt8(ascii: "t"): utf8.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = UInt32(try parseHex4())
                if (0xD800..<0xDC00).contains(scalar) {
                    guard bytes.count - position >= 2, bytes[position] == UInt8(ascii: "\\"),
                        bytes[position + 1] == UInt8(ascii: "u")
                    else { throw error("lone leading surrogate in \\u escape") }
                    position += 2
                    let low = UInt32(try parseHex4())
                    guard (0xDC00..<0xE000).contains(low) else { throw error("invalid trailing surrogate") }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                } else if (0xDC00..<0xE000).contains(scalar) {
                    throw error("lone trailing surrogate in \\u escape")
                }
                guard let unicode = Unicode.Scalar(scalar) else { throw error("invalid \\u escape") }
                utf8.append(contentsOf: Array(String(Character(unicode)).utf8))
            default: throw error("invalid escape '\\\(Character(Unicode.Scalar(c)))'")
            }
        }

        mutating func parseHex4() throws -> UInt16 {
            guard bytes.count - position >= 4 else { throw error("truncated \\u escape") }
            var value: UInt16 = 0
            for _ in 0..<4 {
                let c = bytes[position]
                let digit: UInt8
                switch c {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = c - UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = c - UInt8(ascii: "a") + 10
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = c - UInt8(ascii: "A") + 10
                default: throw error("invalid hex digit in \\u escape")
                }
                value = value << 4 | UInt16(digit)
                position += 1
            }
            return value
        }
    }
}
