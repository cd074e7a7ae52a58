// Backpressure: every request reserves its inputs before it queues for the model; when the total would pass the
// limit it is refused at once (429) instead of waiting in memory. The reservation ends with the request.
import Foundation

/// Counts the inputs admitted and not yet answered.
final class Admission: @unchecked Sendable {
    // @unchecked: `queued` is guarded by `lock`.
    private let lock = NSLock()
    private var queued = 0
    let limit: Int

    init(limit: Int) { self.limit = limit }

    /// Reserves `count` inputs, or returns false when that would pass the limit.
    func reserve(_ count: Int) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        guard queued + count <= limit else { return false }
        queued += count
        return true
    }

    /// Ends a reservation.
    func release(_ count: Int) {
        lock.lock()
        queued -= count
        lock.unlock()
    }

    /// Inputs admitted and not answered yet.
    var depth: Int {
        lock.lock()
        defer { lock.unlock() }
        return queued
    }
}

/// Set once graceful shutdown begins: requests then get 503 while those in flight finish.
final class DrainState: @unchecked Sendable {
    private let lock = NSLock()
    private var draining = false

    var isDraining: Bool {
        lock.lock()
        defer { lock.unlock() }
        return draining
    }

    func begin() {
        lock.lock()
        draining = true
        lock.unlock()
    }
}
