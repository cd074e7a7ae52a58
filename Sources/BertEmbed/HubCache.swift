// Models by name from the Hugging Face cache, in the layout Python's huggingface_hub writes (file_download.py,
// constants.py): a model downloaded by Python is used as it is, offline.
//
//   $HF_HUB_CACHE, else $HF_HOME/hub, else ~/.cache/huggingface/hub
//     models--ORG--NAME/
//       refs/REVISION          the commit hash a branch or tag points to (no newline)
//       snapshots/COMMIT/...   the repository's files at that commit (links into blobs/)
//       blobs/HASH             the files' contents
import Foundation

/// The local Hugging Face hub cache.
package struct HubCache: Sendable {
    /// The cache's root folder (holding `models--ORG--NAME` folders).
    package let root: URL

    /// The cache at `root`, or where huggingface_hub puts it (constants.py): `$HF_HUB_CACHE`, else the legacy
    /// `$HUGGINGFACE_HUB_CACHE`, else `$HF_HOME/hub`, else `$XDG_CACHE_HOME/huggingface/hub`, else
    /// `~/.cache/huggingface/hub`; a leading `~` is the home folder.
    package init(root: URL? = nil, environment: [String: String] = ProcessInfo.processInfo.environment) {
        func path(_ name: String) -> String? {
            guard let value = environment[name], !value.isEmpty else { return nil }
            return (value as NSString).expandingTildeInPath
        }
        if let root {
            self.root = root
        } else if let cache = path("HF_HUB_CACHE") ?? path("HUGGINGFACE_HUB_CACHE") {
            self.root = URL(fileURLWithPath: cache)
        } else if let home = path("HF_HOME") {
            self.root = URL(fileURLWithPath: home).appendingPathComponent("hub")
        } else if let xdg = path("XDG_CACHE_HOME") {
            self.root = URL(fileURLWithPath: xdg).appendingPathComponent("huggingface/hub")
        } else {
            self.root = FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/huggingface/hub")
        }
    }

    /// Whether `name` has the form of a Hub repository id ("ORG/NAME" or "NAME": letters, digits, `-`, `_`, `.`;
    /// no `..`, no leading or trailing separator).
    package static func isRepositoryId(_ name: String) -> Bool {
        let parts = name.split(separator: "/", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count) else { return false }
        return parts.allSatisfy { part in
            !part.isEmpty && part.count <= 96 && !part.hasPrefix(".") && !part.hasSuffix(".") && !part.contains("..")
                && part.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }
        }
    }

    /// The folder of `repository` at `revision` (a branch or tag name, or a 40-hex commit hash) in the cache.
    /// - Throws: `EmbeddingError.invalidModelFolder` naming what is missing: the repository, the revision's ref, or
    ///   the snapshot (and that downloading is not done here).
    package func snapshot(_ repository: String, revision: String = "main") throws -> URL {
        guard Self.isRepositoryId(repository) else {
            throw EmbeddingError.invalidOption("'\(repository)' is not a Hugging Face repository id (ORG/NAME)")
        }
        guard !revision.isEmpty, !revision.contains("/.."), !revision.hasPrefix("."), !revision.contains("\0") else {
            throw EmbeddingError.invalidOption("'\(revision)' is not a revision name")
        }
        let folder = root.appendingPathComponent("models--" + repository.replacingOccurrences(of: "/", with: "--"))
        let fetch =
            "this package does not download: fetch it once with Python's huggingface_hub "
            + "(snapshot_download(\"\(repository)\", revision=\"\(revision)\")) or give a folder"
        guard FileManager.default.fileExists(atPath: folder.path) else {
            throw EmbeddingError.invalidModelFolder(
                file: folder.path, reason: "\(repository) is not in the Hugging Face cache; \(fetch)")
        }
        let commit: String
        if revision.count == 40, revision.allSatisfy(\.isHexDigit) {
            commit = revision
        } else {
            let ref = folder.appendingPathComponent("refs").appendingPathComponent(revision)
            guard let data = FileManager.default.contents(atPath: ref.path),
                let text = String(data: data, encoding: .utf8)?.trimmingCharacters(in: .whitespacesAndNewlines),
                text.count == 40, text.allSatisfy(\.isHexDigit)
            else {
                throw EmbeddingError.invalidModelFolder(
                    file: ref.path, reason: "no commit hash for revision '\(revision)' of \(repository); \(fetch)")
            }
            commit = text
        }
        let snapshot = folder.appendingPathComponent("snapshots").appendingPathComponent(commit)
        guard
            FileManager.default.fileExists(atPath: snapshot.appendingPathComponent("config.json").path)
                || FileManager.default.fileExists(atPath: snapshot.appendingPathComponent("modules.json").path)
        else {
            throw EmbeddingError.invalidModelFolder(
                file: snapshot.path,
                reason: "the snapshot of \(repository) at \(commit) is missing or incomplete (no config.json or "
                    + "modules.json); \(fetch)")
        }
        return snapshot
    }
}

extension SentenceEncoder {
    /// Loads a model by its Hugging Face repository id from the local Hugging Face cache, where Python's
    /// huggingface_hub (or sentence-transformers) downloaded it:
    /// `try SentenceEncoder(pretrained: "sentence-transformers/all-MiniLM-L6-v2")`. Nothing is downloaded.
    ///
    /// - Parameters:
    ///   - repository: "ORG/NAME".
    ///   - revision: a branch or tag (its commit from `refs/`), or a commit hash (default "main").
    ///   - cacheDirectory: the cache's root (nil: `$HF_HUB_CACHE`, else `$HF_HOME/hub`, else
    ///     `~/.cache/huggingface/hub`).
    ///   - pooling: as `init(modelDirectory:pooling:compute:)`.
    ///   - compute: as `init(modelDirectory:pooling:compute:)`.
    /// - Throws: `EmbeddingError.invalidModelFolder` naming what the cache lacks, or what loading the folder throws.
    public convenience init(
        pretrained repository: String, revision: String = "main", cacheDirectory: URL? = nil,
        pooling: Pooling? = nil, compute: ComputeOptions = ComputeOptions()
    ) throws {
        let folder = try HubCache(root: cacheDirectory).snapshot(repository, revision: revision)
        try self.init(modelDirectory: folder, pooling: pooling, compute: compute)
    }
}

extension CrossEncoder {
    /// Loads a cross-encoder by its Hugging Face repository id from the local Hugging Face cache (see
    /// `SentenceEncoder.init(pretrained:revision:cacheDirectory:pooling:compute:)`). Nothing is downloaded.
    ///
    /// - Parameters:
    ///   - repository: "ORG/NAME", for example "cross-encoder/ms-marco-MiniLM-L-6-v2".
    ///   - revision: a branch or tag, or a commit hash (default "main").
    ///   - cacheDirectory: the cache's root (nil: from the environment, as huggingface_hub).
    ///   - compute: as `init(modelDirectory:compute:)`.
    /// - Throws: `EmbeddingError.invalidModelFolder` naming what the cache lacks, or what loading the folder throws.
    public convenience init(
        pretrained repository: String, revision: String = "main", cacheDirectory: URL? = nil,
        compute: ComputeOptions = ComputeOptions()
    ) throws {
        let folder = try HubCache(root: cacheDirectory).snapshot(repository, revision: revision)
        try self.init(modelDirectory: folder, compute: compute)
    }
}

extension SparseEncoder {
    /// Loads a SPLADE model by its Hugging Face repository id from the local Hugging Face cache (see
    /// `SentenceEncoder.init(pretrained:revision:cacheDirectory:pooling:compute:)`). Nothing is downloaded.
    ///
    /// - Parameters:
    ///   - repository: "ORG/NAME", for example "naver/splade-v3".
    ///   - revision: a branch or tag, or a commit hash (default "main").
    ///   - cacheDirectory: the cache's root (nil: from the environment, as huggingface_hub).
    ///   - compute: as `init(modelDirectory:compute:)`.
    /// - Throws: `EmbeddingError.invalidModelFolder` naming what the cache lacks, or what loading the folder throws.
    public convenience init(
        pretrained repository: String, revision: String = "main", cacheDirectory: URL? = nil,
        compute: ComputeOptions = ComputeOptions()
    ) throws {
        let folder = try HubCache(root: cacheDirectory).snapshot(repository, revision: revision)
        try self.init(modelDirectory: folder, compute: compute)
    }
}
