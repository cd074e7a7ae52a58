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

    /// Throws unless `repository` is a repository id and `revision` a usable revision name.
    static func validate(repository: String, revision: String) throws {
        guard isRepositoryId(repository) else {
            throw EmbeddingError.invalidOption("'\(repository)' is not a Hugging Face repository id (ORG/NAME)")
        }
        guard !revision.isEmpty, isSafeRelativePath(revision) else {
            throw EmbeddingError.invalidOption("'\(revision)' is not a revision name")
        }
    }

    /// Whether `path` is a relative path inside its folder: not empty, no empty, "." or ".." component, no leading
    /// "/", no backslash or NUL (a listing from the network names files only with such paths).
    static func isSafeRelativePath(_ path: String) -> Bool {
        !path.isEmpty && !path.contains("\\") && !path.contains("\0")
            && path.split(separator: "/", omittingEmptySubsequences: false).allSatisfy {
                !$0.isEmpty && $0 != "." && $0 != ".."
            }
    }

    /// The repository's folder: ROOT/models--ORG--NAME.
    func modelFolder(_ repository: String) -> URL {
        root.appendingPathComponent("models--" + repository.replacingOccurrences(of: "/", with: "--"))
    }

    /// The folder of the repository's download locks: ROOT/.locks/models--ORG--NAME.
    func lockFolder(_ repository: String) -> URL {
        root.appendingPathComponent(".locks").appendingPathComponent(modelFolder(repository).lastPathComponent)
    }

    /// The folder of `repository` at `revision` (a branch or tag name, or a 40-hex commit hash) in the cache.
    /// - Parameter advice: what the user can do when it is not there (appended to the message).
    /// - Throws: `EmbeddingError.invalidModelFolder` naming what is missing: the repository, the revision's ref, or
    ///   the snapshot.
    func snapshot(_ repository: String, revision: String = "main", advice: String) throws -> URL {
        try Self.validate(repository: repository, revision: revision)
        let folder = modelFolder(repository)
        let fetch = advice.isEmpty ? "" : "; " + advice
        guard FileManager.default.fileExists(atPath: folder.path) else {
            throw EmbeddingError.invalidModelFolder(
                file: folder.path, reason: "\(repository) is not in the Hugging Face cache\(fetch)")
        }
        let commit: String
        if HubDownload.isHex(revision, count: 40) {
            commit = revision
        } else {
            let ref = folder.appendingPathComponent("refs").appendingPathComponent(revision)
            guard let data = FileManager.default.contents(atPath: ref.path),
                let text = String(data: data, encoding: .utf8)?.trimmingCharacters(in: .whitespacesAndNewlines),
                HubDownload.isHex(text, count: 40)
            else {
                throw EmbeddingError.invalidModelFolder(
                    file: ref.path, reason: "no commit hash for revision '\(revision)' of \(repository)\(fetch)")
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
                    + "modules.json)\(fetch)")
        }
        return snapshot
    }
}
