// Comparison of our vectors with the Python reference's, with the tolerance the project states.
import XCTest

/// The encoder tolerance: |ours - reference| <= 1e-5 + 1e-4 * |reference| for every element.
///
/// Why this bound: the reference runs the same float32 arithmetic in another order (PyTorch's GEMM sums K in blocks;
/// ours in a different blocking), so elements differ by a few ulps of the K-sum magnitudes, amplified through six
/// LayerNorms; 1e-5 absolute covers values near zero and 1e-4 relative covers the few large activations.
let absoluteTolerance: Float = 1e-5
let relativeTolerance: Float = 1e-4

/// The index and values of the first element outside the tolerance, or nil when all are within it.
func firstMismatch<A: Collection<Float>, B: Collection<Float>>(_ ours: A, _ reference: B) -> (Int, Float, Float)? {
    if ours.count != reference.count { return (-1, Float(ours.count), Float(reference.count)) }
    for (index, (a, b)) in zip(ours, reference).enumerated() {
        if !(abs(a - b) <= absoluteTolerance + relativeTolerance * abs(b)) { return (index, a, b) }
    }
    return nil
}

/// Fails the test, naming `what`, when `ours` and `reference` differ beyond the tolerance.
func assertClose<A: Collection<Float>, B: Collection<Float>>(
    _ ours: A, _ reference: B, _ what: @autoclosure () -> String, file: StaticString = #filePath, line: UInt = #line
) {
    if let (index, a, b) = firstMismatch(ours, reference) {
        if index < 0 {
            XCTFail("\(what()): \(Int(a)) values, reference has \(Int(b))", file: file, line: line)
        } else {
            XCTFail("\(what()): element \(index) is \(a), reference \(b)", file: file, line: line)
        }
    }
}

final class GoldenComparisonTests: XCTestCase {
    /// The comparison can fail: one element perturbed by 1e-4 (beyond 1e-5 + 1e-4 * 0.3) is caught,
    /// and NaN never passes.
    func testComparisonCatchesPerturbation() {
        let reference: [Float] = [0.3, -1.25, 0.0, 2.5]
        XCTAssertNil(firstMismatch(reference, reference))
        var perturbed = reference
        perturbed[0] += 1e-4
        XCTAssertEqual(firstMismatch(perturbed, reference)?.0, 0)
        perturbed = reference
        perturbed[2] = 2e-5
        XCTAssertEqual(firstMismatch(perturbed, reference)?.0, 2)
        perturbed = reference
        perturbed[3] = .nan
        XCTAssertEqual(firstMismatch(perturbed, reference)?.0, 3)
        XCTAssertNotNil(firstMismatch([0.3, -1.25], reference))
    }
}
