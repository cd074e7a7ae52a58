// `--model ORG/NAME` downloading from a Hub on loopback (Scripts/mock_hub.py): processes that download the same model
// at once (two of ours, and Python's huggingface_hub where installed) share the work through the cache's lock files
// and all get the same vectors; the real all-MiniLM-L6-v2 by name works from a warm cache with the network off.
import Foundation
import XCTest
import _BertEmbedTestSupport

final class ModelByNameTests: XCTestCase {
    func newCache() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("hf-cache-\(UUID())")
    }

    func testProcessesDownloadingTheSameModelAtOnceShareOneDownload() throws {
        let repository = "sentence-transformers/tiny-mpnet"
        // Slow LFS bodies (a pause every 64 KB) so that the downloads overlap.
        let hub = try MockHub(repositories: [repository: resource("families/mpnet")], arguments: ["--slow", "0.05"])
        let cache = newCache()
        defer { try? FileManager.default.removeItem(at: cache) }
        let environment = [
            "HF_ENDPOINT": hub.endpoint.absoluteString, "HF_HUB_CACHE": cache.path, "HF_HUB_DISABLE_XET": "1",
        ]
        nonisolated(unsafe) var runs: [Result<(status: Int32, stdout: Data, stderr: String), any Error>?] = [nil, nil]
        nonisolated(unsafe) var python: (Int32, String)?
        // Both runs store into one array: under a lock, or one store can copy the array while the other writes it and
        // lose that write (the test once found a run missing this way).
        let lock = NSLock()
        let group = DispatchGroup()
        for index in 0..<2 {
            DispatchQueue.global().async(group: group) {
                let result = Result { try runCLI(["embed", "--model", repository, "a"], environment: environment) }
                lock.withLock { runs[index] = result }
            }
        }
        if let interpreter = pythonWithHuggingFaceHub() {
            DispatchQueue.global().async(group: group) {
                python = try? runPython(
                    interpreter, "from huggingface_hub import snapshot_download; snapshot_download('\(repository)')",
                    environment: environment)
            }
        }
        group.wait()
        let expected = try runCLI(["embed", "--model", resource("families/mpnet").path, "a"])
        for run in runs {
            let run = try XCTUnwrap(run).get()  // a failure to start names its error
            XCTAssertEqual(run.status, 0, run.stderr)
            XCTAssertEqual(run.stdout, expected.stdout)
        }
        if let python { XCTAssertEqual(python.0, 0, python.1) }
        // Each LFS blob crossed the network once: the others waited on its lock, then found it complete.
        let downloads = try hub.log().filter { $0["method"] == "GET" && $0["path"]?.hasPrefix("/lfs-cdn/") == true }
        XCTAssertEqual(downloads.count, 2, "\(downloads)")  // model.safetensors and tokenizer.json
        XCTAssertEqual(Set(downloads.compactMap { $0["path"] }).count, 2)
    }

    func testTheRealModelByNameWorksFromAWarmCacheWithTheNetworkOff() throws {
        let folder = try miniLMDirectory()
        let repository = "sentence-transformers/all-MiniLM-L6-v2"
        let hub = try MockHub(repositories: [repository: folder])
        let cache = newCache()
        defer { try? FileManager.default.removeItem(at: cache) }
        let texts = Data("How do I bake bread at home?\nThe cat sat on the mat.\n".utf8)
        let expected = try runCLI(["embed", "--model", folder.path], stdin: texts)
        XCTAssertEqual(expected.status, 0, expected.stderr)
        let first = try runCLI(
            ["embed", "--model", repository], stdin: texts,
            environment: ["HF_ENDPOINT": hub.endpoint.absoluteString, "HF_HUB_CACHE": cache.path])
        XCTAssertEqual(first.status, 0, first.stderr)
        XCTAssertEqual(first.stdout, expected.stdout)
        XCTAssertTrue(first.stderr.contains("model.safetensors"), "progress on stderr: \(first.stderr)")
        hub.stop()
        for network in [["HF_HUB_OFFLINE": "1"], ["HF_ENDPOINT": "http://127.0.0.1:9"]] {  // off; unreachable
            let run = try runCLI(
                ["embed", "--model", repository], stdin: texts,
                environment: network.merging(["HF_HUB_CACHE": cache.path]) { $1 })
            XCTAssertEqual(run.status, 0, run.stderr)
            XCTAssertEqual(run.stdout, expected.stdout, "\(network)")
        }
    }
}
