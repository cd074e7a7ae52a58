// Tests the decoders that Unigram and SentencePiece-converted tokenizer.json files use (Metaspace, ByteFallback,
// Fuse, Strip, Replace) against tokenizers 0.23.3.
import BertEmbedJSON
import BertEmbedTokenizer
import XCTest

final class UnigramDecoderTests: XCTestCase {
    /// The decoder of a tokenizer.json decoder object, by its type.
    static func decoder(_ object: JSONObject) throws -> any TokenDecoder {
        switch try object.string("type") {
        case "Metaspace": return try MetaspaceDecoder(json: object)
        case "ByteFallback": return try ByteFallbackDecoder(json: object)
        case "Fuse": return try FuseDecoder(json: object)
        case "Strip": return try StripDecoder(json: object)
        case "Replace": return try ReplaceDecoder(json: object)
        case let type: throw TokenizerError.unsupported(path: object.path, feature: "decoder \(type ?? "nil")")
        }
    }

    /// Each chain (one decoder, or the byte-fallback chain Replace, ByteFallback, Fuse, Strip) decodes the tokens to
    /// tokenizers' text: Metaspace's first-token rule per scheme, byte runs (valid, invalid, "+F", lower case, not
    /// bytes), Strip's limits, Replace with multi-scalar, empty and overlapping patterns.
    func testDecodersMatchTokenizers() throws {
        let cases = UnigramFixture.goldens.decoders
        XCTAssertGreaterThan(cases.count, 50)
        for golden in cases {
            let objects = try JSONNode(
                value: try JSONParser.parse(Array(golden.decoders.utf8)), path: "goldens.json", key: "decoders"
            ).array().map { try $0.object() }
            var tokens = golden.tokens
            for object in objects { tokens = try Self.decoder(object).decode(tokens) }
            XCTAssertEqual(tokens.joined(), golden.text, "\(golden.decoders) \(golden.tokens)")
        }
    }

    /// Where tokenizers panics (Strip cuts that cross or run past the token), the token becomes empty.
    func testStripWhereTokenizersPanics() {
        XCTAssertEqual(StripDecoder(content: " ", start: 1, stop: 1).decode([" "]), [""])
        XCTAssertEqual(StripDecoder(content: "\u{2581}", start: 0, stop: 2).decode(["\u{2581}", ""]), ["", ""])
    }

    /// Byte tokens as Rust's `u8::from_str_radix` reads their two characters.
    func testByteTokens() {
        XCTAssertEqual(ByteFallbackDecoder.byte(of: "<0x4A>"), 0x4A)
        XCTAssertEqual(ByteFallbackDecoder.byte(of: "<0xff>"), 0xFF)
        XCTAssertEqual(ByteFallbackDecoder.byte(of: "<0x+F>"), 0x0F)
        XCTAssertNil(ByteFallbackDecoder.byte(of: "<0x-1>"))
        XCTAssertNil(ByteFallbackDecoder.byte(of: "<0X41>"))
        XCTAssertNil(ByteFallbackDecoder.byte(of: "<0x41"))
        XCTAssertNil(ByteFallbackDecoder.byte(of: "<0x\u{E9}>"))
    }
}
