// An inter-process lock on a file, the way huggingface_hub's `filelock` takes it (flock(2), exclusive, on
// `.locks/models--ORG--NAME/ETAG.lock`): a Swift process and a Python process downloading the same blob wait for
// each other, and one that is killed releases its lock with its open file.
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An exclusive flock(2) on one lock file, held until `unlock` (or the process ends).
final class FileLock {
    private var descriptor: Int32

    /// Waits for the lock on `path`, creating the file (and its folder) when missing.
    /// - Throws: a message naming the file when it cannot be created or locked.
    init(path: String) throws(HubFileError) {
        let folder = (path as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw HubFileError(path: folder, reason: "cannot create the folder: \(error.localizedDescription)")
        }
        descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o664)
        guard descriptor >= 0 else { throw HubFileError(path: path, errno: errno, doing: "open the lock file") }
        while flock(descriptor, LOCK_EX) != 0 {
            if errno == EINTR { continue }
            let code = errno
            close(descriptor)
            throw HubFileError(path: path, errno: code, doing: "lock")
        }
    }

    /// Releases the lock.
    func unlock() {
        guard descriptor >= 0 else { return }
        flock(descriptor, LOCK_UN)
        close(descriptor)
        descriptor = -1
    }

    deinit { unlock() }
}

/// A file operation of the cache that failed: the file and the system's reason.
struct HubFileError: Error, CustomStringConvertible {
    let path: String
    let reason: String

    init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    /// The failure of `doing` on `path` with errno `code` ("cannot write: No space left on device").
    init(path: String, errno code: Int32, doing: String) {
        self.init(path: path, reason: "cannot \(doing): \(String(cString: strerror(code)))")
    }

    var description: String { "\(path): \(reason)" }
}
