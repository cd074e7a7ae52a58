// VectorMath (exp, erf, tanh, GELUs) against the C library in Double, over a dense sweep and extremes.
import BertEmbedKernels
import Foundation
import XCTest

final class VectorMathTests: XCTestCase {
    /// Dense sweep of [-20, 20] in steps of 1/1024, plus extremes and specials near zero.
    static let inputs: [Float] = {
        var xs = (-20 * 1024...20 * 1024).map { Float($0) / 1024 }
        xs += [1e-30, -1e-30, 1e-7, -1e-7, 0.6249, 0.6251, -0.6251, 30, -30, 87, -87, 88, -88, 100, -100, 1e10, -1e10]
        xs += [Float.greatestFiniteMagnitude, -Float.greatestFiniteMagnitude, Float.leastNormalMagnitude, 0]
        return xs
    }()

    /// Largest error of `vector` against `reference` over `inputs`, as max(|err| / (|ref| + floor)).
    func worstError(
        _ vector: (SIMD8<Float>) -> SIMD8<Float>, _ reference: (Double) -> Double, floor: Double,
        inputs: [Float] = VectorMathTests.inputs, file: StaticString = #filePath, line: UInt = #line
    ) -> (error: Double, at: Float) {
        var worst = (error: 0.0, at: Float(0))
        var i = 0
        while i < inputs.count {
            var v = SIMD8<Float>()
            for l in 0..<8 { v[l] = inputs[min(i + l, inputs.count - 1)] }
            let y = vector(v)
            for l in 0..<8 {
                let x = v[l], expected = reference(Double(x))
                XCTAssertTrue(y[l].isFinite, "non-finite result \(y[l]) at x = \(x)", file: file, line: line)
                let error = Swift.abs(Double(y[l]) - expected) / (Swift.abs(expected) + floor)
                if error > worst.error { worst = (error, x) }
            }
            i += 8
        }
        return worst
    }

    func testExp() {
        let xs = VectorMathTests.inputs.filter { $0 >= -87 && $0 <= 88 }
        let worst = worstError(VectorMath.exp, { Foundation.exp($0) }, floor: 0, inputs: xs)
        // Cephes' expf polynomial: ~1 ulp, plus the final scaling; 3e-7 relative is 2.5 ulp.
        XCTAssertLessThan(worst.error, 3e-7, "exp worst at x = \(worst.at)")
        let low = VectorMath.exp(SIMD8<Float>(repeating: -200))
        XCTAssertEqual(low, SIMD8<Float>(repeating: 0), "exp far below the normal range is 0")
        let high = VectorMath.exp(SIMD8<Float>(repeating: 1e30))
        XCTAssertTrue(high[0].isFinite && high[0] > 1e38, "exp far above is clamped, finite")
    }

    func testErf() {
        let worst = worstError(VectorMath.erf, { Foundation.erf($0) }, floor: 1)
        // Absolute error (floor 1, |erf| <= 1): the fit's 1.2e-7 plus Float rounding of 1 - erfc.
        XCTAssertLessThan(worst.error, 2e-7, "erf worst at x = \(worst.at)")
    }

    func testTanh() {
        let worst = worstError(VectorMath.tanh, { Foundation.tanh($0) }, floor: 0)
        // Relative: Cephes' tanhf polynomial below 0.625 (~1 ulp); 1 - 2/(e^2x + 1) above (a few ulp near 0.625).
        XCTAssertLessThan(worst.error, 5e-7, "tanh worst at x = \(worst.at)")
    }

    func testGELU() {
        // erf-GELU: one rational fit of Phi, no exp (see VectorMath.gelu). Its 1/2 + odd part cancels
        // for negative x, so the bound is |error| <= 1e-6 (|gelu| + 1) everywhere (Float rounding of x
        // Phi(x) is 6e-8 |gelu|; PyTorch's own Float erf-GELU is ~1e-7 absolute), and 5e-7 relative
        // for x >= -1, where |gelu| >= 0.16 |x|.
        let all = VectorMathTests.inputs
        let exact = worstError(VectorMath.gelu, { Activation.gelu.reference($0) }, floor: 1, inputs: all)
        XCTAssertLessThan(exact.error, 1e-6, "gelu absolute-or-relative, worst at x = \(exact.at)")
        let exactRelative = worstError(
            VectorMath.gelu, { Activation.gelu.reference($0) }, floor: 0, inputs: all.filter { $0 >= -1 })
        XCTAssertLessThan(exactRelative.error, 5e-7, "gelu relative for x >= -1, worst at x = \(exactRelative.at)")
        let tail = VectorMath.gelu(SIMD8<Float>(-6, -10, -1e10, -Float.greatestFiniteMagnitude, 6, 10, 1e10, 0))
        XCTAssertEqual(tail, SIMD8<Float>(0, 0, 0, 0, 6, 10, 1e10, 0), "gelu tails: 0 below -5.5, x above 5.5")

        let nearZero = all.filter { $0 >= -3 }  // |geluTanh| >= 3.6e-3 here
        let approximate = worstError(
            VectorMath.geluTanh, { Activation.geluTanh.reference($0) }, floor: 0, inputs: nearZero)
        XCTAssertLessThan(approximate.error, 1e-6, "geluTanh relative, worst at x = \(approximate.at)")
        let fartherOut = all.filter { $0 >= -5.5 && $0 < -3 }
        let approximateFar = worstError(
            VectorMath.geluTanh, { Activation.geluTanh.reference($0) }, floor: 0, inputs: fartherOut)
        XCTAssertLessThan(approximateFar.error, 3e-6, "geluTanh relative below -3, worst at x = \(approximateFar.at)")
        let approximateAbsolute = worstError(
            VectorMath.geluTanh, { Activation.geluTanh.reference($0) }, floor: 1, inputs: all.filter { $0 < -5.5 })
        XCTAssertLessThan(approximateAbsolute.error, 1e-12, "geluTanh absolute, worst at x = \(approximateAbsolute.at)")
    }

    func testActivationTailMatchesVector() {
        // The scalar tail of Activation.apply(_:count:) goes through the same vector arithmetic.
        // Compared as bits, with a -0 in the body and in the tail (no bias: a -0 stays -0 in both).
        var generator = NormalGenerator(seed: 7)
        var values = generator.array(13, scale: 3)
        values[2] = -0.0
        values[11] = -0.0
        for activation in Activation.allCases {
            var buffer = values
            buffer.withUnsafeMutableBufferPointer { activation.apply($0.baseAddress!, count: 13) }
            for (i, x) in values.enumerated() {
                XCTAssertEqual(
                    buffer[i].bitPattern, activation.apply(SIMD8<Float>(repeating: x))[0].bitPattern,
                    "\(activation) at \(i)")
            }
        }
    }
}
