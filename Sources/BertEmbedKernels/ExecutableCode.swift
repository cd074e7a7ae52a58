// Machine code generated at run time, made executable: mapped writable, filled, then switched to
// read + execute (never writable and executable at once). Used only on Linux x86-64.
// With BERT_EMBED_PERF_MAP=1 each block is also listed in /tmp/perf-<pid>.map, the file `perf report` reads
// to name code it has no symbols for (otherwise the generated GEMM kernel shows up as bare addresses).
#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// A block of executable machine code. Kept for the life of the process (the kernels are static).
struct ExecutableCode: @unchecked Sendable {
    /// The first instruction.
    let entry: UnsafeRawPointer

    /// Maps `code`; nil if the system refuses executable memory (e.g. an SELinux or seccomp policy
    /// that forbids it), in which case callers fall back to compiled kernels.
    init?(_ code: [UInt8], name: String) {
        #if os(Linux) && arch(x86_64)
        let size = (code.count + 4095) & ~4095
        guard size > 0,
            let mapped = mmap(nil, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
            mapped != MAP_FAILED
        else { return nil }
        code.withUnsafeBytes { mapped.copyMemory(from: $0.baseAddress!, byteCount: code.count) }
        guard mprotect(mapped, size, PROT_READ | PROT_EXEC) == 0 else {
            munmap(mapped, size)
            return nil
        }
        entry = UnsafeRawPointer(mapped)
        if ProcessInfo.processInfo.environment["BERT_EMBED_PERF_MAP"] == "1" {
            let line = "\(String(UInt(bitPattern: mapped), radix: 16)) \(String(code.count, radix: 16)) bert-embed-\(name)\n"
            let fd = open("/tmp/perf-\(getpid()).map", O_WRONLY | O_CREAT | O_APPEND, 0o644)
            if fd >= 0 {
                _ = line.utf8CString.withUnsafeBytes { write(fd, $0.baseAddress, $0.count - 1) }
                close(fd)
            }
        }
        #else
        return nil
        #endif
    }
}
