// Buffered writes to standard output and standard error through file descriptors (no shared C FILE state).
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes all of `bytes` to file descriptor `fd`, retrying on short writes and EINTR.
/// Returns false when the descriptor refuses the data (a closed pipe, a full disk).
@discardableResult
func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer) -> Bool {
    guard var base = bytes.baseAddress else { return true }
    var left = bytes.count
    while left > 0 {
        let n = write(fd, base, left)
        if n < 0 {
            if errno == EINTR { continue }
            return false
        }
        left -= n
        base += n
    }
    return true
}

/// A byte buffer flushed to a file descriptor in large chunks.
struct BufferedWriter {
    let fd: Int32
    private var buffer: [UInt8] = []

    init(fd: Int32) {
        self.fd = fd
        buffer.reserveCapacity(1 << 16)
    }

    mutating func write(_ text: String) {
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= 1 << 16 { flushOrThrowLater() }
    }

    mutating func write(bytes: [UInt8]) {
        buffer.append(contentsOf: bytes)
        if buffer.count >= 1 << 16 { flushOrThrowLater() }
    }

    private(set) var failed = false

    private mutating func flushOrThrowLater() {
        if !buffer.withUnsafeBytes({ writeAll(fd, $0) }) { failed = true }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Writes what is buffered; throws if any write failed.
    mutating func flush() throws {
        flushOrThrowLater()
        if failed { throw CLIError("could not write to the output (file descriptor \(fd))") }
    }
}

/// A runtime failure of a command (bad input, unwritable output): exit code 1.
struct CLIError: Error, CustomStringConvertible {
    var description: String
    init(_ message: String) { description = message }
}

/// Writes `message` to standard error, ending it with a newline unless `newline` is false.
func printError(_ message: String, newline: Bool = true) {
    let line = !newline || message.hasSuffix("\n") ? message : message + "\n"
    var bytes = Array(line.utf8)
    bytes.withUnsafeBytes { _ = writeAll(2, $0) }
    bytes.removeAll()
}

/// `value` as a JSON number, or `null` when it is NaN or infinite (JSON has no such numbers).
package func jsonNumber(_ value: Float) -> String { value.isFinite ? "\(value)" : "null" }
