// ThreadScratch: the per-thread buffer the GEMM and attention tasks work in instead of allocating.
import BertEmbedKernels
import Dispatch
import XCTest

final class ThreadScratchTests: XCTestCase {
    /// Regions are 64-byte aligned, in order and disjoint, and a later, larger call still gets all it asks for.
    func testRegionsAreAlignedAndDisjoint() {
        let counts = [1, 17, 0, 100, 3]
        let bytes = counts.reduce(0) { $0 + ThreadScratch.bytes(floats: $1) }
        XCTAssertEqual(ThreadScratch.bytes(floats: 17), 128)
        XCTAssertEqual(ThreadScratch.bytes(floats: 0), 0)
        ThreadScratch.with(bytes: bytes) { scratch in
            let first = counts.map { scratch.floats($0) }
            for (index, region) in first.enumerated() {
                XCTAssertEqual(Int(bitPattern: region) % 64, 0)
                for i in 0..<counts[index] { region[i] = Float(index) }  // each region writable in full
            }
            for (index, region) in first.enumerated() where counts[index] > 0 {
                XCTAssertTrue(
                    (0..<counts[index]).allSatisfy { region[$0] == Float(index) }, "region \(index) overwritten")
            }
        }
        ThreadScratch.with(bytes: 1 << 22) { scratch in
            let big = scratch.floats(1 << 20)
            big[(1 << 20) - 1] = 1
            big[0] = 2
            XCTAssertEqual(big[(1 << 20) - 1] + big[0], 3)
        }
    }

    /// A nested call gets memory of its own; other threads get buffers of their own.
    func testNestedCallsAndThreadsDoNotShare() {
        ThreadScratch.with(bytes: 256) { outer in
            let a = outer.floats(64)
            for i in 0..<64 { a[i] = 1 }
            ThreadScratch.with(bytes: 256) { inner in
                let b = inner.floats(64)
                XCTAssertNotEqual(a, b)
                for i in 0..<64 { b[i] = 2 }
            }
            XCTAssertTrue((0..<64).allSatisfy { a[$0] == 1 })
        }
        let addresses = UnsafeMutablePointer<Int>.allocate(capacity: 2)
        defer { addresses.deallocate() }
        let group = DispatchGroup()
        let box = UnsafeSendable(addresses)
        for t in 0..<2 {
            group.enter()
            Thread {
                ThreadScratch.with(bytes: 4096) { scratch in
                    let region = scratch.floats(1024)
                    box.pointer[t] = Int(bitPattern: region)
                    for i in 0..<1024 { region[i] = Float(t) }
                    usleep(20_000)  // both threads hold their buffer at once
                    XCTAssertTrue((0..<1024).allSatisfy { region[$0] == Float(t) })
                }
                group.leave()
            }.start()
        }
        group.wait()
        XCTAssertNotEqual(addresses[0], addresses[1])
    }
}

private struct UnsafeSendable: @unchecked Sendable {
    let pointer: UnsafeMutablePointer<Int>
    init(_ pointer: UnsafeMutablePointer<Int>) { self.pointer = pointer }
}
