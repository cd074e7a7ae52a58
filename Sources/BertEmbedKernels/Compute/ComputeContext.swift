// How many threads the kernels use and which kernels they run, and the one parallel loop they all share.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The threads and kernels a model computes with. Results never depend on the thread count: every kernel splits
/// its work into tasks whose outputs are disjoint and computed the same way in any task (no reduction is ever
/// split across threads).
package struct ComputeContext: Sendable {
    /// Number of threads, 1 ... `maxThreads` (the caller's own and `threads - 1` workers).
    package var threads: Int

    /// The most threads a context uses: a larger request is capped (more threads would only add idle workers, and
    /// the kernels' task counts, a few per thread, must not overflow).
    package static let maxThreads = 1024
    /// The kernels in use.
    package let kernels: KernelSet
    /// Whether weights packed at load ask for transparent huge pages (`WeightBuffer`).
    package let hugePages: Bool
    /// How dense layers packed at load store their weights (`PackedLinear`).
    package let weightFormat: WeightFormat

    /// A context with `threads` threads (nil: `availableCores`; at least 1) running `kernels`, packing dense
    /// weights as `weightFormat`.
    package init(
        threads: Int? = nil, kernels: KernelSet = .preferred, hugePages: Bool = false,
        weightFormat: WeightFormat = .float32
    ) {
        self.threads = min(max(1, threads ?? ComputeContext.availableCores), ComputeContext.maxThreads)
        self.kernels = kernels
        self.hugePages = hugePages
        self.weightFormat = weightFormat
    }

    /// This context with `threads` threads instead (nil: unchanged).
    package func with(threads: Int?) -> ComputeContext {
        guard let threads else { return self }
        var copy = self
        copy.threads = min(max(1, threads), ComputeContext.maxThreads)
        return copy
    }

    /// The number of online processors (at least 1).
    package static let availableCores: Int = {
        #if canImport(Glibc) || canImport(Darwin)
        return max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        #else
        return 1
        #endif
    }()

    /// Values below which a row-wise pass (a short query's LayerNorm or input quantization) runs on one thread: it
    /// takes less time than a parallel loop's start (BENCHMARKS.md, "int8 single query").
    package static let serialValueLimit = 32_768

    /// Multiply-adds of attention's q k^T (summed over sequences and heads) up to which attention runs on one thread
    /// (`multiHeadAttention`): a MiniLM sequence of up to 26 tokens alone, an MPNet one of up to 18. Measured at 11
    /// tokens only (BENCHMARKS.md, "bfloat16 on two threads"); the limit is not tuned.
    package static let serialAttentionLimit = 262_144

    /// Runs `body(task)` for every task in 0..<count, on up to `threads` threads, and returns when all are done, on
    /// the persistent `WorkerPool`. Tasks are taken from a shared counter (so a thread the OS delays does not hold
    /// up the others); which thread runs a task never changes what the task computes. With one thread (or one
    /// task) it runs inline, with no dispatch cost.
    package func parallelFor(_ count: Int, _ body: (Int) -> Void) {
        let workers = min(threads, count)
        if workers <= 1 {
            for task in 0..<count { body(task) }
            return
        }
        WorkerPool.shared.run(helpers: workers - 1, count: count, body)
    }
}
