// A persistent pool of worker threads for ComputeContext.parallelFor (Dispatch's concurrentPerform
// measured here ran its iterations on one core much of the time while another process was busy).
import Foundation

/// Threads that sleep on a condition variable between jobs. One job runs at a time: a call made while
/// a job is running (from another thread, or nested inside a task) returns false and the caller runs
/// its tasks inline, which gives the same results. The calling thread works on its own job too.
final class WorkerPool: @unchecked Sendable {
    /// The process-wide pool; it grows to the largest thread count asked for.
    static let shared = WorkerPool()

    private let runLock = NSLock()  // held for the whole of a job
    private let condition = NSCondition()  // guards everything below
    private var started = 0  // worker threads started
    private var generation = 0  // incremented for each job
    private var job: ((Int) -> Void)?
    private var taskCount = 0
    private var nextTask = 0
    private var finished = 0
    private var helpersWanted = 0
    private var helpersJoined = 0

    /// Runs `body(task)` for task in 0..<count on the calling thread and up to `helpers` workers;
    /// returns when all tasks are done. False (nothing run) when the pool is already busy.
    func run(helpers: Int, count: Int, _ body: (Int) -> Void) -> Bool {
        guard runLock.try() else { return false }
        defer { runLock.unlock() }
        withoutActuallyEscaping(body) { body in
            condition.lock()
            while started < helpers {
                started += 1
                let thread = Thread { [unowned self] in self.workerLoop() }
                thread.name = "bert-embed-worker"
                thread.start()
            }
            job = body
            taskCount = count
            nextTask = 0
            finished = 0
            helpersWanted = helpers
            helpersJoined = 0
            generation += 1
            condition.broadcast()
            workOnTasks()
            while finished < taskCount { condition.wait() }
            job = nil
            condition.unlock()
        }
        return true
    }

    /// Takes tasks until none are left. Called with `condition` locked; returns with it locked.
    private func workOnTasks() {
        while nextTask < taskCount, let body = job {
            let task = nextTask
            nextTask += 1
            condition.unlock()
            body(task)
            condition.lock()
            finished += 1
            if finished == taskCount { condition.broadcast() }
        }
    }

    /// Polls for a next job (about 100 microseconds) before sleeping. The encoder runs kernels back to
    /// back; a worker that slept would be woken on the caller's core (Linux's wake-affine placement)
    /// and share it instead of using its own, which measured as no speedup from a second thread.
    static let spinPolls = 2_000

    private func workerLoop() {
        condition.lock()
        var seen = 0
        while true {
            var polls = 0
            while generation == seen && polls < WorkerPool.spinPolls {
                condition.unlock()
                polls += 1
                condition.lock()
            }
            while generation == seen { condition.wait() }
            seen = generation
            if helpersJoined < helpersWanted {
                helpersJoined += 1
                workOnTasks()
            }
        }
    }
}
