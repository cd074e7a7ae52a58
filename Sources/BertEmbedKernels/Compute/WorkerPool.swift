// A persistent pool of worker threads for ComputeContext.parallelFor (Dispatch's concurrentPerform ran its
// iterations on one core much of the time while another process was busy).
//
// Several jobs may run at once (concurrent `encode` calls, or a task that starts a loop of its own): each caller
// works on its own job, and an idle worker joins the running job with the fewest helpers, so concurrent callers
// share the cores rather than one of them running alone. Idle workers poll for about 100 microseconds, yielding their
// core between two looks, then sleep on a condition variable; a caller done with its own tasks polls for its helpers'
// last ones the same way before it sleeps (BENCHMARKS.md, "Worker pool").
import Foundation

/// Threads that sleep between jobs and help the callers of `run` with their tasks.
final class WorkerPool: @unchecked Sendable {
    /// The process-wide pool; it grows to the largest helper count asked for.
    static let shared = WorkerPool()

    /// One call of `run`: its tasks, and who works on them. Guarded by the pool's `condition`.
    private final class Job {
        /// Cleared when the job is done, so that the non-escaping closure it wraps is released before `run` returns.
        var body: ((Int) -> Void)?
        let count: Int
        /// How many workers may join (the caller works too).
        let helpersWanted: Int
        var nextTask = 0
        var finished = 0
        var helpers = 0

        init(body: @escaping (Int) -> Void, count: Int, helpersWanted: Int) {
            self.body = body
            self.count = count
            self.helpersWanted = helpersWanted
        }
    }

    private let condition = NSCondition()  // guards everything below
    private var workers = 0  // threads started
    private var jobs: [Job] = []  // jobs with tasks not yet taken, oldest first

    /// Runs `body(task)` for task in 0..<count on the calling thread and up to `helpers` workers; returns when all
    /// tasks are done.
    func run(helpers: Int, count: Int, _ body: (Int) -> Void) {
        withoutActuallyEscaping(body) { body in
            let job = Job(body: body, count: count, helpersWanted: helpers)
            condition.lock()
            while workers < helpers {
                workers += 1
                let thread = Thread { [unowned self] in self.workerLoop() }
                thread.name = "bert-embed-worker"
                thread.start()
            }
            jobs.append(job)
            condition.broadcast()
            work(on: job)
            // The helpers' last tasks are usually microseconds from done: poll for them as idle workers poll for
            // jobs, so that the caller is not put to sleep and woken again once per loop.
            poll { job.finished == job.count }
            while job.finished < job.count { condition.wait() }
            job.body = nil
            condition.unlock()
        }
    }

    /// Takes tasks of `job` until none is left. Called with `condition` locked; returns with it locked.
    private func work(on job: Job) {
        while job.nextTask < job.count {
            let task = job.nextTask
            job.nextTask += 1
            if job.nextTask == job.count { jobs.removeAll { $0 === job } }  // nothing left to hand out
            let body = job.body
            condition.unlock()
            body?(task)
            condition.lock()
            job.finished += 1
            if job.finished == job.count { condition.broadcast() }
        }
    }

    /// The job a free worker should join: of those with tasks left and room for a helper, the one with the fewest
    /// helpers, the oldest on a tie.
    private func jobToJoin() -> Job? {
        var chosen: Job?
        for job in jobs where job.nextTask < job.count && job.helpers < job.helpersWanted {
            if chosen == nil || job.helpers < chosen!.helpers { chosen = job }
        }
        return chosen
    }

    /// Releases and retakes the lock until `done()`, checked under the lock, holds; stops looking once 100
    /// microseconds have passed (a wait that short costs less than sleeping and being woken). Between two checks the
    /// poller yields its core for a moment (`sched_yield`, about half a microsecond on Linux), so that the thread it
    /// waits for finds the lock free: retaken at once, the lock was held by the poller nearly all the time, and the
    /// caller or worker that needed it slept on it in the kernel (a short query at 2 threads took 8 % less time in
    /// int8, 13 % in float32, batches the same: BENCHMARKS.md, "Worker pool"). Called and returns with the lock held.
    private func poll(until done: () -> Bool) {
        let deadline = DispatchTime.now().uptimeNanoseconds + 100_000
        while !done() && DispatchTime.now().uptimeNanoseconds < deadline {
            condition.unlock()
            sched_yield()
            condition.lock()
        }
    }

    private func workerLoop() {
        condition.lock()
        while true {
            guard let job = jobToJoin() else {
                // Poll for a next job (about 100 microseconds) before sleeping: a short query runs about 70 loops
                // back to back, and a worker woken from sleep for each joined so late that two threads were
                // barely faster than one (BENCHMARKS.md, "Worker pool").
                poll { jobToJoin() != nil }
                if jobToJoin() == nil { condition.wait() }
                continue
            }
            job.helpers += 1
            work(on: job)
            job.helpers -= 1
        }
    }
}
