// Tests Precompiled -> Metaspace -> Unigram on the XLM-R-style fixture against tokenizers 0.23.3 (the tokenizer with
// only those three components: no Replace normalizer, no added tokens, no post-processing).
import BertEmbedTokenizer
import XCTest

final class UnigramChainTests: XCTestCase {
    /// Ids, token strings and original offsets (scalars) equal tokenizers' on the spec's examples, 14 languages and
    /// 300 random strings of tricky pieces.
    func testChainMatchesTokenizers() throws {
        let normalizer = try UnigramFixture.normalizer()
        let preTokenizer = try UnigramFixture.preTokenizer()
        let model = try UnigramFixture.model()
        let cases = UnigramFixture.goldens.chain
        XCTAssertGreaterThan(cases.count, 250)
        var failures = 0
        for golden in cases {
            var text = NormalizedText(golden.text)
            normalizer.normalize(&text)
            var ids: [Int] = [], tokens: [String] = [], offsets: [Range<Int>] = []
            for word in preTokenizer.split(text) where !word.isEmpty {
                for token in try model.tokenize(word.scalars) {
                    ids.append(token.id)
                    tokens.append(token.value)
                    let original = word.originalRange(of: token.range) ?? token.range
                    offsets.append(
                        (word.originalStart + original.lowerBound)..<(word.originalStart + original.upperBound))
                }
            }
            if ids != golden.ids || tokens != golden.tokens || offsets != UnigramFixture.ranges(golden.offsets) {
                failures += 1
                if failures <= 10 {
                    XCTFail(
                        "\(golden.text.debugDescription): got \(tokens) \(ids) \(offsets), expected \(golden.tokens) "
                            + "\(golden.ids) \(UnigramFixture.ranges(golden.offsets))")
                }
            }
        }
        XCTAssertEqual(failures, 0)
    }
}
