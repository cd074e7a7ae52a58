// bert-embed search, similarity, and embed's --precision / --truncate-dim / --window, on the tiny fixture.
import BertEmbedCLI
import Foundation
import XCTest
import _BertEmbedTestSupport

final class SearchCommandTests: XCTestCase {
    let model = resource("tiny-bert").path

    func testSearchRanksTheCorpusForEachQuery() throws {
        let corpus = FileManager.default.temporaryDirectory.appendingPathComponent("bert-embed-corpus-\(UUID()).txt")
        try "a man is eating food.\nthe sky is blue.\n\nthe quick brown fox.\n".write(
            to: corpus, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: corpus) }
        // A query equal to a corpus line finds that line first, with similarity 1.
        let result = try runCLI([
            "search", "--model", model, "--corpus", corpus.path, "--top-k", "2", "--json", "the sky is blue.",
        ])
        XCTAssertEqual(result.status, 0, result.stderr)
        let lines = String(decoding: result.stdout, as: UTF8.self).split(separator: "\n")
        XCTAssertEqual(lines.count, 1)
        let object = try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any]
        let hits = object?["hits"] as? [[String: Any]]
        XCTAssertEqual(hits?.count, 2)
        XCTAssertEqual(hits?.first?["text"] as? String, "the sky is blue.")
        XCTAssertEqual(hits?.first?["index"] as? Int, 1)  // the empty line is skipped
        XCTAssertEqual((hits?.first?["score"] as? Double) ?? 0, 1, accuracy: 1e-5)
        // Queries from stdin, text output.
        let plain = try runCLI(
            ["search", "--model", model, "--corpus", corpus.path, "--quiet"],
            stdin: Data("a man is eating food.\nfox\n".utf8))
        XCTAssertEqual(plain.status, 0, plain.stderr)
        let text = String(decoding: plain.stdout, as: UTF8.self)
        XCTAssertTrue(text.hasPrefix("query: a man is eating food.\n  1. 1.0000  a man is eating food.\n"), text)
        XCTAssertTrue(text.contains("query: fox\n"))
    }

    /// Scores print with 4 decimals; magnitudes an integer cannot hold (they used to trap) and non-finite ones print
    /// plainly, and JSON gets null for the non-finite.
    func testScoresOfAnyMagnitudeFormat() {
        XCTAssertEqual(fixed(0.25, digits: 4), "0.2500")
        XCTAssertEqual(fixed(-1.5, digits: 4), "-1.5000")
        XCTAssertEqual(fixed(1e20, digits: 4), "\(Float(1e20))")
        // Scaled past Int.max (the bound on the value alone let this one through to a trap).
        XCTAssertEqual(fixed(9.5e14, digits: 4), "\(Float(9.5e14))")
        XCTAssertEqual(fixed(1e10, digits: 4), "10000000000.0000")
        XCTAssertEqual(fixed(-3e38, digits: 4), "\(Float(-3e38))")
        XCTAssertEqual(fixed(.nan, digits: 4), "nan")
        XCTAssertEqual(jsonNumber(.infinity), "null")
        XCTAssertEqual(jsonNumber(.nan), "null")
        XCTAssertEqual(jsonNumber(0.5), "0.5")
    }

    func testSearchErrors() throws {
        let missing = try runCLI(["search", "--model", model, "--corpus", "/nonexistent/corpus.txt", "q"])
        XCTAssertEqual(missing.status, 1)
        XCTAssertTrue(missing.stderr.contains("/nonexistent/corpus.txt"), missing.stderr)
        let usage = try runCLI(["search", "--model", model])
        XCTAssertEqual(usage.status, 2)
    }

    func testSimilarityMatrixIsSymmetricWithUnitDiagonal() throws {
        let result = try runCLI([
            "similarity", "--model", model, "a man is eating food.", "the sky is blue.", "a man eats.",
        ])
        XCTAssertEqual(result.status, 0, result.stderr)
        let lines = String(decoding: result.stdout, as: UTF8.self).split(
            separator: "\n", omittingEmptySubsequences: false)
        XCTAssertEqual(lines[0], "[1] a man is eating food.")
        let rows = lines.suffix(4).dropLast().map { $0.split(separator: " ").dropFirst().map { Double($0)! } }
        XCTAssertEqual(rows.count, 3)
        for i in 0..<3 {
            XCTAssertEqual(rows[i][i], 1, accuracy: 1e-4)
            for j in 0..<3 { XCTAssertEqual(rows[i][j], rows[j][i]) }
        }
        // Columns line up: every row as long as the header.
        let widths = Set(lines.suffix(5).dropLast().map(\.count))
        XCTAssertEqual(widths.count, 1, "\(lines)")
        XCTAssertEqual(try runCLI(["similarity", "--model", model, "one text"]).status, 2)
    }

    func testEmbedPrecisionTruncateDimAndWindows() throws {
        let input = Data("a man is eating food.\nthe sky is blue.\nhello\n".utf8)
        let binary = try runCLI(["embed", "--model", model, "--precision", "ubinary"], stdin: input)
        XCTAssertEqual(binary.status, 0, binary.stderr)
        let rows = String(decoding: binary.stdout, as: UTF8.self).split(separator: "\n")
        XCTAssertEqual(rows.count, 3)
        XCTAssertEqual(rows[0].split(separator: ",").count, 4)  // 32 dimensions, 8 per byte
        let truncated = try runCLI(["embed", "--model", model, "--truncate-dim", "5", "--normalize"], stdin: input)
        let vectors =
            try JSONSerialization.jsonObject(
                with: Data(
                    "[\(String(decoding: truncated.stdout, as: UTF8.self).split(separator: "\n").joined(separator: ","))]"
                        .utf8)) as? [[Double]]
        XCTAssertEqual(vectors?.map(\.count), [5, 5, 5])
        XCTAssertEqual(vectors?[0].reduce(0) { $0 + $1 * $1 } ?? 0, 1, accuracy: 1e-5)
        let windowed = try runCLI(["embed", "--model", model, "--window", "8", "--stride", "3"], stdin: input)
        XCTAssertEqual(windowed.status, 0, windowed.stderr)
        XCTAssertEqual(try runCLI(["embed", "--model", model, "--precision", "int4"], stdin: input).status, 2)
        XCTAssertEqual(try runCLI(["embed", "--model", model, "--stride", "3"], stdin: input).status, 2)
        let single = try runCLI(["embed", "--model", model, "--precision", "int8", "only one"])
        XCTAssertEqual(single.status, 1)
        XCTAssertTrue(single.stderr.contains("single embedding"), single.stderr)
    }
}
