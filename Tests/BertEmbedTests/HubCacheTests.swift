// Models by name from a Hugging Face cache laid out as Python's huggingface_hub writes it (blobs/ holding the files'
// contents, snapshots/COMMIT/ holding relative links into blobs/, refs/REVISION holding the commit): the same vectors
// as the folder, revisions by branch, tag and commit, the CLI's --model ORG/NAME, and errors that say what is
// missing.
import BertEmbed
import Foundation
import XCTest
import _BertEmbedTestSupport

final class HubCacheTests: XCTestCase {
    let commit = "0123456789abcdef0123456789abcdef01234567"

    /// A cache under a new temporary folder holding `folder` (a Resources folder) as `repository` at `commit`,
    /// `refs/main` and `refs/v1` pointing at it.
    func makeCache(_ folder: String, as repository: String) throws -> URL {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("hf-cache-\(UUID())")
        let model = root.appendingPathComponent("models--" + repository.replacingOccurrences(of: "/", with: "--"))
        let blobs = model.appendingPathComponent("blobs"), refs = model.appendingPathComponent("refs")
        let snapshot = model.appendingPathComponent("snapshots/\(commit)")
        for directory in [blobs, refs, snapshot] {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        }
        let source = resource(folder)
        let files = try XCTUnwrap(FileManager.default.enumerator(atPath: source.path)).compactMap { $0 as? String }
        for (index, file) in files.sorted().enumerated() {
            var isDirectory: ObjCBool = false
            let exists = FileManager.default.fileExists(
                atPath: source.appendingPathComponent(file).path, isDirectory: &isDirectory)
            if !exists || isDirectory.boolValue { continue }
            // Blob names are content hashes in the real cache; any distinct hex name stands in for one here.
            let blob = String(format: "%064x", index + 1)
            try FileManager.default.copyItem(
                at: source.appendingPathComponent(file), to: blobs.appendingPathComponent(blob))
            let link = snapshot.appendingPathComponent(file)
            try FileManager.default.createDirectory(
                at: link.deletingLastPathComponent(), withIntermediateDirectories: true)
            let depth = file.split(separator: "/").count + 1  // up from snapshots/COMMIT/<file> to the model folder
            try FileManager.default.createSymbolicLink(
                atPath: link.path,
                withDestinationPath: String(repeating: "../", count: depth) + "blobs/" + blob)
        }
        try Data(commit.utf8).write(to: refs.appendingPathComponent("main"))
        try Data(commit.utf8).write(to: refs.appendingPathComponent("v1"))
        return root
    }

    /// Options that read `root` and never the network.
    func offline(_ root: URL) -> HubOptions {
        var options = HubOptions(environment: [:])
        options.cacheDirectory = root
        options.offline = true
        return options
    }

    func testModelsByNameGiveTheFolderVectors() throws {
        let root = try makeCache("families/mpnet", as: "sentence-transformers/tiny-mpnet")
        defer { try? FileManager.default.removeItem(at: root) }
        let texts = ["A man is eating food.", "Ünïcödé and 東京", ""]
        let expected = try SentenceEncoder(modelDirectory: resource("families/mpnet")).encode(texts)
        for revision in ["main", "v1", commit] {
            let encoder = try SentenceEncoder(
                pretrained: "sentence-transformers/tiny-mpnet", revision: revision, hub: offline(root))
            XCTAssertEqual(try encoder.encode(texts), expected, revision)
        }
        let heads = try makeCache("heads/bert-cross-encoder-st", as: "cross-encoder/tiny")
        defer { try? FileManager.default.removeItem(at: heads) }
        let reranker = try CrossEncoder(pretrained: "cross-encoder/tiny", hub: offline(heads))
        XCTAssertEqual(
            try reranker.predict([("q", "d")]),
            try CrossEncoder(modelDirectory: resource("heads/bert-cross-encoder-st")).predict([("q", "d")]))
        let sparse = try makeCache("heads/bert-splade-max", as: "naver/tiny")
        defer { try? FileManager.default.removeItem(at: sparse) }
        XCTAssertEqual(
            try SparseEncoder(pretrained: "naver/tiny", hub: offline(sparse)).encode(["q"]),
            try SparseEncoder(modelDirectory: resource("heads/bert-splade-max")).encode(["q"]))
        // The CLI takes the repository id where it takes a folder, with the cache from the environment.
        let run = try runCLI(
            ["embed", "--model", "sentence-transformers/tiny-mpnet", "a"],
            environment: ["HF_HUB_CACHE": root.path, "HF_HUB_OFFLINE": "1"])
        XCTAssertEqual(run.status, 0, run.stderr)
        let folderRun = try runCLI(["embed", "--model", resource("families/mpnet").path, "a"])
        XCTAssertEqual(run.stdout, folderRun.stdout)
    }

    func testMissingPiecesAreNamed() throws {
        let root = try makeCache("families/mpnet", as: "org/model")
        defer { try? FileManager.default.removeItem(at: root) }
        let cases: [(String, String, String)] = [
            ("org/other", "main", "org/other is not in the Hugging Face cache"),
            ("org/model", "dev", "no commit hash for revision 'dev' of org/model"),
            ("org/model", String(repeating: "f", count: 40), "missing or incomplete"),
            ("../etc", "main", "not a Hugging Face repository id"),
        ]
        for (repository, revision, phrase) in cases {
            XCTAssertThrowsError(
                try SentenceEncoder(pretrained: repository, revision: revision, hub: offline(root))
            ) { error in
                XCTAssertTrue("\(error)".contains(phrase), "\(repository)@\(revision): \(error)")
                XCTAssertTrue(
                    "\(error)".contains("offline") || phrase.contains("repository id"), "\(error)")
            }
        }
        let run = try runCLI(
            ["embed", "--model", "org/absent", "a"], environment: ["HF_HUB_CACHE": root.path, "HF_HUB_OFFLINE": "1"])
        XCTAssertEqual(run.status, 1)
        XCTAssertTrue(run.stderr.contains("org/absent is not in the Hugging Face cache"), run.stderr)
    }

    func testCacheLocationAndRepositoryIds() {
        XCTAssertEqual(HubCache(environment: ["HF_HUB_CACHE": "/a/b", "HF_HOME": "/h"]).root.path, "/a/b")
        XCTAssertEqual(HubCache(environment: ["HUGGINGFACE_HUB_CACHE": "/l", "HF_HOME": "/h"]).root.path, "/l")
        XCTAssertEqual(HubCache(environment: ["HF_HOME": "/h"]).root.path, "/h/hub")
        XCTAssertEqual(HubCache(environment: ["XDG_CACHE_HOME": "/x"]).root.path, "/x/huggingface/hub")
        XCTAssertTrue(HubCache(environment: [:]).root.path.hasSuffix("/.cache/huggingface/hub"))
        for id in ["sentence-transformers/all-MiniLM-L6-v2", "BAAI/bge-small-en-v1.5", "gpt2", "a_b/c.d"] {
            XCTAssertTrue(HubCache.isRepositoryId(id), id)
        }
        for id in ["", "/abs", "a/", "a/b/c", "../x", "a/..", "a/.hidden", "a b/c", "a/b\u{0}"] {
            XCTAssertFalse(HubCache.isRepositoryId(id), id)
        }
    }
}
