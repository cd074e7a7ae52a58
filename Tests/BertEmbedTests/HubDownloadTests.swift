// Downloads from a Hugging Face Hub on loopback (Scripts/mock_hub.py, answering the routes as huggingface.co does;
// Python's huggingface_hub is run against the same mock where installed, to show the mock is faithful and that the
// two clients share one cache both ways). Every failure a download meets is tested: a repository or revision the Hub
// does not have, a private repository without or with a wrong token, a transfer cut short (kept, then resumed with a
// Range request), contents that do not match the listed sha256 (deleted), a disk that refuses the write (ENOSPC),
// offline mode (no request at all), and only the files a model needs are fetched.
import BertEmbed
import Foundation
import XCTest
import _BertEmbedTestSupport

final class HubDownloadTests: XCTestCase {
    let texts = ["A man is eating food.", "Ünïcödé and 東京", ""]
    let repository = "sentence-transformers/tiny-mpnet"

    /// The tiny mpnet fixture plus files a model does not need (ONNX weights, a README, a PyTorch copy).
    func repositoryFolder() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("repo-\(UUID())")
        try FileManager.default.copyItem(at: resource("families/mpnet"), to: folder)
        try FileManager.default.createDirectory(
            at: folder.appendingPathComponent("onnx"), withIntermediateDirectories: true)
        try Data(repeating: 7, count: 30_000).write(to: folder.appendingPathComponent("onnx/model.onnx"))
        try Data(repeating: 8, count: 20_000).write(to: folder.appendingPathComponent("pytorch_model.bin"))
        try Data("# tiny mpnet\n".utf8).write(to: folder.appendingPathComponent("README.md"))
        return folder
    }

    func newCache() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("hf-cache-\(UUID())")
    }

    func options(_ hub: MockHub, cache: URL, token: String? = nil, offline: Bool = false) -> HubOptions {
        var options = HubOptions(environment: [:])
        options.endpoint = hub.endpoint
        options.cacheDirectory = cache
        options.token = token
        options.offline = offline
        return options
    }

    func expectedVectors() throws -> [[Float]] {
        try SentenceEncoder(modelDirectory: resource("families/mpnet")).encode(texts)
    }

    func assertDownloadError(
        _ body: @autoclosure () throws -> Any, contains parts: [String], file: StaticString = #filePath,
        line: UInt = #line
    ) {
        XCTAssertThrowsError(try body(), file: file, line: line) { error in
            guard case EmbeddingError.download = error else {
                return XCTFail("not a download error: \(error)", file: file, line: line)
            }
            for part in parts {
                XCTAssertTrue("\(error)".contains(part), "'\(part)' not in: \(error)", file: file, line: line)
            }
        }
    }

    func testDownloadsOnlyWhatTheModelNeedsAndGivesTheFolderVectors() throws {
        let hub = try MockHub(repositories: [repository: try repositoryFolder()])
        let cache = newCache()
        defer { try? FileManager.default.removeItem(at: cache) }
        let progress = ProgressLog()
        var settings = options(hub, cache: cache)
        settings.progress = { progress.append($0) }
        let encoder = try SentenceEncoder(pretrained: repository, hub: settings)
        XCTAssertEqual(try encoder.encode(texts), try expectedVectors())

        let snapshot = try HuggingFaceHub.snapshot(repository, options: options(hub, cache: cache))
        let files = try XCTUnwrap(FileManager.default.enumerator(atPath: snapshot.path)).compactMap { $0 as? String }
        XCTAssertEqual(
            Set(files),
            [
                "1_Pooling", "1_Pooling/config.json", "config.json", "model.safetensors", "modules.json",
                "sentence_bert_config.json", "tokenizer.json", "tokenizer_config.json",
            ])
        // Blobs named as huggingface_hub names them: an LFS file by its sha256, a git file by its blob id; links
        // relative.
        let model = cache.appendingPathComponent("models--sentence-transformers--tiny-mpnet")
        let link = try FileManager.default.destinationOfSymbolicLink(
            atPath: snapshot.appendingPathComponent("1_Pooling/config.json").path)
        XCTAssertTrue(link.hasPrefix("../../../blobs/"), link)
        let blobs = try FileManager.default.contentsOfDirectory(atPath: model.appendingPathComponent("blobs").path)
        XCTAssertEqual(blobs.filter { $0.count == 64 }.count, 2, "model.safetensors and tokenizer.json are LFS")
        XCTAssertEqual(blobs.filter { $0.count == 40 }.count, 5)
        XCTAssertFalse(blobs.contains { $0.hasSuffix(".incomplete") })
        XCTAssertEqual(
            try String(contentsOf: model.appendingPathComponent("refs/main"), encoding: .utf8).count, 40)
        // The progress reached every byte, and the token never left for another host (the CDN refuses it).
        let last = try XCTUnwrap(progress.entries.last)
        XCTAssertEqual(last.totalBytes, last.totalSize)
        XCTAssertEqual(Set(progress.entries.filter { $0.fileBytes == $0.fileSize }.map(\.file)).count, 7)
        // A second load asks for the listing only.
        let before = try hub.log().count
        _ = try SentenceEncoder(pretrained: repository, revision: "v1", hub: options(hub, cache: cache))
        let after = try hub.log()
        XCTAssertEqual(after.count, before + 1)
        XCTAssertTrue(after.last?["path"]?.hasPrefix("/api/models/\(repository)/revision/v1") ?? false)
    }

    func testOfflineUsesTheCacheAndNeverTheNetwork() throws {
        let hub = try MockHub(repositories: [repository: try repositoryFolder()])
        let cache = newCache()
        defer { try? FileManager.default.removeItem(at: cache) }
        XCTAssertThrowsError(
            try SentenceEncoder(pretrained: repository, hub: options(hub, cache: cache, offline: true))
        ) { error in
            guard case EmbeddingError.invalidModelFolder(_, let reason) = error else { return XCTFail("\(error)") }
            XCTAssertTrue(reason.contains("offline"), reason)
        }
        XCTAssertEqual(try hub.log().count, 0)
        _ = try HuggingFaceHub.snapshot(repository, options: options(hub, cache: cache))
        let requests = try hub.log().count
        let encoder = try SentenceEncoder(pretrained: repository, hub: options(hub, cache: cache, offline: true))
        XCTAssertEqual(try encoder.encode(texts), try expectedVectors())
        // An unknown ref offline names what is missing.
        XCTAssertThrowsError(
            try SentenceEncoder(pretrained: repository, revision: "v1", hub: options(hub, cache: cache, offline: true))
        ) { XCTAssertTrue("\($0)".contains("no commit hash for revision 'v1'"), "\($0)") }
        XCTAssertEqual(try hub.log().count, requests)
        // The environment's switch is the same option.
        XCTAssertTrue(HubOptions(environment: ["HF_HUB_OFFLINE": "1"]).offline)
        XCTAssertFalse(HubOptions(environment: ["HF_HUB_OFFLINE": "0"]).offline)
        // An unreachable Hub (a closed port) falls back to the cache, as huggingface_hub does.
        hub.stop()
        let fallback = try SentenceEncoder(pretrained: repository, hub: options(hub, cache: cache))
        XCTAssertEqual(try fallback.encode(texts), try expectedVectors())
        assertDownloadError(
            try SentenceEncoder(pretrained: "org/absent", hub: options(hub, cache: cache)),
            contains: ["cannot reach the Hub", "does not hold it"])
    }

    func testRefusalsNameTheRepositoryAndWhatToDo() throws {
        let hub = try MockHub(
            repositories: [repository: try repositoryFolder(), "org/private": resource("families/mpnet")],
            arguments: ["--private", "org/private", "--token", "hf_right"])
        let cache = newCache()
        defer { try? FileManager.default.removeItem(at: cache) }
        assertDownloadError(
            try HuggingFaceHub.snapshot("org/absent", options: options(hub, cache: cache)),
            contains: ["org/absent", "has no repository"])
        assertDownloadError(
            try HuggingFaceHub.snapshot(repository, revision: "v9", options: options(hub, cache: cache)),
            contains: ["no revision 'v9'"])
        assertDownloadError(
            try HuggingFaceHub.snapshot("org/private", options: options(hub, cache: cache)),
            contains: ["401", "HF_TOKEN"])
        assertDownloadError(
            try HuggingFaceHub.snapshot("org/private", options: options(hub, cache: cache, token: "hf_wrong")),
            contains: ["refused the token"])
        let folder = try HuggingFaceHub.snapshot("org/private", options: options(hub, cache: cache, token: "hf_right"))
        XCTAssertEqual(try SentenceEncoder(modelDirectory: folder).encode(texts), try expectedVectors())
        // The token went to the Hub and never to the CDN host.
        let log = try hub.log()
        XCTAssertTrue(log.contains { $0["host"]?.hasPrefix("localhost") == true })
        XCTAssertFalse(log.contains { $0["host"]?.hasPrefix("localhost") == true && $0["authorization"] != nil })
        XCTAssertTrue(log.contains { $0["authorization"] == "Bearer hf_right" })
        XCTAssertThrowsError(try HuggingFaceHub.snapshot("not a repo", options: options(hub, cache: cache)))
        XCTAssertThrowsError(
            try HuggingFaceHub.snapshot(repository, revision: "../x", options: options(hub, cache: cache)))
    }

    /// A listing whose size no file can have (past 2^50 bytes, where the sum of the sizes could overflow) is refused
    /// before anything is downloaded, naming the file.
    func testAnImpossibleListedSizeIsRefused() throws {
        let hub = try MockHub(
            repositories: [repository: try repositoryFolder()],
            arguments: ["--listed-size", "model.safetensors=\(Int.max)"])
        let cache = newCache()
        defer { try? FileManager.default.removeItem(at: cache) }
        assertDownloadError(
            try HuggingFaceHub.snapshot(repository, options: options(hub, cache: cache)),
            contains: ["model.safetensors", "a size (0 to 2^50 bytes)"])
        XCTAssertFalse(try hub.log().contains { $0["path"]?.contains("/resolve/") == true }, "nothing downloaded")
    }

    func testACutShortTransferIsKeptAndResumed() throws {
        let hub = try MockHub(
            repositories: [repository: try repositoryFolder()], arguments: ["--cut-short", "model.safetensors"])
        let cache = newCache()
        defer { try? FileManager.default.removeItem(at: cache) }
        assertDownloadError(
            try HuggingFaceHub.snapshot(repository, options: options(hub, cache: cache)),
            contains: ["model.safetensors", "kept in", "resumes"])
        let blobs = cache.appendingPathComponent("models--sentence-transformers--tiny-mpnet/blobs")
        let partial = try XCTUnwrap(
            try FileManager.default.contentsOfDirectory(atPath: blobs.path).first { $0.hasSuffix(".incomplete") })
        let size = try XCTUnwrap(
            try FileManager.default.attributesOfItem(atPath: blobs.appendingPathComponent(partial).path)[.size] as? Int)
        XCTAssertGreaterThan(size, 0)
        XCTAssertFalse(
            FileManager.default.fileExists(atPath: blobs.appendingPathComponent(String(partial.dropLast(11))).path))
        let folder = try HuggingFaceHub.snapshot(repository, options: options(hub, cache: cache))
        XCTAssertEqual(try SentenceEncoder(modelDirectory: folder).encode(texts), try expectedVectors())
        XCTAssertTrue(try hub.log().contains { $0["range"] == "bytes=\(size)-" }, "resumed with a Range request")
        XCTAssertFalse(
            try FileManager.default.contentsOfDirectory(atPath: blobs.path).contains { $0.hasSuffix(".incomplete") })
    }

    func testContentsThatDoNotMatchTheListingAreDeleted() throws {
        for corrupt in ["model.safetensors", "config.json"] {  // an LFS file (sha256), a git file (blob id)
            let hub = try MockHub(
                repositories: [repository: try repositoryFolder()], arguments: ["--corrupt", corrupt])
            let cache = newCache()
            defer { try? FileManager.default.removeItem(at: cache) }
            assertDownloadError(
                try HuggingFaceHub.snapshot(repository, options: options(hub, cache: cache)),
                contains: [corrupt, "does not match", "deleted"])
            let blobs = cache.appendingPathComponent("models--sentence-transformers--tiny-mpnet/blobs")
            let snapshot = try XCTUnwrap(
                try FileManager.default.contentsOfDirectory(
                    atPath: cache.appendingPathComponent("models--sentence-transformers--tiny-mpnet/snapshots").path
                ).first)
            XCTAssertFalse(
                FileManager.default.fileExists(
                    atPath: cache.appendingPathComponent(
                        "models--sentence-transformers--tiny-mpnet/snapshots/\(snapshot)/\(corrupt)"
                    ).path))
            XCTAssertFalse(
                try FileManager.default.contentsOfDirectory(atPath: blobs.path).contains { $0.hasSuffix(".incomplete") }
            )
        }
    }

    func testADiskThatRefusesTheWriteFailsNamingTheFile() throws {
        let folder = try repositoryFolder()
        let hub = try MockHub(repositories: [repository: folder])
        let cache = newCache()
        defer { try? FileManager.default.removeItem(at: cache) }
        // The blob's partial file is /dev/full: every write to it fails with ENOSPC, as on a full disk.
        let sha = try sha256Hex(of: folder.appendingPathComponent("model.safetensors"))
        let blobs = cache.appendingPathComponent("models--sentence-transformers--tiny-mpnet/blobs")
        try FileManager.default.createDirectory(at: blobs, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(
            atPath: blobs.appendingPathComponent(sha + ".incomplete").path, withDestinationPath: "/dev/full")
        assertDownloadError(
            try HuggingFaceHub.snapshot(repository, options: options(hub, cache: cache)),
            contains: ["model.safetensors", "cannot write", "No space left on device"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: blobs.appendingPathComponent(sha).path))
        try FileManager.default.removeItem(at: blobs.appendingPathComponent(sha + ".incomplete"))
        let snapshot = try HuggingFaceHub.snapshot(repository, options: options(hub, cache: cache))
        XCTAssertEqual(try SentenceEncoder(modelDirectory: snapshot).encode(texts), try expectedVectors())
    }

    func testShardedWeightsAreFetchedFromTheirIndex() throws {
        // model.safetensors split in two shards and an index, as save_pretrained writes a large model.
        let folder = try repositoryFolder()
        let split = """
            import json, struct, sys
            folder = sys.argv[1]
            data = open(folder + "/model.safetensors", "rb").read()
            n = struct.unpack("<Q", data[:8])[0]
            header = json.loads(data[8:8 + n])
            body = data[8 + n:]
            names = sorted((k for k in header if k != "__metadata__"), key=lambda k: header[k]["data_offsets"][0])
            halves = [names[: len(names) // 2], names[len(names) // 2 :]]
            weight_map = {}
            for i, part in enumerate(halves):
                file = f"model-{i + 1:05d}-of-00002.safetensors"
                out, chunks, offset = {"__metadata__": {"format": "pt"}}, [], 0
                for name in part:
                    a, b = header[name]["data_offsets"]
                    out[name] = dict(header[name], data_offsets=[offset, offset + b - a])
                    chunks.append(body[a:b])
                    offset += b - a
                    weight_map[name] = file
                text = json.dumps(out).encode()
                text += b" " * (-len(text) % 8)
                open(folder + "/" + file, "wb").write(struct.pack("<Q", len(text)) + text + b"".join(chunks))
            json.dump({"metadata": {"total_size": len(body)}, "weight_map": weight_map},
                      open(folder + "/model.safetensors.index.json", "w"))
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", split, folder.path]
        try process.run()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0)
        try FileManager.default.removeItem(at: folder.appendingPathComponent("model.safetensors"))
        // A shard the index does not name is not fetched.
        try Data(repeating: 1, count: 100).write(to: folder.appendingPathComponent("model-00009-of-00009.safetensors"))
        let hub = try MockHub(repositories: [repository: folder])
        let cache = newCache()
        defer { try? FileManager.default.removeItem(at: cache) }
        let snapshot = try HuggingFaceHub.snapshot(repository, options: options(hub, cache: cache))
        let files = try FileManager.default.contentsOfDirectory(atPath: snapshot.path)
        XCTAssertEqual(
            Set(files.filter { $0.hasPrefix("model") }),
            ["model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors", "model.safetensors.index.json"])
        XCTAssertEqual(try SentenceEncoder(modelDirectory: snapshot).encode(texts), try expectedVectors())
    }

    func testRepositoriesWithoutSafetensorsWeightsAreRefusedByName() throws {
        let folder = try repositoryFolder()
        try FileManager.default.removeItem(at: folder.appendingPathComponent("model.safetensors"))
        let hub = try MockHub(repositories: [repository: folder])
        let cache = newCache()
        defer { try? FileManager.default.removeItem(at: cache) }
        assertDownloadError(
            try HuggingFaceHub.snapshot(repository, options: options(hub, cache: cache)),
            contains: ["no safetensors weights", "pytorch_model.bin"])
    }

    /// Python's huggingface_hub against the same mock: it accepts it (so the mock answers as the Hub does), reads
    /// what this library downloaded with the network off, and this library reads what it downloaded.
    func testThePythonClientSharesTheCacheBothWays() throws {
        guard let python = pythonWithHuggingFaceHub() else {
            throw XCTSkip("huggingface_hub is not installed for any Python here (Scripts/setup_venv.sh installs it)")
        }
        let hub = try MockHub(repositories: [repository: try repositoryFolder()])
        let swiftCache = newCache(), pythonCache = newCache()
        defer {
            try? FileManager.default.removeItem(at: swiftCache)
            try? FileManager.default.removeItem(at: pythonCache)
        }
        let swiftFolder = try HuggingFaceHub.snapshot(repository, options: options(hub, cache: swiftCache))
        let environment = ["HF_ENDPOINT": hub.endpoint.absoluteString, "HF_HUB_DISABLE_XET": "1"]
        // Python downloads the whole repository into its own cache...
        let (status, output) = try runPython(
            python,
            "from huggingface_hub import snapshot_download; print(snapshot_download('\(repository)'))",
            environment: environment.merging(["HF_HUB_CACHE": pythonCache.path]) { $1 })
        XCTAssertEqual(status, 0, output)
        let pythonFolder = try XCTUnwrap(output.split(separator: "\n").last.map(String.init))
        XCTAssertEqual(URL(fileURLWithPath: pythonFolder).lastPathComponent, swiftFolder.lastPathComponent)
        // ... naming every blob as this library did,
        for file in ["config.json", "model.safetensors", "1_Pooling/config.json", "tokenizer.json"] {
            XCTAssertEqual(
                try FileManager.default.destinationOfSymbolicLink(atPath: pythonFolder + "/" + file),
                try FileManager.default.destinationOfSymbolicLink(atPath: swiftFolder.path + "/" + file), file)
        }
        // ... reads this library's download with the network off,
        let (offlineStatus, offlineOutput) = try runPython(
            python,
            """
            from huggingface_hub import hf_hub_download, snapshot_download
            print(hf_hub_download('\(repository)', 'model.safetensors'))
            print(snapshot_download('\(repository)', allow_patterns=['*.json']))
            """,
            environment: environment.merging(["HF_HUB_CACHE": swiftCache.path, "HF_HUB_OFFLINE": "1"]) { $1 })
        XCTAssertEqual(offlineStatus, 0, offlineOutput)
        XCTAssertTrue(offlineOutput.contains(swiftFolder.path + "/model.safetensors"), offlineOutput)
        // ... and this library reads Python's download offline.
        var offline = options(hub, cache: pythonCache, offline: true)
        offline.endpoint = URL(string: "http://127.0.0.1:9")!
        XCTAssertEqual(try SentenceEncoder(pretrained: repository, hub: offline).encode(texts), try expectedVectors())
    }

    func sha256Hex(of file: URL) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "python3", "-c", "import hashlib,sys;print(hashlib.sha256(open(sys.argv[1],'rb').read()).hexdigest())",
            file.path,
        ]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

/// Progress reports collected from the download's thread.
final class ProgressLog: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [HubProgress] = []
    func append(_ progress: HubProgress) {
        lock.lock()
        items.append(progress)
        lock.unlock()
    }
    var entries: [HubProgress] {
        lock.lock()
        defer { lock.unlock() }
        return items
    }
}
