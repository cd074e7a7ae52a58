// Ports tokenizers' decoders::byte_fallback::ByteFallback (src/decoders/byte_fallback.rs).
import BertEmbedJSON

/// The ByteFallback decoder: runs of byte tokens (`<0xE2>`, 6 bytes, two hex digits in either case) become the text
/// they encode when valid UTF-8, else one U+FFFD per byte; other tokens pass through.
package struct ByteFallbackDecoder: TokenDecoder, Equatable {
    /// The decoder.
    package init() {}

    /// The decoder of a tokenizer.json `{"type": "ByteFallback"}` object (it has no settings).
    /// - Throws: `JSONFileError` when `type` is not "ByteFallback".
    package init(json: JSONObject) throws(JSONFileError) {
        let type = try json.required("type").string()
        guard type == "ByteFallback" else { throw json.error("type", "expected \"ByteFallback\", found \"\(type)\"") }
    }

    /// The byte a token stands for: exactly 6 UTF-8 bytes, `<0x`, two characters Rust's `u8::from_str_radix(_, 16)`
    /// accepts (hex digits in either case, or `+` and one digit), `>`.
    package static func byte(of token: String) -> UInt8? {
        let utf8 = Array(token.utf8)
        guard utf8.count == 6, utf8[0] == UInt8(ascii: "<"), utf8[1] == UInt8(ascii: "0"), utf8[2] == UInt8(ascii: "x"),
            utf8[5] == UInt8(ascii: ">")
        else { return nil }
        /// The value of a hex digit, nil for another byte.
        func digit(_ c: UInt8) -> UInt8? {
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
            default: return nil
            }
        }
        if utf8[3] == UInt8(ascii: "+") { return digit(utf8[4]) }
        guard let high = digit(utf8[3]), let low = digit(utf8[4]) else { return nil }
        return high << 4 | low
    }

    /// The tokens with each run of byte tokens decoded.
    package func decode(_ tokens: [String]) -> [String] {
        var output: [String] = []
        output.reserveCapacity(tokens.count)
        var pending: [UInt8] = []
        /// Emits the pending byte run: its text, or one U+FFFD per byte when it is not UTF-8.
        func flush() {
            guard !pending.isEmpty else { return }
            if let text = String(validating: pending, as: UTF8.self) {
                output.append(text)
            } else {
                output.append(contentsOf: repeatElement("\u{FFFD}", count: pending.count))
            }
            pending.removeAll(keepingCapacity: true)
        }
        for token in tokens {
            if let byte = Self.byte(of: token) {
                pending.append(byte)
            } else {
                flush()
                output.append(token)
            }
        }
        flush()
        return output
    }
}
