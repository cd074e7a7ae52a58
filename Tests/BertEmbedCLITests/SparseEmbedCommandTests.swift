// bert-embed embed on a SPLADE folder: sparse jsonl equal to sentence-transformers' SparseEncoder.encode, and the
// dense-only options refused.
import Foundation
import XCTest
import _BertEmbedTestSupport

final class SparseEmbedCommandTests: XCTestCase {
    func testWritesSparseVectors() throws {
        let data = try Data(contentsOf: resource("heads/goldens/bert-splade-sum.json"))
        let golden = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
        let texts = try XCTUnwrap(golden["texts"] as? [[String: Any]])
        // One text per line: the goldens' texts without newlines (the empty one included).
        let lines = try texts.map { try XCTUnwrap($0["text"] as? String) }.filter { !$0.contains("\n") }
        let run = try runCLI(
            ["embed", "--model", resource("heads/bert-splade-sum").path, "--quiet"],
            stdin: Data((lines.joined(separator: "\n") + "\n").utf8))
        XCTAssertEqual(run.status, 0, run.stderr)
        let output = String(decoding: run.stdout, as: UTF8.self).split(separator: "\n")
        XCTAssertEqual(output.count, lines.count)
        for (line, text) in zip(output, texts.filter { !(($0["text"] as? String) ?? "").contains("\n") }) {
            let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            XCTAssertEqual(object["indices"] as? [Int], text["indices"] as? [Int])
            let values = try XCTUnwrap(object["values"] as? [Double]),
                expected = try XCTUnwrap(text["values"] as? [Double])
            XCTAssertEqual(values.count, expected.count)
            for (a, b) in zip(values, expected) { XCTAssertEqual(a, b, accuracy: 1e-5 + 1e-4 * abs(b)) }
        }
    }

    func testDenseOptionsAreRefused() throws {
        let run = try runCLI(
            ["embed", "--model", resource("heads/bert-splade-max").path, "--truncate-dim", "8", "--format", "npy", "a"])
        XCTAssertEqual(run.status, 2)
        XCTAssertTrue(run.stderr.contains("--truncate-dim, --format: not for a sparse (SPLADE) model"), run.stderr)
    }
}
