// The general pipeline's shortcuts against the plain forms they replace: words tokenized as ranges of one rewritten
// text (RangePreTokenizer) against copied-out words, the White_Space table and ScalarSet against the standard
// library.
import BertEmbedTokenizer
import XCTest
import _BertEmbedTestSupport

final class PipelineFastPathTests: XCTestCase {
    /// Hides a pre-tokenizer's range form, so the pipeline copies every word out (`split`), as before the shortcut.
    struct SlicingOnly: PreTokenizer {
        let base: any PreTokenizer
        func split(_ text: NormalizedText) -> [NormalizedText] { base.split(text) }
    }

    /// Every golden case of the tokenizer.json configurations: the same ids, tokens and offsets either way.
    func testRangeWordsEqualCopiedWords() throws {
        let inputs = try Goldens.inputs()
        var checked = 0
        for configuration in ["mpnet", "bpe", "unigram"] {
            let definition = try TokenizerDefinition.fromTokenizerJSON(
                directory: resource("tokenizer/\(configuration)"))
            let preTokenizer = try XCTUnwrap(definition.preTokenizer, configuration)
            XCTAssertTrue(preTokenizer is any RangePreTokenizer, "\(configuration): expected a range pre-tokenizer")
            let ranges = TokenizerPipeline(
                addedTokens: definition.addedTokens, normalizer: definition.normalizer, preTokenizer: preTokenizer,
                model: definition.model)
            let slices = TokenizerPipeline(
                addedTokens: definition.addedTokens, normalizer: definition.normalizer,
                preTokenizer: SlicingOnly(base: preTokenizer), model: definition.model)
            for input in inputs.cases {
                let fast = try ranges.encode(input.text), plain = try slices.encode(input.text)
                XCTAssertEqual(fast.ids, plain.ids, "\(configuration) \(input.text.debugDescription)")
                XCTAssertEqual(fast.tokens, plain.tokens, "\(configuration) \(input.text.debugDescription)")
                XCTAssertEqual(fast.offsets, plain.offsets, "\(configuration) \(input.text.debugDescription)")
                XCTAssertEqual(try ranges.encodeIds(input.text), plain.ids)
                checked += 1
            }
        }
        XCTAssertGreaterThan(checked, 1000)
    }

    /// `WhiteSpace.contains` is the standard library's White_Space property, for every scalar.
    func testWhiteSpaceTableEqualsUnicodeProperty() {
        var count = 0
        for value in UInt32(0)...0x10FFFF {
            guard let scalar = Unicode.Scalar(value) else { continue }
            XCTAssertEqual(WhiteSpace.contains(scalar), scalar.properties.isWhitespace, "U+\(String(value, radix: 16))")
            if WhiteSpace.contains(scalar) { count += 1 }
        }
        XCTAssertEqual(count, 25)
    }

    /// `ScalarSet` answers as `Set` does, for ASCII, BMP and astral scalars, and finds the first member.
    func testScalarSetEqualsSet() {
        var generator = SystemRandomNumberGenerator()
        for size in [0, 1, 3, 40] {
            let members = (0..<size).compactMap { _ -> Unicode.Scalar? in
                let ranges: [ClosedRange<UInt32>] = [0...127, 128...0xD7FF, 0x10000...0x10FFFF]
                return Unicode.Scalar(UInt32.random(in: ranges.randomElement(using: &generator)!, using: &generator))
            }
            let set = ScalarSet(members), reference = Set(members)
            XCTAssertEqual(set.isEmpty, reference.isEmpty)
            let probes = members + (0..<2000).compactMap { _ in Unicode.Scalar(UInt32.random(in: 0...0x2FFFF)) }
            for probe in probes { XCTAssertEqual(set.contains(probe), reference.contains(probe), "\(probe)") }
            XCTAssertEqual(set.firstIndex(in: probes), probes.firstIndex(where: reference.contains))
        }
    }
}
