// Response bodies written as bytes: floats in the shortest form that reads back to the same float32 (so a client's
// vector equals `bert-embed embed`'s bit for bit), strings escaped per RFC 8259.

/// A JSON document being written.
struct JSONOutput {
    private(set) var bytes: [UInt8] = []

    init(capacity: Int = 1024) { bytes.reserveCapacity(capacity) }

    mutating func raw(_ text: String) { bytes.append(contentsOf: text.utf8) }

    mutating func string(_ text: String) {
        bytes.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): raw("\\\"")
            case UInt8(ascii: "\\"): raw("\\\\")
            case 0x0A: raw("\\n")
            case 0x0D: raw("\\r")
            case 0x09: raw("\\t")
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                bytes += Array("\\u00".utf8) + [hex[Int(byte >> 4)], hex[Int(byte & 15)]]
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// A float as JSON: its shortest round-trip decimal; NaN and infinities (which JSON lacks) as null.
    mutating func number(_ value: Float) {
        if value.isFinite { raw(value.description) } else { raw("null") }
    }

    mutating func floats(_ values: [Float]) {
        bytes.append(UInt8(ascii: "["))
        for (index, value) in values.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            number(value)
        }
        bytes.append(UInt8(ascii: "]"))
    }

    /// `values` as little-endian float32 bytes in base64 (OpenAI's `encoding_format: "base64"`).
    mutating func base64Floats(_ values: [Float]) {
        var data: [UInt8] = []
        data.reserveCapacity(values.count * 4)
        for value in values {
            let bits = value.bitPattern
            data += [UInt8(bits & 0xFF), UInt8(bits >> 8 & 0xFF), UInt8(bits >> 16 & 0xFF), UInt8(bits >> 24)]
        }
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        bytes.append(UInt8(ascii: "\""))
        var index = 0
        while index + 3 <= data.count {
            let group = Int(data[index]) << 16 | Int(data[index + 1]) << 8 | Int(data[index + 2])
            bytes += [
                alphabet[group >> 18], alphabet[group >> 12 & 63], alphabet[group >> 6 & 63], alphabet[group & 63],
            ]
            index += 3
        }
        let left = data.count - index
        if left > 0 {
            let group = Int(data[index]) << 16 | (left == 2 ? Int(data[index + 1]) << 8 : 0)
            bytes += [alphabet[group >> 18], alphabet[group >> 12 & 63]]
            bytes += left == 2 ? [alphabet[group >> 6 & 63], UInt8(ascii: "=")] : Array("==".utf8)
        }
        bytes.append(UInt8(ascii: "\""))
    }
}
