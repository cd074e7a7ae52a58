// Ports tokenizers' decoders ByteLevel (pre_tokenizers/byte_level.rs `decode_chain`): byte-level token strings back
// to UTF-8 text.
import BertEmbedJSON

/// The ByteLevel decoder: each token whose scalars are all byte-level scalars becomes those bytes, any other token
/// (an added token such as `<mask>` or one with a real space) its own UTF-8; the bytes of all tokens, concatenated,
/// are read as UTF-8 with each invalid sequence replaced by U+FFFD (Rust's `String::from_utf8_lossy`).
package struct ByteLevelDecoder: TokenDecoder, Equatable {
    /// A decoder (it has no options: tokenizers ignores the ones the file carries when decoding).
    package init() {}

    /// The decoder of a tokenizer.json object `{"type": "ByteLevel", "add_prefix_space": .., "trim_offsets": ..}`:
    /// tokenizers' serde requires both flags (a bare `{"type": "ByteLevel"}` does not load) and ignores them when
    /// decoding; `use_regex` is optional.
    /// - Throws: `JSONFileError` naming the key when a flag is missing or not a boolean, or `type` is not ByteLevel.
    package init(json: JSONObject) throws(JSONFileError) {
        try ByteLevelPreTokenizer.checkType(json)
        _ = try json.required("add_prefix_space").bool()
        _ = try json.required("trim_offsets").bool()
        _ = try json.bool("use_regex")
    }

    /// The decoded text of `tokens`, as one piece.
    package func decode(_ tokens: [String]) -> [String] {
        var bytes: [UInt8] = []
        for token in tokens {
            let start = bytes.count
            var allBytes = true
            for scalar in token.unicodeScalars {
                guard let byte = ByteLevelAlphabet.byte(for: scalar) else {
                    allBytes = false
                    break
                }
                bytes.append(byte)
            }
            if !allBytes {
                bytes.removeSubrange(start...)
                bytes.append(contentsOf: token.utf8)
            }
        }
        return [String(decoding: bytes, as: UTF8.self)]
    }
}
