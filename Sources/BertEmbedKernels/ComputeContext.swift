// How many threads the kernels use, and the one parallel loop they all share.
import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How many threads kernels may use. Results never depend on the thread count: every kernel
/// splits its work into tasks whose outputs are disjoint and computed the same way in any task
/// (no reduction is ever split across threads).
package struct ComputeContext: Sendable {
    /// Number of worker threads, at least 1.
    package var threads: Int

    /// A context with `threads` threads; `nil` means all online cores.
    package init(threads: Int? = nil) {
        self.threads = max(1, threads ?? ComputeContext.onlineCores)
    }

    /// The number of online processors (at least 1).
    package static let onlineCores: Int = {
        #if canImport(Glibc) || canImport(Darwin)
        return max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        #else
        return 1
        #endif
    }()

    /// Runs `body(task)` for every task in 0..<count, on up to `threads` threads, and returns when
    /// all are done. Worker w runs tasks w, w + workers, ...: which thread runs a task never changes
    /// what the task computes. With one thread (or one task) it runs inline, with no dispatch cost.
    package func parallelFor(_ count: Int, _ body: (Int) -> Void) {
        let workers = min(threads, count)
        if workers <= 1 {
            for task in 0..<count { body(task) }
            return
        }
        withoutActuallyEscaping(body) { body in
            let shared = UncheckedSendable(body)
            DispatchQueue.concurrentPerform(iterations: workers) { worker in
                var task = worker
                while task < count {
                    shared.value(task)
                    task += workers
                }
            }
        }
    }
}

/// Hands a value to other threads where the caller guarantees that they only touch disjoint data.
struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
