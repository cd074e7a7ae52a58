// ComputeContext.parallelFor on the worker pool: every task runs exactly once, nested calls complete, concurrent
// callers each get helpers (none runs alone while the other has the pool), and results depend on none of it.
import BertEmbedKernels
import Dispatch
import Foundation
import XCTest

final class ComputeContextTests: XCTestCase {
    /// The default thread count is the processor count Foundation reports (an independent reading); explicit
    /// counts are kept, and clamped to 1 ... maxThreads (Int.max used to overflow the kernels' task counts).
    func testThreadCounts() {
        XCTAssertEqual(ComputeContext(threads: .max).threads, ComputeContext.maxThreads)
        XCTAssertEqual(ComputeContext(threads: 3).with(threads: .max).threads, ComputeContext.maxThreads)
        XCTAssertEqual(ComputeContext().threads, ProcessInfo.processInfo.activeProcessorCount)
        XCTAssertEqual(ComputeContext(threads: 0).threads, 1)
        XCTAssertEqual(ComputeContext(threads: 3).threads, 3)
        XCTAssertEqual(ComputeContext(threads: 3).with(threads: 5).threads, 5)
        XCTAssertEqual(ComputeContext(threads: 3).with(threads: nil).threads, 3)
    }

    /// Each of several concurrent calls runs its tasks on two threads at once: task 0 of each job waits until task 1
    /// of the same job has started. A call left to run its tasks alone would wait out the timeout and fail.
    func testConcurrentCallsEachGetAHelper() {
        let calls = 3
        let started = (0..<calls).map { _ in DispatchSemaphore(value: 0) }
        let failures = Failures()
        DispatchQueue.concurrentPerform(iterations: calls) { call in
            ComputeContext(threads: 2).parallelFor(2) { task in
                if task == 1 {
                    started[call].signal()
                } else if started[call].wait(timeout: .now() + 30) == .timedOut {
                    failures.record("call \(call): its second task never ran beside its first")
                }
            }
        }
        XCTAssertEqual(failures.messages, [])
    }

    func testEveryTaskRunsOnce() {
        for threads in [1, 2, 4, 9] {
            for count in [0, 1, 2, 5, 100] {
                let counts = UnsafeMutablePointer<Int>.allocate(capacity: max(count, 1))
                counts.initialize(repeating: 0, count: max(count, 1))
                defer { counts.deallocate() }
                ComputeContext(threads: threads).parallelFor(count) { counts[$0] += 1 }
                XCTAssertEqual(
                    (0..<count).map { counts[$0] }, [Int](repeating: 1, count: count),
                    "threads \(threads) count \(count)")
            }
        }
    }

    func testNestedCallsComplete() {
        let cells = UnsafeMutablePointer<Int>.allocate(capacity: 64)
        cells.initialize(repeating: 0, count: 64)
        defer { cells.deallocate() }
        let context = ComputeContext(threads: 4)
        context.parallelFor(8) { i in context.parallelFor(8) { j in cells[i * 8 + j] = i * 8 + j + 1 } }
        XCTAssertEqual((0..<64).map { cells[$0] }, Array(1...64))
    }

    func testConcurrentCallersGetTheSameResults() {
        var generator = NormalGenerator(seed: 21)
        let (m, n, k) = (97, 130, 200)
        let input = generator.array(m * k)
        let layer = PackedLinear(
            weight: generator.array(n * k), bias: generator.array(n), outFeatures: n, inFeatures: k,
            context: ComputeContext(threads: 1))
        let outputs = UnsafeMutablePointer<Float>.allocate(capacity: 4 * m * n)
        defer { outputs.deallocate() }
        input.withUnsafeBufferPointer { a in
            let shared = UncheckedBox(a.baseAddress!, outputs)
            DispatchQueue.concurrentPerform(iterations: 4) { caller in
                layer.apply(
                    shared.input, rows: m, output: shared.output + caller * m * n, activation: .gelu,
                    context: ComputeContext(threads: 2))
            }
        }
        let first = Array(UnsafeBufferPointer(start: outputs, count: m * n))
        for caller in 1..<4 {
            XCTAssertEqual(Array(UnsafeBufferPointer(start: outputs + caller * m * n, count: m * n)), first)
        }
    }
}

/// Pointers handed to concurrent callers that write disjoint ranges.
private struct UncheckedBox: @unchecked Sendable {
    let input: UnsafePointer<Float>
    let output: UnsafeMutablePointer<Float>
    init(_ input: UnsafePointer<Float>, _ output: UnsafeMutablePointer<Float>) {
        self.input = input
        self.output = output
    }
}

/// Messages recorded from several threads.
private final class Failures: @unchecked Sendable {
    private let lock = NSLock()
    private var recorded: [String] = []
    func record(_ message: String) { lock.withLock { recorded.append(message) } }
    var messages: [String] { lock.withLock { recorded } }
}
