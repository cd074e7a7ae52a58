// do_lower_case of sentence_bert_config.json against sentence-transformers 6.2.0 (lowercase.json).
import BertEmbed
import Foundation
import XCTest
import _BertEmbedTestSupport

final class LowercaseGoldenTests: XCTestCase {
    /// Both lowercase variants, the fixture's lowercasing tokenizer and a cased one (where do_lower_case does all
    /// the lowercasing and accents stay), on texts with final sigmas, U+0130, titlecase digraphs, Cherokee,
    /// Mtavruli, Unicode 16.0 case pairs and special tokens in capitals: token ids exactly, vectors within the
    /// golden tolerance of SentenceGoldens.swift.
    func testLowercaseVariantsMatchSentenceTransformers() throws {
        let goldens = try SentenceGoldens("lowercase.json")
        XCTAssertEqual(Set(goldens.cases.compactMap(\.variant)), ["lowercase", "lowercase-cased-tokenizer"])
        let variants = try VariantFolders()
        let mismatches = try checkGoldens(goldens) { golden in
            try SentenceEncoder(modelDirectory: try variants.folder(try XCTUnwrap(golden.variant)))
        }
        XCTAssertEqual(mismatches, [])
    }

    /// The goldens catch wrong implementations: the script records, per naive implementation, the texts whose ids
    /// it gets wrong, and each is wrong somewhere. The one this library had (`String.lowercased()` of the whole text
    /// before tokenizing, which turns "[MASK]" into "[mask]" before special tokens are matched) is rerun here and
    /// gets exactly the recorded texts wrong.
    func testGoldensCatchNaiveLowercasing() throws {
        struct Recorded: Decodable {
            struct Case: Decodable {
                enum CodingKeys: String, CodingKey {
                    case variant, texts, ids
                    case wrongIds = "wrong_ids"
                }
                var variant: String
                var texts: [String]
                var ids: [[Int]]
                var wrongIds: [String: [Int]]
            }
            var cases: [Case]
        }
        let recorded = try JSONDecoder().decode(
            Recorded.self, from: Data(contentsOf: resource("goldens/sentence/lowercase.json")))
        var wrongTexts: [String: Int] = [:]
        for golden in recorded.cases {
            for (way, wrong) in golden.wrongIds { wrongTexts[way, default: 0] += wrong.count }
        }
        XCTAssertEqual(wrongTexts.count, 4)
        for (way, count) in wrongTexts { XCTAssertGreaterThan(count, 0, "the goldens do not catch: \(way)") }

        // The "lowercase" variant without its do_lower_case is the base fixture.
        let golden = try XCTUnwrap(recorded.cases.first { $0.variant == "lowercase" })
        let plain = try SentenceEncoder(modelDirectory: resource("tiny-bert"))
        let wrong = try golden.texts.indices.filter {
            try plain.tokenIds(golden.texts[$0].lowercased()) != golden.ids[$0]
        }
        XCTAssertFalse(wrong.isEmpty)
        XCTAssertEqual(wrong, golden.wrongIds["per-scalar full lowercase of the whole text before the tokenizer"])
    }
}
