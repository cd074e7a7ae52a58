// The immutable bytes behind a safetensors file: a read-only memory map of the file (unmapped on deinit),
// or an owned copy for in-memory input (tests, fuzzing).

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Read-only bytes that live as long as this object. Never written after `init`, hence Sendable.
///
/// A mapped file must not be truncated by another process while mapped (reading would then fault,
/// as with every mmap-based reader, including the reference implementation).
final class MappedBytes: @unchecked Sendable {
    /// The first byte (never nil: empty input gets a 1-byte allocation).
    let base: UnsafeRawPointer
    /// The number of bytes.
    let count: Int
    private let isMapped: Bool

    /// All bytes as a buffer.
    var buffer: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }

    /// Maps the regular file at `path` read-only.
    init(mapping path: String) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw SafeTensorsError.unreadableFile(file: path, reason: Self.lastError()) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw SafeTensorsError.unreadableFile(file: path, reason: Self.lastError()) }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw SafeTensorsError.unreadableFile(file: path, reason: "not a regular file")
        }
        let size = Int(info.st_size)
        guard size >= 8 else { throw SafeTensorsError.fileTooShort(file: path, size: size) }
        guard let mapped = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0),
            mapped != UnsafeMutableRawPointer(bitPattern: -1)
        else { throw SafeTensorsError.unreadableFile(file: path, reason: "mmap failed: \(Self.lastError())") }
        self.base = UnsafeRawPointer(mapped)
        self.count = size
        self.isMapped = true
    }

    /// Copies `bytes`.
    init(copying bytes: UnsafeRawBufferPointer) {
        let storage = UnsafeMutableRawPointer.allocate(byteCount: max(bytes.count, 1), alignment: 16)
        if let source = bytes.baseAddress, bytes.count > 0 { storage.copyMemory(from: source, byteCount: bytes.count) }
        self.base = UnsafeRawPointer(storage)
        self.count = bytes.count
        self.isMapped = false
    }

    deinit {
        if isMapped {
            munmap(UnsafeMutableRawPointer(mutating: base), count)
        } else {
            UnsafeMutableRawPointer(mutating: base).deallocate()
        }
    }

    private static func lastError() -> String { String(cString: strerror(errno)) }
}
