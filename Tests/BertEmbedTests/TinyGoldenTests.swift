// SentenceEncoder against sentence-transformers on the tiny fixture and its folder variants (tiny.json).
import BertEmbed
import Foundation
import XCTest
import _BertEmbedTestSupport

final class TinyGoldenTests: XCTestCase {
    /// Every case of tiny.json: the base folder with each option, the pooling strategies sentence-transformers has
    /// no module for (pooler, second-to-last mean), and every folder variant (pooling configs in the legacy and the
    /// list format, two Dense modules + Normalize, prompts with include_prompt false).
    func testEveryCaseMatchesSentenceTransformers() throws {
        let goldens = try SentenceGoldens("tiny.json")
        XCTAssertGreaterThanOrEqual(goldens.cases.count, 25)
        let variants = try VariantFolders()
        var encoders: [String: SentenceEncoder] = [:]
        try checkGoldens(goldens) { golden in
            let key = "\(golden.variant ?? "base")|\(golden.pooling ?? "")"
            if let encoder = encoders[key] { return encoder }
            let folder = try golden.variant.map { try variants.folder($0) } ?? resource("tiny-bert")
            let encoder = try SentenceEncoder(
                modelDirectory: folder, pooling: try golden.pooling.map(goldenPooling))
            encoders[key] = encoder
            return encoder
        }
    }

    /// The folder's settings are read: dimensions after Dense, Normalize, prompts and the similarity function.
    func testVariantSettings() throws {
        let variants = try VariantFolders()
        let dense = try SentenceEncoder(modelDirectory: try variants.folder("dense-normalize"))
        XCTAssertEqual(dense.dimension, 16)
        XCTAssertTrue(dense.normalizesByDefault)
        let prompts = try SentenceEncoder(modelDirectory: try variants.folder("prompts-mean"))
        XCTAssertEqual(prompts.prompts, ["query": "query: ", "passage": "passage about: "])
        XCTAssertEqual(prompts.defaultPromptName, "query")
        XCTAssertEqual(prompts.similarityFunction, .dot)
        XCTAssertEqual(prompts.maxSequenceLength, 48)
        let list = try SentenceEncoder(modelDirectory: try variants.folder("list-max-cls-weightedmean"))
        XCTAssertEqual(list.pooling, Pooling(tokens: [.max, .cls, .weightedMean]))
        XCTAssertEqual(list.dimension, 96)
        let legacy = try SentenceEncoder(modelDirectory: try variants.folder("legacy-cls-max-mean"))
        XCTAssertEqual(legacy.pooling, Pooling(tokens: [.cls, .max, .mean]))
        let base = try SentenceEncoder(modelDirectory: resource("tiny-bert"))
        XCTAssertEqual(base.pooling, .mean)
        XCTAssertFalse(base.normalizesByDefault)
        XCTAssertEqual(base.similarityFunction, .cosine)
        // normalize: false skips the folder's Normalize module: the vector is then not of unit length.
        let raw = try dense.encode("A man is eating food.", options: EncodeOptions(normalize: false))
        XCTAssertGreaterThan(abs(Similarity.dot(raw, raw).squareRoot() - 1), 1e-3)
    }
}
