// How many threads the kernels use, and the one parallel loop they all share.
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
    /// all are done, on the persistent `WorkerPool`. Workers take the next task from a shared counter
    /// (so a worker the OS delays does not hold up the others); which thread runs a task never changes
    /// what the task computes. With one thread (or one task) it runs inline, with no dispatch cost.
    package func parallelFor(_ count: Int, _ body: (Int) -> Void) {
        let workers = min(threads, count)
        if workers <= 1 {
            for task in 0..<count { body(task) }
            return
        }
        if !WorkerPool.shared.run(helpers: workers - 1, count: count, body) {
            for task in 0..<count { body(task) }  // pool busy (nested or concurrent call): inline
        }
    }
}
