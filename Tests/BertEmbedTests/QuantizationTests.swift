// Quantization against sentence-transformers' quantize_embeddings (Scripts/make_quantization_goldens.py): exact.
import BertEmbed
import Foundation
import XCTest
import _BertEmbedTestSupport

final class QuantizationTests: XCTestCase {
    struct Goldens: Decodable {
        var embeddings: [[Float]]
        var ranges: [[Float]]
        var cases: [String: [[Int]]]
    }

    func testEveryPrecisionEqualsSentenceTransformers() throws {
        let goldens = try JSONDecoder().decode(
            Goldens.self, from: Data(contentsOf: resource("goldens/quantization.json")))
        for precision in [Precision.int8, .uint8, .binary, .ubinary] {
            let ours = try Similarity.quantize(goldens.embeddings, precision: precision)
            XCTAssertEqual(ours.integerRows, goldens.cases[precision.rawValue], "\(precision)")
        }
        let ranged = try Similarity.quantize(
            goldens.embeddings, precision: .int8, ranges: (goldens.ranges[0], goldens.ranges[1]))
        XCTAssertEqual(ranged.integerRows, goldens.cases["int8_ranges"])
        XCTAssertEqual(try Similarity.quantize(goldens.embeddings, precision: .float32), .float32(goldens.embeddings))
    }

    func testInvalidQuantizationThrows() {
        XCTAssertThrowsError(try Similarity.quantize([[1, 2]], precision: .int8))  // ranges from one embedding
        XCTAssertThrowsError(try Similarity.quantize([[1, 2], [1]], precision: .binary))
        XCTAssertThrowsError(try Similarity.quantize([[1, 2], [3, 4]], precision: .uint8, ranges: ([0], [1])))
        XCTAssertNoThrow(try Similarity.quantize([[1, 2]], precision: .binary))
    }
}
