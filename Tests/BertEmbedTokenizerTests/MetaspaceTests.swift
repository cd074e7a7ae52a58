// Tests the Metaspace pre-tokenizer and decoder against tokenizers 0.23.3.
import BertEmbedTokenizer
import XCTest

final class MetaspaceTests: XCTestCase {
    /// The pieces of a text cut at "|" (dropped), as the golden script cuts it before pre-tokenizing: each piece
    /// starts at its own offset, so that `first` sees pieces past offset 0.
    private func cut(_ text: String) -> [NormalizedText] {
        let scalars = Array(text.unicodeScalars)
        var pieces: [NormalizedText] = []
        var start = 0
        for index in 0...scalars.count where index == scalars.count || scalars[index] == "|" {
            if start < index { pieces.append(NormalizedText(Array(scalars[start..<index]), originalStart: start)) }
            start = index + 1
        }
        return pieces
    }

    /// Pieces, their original offsets and every scalar's offsets equal tokenizers' for the three prepend schemes,
    /// split on and off, two replacement characters, leading/multiple spaces, literal replacements in the text, and
    /// pieces that do not start the input.
    func testPreTokenizerMatchesTokenizers() throws {
        let cases = UnigramFixture.goldens.metaspace
        XCTAssertEqual(cases.count, 3 * 2 * 2 * 81)
        var failures = 0
        for golden in cases {
            let scheme = try XCTUnwrap(MetaspaceOptions.PrependScheme(rawValue: golden.scheme))
            let replacement = try XCTUnwrap(golden.replacement.unicodeScalars.first)
            let preTokenizer = MetaspacePreTokenizer(
                MetaspaceOptions(replacement: replacement, prependScheme: scheme, split: golden.split))
            let words = cut(golden.text).flatMap { preTokenizer.split($0) }.filter { !$0.isEmpty }
            let pieces = words.map(\.string)
            let pieceOffsets = words.map { $0.originalStart..<($0.originalStart + $0.originalCount) }
            let offsets = words.flatMap { UnigramFixture.originalOffsets($0) }
            if pieces != golden.pieces || pieceOffsets != UnigramFixture.ranges(golden.pieceOffsets)
                || offsets != UnigramFixture.ranges(golden.offsets)
            {
                failures += 1
                if failures <= 10 {
                    XCTFail(
                        "\(golden.scheme) split \(golden.split) \(golden.replacement) \(golden.text.debugDescription): "
                            + "got \(pieces) \(pieceOffsets) \(offsets), expected \(golden.pieces) "
                            + "\(UnigramFixture.ranges(golden.pieceOffsets)) \(UnigramFixture.ranges(golden.offsets))")
                }
            }
        }
        XCTAssertEqual(failures, 0)
    }

    /// The examples of the spec, by name.
    func testSplitting() {
        let preTokenizer = MetaspacePreTokenizer()
        func words(_ text: String, start: Int = 0) -> [String] {
            preTokenizer.split(NormalizedText(text, originalStart: start)).map(\.string)
        }
        XCTAssertEqual(
            words("\u{2581}a\u{2581}b\u{2581}\u{2581}c"), ["\u{2581}a", "\u{2581}b", "\u{2581}", "\u{2581}c"])
        XCTAssertEqual(words("a  b"), ["\u{2581}a", "\u{2581}", "\u{2581}b"])
        XCTAssertEqual(words(" lead"), ["\u{2581}lead"])
        XCTAssertEqual(words(""), [])
        let first = MetaspacePreTokenizer(MetaspaceOptions(prependScheme: .first))
        XCTAssertEqual(first.split(NormalizedText("Hello", originalStart: 3)).map(\.string), ["Hello"])
        XCTAssertEqual(first.split(NormalizedText("Hello")).map(\.string), ["\u{2581}Hello"])
        // The prepended replacement is aligned with the piece's first scalar.
        let prepended = preTokenizer.split(NormalizedText("Hi", originalStart: 4))
        XCTAssertEqual(prepended.map(\.alignments), [[0..<1, 0..<1, 1..<2]])
        XCTAssertEqual(prepended.map(\.originalStart), [4])
    }

    /// The decoder drops the replacement in the first token unless the scheme is `never`, and turns it into a space
    /// elsewhere.
    func testDecoder() {
        let tokens = ["\u{2581}Hey", "\u{2581}", "\u{2581}friend", "\u{2581}"]
        XCTAssertEqual(MetaspaceDecoder().decode(tokens).joined(), "Hey  friend ")
        XCTAssertEqual(
            MetaspaceDecoder(MetaspaceOptions(prependScheme: .first)).decode(tokens).joined(), "Hey  friend ")
        XCTAssertEqual(
            MetaspaceDecoder(MetaspaceOptions(prependScheme: .never)).decode(tokens).joined(), " Hey  friend ")
    }
}
