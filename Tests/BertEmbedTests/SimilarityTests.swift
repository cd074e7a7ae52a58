// Similarity helpers on hand-checkable vectors.
import BertEmbed
import XCTest

final class SimilarityTests: XCTestCase {
    func testCosineAndDot() {
        XCTAssertEqual(Similarity.dot([1, 2, 3], [4, -5, 6]), 12)
        XCTAssertEqual(Similarity.cosine([1, 0], [0, 1]), 0)
        XCTAssertEqual(Similarity.cosine([1, 2, 2], [2, 4, 4]), 1, accuracy: 1e-6)
        XCTAssertEqual(Similarity.cosine([1, 2, 2], [-1, -2, -2]), -1, accuracy: 1e-6)
        // 3-4-5: cos = (3*4) / (5 * 4) = 0.6.
        XCTAssertEqual(Similarity.cosine([3, 4], [4, 0]), 0.6, accuracy: 1e-6)
        XCTAssertEqual(Similarity.cosine([0, 0], [1, 1]), 0, "the zero vector has cosine 0")
    }

    func testFunctions() {
        let a: [Float] = [1, 2, 3], b: [Float] = [4, 6, 3]
        XCTAssertEqual(SimilarityFunction.dot(a, b), 25)
        XCTAssertEqual(SimilarityFunction.euclidean(a, b), -5, accuracy: 1e-6)  // sqrt(9 + 16 + 0)
        XCTAssertEqual(SimilarityFunction.manhattan(a, b), -7)
        XCTAssertEqual(
            SimilarityFunction.cosine(a, b), 25 / (Float(14).squareRoot() * Float(61).squareRoot()), accuracy: 1e-6)
    }

    func testMatrix() {
        let rows: [[Float]] = [[1, 0], [0, 2]]
        let columns: [[Float]] = [[1, 0], [1, 1], [0, -3]]
        XCTAssertEqual(Similarity.matrix(rows, columns, function: .dot), [[1, 1, 0], [0, 2, -6]])
        let cosine = Similarity.matrix(rows, columns)
        XCTAssertEqual(cosine.count, 2)
        XCTAssertEqual(cosine[0][1], Float(0.5).squareRoot(), accuracy: 1e-6)
        XCTAssertEqual(cosine[1][2], -1, accuracy: 1e-6)
    }

    func testSearchOrdersByScoreThenIndex() {
        let corpus: [[Float]] = [[0, 1], [1, 0], [1, 1], [2, 0], [-1, 0]]
        let hits = Similarity.search(queries: [[1, 0]], corpus: corpus, topK: 4)[0]
        // Cosine: 1 and 3 tie at 1 (lower index first), then 2 (0.707), then 0 (0); 4 (-1) is cut by topK.
        XCTAssertEqual(hits.map(\.corpusIndex), [1, 3, 2, 0])
        XCTAssertEqual(hits[2].score, Float(0.5).squareRoot(), accuracy: 1e-6)
        let dot = Similarity.search(queries: [[1, 0], [0, 1]], corpus: corpus, topK: 10, function: .dot)
        XCTAssertEqual(dot[0].map(\.corpusIndex), [3, 1, 2, 0, 4], "topK beyond the corpus returns it all")
        XCTAssertEqual(dot[1].map(\.corpusIndex), [0, 2, 1, 3, 4])
        XCTAssertEqual(Similarity.search(queries: [[1, 0]], corpus: corpus, topK: 0), [[]])
        XCTAssertEqual(Similarity.search(queries: [[1, 0]], corpus: [], topK: 3), [[]])
    }
}
