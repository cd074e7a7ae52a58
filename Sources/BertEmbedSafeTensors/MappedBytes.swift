// The immutable bytes behind a safetensors file: a read-only memory map of the file (unmapped on deinit),
// or an owned copy for in-memory input (tests, fuzzing); and separate maps of byte ranges of a mapped file
// (a tensor used in place, such as the word embeddings, outlives the map of the whole file).

import Dispatch

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Read-only bytes that live as long as this object. Never written after `init`, hence Sendable.
///
/// A mapped file must not be truncated by another process while mapped (reading would then fault,
/// as with every mmap-based reader, including the reference implementation).
package final class MappedBytes: @unchecked Sendable {
    /// The first byte (never nil: empty input gets a 1-byte allocation).
    package let base: UnsafeRawPointer
    /// The number of bytes.
    package let count: Int
    /// The mapping to unmap on deinit (page-aligned; it may start before `base`), nil for an owned copy.
    private let mapping: (start: UnsafeMutableRawPointer, length: Int)?
    /// The file the bytes were mapped from, open while they live (to map ranges of it again), or -1.
    private let descriptor: Int32
    /// The path, for errors.
    private let path: String

    /// All bytes as a buffer.
    var buffer: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }

    /// Maps the regular file at `path` read-only.
    init(mapping path: String) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw SafeTensorsError.unreadableFile(file: path, reason: Self.lastError()) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            defer { close(fd) }
            throw SafeTensorsError.unreadableFile(file: path, reason: Self.lastError())
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            close(fd)
            throw SafeTensorsError.unreadableFile(file: path, reason: "not a regular file")
        }
        let size = Int(info.st_size)
        guard size >= 8 else {
            close(fd)
            throw SafeTensorsError.fileTooShort(file: path, size: size)
        }
        guard let mapped = Self.map(fd, offset: 0, length: size) else {
            defer { close(fd) }
            throw SafeTensorsError.unreadableFile(file: path, reason: "mmap failed: \(Self.lastError())")
        }
        self.base = UnsafeRawPointer(mapped)
        self.count = size
        self.mapping = (mapped, size)
        self.descriptor = fd
        self.path = path
    }

    /// Copies `bytes`.
    init(copying bytes: UnsafeRawBufferPointer) {
        let storage = UnsafeMutableRawPointer.allocate(byteCount: max(bytes.count, 1), alignment: 16)
        if let source = bytes.baseAddress, bytes.count > 0 { storage.copyMemory(from: source, byteCount: bytes.count) }
        self.base = UnsafeRawPointer(storage)
        self.count = bytes.count
        self.mapping = nil
        self.descriptor = -1
        self.path = ""
    }

    /// A map of its own of the mapped file's bytes `range`; nil for an owned copy (it has no file).
    /// - Throws: `.unreadableFile` when the system refuses the map.
    func mapping(of range: Range<Int>) throws -> MappedBytes? {
        guard descriptor >= 0 else { return nil }
        precondition(range.lowerBound >= 0 && range.upperBound <= count, "range outside the file")
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let start = range.lowerBound - range.lowerBound % page
        let length = max(1, range.upperBound - start)
        guard let mapped = Self.map(descriptor, offset: start, length: length) else {
            throw SafeTensorsError.unreadableFile(file: path, reason: "mmap failed: \(Self.lastError())")
        }
        return MappedBytes(
            mapped: mapped, length: length, base: UnsafeRawPointer(mapped) + (range.lowerBound - start),
            count: range.count)
    }

    private init(mapped: UnsafeMutableRawPointer, length: Int, base: UnsafeRawPointer, count: Int) {
        self.base = base
        self.count = count
        self.mapping = (mapped, length)
        self.descriptor = -1
        self.path = ""
    }

    private static func map(_ fd: Int32, offset: Int, length: Int) -> UnsafeMutableRawPointer? {
        guard let mapped = mmap(nil, length, PROT_READ, MAP_PRIVATE, fd, off_t(offset)),
            mapped != UnsafeMutableRawPointer(bitPattern: -1)
        else { return nil }
        return mapped
    }

    /// Maps at least this large are unmapped on a background queue: tearing down the page tables of a 440 MB
    /// checkpoint whose every page was read takes ~12 ms, which need not delay the end of loading. (The map is
    /// private and read-only, and the descriptor is closed at once: nothing observes when it goes.)
    static let backgroundUnmapSize = 64 << 20

    deinit {
        if let mapping {
            if mapping.length >= Self.backgroundUnmapSize {
                let (start, length) = (UInt(bitPattern: mapping.start), mapping.length)
                DispatchQueue.global(qos: .utility).async {
                    _ = munmap(UnsafeMutableRawPointer(bitPattern: start), length)
                }
            } else {
                munmap(mapping.start, mapping.length)
            }
        } else {
            UnsafeMutableRawPointer(mutating: base).deallocate()
        }
        if descriptor >= 0 { close(descriptor) }
    }

    private static func lastError() -> String { String(cString: strerror(errno)) }
}
