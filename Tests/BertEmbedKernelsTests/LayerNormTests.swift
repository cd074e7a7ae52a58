// addLayerNorm (residual + LayerNorm, Float) against its Double reference.
import BertEmbedKernels
import XCTest

final class LayerNormTests: XCTestCase {
    func run(
        rows: Int, cols: Int, residual useResidual: Bool, threads: Int, seed: UInt64
    ) -> (fast: [Float], reference: [Float]) {
        var generator = NormalGenerator(seed: seed)
        let x = generator.array(rows * cols, scale: 2).map { $0 + 3 }  // an offset mean, as real activations have
        let residual = generator.array(rows * cols)
        let gamma = generator.array(cols, scale: 0.2).map { $0 + 1 }
        let beta = generator.array(cols, scale: 0.1)
        var fast = x, reference = x
        residual.withUnsafeBufferPointer { res in
            let r = useResidual ? res.baseAddress : nil
            fast.withUnsafeMutableBufferPointer {
                addLayerNorm(
                    $0.baseAddress!, residual: r, rows: rows, cols: cols, gamma: gamma, beta: beta,
                    eps: 1e-12, context: ComputeContext(threads: threads))
            }
            reference.withUnsafeMutableBufferPointer {
                addLayerNormReference(
                    $0.baseAddress!, residual: r, rows: rows, cols: cols, gamma: gamma, beta: beta, eps: 1e-12)
            }
        }
        return (fast, reference)
    }

    func testMatchesDoubleReference() {
        // Outputs are O(1): (x - mean) / std has unit variance; Float sums of <= 3072 terms in 8 lanes
        // and the normalisation keep the error near 1e-6, so 1e-5 absolute + 1e-5 relative.
        var seed: UInt64 = 10
        for cols in [1, 7, 8, 33, 384, 771] {
            for useResidual in [true, false] {
                seed += 1
                let (fast, reference) = run(rows: 9, cols: cols, residual: useResidual, threads: 2, seed: seed)
                for i in fast.indices where cols > 1 {
                    XCTAssertEqual(
                        fast[i], reference[i], accuracy: 1e-5 + 1e-5 * Swift.abs(reference[i]),
                        "cols \(cols) residual \(useResidual) at \(i)")
                }
                if cols == 1 { XCTAssertEqual(fast, reference, "one column: beta exactly") }
            }
        }
    }

    func testThreadCountDoesNotChangeResults() {
        let one = run(rows: 130, cols: 384, residual: true, threads: 1, seed: 4).fast
        for threads in [2, 3, 7] {
            XCTAssertEqual(run(rows: 130, cols: 384, residual: true, threads: threads, seed: 4).fast, one)
        }
    }
}
