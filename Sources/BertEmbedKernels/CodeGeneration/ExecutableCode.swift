// Machine code generated at run time, made executable: mapped writable, filled, then switched to read + execute
// (never writable and executable at once). Used on Linux x86-64 and arm64; elsewhere every block is nil and the
// compiled kernels run (macOS needs MAP_JIT, its write-protect switch and an instruction-cache flush: not written, as
// no macOS machine was at hand to build and test it).
//
// arm64 keeps separate instruction and data caches, which must agree before new code runs. Each block is written into
// fresh pages once, before the one mprotect that makes them executable, and never written again; then libgcc's
// __clear_cache (found with dlsym: Swift's Glibc module does not declare it; on x86-64 it does nothing) cleans and
// invalidates the caches over the block. Where it cannot be found (a static binary) Linux does it anyway: arm64's
// set_pte_at syncs a user page that becomes executable and was not synced since it was written
// (__sync_icache_dcache in arch/arm64/mm/flush.c, since kernels of about 2016; older ones skipped anonymous pages).
#if canImport(Glibc)
import Glibc
#endif

/// A block of executable machine code, kept for the life of the process (generated kernels are cached).
package struct ExecutableCode: @unchecked Sendable {
    /// The first instruction.
    let entry: UnsafeRawPointer
    /// The code's length in bytes.
    let size: Int
    /// A name for profilers (`PerfMap`).
    let name: String

    /// Maps `code`; nil off Linux (x86-64, arm64) or if the system refuses executable memory (an SELinux `execmem`
    /// denial, a seccomp policy), in which case callers fall back to compiled kernels.
    init?(_ code: [UInt8], name: String) {
        #if os(Linux) && (arch(x86_64) || arch(arm64))
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
        if let clearCache = Self.clearCache { clearCache(mapped, mapped + code.count) }
        entry = UnsafeRawPointer(mapped)
        self.size = code.count
        self.name = name
        #else
        return nil
        #endif
    }

    /// libgcc's `__clear_cache(start, end)` in this process (libgcc_s, loaded with the C++ runtime Swift uses), or nil.
    package static let clearCache: (@convention(c) (UnsafeMutableRawPointer, UnsafeMutableRawPointer) -> Void)? = {
        #if os(Linux)
        guard let symbol = dlsym(dlopen(nil, RTLD_NOW), "__clear_cache") else { return nil }
        return unsafeBitCast(
            symbol, to: (@convention(c) (UnsafeMutableRawPointer, UnsafeMutableRawPointer) -> Void).self)
        #else
        return nil
        #endif
    }()
}

/// The file `perf report` reads to name code it has no symbols for, `<directory>/perf-<pid>.map`: one line
/// "START SIZE NAME" (hexadecimal) per block. Without it the generated kernels show up as bare addresses.
enum PerfMap {
    /// Appends a line for each of `blocks` to this process's map in `directory` (perf looks in /tmp). Best effort:
    /// a map that cannot be written only costs the names in a profile.
    static func append(_ blocks: [ExecutableCode], directory: String) {
        #if canImport(Glibc)
        let lines = blocks.map {
            "\(String(UInt(bitPattern: $0.entry), radix: 16)) \(String($0.size, radix: 16)) bert-embed-\($0.name)\n"
        }
        let fd = open("\(directory)/perf-\(getpid()).map", O_WRONLY | O_CREAT | O_APPEND, 0o644)
        guard fd >= 0 else { return }
        defer { close(fd) }
        let text = lines.joined()
        _ = text.utf8CString.withUnsafeBytes { write(fd, $0.baseAddress, $0.count - 1) }
        #endif
    }
}
