// Memory for the weights a model prepares once at load (the packed GEMM panels, tables converted at load): slices
// of large 2 MiB-aligned chunks, which Linux backs with transparent huge pages when asked to (BERT_EMBED_HUGE_PAGES=1:
// madvise MADV_HUGEPAGE on each chunk).
//
// Why: these weights are hundreds of MB written once, at load. In 4 KiB pages that is one page fault per 4 KiB
// (BERT-base's 340 MB of packed panels: ~85,000 faults, ~0.5 ms per MB on the 2-core VM of the README); in 2 MiB
// pages it is one fault per 2 MiB and the GEMM misses the TLB less. Slices are carved from shared 32 MiB chunks (a
// larger request gets a chunk of its own) so that small matrices land in huge pages too; a chunk is freed when the
// last slice in it is gone.
// Why not by default: on that VM (Firecracker, virtio-balloon free page reporting) free 2 MiB blocks are handed
// back to the host after a few seconds idle, and touching them again costs host page faults. Measured BERT-base
// load, huge pages vs 4 KiB: 87-145 vs 175-250 ms when loads follow each other, but 343-451 vs 187-243 ms for a load
// after 12 s idle, the common case of one load per process. On hardware without that (bare metal, most VMs) huge
// pages should win both ways; set the variable there.
import Foundation

/// Float32 values written once at load by `fill` and only read after, in huge-page-friendly memory.
package struct WeightBuffer: @unchecked Sendable {
    /// Keeps the memory alive.
    private let chunk: WeightChunk
    private let base: UnsafeMutablePointer<Float>
    /// The number of values.
    package let count: Int

    /// `count` values, written by `fill(start)`, which must initialize all of them.
    package init(count: Int, fill: (UnsafeMutablePointer<Float>) throws -> Void) rethrows {
        precondition(count >= 0)
        (chunk, base) = WeightChunk.allocator.allocate(floats: count)
        self.count = count
        try fill(base)
    }

    /// Calls `body` with the values.
    package func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        try withExtendedLifetime(chunk) { try body(UnsafeBufferPointer(start: base, count: count)) }
    }

    /// A copy of the values.
    package var array: [Float] { withUnsafeBufferPointer { Array($0) } }
}

/// One 2 MiB-aligned allocation that slices are carved from; freed with the last `WeightBuffer` in it.
final class WeightChunk: @unchecked Sendable {
    static let alignment = 2 << 20
    /// The size of a shared chunk.
    static let sharedSize = 32 << 20
    /// Whether chunks ask for huge pages (`BERT_EMBED_HUGE_PAGES=1`; see the file comment).
    static let hugePages = ProcessInfo.processInfo.environment["BERT_EMBED_HUGE_PAGES"] == "1"
    /// The process-wide allocator.
    static let allocator = Allocator()

    let base: UnsafeMutableRawPointer
    let size: Int

    /// `size` bytes (a multiple of 2 MiB), advised for huge pages before any is touched.
    init(size: Int) {
        self.size = size
        base = .allocate(byteCount: size, alignment: Self.alignment)
        #if os(Linux)
        if Self.hugePages { _ = madvise(base, size, Int32(MADV_HUGEPAGE)) }  // advice only: ignore a refusal
        #endif
    }

    deinit { base.deallocate() }

    /// Hands out slices in order from the current shared chunk, starting a new one when it is full or gone.
    final class Allocator: @unchecked Sendable {
        private let lock = NSLock()
        /// The chunk being filled; weak, so that it is freed once its slices are (an idle allocator holds nothing).
        private weak var current: WeightChunk?
        private var used = 0

        /// Room for `floats` values, 64-byte aligned, and the chunk that holds it.
        func allocate(floats: Int) -> (WeightChunk, UnsafeMutablePointer<Float>) {
            let bytes = max(64, (floats * 4 + 63) & ~63)
            return lock.withLock {
                if bytes > WeightChunk.sharedSize / 2 {  // large: a chunk of its own, the shared one goes on
                    let own = WeightChunk(size: (bytes + WeightChunk.alignment - 1) / WeightChunk.alignment * WeightChunk.alignment)
                    return (own, own.base.bindMemory(to: Float.self, capacity: floats))
                }
                let chunk: WeightChunk
                if let current, used + bytes <= current.size {
                    chunk = current
                } else {
                    chunk = WeightChunk(size: WeightChunk.sharedSize)
                    current = chunk
                    used = 0
                }
                let start = chunk.base + used
                used += bytes
                return (chunk, start.bindMemory(to: Float.self, capacity: floats))
            }
        }
    }
}
