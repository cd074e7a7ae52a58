// SentenceEncoder against sentence-transformers on the real all-MiniLM-L6-v2 (minilm-*.json).
import BertEmbed
import Foundation
import XCTest
import _BertEmbedTestSupport

final class MiniLMSentenceGoldenTests: XCTestCase {
    /// Raw (unnormalized) vectors of every pooling strategy: sentence-transformers' Pooling modes one by one and
    /// cls+max+mean together (its concatenation order), and pooler, last4-concat, last4-sum and second-to-last-mean
    /// from transformers' outputs with the attention mask. Chosen with `pooling:` on the folder, normalize false.
    func testEveryPoolingStrategy() throws {
        let directory = try miniLMDirectory()
        let goldens = try SentenceGoldens("minilm-pooling.json")
        XCTAssertEqual(goldens.cases.count, 11)
        try checkGoldens(goldens) { golden in
            try SentenceEncoder(modelDirectory: directory, pooling: try goldens.poolingOf(golden))
        }
    }

    /// The folder's own pipeline (mean + Normalize) with normalize_embeddings, truncate_dim with and without
    /// normalization, a prompt, a shorter max length, and token embeddings.
    func testFolderPipelineAndOptions() throws {
        let directory = try miniLMDirectory()
        let goldens = try SentenceGoldens("minilm-options.json")
        let encoder = try SentenceEncoder(modelDirectory: directory)
        XCTAssertEqual(encoder.dimension, 384)
        XCTAssertEqual(encoder.maxSequenceLength, 256)
        XCTAssertTrue(encoder.normalizesByDefault)
        try checkGoldens(goldens) { _ in encoder }
    }
}

extension SentenceGoldens {
    func poolingOf(_ golden: Case) throws -> Pooling {
        try goldenPooling(try XCTUnwrap(golden.pooling, "\(golden.name) names no pooling"))
    }
}
