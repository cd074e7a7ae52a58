// Tests the ByteLevel decoder against tokenizers 0.23.3 (`decoders.ByteLevel().decode`, Resources/tokenizer-bpe/
// decode.json from Scripts/make_bpe_goldens.py) and its tokenizer.json form.
import BertEmbedJSON
import BertEmbedTokenizer
import XCTest

final class ByteLevelDecoderTests: XCTestCase {
    /// Token lists of encoded texts, hand-written lists (added tokens, real spaces, CJK, split UTF-8 sequences) and
    /// random byte-level tokens (invalid UTF-8 replaced by U+FFFD as Rust's from_utf8_lossy does).
    func testMatchesTokenizers() throws {
        let cases = try BPEGolden.read("decode.json").array()
        XCTAssertGreaterThan(cases.count, 300)
        var replaced = 0
        for item in cases {
            let fields = try item.array()
            let tokens = try fields[0].array().map { try $0.string() }
            let expected = try fields[1].string()
            XCTAssertEqual(ByteLevelDecoder().decode(tokens), [expected], "\(tokens)")
            if expected.unicodeScalars.contains("\u{FFFD}") { replaced += 1 }
        }
        XCTAssertGreaterThan(replaced, 50, "the goldens should exercise invalid UTF-8")
    }

    /// Readable cases.
    func testExamples() {
        let decoder = ByteLevelDecoder()
        XCTAssertEqual(decoder.decode(["Hello", "Ġworld", "Ċ"]), ["Hello world\n"])
        XCTAssertEqual(decoder.decode(["ðŁ", "ĺ", "Ģ"]), ["😀"])
        XCTAssertEqual(decoder.decode(["<s>", "Ġ<mask>", "Ã©"]), ["<s> <mask>é"])  // <s>: not all byte-level
        XCTAssertEqual(decoder.decode(["Ã"]), ["\u{FFFD}"])
        XCTAssertEqual(decoder.decode([]), [""])
    }

    /// tokenizer.json: both flags are required (tokenizers refuses a bare `{"type": "ByteLevel"}`).
    func testJSON() throws {
        XCTAssertEqual(
            try ByteLevelDecoder(
                json: BPEGolden.object(#"{"type": "ByteLevel", "add_prefix_space": true, "trim_offsets": true}"#)),
            ByteLevelDecoder())
        for text in [#"{"type": "ByteLevel"}"#, #"{"type": "ByteLevel", "add_prefix_space": true}"#] {
            XCTAssertThrowsError(try ByteLevelDecoder(json: BPEGolden.object(text)), text)
        }
    }
}
