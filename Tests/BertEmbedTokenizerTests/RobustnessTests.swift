// Any Swift String tokenizes without a trap, and the properties that need no goldens hold.
import BertEmbedTokenizer
import XCTest
import _BertEmbedTestSupport

final class RobustnessTests: XCTestCase {
    /// Every array of an encoding has one entry per token, offsets lie inside the text.
    private func assertWellFormed(
        _ encoding: Encoding, text: String, file: StaticString = #filePath, line: UInt = #line
    ) {
        let n = encoding.ids.count
        XCTAssertEqual(
            [encoding.typeIds.count, encoding.attentionMask.count, encoding.tokens.count, encoding.offsets.count],
            [n, n, n, n], file: file, line: line)
        let scalars = text.unicodeScalars.count
        for range in encoding.offsets {
            XCTAssertTrue(range.lowerBound >= 0 && range.upperBound <= scalars, file: file, line: line)
        }
    }

    func testHostileInputs() throws {
        let tokenizer = try Goldens.tokenizer("uncased")
        let huge = String(repeating: "a", count: 1 << 20)
        let inputs = [
            "", " ", String(repeating: " \t\n", count: 1000), huge, huge + " b", String(repeating: "é", count: 1 << 18),
            String(repeating: "\u{301}", count: 5000), "\u{0}\u{1}\u{7f}\u{85}\u{200b}\u{feff}",
            "👨‍👩‍👧‍👦🏳️‍🌈🇫🇷" + String(repeating: "\u{fe0f}", count: 50), String(repeating: "中", count: 10000),
            String(repeating: "[CLS]", count: 1000), String(repeating: "x", count: 300) + "é",
        ]
        for text in inputs {
            let encoding = try tokenizer.encode(text)
            assertWellFormed(encoding, text: text)
            XCTAssertEqual(try tokenizer.encodeIds(text), encoding.ids)
            XCTAssertEqual(encoding.ids.first, tokenizer.clsTokenId)
            XCTAssertEqual(encoding.ids.last, tokenizer.sepTokenId)
        }
        // One 1 MB word is one unknown token spanning it; whitespace-only and empty give [CLS] [SEP].
        XCTAssertEqual(try tokenizer.encode(huge).ids, [101, 100, 102])
        XCTAssertEqual(try tokenizer.encode(huge).offsets[1], 0..<(1 << 20))
        XCTAssertEqual(try tokenizer.encode(String(repeating: " \t\n", count: 1000)).ids, [101, 102])
        XCTAssertEqual(try tokenizer.encode("").ids, [101, 102])
    }

    /// The ASCII fast path gives what the general path gives, on random ASCII/Latin/CJK/control mixtures.
    func testFastPathEqualsGeneralPath() throws {
        var generator = SplitMix64(seed: 42)
        let alphabet: [String] =
            "abcXYZ019 .,;'\"[]#\t\n\r\u{1}\u{7f}éÉüßİ中文😀\u{301}\u{200b}\u{a0}-_".unicodeScalars.map { String($0) } + [
                "[SEP]", "[CLS]", "##",
            ]
        // The configurations that run the BERT fast path (the others have one path only).
        for configuration in Goldens.configurations {
            let tokenizer = try Goldens.tokenizer(configuration)
            guard tokenizer.fastTokens("") != nil else { continue }
            for _ in 0..<2000 {
                let count = Int(generator.next() % 40)
                let text = (0..<count).map { _ in String(alphabet[Int(generator.next() % UInt64(alphabet.count))]) }
                    .joined()
                XCTAssertEqual(
                    try XCTUnwrap(tokenizer.fastTokens(text)), try XCTUnwrap(tokenizer.generalTokens(text)),
                    "\(configuration): \(text.debugDescription)")
            }
        }
    }

    /// A text alone equals the same text in a padded batch (unpadded part), whatever its neighbours.
    func testBatchRowsEqualSingleEncodings() throws {
        let tokenizer = try Goldens.tokenizer("uncased")
        let texts = ["short", "a somewhat longer sentence, with punctuation!", "", "中文 and émoji 😀"]
        let batch = try tokenizer.encodeBatch(texts, padding: .longest)
        let longest = try texts.map { try tokenizer.encode($0).count }.max() ?? 0
        for (text, row) in zip(texts, batch) {
            let single = try tokenizer.encode(text)
            XCTAssertEqual(row.count, longest)
            XCTAssertEqual(Array(row.ids.prefix(single.count)), single.ids)
            XCTAssertEqual(
                row.attentionMask,
                Array(repeating: 1, count: single.count) + Array(repeating: 0, count: longest - single.count))
            XCTAssertTrue(row.ids.dropFirst(single.count).allSatisfy { $0 == tokenizer.padTokenId })
        }
        XCTAssertEqual(
            try tokenizer.encodeBatch(texts, padding: .none).map(\.count),
            try texts.map { try tokenizer.encode($0).count })
    }

    /// The fixed length of encodeIds is respected for every limit, and equals the first tokens of the full text.
    func testEncodeIdsTruncation() throws {
        let tokenizer = try Goldens.tokenizer("uncased")
        let text = "The quick brown fox jumps over the lazy dog, again and again."
        let full = try tokenizer.encodeIds(text)
        for maxLength in 2..<full.count + 3 {
            let ids = try tokenizer.encodeIds(text, maxLength: maxLength)
            XCTAssertEqual(ids.count, min(maxLength, full.count))
            XCTAssertEqual(Array(ids.dropLast()), Array(full.prefix(ids.count - 1)))
            XCTAssertEqual(ids.last, tokenizer.sepTokenId)
        }
    }
}
