// Forward passes shared by concurrent async calls, as text-embeddings-inference batches its requests: every call's
// token sequences wait in one queue per encoder; a worker thread (not a thread of Swift's cooperative pool) takes them,
// oldest call first, into passes of at most `tokenBudget` tokens, runs each pass and hands every call the rows that
// are its own. A sequence's result never depends on what else is in its pass (the encoder runs attention per sequence
// and every dense layer row by row), so a call gets the bits it would get alone.
//
// Calls share a pass only when they ask the same of the encoder (`Key`: the hidden states needed, the prompt's
// token count, the thread count); the rest (normalization, truncation, what to make of the rows) is each call's own,
// in its `deliver`. A cancelled call is answered at once with CancellationError and its sequences not yet in a pass
// are dropped; one in a running pass finishes and is discarded. The worker thread exists only while there is work.
import BertEmbedKernels
import BertEmbedModel
import Foundation

/// The queue of sequences waiting for a shared forward pass, and the thread that runs the passes.
package final class SharedForwardPasses: @unchecked Sendable {
    // @unchecked: every mutable field is guarded by `lock`, except what the worker thread alone touches.

    /// What a call needs from the encoder: calls with equal keys may share a pass.
    struct Key: Hashable {
        let hiddenStates: Set<Int>
        let pooler: Bool
        let promptTokenCount: Int
        let threads: Int?
    }

    /// One call's sequences, what to do with their rows, and how to answer the call.
    final class Job: @unchecked Sendable {
        let key: Key
        let ids: [[Int]]
        /// Segment ids of each sequence (nil: zeros).
        let typeIds: [[Int]]?
        /// Called on the worker thread for each pass holding some of the job's sequences: `rows` are the pass's
        /// sequence positions, `indices` the job's own indices of those sequences.
        let deliver: (_ batch: EncoderBatch, _ rows: [Int], _ indices: [Int]) throws -> Void
        let progress: (@Sendable (Int, Int) -> Void)?
        /// Sequences handed to a pass so far (guarded by the queue's lock).
        fileprivate var scheduled = 0
        /// Sequences delivered (worker thread only).
        fileprivate var delivered = 0
        fileprivate var answered = false
        fileprivate var answer: ((Error?) -> Void)?
        fileprivate var cancelled = false

        init(
            key: Key, ids: [[Int]], typeIds: [[Int]]? = nil, progress: (@Sendable (Int, Int) -> Void)?,
            deliver: @escaping (EncoderBatch, [Int], [Int]) throws -> Void
        ) {
            precondition(typeIds == nil || typeIds?.count == ids.count, "one segment id list per sequence")
            self.key = key
            self.ids = ids
            self.typeIds = typeIds
            self.progress = progress
            self.deliver = deliver
        }
    }

    let model: BertModel
    let context: ComputeContext
    /// The most tokens one pass takes (a single longer sequence still gets a pass of its own).
    let tokenBudget: Int
    private let lock = NSLock()
    private var queue: [Job] = []
    private var draining = false
    private var held = false
    private var passCount = 0
    private var sequenceCount = 0

    /// Passes run so far, the sequences they held, and the calls waiting now (for tests and diagnostics).
    package var statistics: (passes: Int, sequences: Int, waitingCalls: Int) {
        lock.lock()
        defer { lock.unlock() }
        return (passCount, sequenceCount, queue.count)
    }

    /// While held, calls queue up and no pass starts; releasing starts them (for tests that need every call waiting
    /// before the first pass, to show that they share passes).
    package func hold(_ value: Bool) {
        lock.lock()
        held = value
        let start = startsWorker()
        lock.unlock()
        if start { startWorker() }
    }

    /// Whether a worker must be started now (called with `lock` held; marks it started).
    private func startsWorker() -> Bool {
        guard !draining, !held, !queue.isEmpty else { return false }
        draining = true
        return true
    }

    private func startWorker() {
        let thread = Thread { [self] in drain() }
        thread.name = "bert-embed shared passes"
        thread.start()
    }

    /// Passes of `model` on `context`, of at most `tokenBudget` tokens.
    init(model: BertModel, context: ComputeContext, tokenBudget: Int) {
        self.model = model
        self.context = context
        self.tokenBudget = max(1, tokenBudget)
    }

    /// Runs `job` in shared passes and returns when all its sequences are delivered.
    /// - Throws: `CancellationError` when the calling task is cancelled first, or what `deliver` or the encoder
    ///   throws (`EmbeddingError.invalidInput`).
    func run(_ job: Job) async throws {
        // The job's inputs checked on their own: a bad id would otherwise fail the whole pass, every caller in it.
        do {
            try model.validate(
                inputIds: job.ids, tokenTypeIds: job.typeIds,
                request: BertOutputRequest(hiddenStates: job.key.hiddenStates, pooler: job.key.pooler))
        } catch let error as BertModelError {
            throw EmbeddingError.invalidInput(error.reason)
        }
        // The worker's writes in `deliver` happen before `finish` takes the lock, and the caller takes it after
        // resuming, so what the caller reads next is ordered after them for ThreadSanitizer as well. The
        // continuation orders them too, but not visibly to TSan: when the worker resumes it before the calling task
        // has suspended, Swift's runtime goes on through an atomic load of its own, which TSan does not see
        // (swift_continuation_await's fast path), and TSan reported the caller's read of the results as a race.
        defer { lock.withLock {} }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, Error>) in
                let answer: (Error?) -> Void = { error in
                    if let error { continuation.resume(throwing: error) } else { continuation.resume() }
                }
                lock.lock()
                if job.cancelled || job.ids.isEmpty {
                    job.answered = true
                    lock.unlock()
                    answer(job.cancelled ? CancellationError() : nil)
                    return
                }
                job.answer = answer
                queue.append(job)
                let start = startsWorker()
                lock.unlock()
                if start { startWorker() }
            }
        } onCancel: {
            cancel(job)
        }
    }

    /// Answers `job` with CancellationError now, and drops its sequences that no pass has taken.
    private func cancel(_ job: Job) {
        lock.lock()
        job.cancelled = true
        let answer = job.answered ? nil : job.answer
        job.answered = true
        queue.removeAll { $0 === job }
        lock.unlock()
        answer?(CancellationError())
    }

    /// Answers `job` once (nothing when already answered, for example cancelled).
    private func finish(_ job: Job, _ error: Error?) {
        lock.lock()
        let answer = job.answered ? nil : job.answer
        job.answered = true
        if error != nil { queue.removeAll { $0 === job } }
        lock.unlock()
        answer?(error)
    }

    /// The worker thread: runs passes while sequences wait, then ends.
    private func drain() {
        var scratch: BertScratch?
        while true {
            // Take the next pass: the oldest waiting job's key, its sequences and then those of later jobs with
            // the same key, in order, up to the token budget.
            lock.lock()
            queue.removeAll { $0.cancelled || $0.scheduled == $0.ids.count }
            guard let first = queue.first else {
                draining = false
                lock.unlock()
                return
            }
            var members: [(job: Job, range: Range<Int>)] = []
            var tokens = 0
            fill: for job in queue where job.key == first.key {
                let start = job.scheduled
                while job.scheduled < job.ids.count {
                    let length = job.ids[job.scheduled].count
                    if tokens > 0 && tokens + length > tokenBudget { break }
                    tokens += length
                    job.scheduled += 1
                }
                if job.scheduled > start { members.append((job, start..<job.scheduled)) }
                if job.scheduled < job.ids.count { break fill }
            }
            passCount += 1
            sequenceCount += members.reduce(0) { $0 + $1.range.count }
            lock.unlock()

            let ids = members.flatMap { member in member.range.map { member.job.ids[$0] } }
            let typeIds: [[Int]]? =
                members.contains { $0.job.typeIds != nil }
                ? members.flatMap { member in
                    member.range.map {
                        member.job.typeIds?[$0] ?? [Int](repeating: 0, count: member.job.ids[$0].count)
                    }
                } : nil
            let passContext = context.with(threads: first.key.threads)
            if scratch.map({ $0.capacity < tokens }) ?? true { scratch = model.scratch(tokens: max(tokens, 1)) }
            let output: BertBatchOutput
            do {
                output = try model.forward(
                    inputIds: ids, tokenTypeIds: typeIds,
                    request: BertOutputRequest(hiddenStates: first.key.hiddenStates, pooler: first.key.pooler),
                    context: passContext, scratch: scratch)
            } catch {
                let failure = (error as? BertModelError).map { EmbeddingError.invalidInput($0.reason) } ?? error
                for member in members { finish(member.job, failure) }
                continue
            }
            let batch = EncoderBatch(
                output: output, indices: Array(ids.indices), promptTokenCount: first.key.promptTokenCount,
                context: passContext)
            var row = 0
            for member in members {
                let rows = Array(row..<(row + member.range.count))
                row += member.range.count
                lock.lock()
                let cancelled = member.job.cancelled
                lock.unlock()
                if cancelled { continue }
                do {
                    try member.job.deliver(batch, rows, Array(member.range))
                } catch {
                    finish(member.job, error)
                    continue
                }
                member.job.delivered += member.range.count
                member.job.progress?(member.job.delivered, member.job.ids.count)
                if member.job.delivered == member.job.ids.count { finish(member.job, nil) }
            }
        }
    }
}
