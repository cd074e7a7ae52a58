// One piece of loading run on another thread while the caller does another (SentenceEncoder reads the tokenizer
// files while it packs the weights), its result or error handed back when asked for.
import Dispatch

/// The result of `work`, computed on a global queue from `init` on; `get()` waits for it.
final class BackgroundResult<Value: Sendable>: @unchecked Sendable {
    private let done = DispatchGroup()
    /// Written once by the worker before `done` is left, read only after waiting on `done`.
    private var result: Result<Value, any Error> = .failure(CancellationError())

    /// Starts `work` on another thread.
    init(_ work: @escaping @Sendable () throws -> Value) {
        done.enter()
        DispatchQueue.global(qos: .userInitiated).async { [self] in
            result = Result { try work() }
            done.leave()
        }
    }

    /// Waits for `work` and returns what it returned, or throws what it threw.
    func get() throws -> Value {
        done.wait()
        return try result.get()
    }
}
