// Ports tokenizers' decoders::fuse::Fuse (src/decoders/fuse.rs).
import BertEmbedJSON

/// The Fuse decoder: all tokens joined into one.
package struct FuseDecoder: TokenDecoder, Equatable {
    /// The decoder.
    package init() {}

    /// The decoder of a tokenizer.json `{"type": "Fuse"}` object (it has no settings).
    /// - Throws: `JSONFileError` when `type` is not "Fuse".
    package init(json: JSONObject) throws(JSONFileError) {
        let type = try json.required("type").string()
        guard type == "Fuse" else { throw json.error("type", "expected \"Fuse\", found \"\(type)\"") }
    }

    /// One token: the concatenation of `tokens`.
    package func decode(_ tokens: [String]) -> [String] {
        [tokens.joined()]
    }
}
