// SentenceEncoder against sentence-transformers on tiny random folders of every model family with its kind of
// tokenizer (Scripts/make_family_models.py): every named pooling raw, the folder's mean pooling normalized, token
// embeddings; token ids exactly, vectors within the tolerance of SentenceGoldens.swift.
import BertEmbed
import Foundation
import XCTest
import _BertEmbedTestSupport

final class FamilySentenceGoldenTests: XCTestCase {
    /// The families whose folders have a tokenizer (and so sentence goldens).
    static let families = [
        "distilbert", "distilbert-sinusoidal", "mpnet", "roberta", "xlm-roberta", "camembert", "bert-xlmr-tokenizer",
    ]

    func testEveryFamilyAndPooling() throws {
        var checked = 0
        for family in Self.families {
            let url = resource("goldens/families/\(family)-sentence.json")
            guard FileManager.default.fileExists(atPath: url.path) else { continue }
            let goldens = try SentenceGoldens(url: url)
            let folder = resource("families/\(family)")
            let poolings = goldens.cases.compactMap(\.pooling)
            XCTAssertTrue(poolings.contains("last4-concat") && poolings.contains("cls"), family)
            var encoders: [String: SentenceEncoder] = [:]
            let mismatches = try checkGoldens(goldens) { golden in
                let key = golden.pooling ?? ""
                if let encoder = encoders[key] { return encoder }
                let pooling = try golden.pooling.map(goldenPooling)
                let encoder = try SentenceEncoder(modelDirectory: folder, pooling: pooling)
                encoders[key] = encoder
                return encoder
            }
            XCTAssertEqual(mismatches, [], "\(family): texts whose token ids differ")
            checked += 1
        }
        XCTAssertGreaterThanOrEqual(checked, 3, "the WordPiece families at least")
    }
}
