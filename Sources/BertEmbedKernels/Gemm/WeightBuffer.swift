// Memory for the weights a model prepares once at load (the packed GEMM panels, tables converted at load): slices
// of large 2 MiB-aligned chunks, which Linux backs with transparent huge pages when the compute context asks
// (`ComputeSettings.hugePages`, `BERT_EMBED_HUGE_PAGES=1`: madvise MADV_HUGEPAGE on each chunk).
//
// Why: these weights are hundreds of MB written once, at load. In 4 KiB pages that is one page fault per 4 KiB; in
// 2 MiB pages one per 2 MiB, and the GEMM misses the TLB less. Slices are carved from shared 32 MiB chunks (a larger
// request gets a chunk of its own) so that small matrices land in huge pages too; a chunk is freed when the last
// slice in it is gone.
// Why not by default: on VMs that hand free 2 MiB blocks back to their host after a few idle seconds (virtio-balloon
// free page reporting), touching them again costs host page faults, and a first load after idle was slower with huge
// pages than without (BENCHMARKS.md, "Model load").
import Foundation

/// Values written once at load by `fill` and only read after, in huge-page-friendly memory: float32, bfloat16 bits,
/// or int8 blocks with their scales (`WeightFormat`).
package struct WeightBuffer: @unchecked Sendable {
    /// Keeps the memory alive.
    private let chunk: WeightChunk
    private let base: UnsafeMutableRawPointer
    /// The number of values.
    package let count: Int
    /// How the values are stored.
    package let format: WeightFormat
    /// The bytes the values take.
    package let byteCount: Int

    /// `count` float32 values, written by `fill(start)`, which must initialize all of them; in chunks advised for
    /// transparent huge pages when `hugePages`.
    package init(count: Int, hugePages: Bool = false, fill: (UnsafeMutablePointer<Float>) throws -> Void) rethrows {
        precondition(count >= 0)
        (chunk, base) = (hugePages ? WeightChunk.hugePageAllocator : WeightChunk.allocator).allocate(bytes: 4 * count)
        self.count = count
        format = .float32
        byteCount = 4 * count
        try fill(base.bindMemory(to: Float.self, capacity: count))
    }

    /// `count` bfloat16 values (their bits), written by `fill(start)`, which must initialize all of them; in chunks
    /// advised for transparent huge pages when `hugePages`.
    package init(
        bfloat16Count count: Int, hugePages: Bool = false, fill: (UnsafeMutablePointer<UInt16>) throws -> Void
    ) rethrows {
        precondition(count >= 0)
        (chunk, base) = (hugePages ? WeightChunk.hugePageAllocator : WeightChunk.allocator).allocate(bytes: 2 * count)
        self.count = count
        format = .bfloat16
        byteCount = 2 * count
        try fill(base.bindMemory(to: UInt16.self, capacity: count))
    }

    /// `bytes` bytes of int8 blocks and scales (`count` weights), laid out and written by `fill(start)`, which must
    /// initialize all of them; 64-byte aligned, in chunks advised for transparent huge pages when `hugePages`.
    package init(
        int8Count count: Int, bytes: Int, hugePages: Bool = false, fill: (UnsafeMutableRawPointer) throws -> Void
    ) rethrows {
        precondition(count >= 0 && bytes >= 0)
        (chunk, base) = (hugePages ? WeightChunk.hugePageAllocator : WeightChunk.allocator).allocate(bytes: bytes)
        self.count = count
        format = .int8
        byteCount = bytes
        try fill(base)
    }

    /// Calls `body` with the values of a float32 buffer.
    package func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        precondition(format == .float32, "not a float32 buffer")
        return try withExtendedLifetime(chunk) {
            try body(UnsafeBufferPointer(start: base.assumingMemoryBound(to: Float.self), count: count))
        }
    }

    /// Calls `body` with the first byte of the values, whatever their format.
    package func withUnsafeRawPointer<R>(_ body: (UnsafeRawPointer) throws -> R) rethrows -> R {
        try withExtendedLifetime(chunk) { try body(UnsafeRawPointer(base)) }
    }

    /// A copy of the values of a float32 buffer.
    package var array: [Float] { withUnsafeBufferPointer { Array($0) } }
}

/// One 2 MiB-aligned allocation that slices are carved from; freed with the last `WeightBuffer` in it.
final class WeightChunk: @unchecked Sendable {
    static let alignment = 2 << 20
    /// The size of a shared chunk.
    static let sharedSize = 32 << 20
    /// The allocator of chunks in ordinary pages.
    static let allocator = Allocator(hugePages: false)
    /// The allocator of chunks advised for huge pages (see the file comment).
    static let hugePageAllocator = Allocator(hugePages: true)

    let base: UnsafeMutableRawPointer
    let size: Int

    /// `size` bytes (a multiple of 2 MiB), advised for huge pages before any is touched when `hugePages`.
    init(size: Int, hugePages: Bool) {
        self.size = size
        base = .allocate(byteCount: size, alignment: Self.alignment)
        #if os(Linux)
        if hugePages { _ = madvise(base, size, Int32(MADV_HUGEPAGE)) }  // advice only: ignore a refusal
        #endif
    }

    deinit { base.deallocate() }

    /// Hands out slices in order from the current shared chunk, starting a new one when it is full or gone.
    final class Allocator: @unchecked Sendable {
        /// Whether its chunks are advised for huge pages.
        let hugePages: Bool
        private let lock = NSLock()
        /// The chunk being filled; weak, so that it is freed once its slices are (an idle allocator holds nothing).
        private weak var current: WeightChunk?
        private var used = 0

        init(hugePages: Bool) { self.hugePages = hugePages }

        /// `bytes` bytes (at least 64), 64-byte aligned, and the chunk that holds them.
        func allocate(bytes requested: Int) -> (WeightChunk, UnsafeMutableRawPointer) {
            let bytes = max(64, (requested + 63) & ~63)
            return lock.withLock {
                if bytes > WeightChunk.sharedSize / 2 {  // large: a chunk of its own, the shared one goes on
                    let own = WeightChunk(
                        size: (bytes + WeightChunk.alignment - 1) / WeightChunk.alignment * WeightChunk.alignment,
                        hugePages: hugePages)
                    return (own, own.base)
                }
                let chunk: WeightChunk
                if let current, used + bytes <= current.size {
                    chunk = current
                } else {
                    chunk = WeightChunk(size: WeightChunk.sharedSize, hugePages: hugePages)
                    current = chunk
                    used = 0
                }
                let start = chunk.base + used
                used += bytes
                return (chunk, start)
            }
        }
    }
}
