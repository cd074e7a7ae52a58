// Machine code generated at run time, made executable: mapped writable, filled, then switched to
// read + execute (never writable and executable at once). Used only on Linux x86-64.
#if canImport(Glibc)
import Glibc
#endif

/// A block of executable machine code. Kept for the life of the process (the kernels are static).
struct ExecutableCode: @unchecked Sendable {
    /// The first instruction.
    let entry: UnsafeRawPointer

    /// Maps `code`; nil if the system refuses executable memory (e.g. an SELinux or seccomp policy
    /// that forbids it), in which case callers fall back to compiled kernels.
    init?(_ code: [UInt8]) {
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
        #else
        return nil
        #endif
    }
}
