// Checkpoint folders: a single model.safetensors, a sharded index, and one broken index per rule.
import BertEmbedSafeTensors
import Foundation
import XCTest
import _BertEmbedTestSupport

final class SafeTensorsArchiveTests: XCTestCase {
    func testShardedCheckpointReadsEveryTensorFromItsShard() throws {
        let folder = resource("safetensors/sharded")
        let archive = try SafeTensorsArchive(directory: folder)
        let expected = try XCTUnwrap(
            (try loadJSON("safetensors/expected.json")["sharded"] as? [String: Any])?["tensors"] as? [String: Any])
        XCTAssertEqual(archive.tensorNames, expected.keys.sorted())
        XCTAssertEqual(archive.files.count, 2)
        XCTAssertEqual(archive.path, folder.appendingPathComponent("model.safetensors.index.json").path)
        for (name, json) in expected {
            let want = try ExpectedTensor(json)
            let shard = try XCTUnwrap((json as? [String: Any])?["shard"] as? String)
            XCTAssertTrue(try archive.file(containing: name).path.hasSuffix("/" + shard), name)
            XCTAssertEqual(try archive.info(name).shape, want.shape, name)
            assertBitsEqual(try archive.floats(name), try XCTUnwrap(want.floatBits), name)
        }
        XCTAssertThrowsError(try archive.floats("nope")) { error in
            XCTAssertEqual(error as? SafeTensorsError, .tensorNotFound(file: archive.path, tensor: "nope"))
        }
    }

    func testSingleFileFolderAndEmptyFolder() throws {
        let folder = resource("safetensors/bert-prefixed")
        let archive = try SafeTensorsArchive(directory: folder)
        XCTAssertEqual(archive.files.count, 1)
        XCTAssertTrue(archive.contains("bert.pooler.dense.weight"))
        let empty = resource("config")
        XCTAssertThrowsError(try SafeTensorsArchive(directory: empty)) { error in
            XCTAssertEqual(error as? SafeTensorsError, .noWeights(directory: empty.path))
        }
    }

    func testEveryBrokenIndexIsRejected() throws {
        let cases: [(folder: String, expected: String, mentions: String)] = [
            ("missing-shard", "missingShard", "model-00002-of-00002.safetensors"),
            ("tensor-not-in-shard", "tensorMissingFromShard", "omega"),
            ("path-traversal", "unsafeShardName", "../sharded/model-00001-of-00002.safetensors"),
            ("absolute-path", "unsafeShardName", "/etc/passwd"),
            ("not-json", "invalidIndex", "not valid JSON"),
            ("no-weight-map", "invalidIndex", "weight_map"),
            ("duplicate-tensor", "invalidIndex", "alpha"),
        ]
        let base = resource("safetensors/sharded-broken")
        XCTAssertEqual(Set(try FileManager.default.contentsOfDirectory(atPath: base.path)), Set(cases.map(\.folder)))
        for (folder, expected, mentions) in cases {
            let index = base.appendingPathComponent(folder).appendingPathComponent("model.safetensors.index.json")
            XCTAssertThrowsError(try SafeTensorsArchive(directory: base.appendingPathComponent(folder)), folder) {
                error in
                XCTAssertEqual(caseName(error), expected, "\(folder): \(error)")
                XCTAssertTrue("\(error)".hasPrefix(index.path + ": "), "\(folder): \(error)")
                XCTAssertTrue("\(error)".contains(mentions), "\(folder): \(error)")
            }
        }
    }

    func testShardNameRule() {
        for name in ["model-00001-of-00002.safetensors", "a.safetensors", "..a"] {
            XCTAssertNoThrow(try checkShardName(name), name)
        }
        for name in ["", ".", "..", "../x", "a/b", "/abs", "a\\b", "a\u{0}b"] {
            XCTAssertThrowsError(try checkShardName(name), name)
        }
    }

    /// Writes an index naming shard `name` into a temporary folder and opens it; only the name rule can fail
    /// before the missing-shard check, so a missing shard counts as the name being accepted.
    private func checkShardName(_ name: String) throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("st-index-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let json = try JSONSerialization.data(withJSONObject: ["weight_map": ["t": name]])
        try json.write(to: folder.appendingPathComponent("model.safetensors.index.json"))
        do {
            _ = try SafeTensorsArchive(directory: folder)
        } catch SafeTensorsError.missingShard {
            return
        }
    }
}
