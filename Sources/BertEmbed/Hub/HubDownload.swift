// Filling the Hugging Face cache from the Hub, as huggingface_hub's snapshot_download / hf_hub_download do, so that
// either client uses what the other fetched:
//
//   1. GET /api/models/ORG/NAME/revision/REV?blobs=true: the commit REV points to and every file with its size, git
//      blob id and, for LFS files, sha256.
//   2. Only the files a model needs (`HubFileSelection`): config, tokenizer files, safetensors weights or shards,
//      the sentence-transformers module folders named in modules.json. Not ONNX, OpenVINO, PyTorch pickles, README.
//   3. Each file as huggingface_hub stores it: blobs/ETAG (ETAG: the sha256 of an LFS file, else its git blob id),
//      snapshots/COMMIT/PATH a relative link to it, refs/REV the commit. Under an exclusive flock of
//      .locks/models--ORG--NAME/ETAG.lock (the lock file huggingface_hub takes), the bytes go to blobs/ETAG.incomplete,
//      resumed from what an earlier attempt kept (a Range request), hashed as they arrive (and the kept part first),
//      and are renamed to blobs/ETAG only when size and digest match the listing: a killed or cut-short download never
//      leaves a file that looks complete, and a corrupt one is deleted.
//   4. Offline (HF_HUB_OFFLINE=1, `HubOptions.offline`), or when the Hub cannot be reached, the cache alone answers.
import BertEmbedJSON
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One file of the Hub's listing.
struct HubFile {
    /// The path in the repository.
    let path: String
    /// The size in bytes.
    let size: Int64
    /// The git blob id (SHA-1 of "blob SIZE\0" + contents).
    let blobId: String
    /// The sha256 of an LFS file's contents, nil for a file git stores itself.
    let sha256: String?
    /// The blob's name in the cache (what huggingface_hub calls the etag).
    var etag: String { sha256 ?? blobId }
}

enum HubDownload {
    /// The snapshot folder of `repository` at `revision` with what a model needs, fetched into the cache unless
    /// offline; see the file comment.
    static func snapshot(_ repository: String, revision: String, options: HubOptions) throws -> URL {
        let cache = options.cache
        try HubCache.validate(repository: repository, revision: revision)
        if options.offline {
            return try cache.snapshot(
                repository, revision: revision,
                advice: "the Hub is not asked while offline (HF_HUB_OFFLINE=1 or HubOptions.offline): "
                    + "run once with the network to download it, or give a folder")
        }
        let client = HubClient(endpoint: options.endpoint, token: options.token, timeout: options.timeout)
        let commit: String, files: [HubFile]
        do {
            (commit, files) = try listing(repository, revision: revision, client: client)
        } catch let error as HubHTTPError {
            // As huggingface_hub: an unreachable Hub, or one that refuses to answer, leaves the cache to answer; a
            // revision the Hub says does not exist does not.
            let reason = describe(error, repository: repository, revision: revision, options: options)
            if error.code == "RevisionNotFound" {
                throw EmbeddingError.download(repository: repository, reason: reason)
            }
            do {
                return try cache.snapshot(repository, revision: revision, advice: "")
            } catch {
                throw EmbeddingError.download(
                    repository: repository, reason: reason + "; and the cache (\(cache.root.path)) does not hold it")
            }
        }
        let folder = cache.modelFolder(repository)
        var fetcher = Fetcher(
            repository: repository, commit: commit, folder: folder, locks: cache.lockFolder(repository),
            client: client, progress: options.progress)
        // The files that say which others are needed come first.
        let byPath = Dictionary(files.map { ($0.path, $0) }, uniquingKeysWith: { first, _ in first })
        let first = HubFileSelection.guideFiles.compactMap { byPath[$0] }
        var needed = try HubFileSelection.modelFiles(
            repository: repository, files: files, guides: [:])
        fetcher.totalSize = needed.reduce(0) { $0 + $1.size }
        var guides: [String: URL] = [:]
        for file in first { guides[file.path] = try fetcher.fetch(file) }
        needed = try HubFileSelection.modelFiles(repository: repository, files: files, guides: guides)
        fetcher.totalSize = needed.reduce(0) { $0 + $1.size }
        for file in needed where guides[file.path] == nil { _ = try fetcher.fetch(file) }
        if revision != commit { try writeRef(folder: folder, revision: revision, commit: commit) }
        return folder.appendingPathComponent("snapshots").appendingPathComponent(commit)
    }

    /// The commit `revision` points to and the files at it.
    static func listing(_ repository: String, revision: String, client: HubClient) throws -> (String, [HubFile]) {
        guard
            let url = client.url(
                "/api/models/\(repository)/revision/\(percentEncoded(revision, keepingSlashes: false))",
                query: "blobs=true")
        else { throw EmbeddingError.invalidOption("'\(client.endpoint)' is not a usable Hub address") }
        let body = try client.get(url)
        let source = "the Hub's listing of \(repository)@\(revision) (\(url.absoluteString))"
        guard let answer = try? JSONParser.parse(body), let members = answer.objectMembers else {
            throw EmbeddingError.download(repository: repository, reason: "\(source) is not a JSON object")
        }
        guard let commit = members.value("sha")?.stringValue, isHex(commit, count: 40) else {
            throw EmbeddingError.download(repository: repository, reason: "\(source) has no commit hash (\"sha\")")
        }
        guard case .array(let siblings)? = members.value("siblings") else {
            throw EmbeddingError.download(repository: repository, reason: "\(source) has no file list (\"siblings\")")
        }
        var files: [HubFile] = []
        for sibling in siblings {
            guard let item = sibling.objectMembers, let path = item.value("rfilename")?.stringValue else {
                throw EmbeddingError.download(repository: repository, reason: "\(source) lists a file without a name")
            }
            let lfs = item.value("lfs")?.objectMembers
            let sha256 = lfs?.value("sha256")?.stringValue
            guard HubCache.isSafeRelativePath(path), case .number(let size)? = item.value("size"),
                let bytes = size.exactInt, (0...(1 << 50)).contains(bytes),
                let blobId = item.value("blobId")?.stringValue,
                isHex(blobId, count: 40), lfs == nil || sha256.map({ isHex($0, count: 64) }) == true
            else {
                throw EmbeddingError.download(
                    repository: repository,
                    reason:
                        "\(source) lists '\(path.prefix(200))' without a safe path, a size (0 to 2^50 bytes), a git blob id or "
                        + "(for an LFS file) a sha256")
            }
            files.append(HubFile(path: path, size: Int64(bytes), blobId: blobId, sha256: sha256))
        }
        return (commit, files)
    }

    /// `text` with everything but unreserved characters (and '/', when kept) percent-encoded.
    static func percentEncoded(_ text: String, keepingSlashes: Bool) -> String {
        var allowed = CharacterSet.alphanumerics.intersection(CharacterSet(charactersIn: Unicode.Scalar(0)..<"\u{80}"))
        allowed.insert(charactersIn: "-._~" + (keepingSlashes ? "/" : ""))
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }

    static func isHex(_ text: String, count: Int) -> Bool {
        text.utf8.count == count && text.utf8.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }

    /// A user's reading of a failed request.
    static func describe(_ error: HubHTTPError, repository: String, revision: String, options: HubOptions) -> String {
        let hub = options.endpoint.absoluteString
        if error.unreachable { return "cannot reach the Hub at \(hub) (\(error.message))" }
        switch (error.status, error.code) {
        case (404, "RevisionNotFound"?):
            return "\(hub) has no revision '\(revision)' of \(repository) (a branch, tag or commit hash)"
        case (404, _):
            return "\(hub) has no repository \(repository) (check the name: ORG/NAME)"
        case (401, _), (403, _):
            return options.token == nil
                ? "\(hub) refused access to \(repository) (\(error.status)): it does not exist, or it is private or "
                    + "gated and needs a token: set HF_TOKEN (or HubOptions.token)"
                : "\(hub) refused the token for \(repository) (\(error.status)): check that HF_TOKEN (or "
                    + "HubOptions.token) is valid and has access (gated models need their terms accepted)"
        default:
            return "\(hub) answered \(error.status) for \(repository): \(error.message)"
        }
    }

    /// Writes refs/REVISION = commit (no newline, as huggingface_hub), atomically, unless it already says so.
    static func writeRef(folder: URL, revision: String, commit: String) throws {
        let ref = folder.appendingPathComponent("refs").appendingPathComponent(revision)
        if let data = FileManager.default.contents(atPath: ref.path), String(decoding: data, as: UTF8.self) == commit {
            return
        }
        do {
            try FileManager.default.createDirectory(
                at: ref.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(commit.utf8).write(to: ref, options: .atomic)
        } catch {
            throw EmbeddingError.download(
                repository: folder.lastPathComponent, reason: "\(ref.path): cannot write: \(error.localizedDescription)"
            )
        }
    }
}

/// Fetches files of one commit into the cache (step 3 of the file comment), reporting progress.
private struct Fetcher {
    let repository: String
    let commit: String
    let folder: URL
    let locks: URL
    let client: HubClient
    let progress: (@Sendable (HubProgress) -> Void)?
    var totalSize: Int64 = 0
    var doneBytes: Int64 = 0

    init(
        repository: String, commit: String, folder: URL, locks: URL, client: HubClient,
        progress: (@Sendable (HubProgress) -> Void)?
    ) {
        self.repository = repository
        self.commit = commit
        self.folder = folder
        self.locks = locks
        self.client = client
        self.progress = progress
    }

    /// The file's snapshot path, after making sure it is there (fetched, verified, linked).
    mutating func fetch(_ file: HubFile) throws -> URL {
        let pointer = folder.appendingPathComponent("snapshots/\(commit)").appendingPathComponent(file.path)
        let blob = folder.appendingPathComponent("blobs").appendingPathComponent(file.etag)
        var fetched = false
        if !FileManager.default.fileExists(atPath: pointer.path) {
            if !FileManager.default.fileExists(atPath: blob.path) {
                fetched = true
                let lock = try wrapping(file) { () throws(HubFileError) in
                    try FileLock(path: locks.appendingPathComponent(file.etag + ".lock").path)
                }
                defer { lock.unlock() }
                // Another process may have finished it while this one waited for the lock.
                if !FileManager.default.fileExists(atPath: blob.path) { try download(file, to: blob) }
            }
            try wrapping(file) { () throws(HubFileError) in try link(pointer, to: file) }
        }
        doneBytes += file.size
        if fetched { report(file, bytes: file.size, finished: true) }
        return pointer
    }

    /// Reports `bytes` of `file` on disk; `doneBytes` counts the files finished before it.
    private func report(_ file: HubFile, bytes: Int64, finished: Bool = false) {
        progress?(
            HubProgress(
                repository: repository, file: file.path, fileBytes: bytes, fileSize: file.size,
                totalBytes: finished ? doneBytes : doneBytes + bytes, totalSize: totalSize))
    }

    /// `body`, its file errors reported as the repository's download error.
    private func wrapping<T>(_ file: HubFile, _ body: () throws(HubFileError) -> T) throws -> T {
        do {
            return try body()
        } catch {
            throw EmbeddingError.download(repository: repository, reason: "\(file.path): \(error)")
        }
    }

    /// Streams `file` into blob + ".incomplete" (resuming what is there), checks it, renames it to `blob`.
    private func download(_ file: HubFile, to blob: URL) throws {
        let partial = blob.path + ".incomplete"
        let descriptor = try wrapping(file) { () throws(HubFileError) -> Int32 in
            try? FileManager.default.createDirectory(
                at: blob.deletingLastPathComponent(), withIntermediateDirectories: true)
            let descriptor = open(partial, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
            guard descriptor >= 0 else { throw HubFileError(path: partial, errno: errno, doing: "create") }
            return descriptor
        }
        var closed = false
        defer { if !closed { close(descriptor) } }
        var kept = Int64(lseek(descriptor, 0, SEEK_END))
        if kept > file.size {  // not this file's beginning: start over
            _ = ftruncate(descriptor, 0)
            kept = 0
        }
        var digest = Digest(file)
        try wrapping(file) { () throws(HubFileError) in try digest.hashKept(descriptor, count: kept, path: partial) }
        var written = kept
        if kept < file.size {
            let path = HubDownload.percentEncoded(file.path, keepingSlashes: true)
            guard let url = client.url("/\(repository)/resolve/\(commit)/\(path)") else {
                throw EmbeddingError.invalidOption("'\(client.endpoint)' is not a usable Hub address")
            }
            var started = false, lastReport = Int64(0)
            do {
                _ = try client.stream(url, from: kept) { bytes, resumed throws(HubFileError) in
                    if !started {
                        started = true
                        if kept > 0 && !resumed {  // the server sent the whole file: drop the kept part
                            guard ftruncate(descriptor, 0) == 0, lseek(descriptor, 0, SEEK_SET) == 0 else {
                                throw HubFileError(path: partial, errno: errno, doing: "truncate")
                            }
                            digest = Digest(file)
                            written = 0
                        }
                    }
                    guard written + Int64(bytes.count) <= file.size else {
                        throw HubFileError(
                            path: partial, reason: "the Hub sent more than the listed \(file.size) bytes")
                    }
                    try Self.writeAll(descriptor, bytes, path: partial)
                    digest.update(bytes)
                    written += Int64(bytes.count)
                    if written - lastReport >= 1 << 20 {
                        lastReport = written
                        report(file, bytes: written)
                    }
                }
            } catch {
                if let fileError = error.sinkError as? HubFileError {
                    throw EmbeddingError.download(
                        repository: repository,
                        reason: "\(file.path): \(fileError); \(written) of \(file.size) bytes are kept in \(partial)")
                }
                if error.status != 0 {
                    throw EmbeddingError.download(
                        repository: repository,
                        reason: "\(file.path): the Hub answered \(error.status) (\(error.message)) for \(url)")
                }
                throw EmbeddingError.download(
                    repository: repository,
                    reason: "\(file.path): the transfer broke after \(written) of \(file.size) bytes "
                        + "(\(error.message)); they are kept in \(partial) and the next attempt resumes from there")
            }
        }
        guard written == file.size else {
            throw EmbeddingError.download(
                repository: repository,
                reason: "\(file.path): cut short at \(written) of \(file.size) bytes; they are kept in \(partial) and "
                    + "the next attempt resumes from there")
        }
        let (kind, expected, actual) = digest.check()
        guard expected == actual else {
            unlink(partial)
            throw EmbeddingError.download(
                repository: repository,
                reason: "\(file.path): the download does not match the Hub's listing (\(kind) \(actual), listed "
                    + "\(expected)): it was deleted; try again")
        }
        try wrapping(file) { () throws(HubFileError) in
            guard fsync(descriptor) == 0 else { throw HubFileError(path: partial, errno: errno, doing: "sync") }
            close(descriptor)
            closed = true
            guard rename(partial, blob.path) == 0 else {
                throw HubFileError(path: blob.path, errno: errno, doing: "rename the finished download to")
            }
        }
    }

    private static func writeAll(
        _ descriptor: Int32, _ bytes: UnsafeRawBufferPointer, path: String
    )
        throws(HubFileError)
    {
        var offset = 0
        while offset < bytes.count {
            let count = write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            if count < 0 {
                if errno == EINTR { continue }
                throw HubFileError(path: path, errno: errno, doing: "write")
            }
            offset += count
        }
    }

    /// snapshots/COMMIT/PATH -> ../../(..)/blobs/ETAG, relative as huggingface_hub makes it.
    private func link(_ pointer: URL, to file: HubFile) throws(HubFileError) {
        let parent = pointer.deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: parent, withIntermediateDirectories: true)
        } catch {
            throw HubFileError(path: parent.path, reason: "cannot create the folder: \(error.localizedDescription)")
        }
        let depth = file.path.split(separator: "/").count + 1
        let target = String(repeating: "../", count: depth) + "blobs/" + file.etag
        // Made under a name of this process's own, then renamed over the pointer: another process linking the same
        // file at the same moment, or a dangling link left by a removed blob, is replaced, never an error.
        let temporary = pointer.path + ".\(getpid()).\(UInt32.random(in: 0...UInt32.max)).link"
        guard symlink(target, temporary) == 0 else {
            throw HubFileError(path: temporary, errno: errno, doing: "link to \(target)")
        }
        guard rename(temporary, pointer.path) == 0 else {
            let code = errno
            unlink(temporary)
            throw HubFileError(path: pointer.path, errno: code, doing: "link to \(target)")
        }
    }
}

/// The digest a file is checked with: sha256 for LFS files, the git blob id for the others.
private struct Digest {
    private var sha256: SHA256?
    private var sha1: SHA1?
    private let expected: String

    init(_ file: HubFile) {
        if let sha = file.sha256 {
            sha256 = SHA256()
            expected = sha
        } else {
            sha1 = SHA1.gitBlob(size: Int(file.size))
            expected = file.blobId
        }
    }

    mutating func update(_ bytes: UnsafeRawBufferPointer) {
        sha256?.update(bytes)
        sha1?.update(bytes)
    }

    /// Hashes the first `count` bytes of the open file (a resumed download's kept part).
    mutating func hashKept(_ descriptor: Int32, count: Int64, path: String) throws(HubFileError) {
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        var offset: Int64 = 0
        while offset < count {
            let read = buffer.withUnsafeMutableBytes {
                pread(descriptor, $0.baseAddress!, min($0.count, Int(count - offset)), off_t(offset))
            }
            if read < 0 && errno == EINTR { continue }
            guard read > 0 else { throw HubFileError(path: path, errno: errno, doing: "read the kept part") }
            buffer.withUnsafeBytes { update(UnsafeRawBufferPointer(rebasing: $0[0..<read])) }
            offset += Int64(read)
        }
    }

    /// (what was checked, the listed digest, the computed one).
    func check() -> (String, String, String) {
        if let sha256 { return ("sha256", expected, sha256.hexDigest()) }
        return ("git blob id", expected, sha1?.hexDigest() ?? "")
    }
}
