// Tests the offset trimming of the ByteLevel post-processor and RobertaProcessing (`process_offsets`) against
// tokenizers 0.23.3 (Resources/tokenizer-bpe/trim.json, from Scripts/make_bpe_goldens.py) and the spec's examples.
import BertEmbedTokenizer
import XCTest

final class ByteLevelOffsetTrimmingTests: XCTestCase {
    /// One sequence's tokens and offsets before and after tokenizers' ByteLevel post-processor, for texts with
    /// spaces, tabs, CJK, emoji and the fixture's `<mask>` (lstrip: token strings such as " <mask>"), each
    /// sequence of pairs on its own, with `add_prefix_space` on and off.
    func testMatchesTokenizers() throws {
        let cases = try BPEGolden.read("trim.json").array()
        XCTAssertGreaterThan(cases.count, 500)
        var changed = 0
        for item in cases {
            let entry = try item.object()
            let tokens = try entry.required("tokens").array().map { try $0.string() }
            let before = BPEGolden.ranges(try BPEGolden.ints(entry.required("before")))
            let after = BPEGolden.ranges(try BPEGolden.ints(entry.required("after")))
            let prefix = try entry.required("add_prefix_space").bool()
            XCTAssertEqual(
                ByteLevelOffsetTrimming.trim(tokens: tokens, offsets: before, addPrefixSpace: prefix), after,
                "\(tokens) prefix \(prefix)")
            if before != after { changed += 1 }
        }
        XCTAssertGreaterThan(changed, 100, "the goldens should exercise the trimming")
    }

    /// The examples of the spec (RoBERTa: add_prefix_space false).
    func testSpecExamples() {
        func trim(_ tokens: [String], _ offsets: [Range<Int>], prefix: Bool = false) -> [Range<Int>] {
            ByteLevelOffsetTrimming.trim(tokens: tokens, offsets: offsets, addPrefixSpace: prefix)
        }
        XCTAssertEqual(trim(["Hello", "Ġworld"], [0..<5, 5..<11]), [0..<5, 6..<11])
        XCTAssertEqual(trim(["Hello", "Ġ", "Ġworld"], [0..<5, 5..<6, 6..<12]), [0..<5, 6..<6, 7..<12])
        XCTAssertEqual(trim(["Ġworld", "ĠĠ"], [5..<11, 11..<13]), [6..<11, 13..<13])
        XCTAssertEqual(trim(["Ġ"], [0..<1]), [1..<1])
        XCTAssertEqual(trim(["ĉ", "Hello", "Ċ"], [0..<1, 1..<6, 6..<7]), [0..<1, 1..<6, 6..<7])
        XCTAssertEqual(trim(["Hello", " <mask>", "!"], [0..<5, 5..<12, 12..<13]), [0..<5, 6..<12, 12..<13])
        XCTAssertEqual(trim(["Â", "ł"], [1..<2, 1..<2]), [1..<2, 1..<2])  // NBSP's bytes are not trimmed
        // With add_prefix_space, the first token keeps one leading space (the one the pre-tokenizer may have added).
        XCTAssertEqual(trim(["ĠHello", "Ġworld"], [0..<5, 5..<11], prefix: true), [0..<5, 6..<11])
        XCTAssertEqual(trim(["Ġ", "ĠHello"], [0..<1, 1..<7], prefix: true), [0..<0, 2..<7])
        XCTAssertEqual(trim(["Ġ", "ĉ", "Hello"], [0..<1, 0..<1, 1..<6], prefix: true), [0..<0, 0..<1, 1..<6])
        XCTAssertEqual(trim(["x", "Ġy"], [0..<1, 0..<2], prefix: true), [0..<1, 0..<2])  // start 0 counts as first
        XCTAssertEqual(trim([" <mask>"], [0..<7], prefix: true), [0..<7])
        XCTAssertEqual(trim(["  <mask>"], [0..<8], prefix: true), [2..<8])
        // Trailing spaces of an added token with rstrip.
        XCTAssertEqual(trim(["<mask> ", "x"], [0..<7, 7..<8]), [0..<6, 7..<8])
    }
}
