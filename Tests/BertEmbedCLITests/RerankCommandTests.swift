// bert-embed rerank on a tiny cross-encoder: the golden ranking of sentence-transformers' CrossEncoder.rank, JSON and
// text output, top-k, empty input, and the errors for a folder that is not a cross-encoder.
import Foundation
import XCTest
import _BertEmbedTestSupport

final class RerankCommandTests: XCTestCase {
    func testRanksAsSentenceTransformers() throws {
        let data = try Data(contentsOf: resource("heads/goldens/bert-cross-encoder-hf.json"))
        let golden = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
        let rank = try XCTUnwrap(golden["rank"] as? [String: Any])
        let query = try XCTUnwrap(rank["query"] as? String)
        let documents = try XCTUnwrap(rank["documents"] as? [String])
        let expected = try XCTUnwrap(rank["all"] as? [[String: Any]])
        let model = resource("heads/bert-cross-encoder-hf").path
        let stdin = Data((documents.joined(separator: "\n") + "\n").utf8)

        let run = try runCLI(["rerank", "--model", model, "--query", query, "--json", "--quiet"], stdin: stdin)
        XCTAssertEqual(run.status, 0, run.stderr)
        let lines = String(decoding: run.stdout, as: UTF8.self).split(separator: "\n")
        XCTAssertEqual(lines.count, documents.count)
        for (line, want) in zip(lines, expected) {
            let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let index = try XCTUnwrap(object["index"] as? Int)
            XCTAssertEqual(index, want["corpus_id"] as? Int)
            XCTAssertEqual(object["text"] as? String, documents[index])
            let score = try XCTUnwrap(object["score"] as? Double), wanted = try XCTUnwrap(want["score"] as? Double)
            XCTAssertEqual(score, wanted, accuracy: 1e-5 + 1e-4 * abs(wanted))
        }

        let top = try runCLI(["rerank", "--model", model, "--query", query, "--top-k", "3"], stdin: stdin)
        XCTAssertEqual(top.status, 0, top.stderr)
        let topLines = String(decoding: top.stdout, as: UTF8.self).split(
            separator: "\n", omittingEmptySubsequences: false)
        XCTAssertEqual(topLines.count, 4, "three lines and the final newline")
        for (line, want) in zip(topLines, expected.prefix(3)) {
            let index = try XCTUnwrap(want["corpus_id"] as? Int)
            XCTAssertTrue(line.hasSuffix("  " + documents[index]), "\(line)")
        }

        let empty = try runCLI(["rerank", "--model", model, "--query", query], stdin: Data())
        XCTAssertEqual(empty.status, 0, empty.stderr)
        XCTAssertTrue(empty.stdout.isEmpty)
    }

    func testErrors() throws {
        let model = resource("heads/bert-cross-encoder-hf").path
        let noQuery = try runCLI(["rerank", "--model", model], stdin: Data("a\n".utf8))
        XCTAssertEqual(noQuery.status, 2)
        XCTAssertTrue(noQuery.stderr.contains("--query"), noQuery.stderr)
        let embedding = try runCLI(
            ["rerank", "--model", resource("families/mpnet").path, "--query", "q"], stdin: Data("a\n".utf8))
        XCTAssertEqual(embedding.status, 1)
        XCTAssertTrue(embedding.stderr.contains("not a cross-encoder"), embedding.stderr)
        let labels = try runCLI(
            ["rerank", "--model", resource("heads/bert-cross-encoder-3labels").path, "--query", "q"],
            stdin: Data("a\n".utf8))
        XCTAssertEqual(labels.status, 1)
        XCTAssertTrue(labels.stderr.contains("3 labels"), labels.stderr)
    }
}
