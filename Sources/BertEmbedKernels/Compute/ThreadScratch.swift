// Per-thread working memory for the kernels' tasks (the GEMM's packed input block and edge tile, attention's packed
// operands and scores), so that no task allocates: each thread keeps one buffer, grown to the largest request it
// has seen and reused by every later task on that thread.
//
// Why: a GEMM task or an attention (sequence, head) task used to allocate and free its buffers each time, several
// thousand times per batch; buffers of 128 KiB and more (attention on long sequences) came from mmap and were
// returned to the OS at free, so every task also paid page faults and page zeroing.
// Memory: one buffer per thread that ever ran a task (the worker pool's threads and the callers), as large as the
// largest task's need: about 100 KB for the GEMM (up to 1.5 MB on the AMX path: 128 rows of 3,072 inputs as two
// bfloat16 each), for attention all heads' packed operands of a sequence: 3 x tokens x hidden floats, 4.7 MB for a
// 512-token sequence of a 768-wide model. It is freed when its thread exits.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One thread's scratch buffer.
package final class ThreadScratch {
    private var base: UnsafeMutableRawPointer?
    private var capacity = 0  // bytes
    private var inUse = false

    deinit { base?.deallocate() }

    /// The calling thread's scratch buffer, created at its first use.
    private static var current: ThreadScratch {
        if let pointer = pthread_getspecific(key) {
            return Unmanaged<ThreadScratch>.fromOpaque(pointer).takeUnretainedValue()
        }
        let scratch = ThreadScratch()
        pthread_setspecific(key, Unmanaged.passRetained(scratch).toOpaque())
        return scratch
    }

    /// The thread-local slot; its destructor releases a thread's buffer when the thread exits.
    private static let key: pthread_key_t = {
        var key = pthread_key_t()
        let status = pthread_key_create(&key) { pointer in
            #if canImport(Darwin)
            Unmanaged<ThreadScratch>.fromOpaque(pointer).release()
            #else
            if let pointer { Unmanaged<ThreadScratch>.fromOpaque(pointer).release() }
            #endif
        }
        precondition(status == 0, "pthread_key_create failed (\(status))")
        return key
    }()

    /// The bytes a region of `count` floats takes (regions are 64-byte aligned).
    package static func bytes(floats count: Int) -> Int { (max(0, count) * MemoryLayout<Float>.stride + 63) & ~63 }

    /// Calls `body` with `bytes` bytes of the calling thread's buffer (64-byte aligned, contents undefined), to be
    /// cut into regions with `ScratchRegions.floats`. A nested call on the same thread (none of the kernels makes
    /// one) gets memory of its own for the duration of the call.
    package static func with<R>(bytes: Int, _ body: (inout ScratchRegions) throws -> R) rethrows -> R {
        let scratch = current
        if scratch.inUse {
            let memory = UnsafeMutableRawPointer.allocate(byteCount: max(bytes, 64), alignment: 64)
            defer { memory.deallocate() }
            var regions = ScratchRegions(memory)
            return try body(&regions)
        }
        let base: UnsafeMutableRawPointer
        if let existing = scratch.base, bytes <= scratch.capacity {
            base = existing
        } else {
            scratch.base?.deallocate()
            scratch.capacity = max(bytes, 2 * scratch.capacity, 64)
            base = UnsafeMutableRawPointer.allocate(byteCount: scratch.capacity, alignment: 64)
            scratch.base = base
        }
        scratch.inUse = true
        defer { scratch.inUse = false }
        var regions = ScratchRegions(base)
        return try body(&regions)
    }
}

/// Consecutive regions of a scratch buffer, handed out in order.
package struct ScratchRegions {
    private var next: UnsafeMutableRawPointer

    init(_ base: UnsafeMutableRawPointer) { next = base }

    /// The next region, of `count` floats (`ThreadScratch.bytes(floats: count)` of the buffer).
    package mutating func floats(_ count: Int) -> UnsafeMutablePointer<Float> {
        let region = next.bindMemory(to: Float.self, capacity: max(count, 1))
        next += ThreadScratch.bytes(floats: count)
        return region
    }
}
