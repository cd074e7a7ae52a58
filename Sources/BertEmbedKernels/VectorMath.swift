// Vectorized exp, erfc, tanh and the two GELUs on SIMD8<Float>, for softmax and the GEMM epilogue.
//
// Only separate multiply and add are used (never `addingProduct`): on a default x86 build that
// lowers to a per-lane `fmaf` call. Accuracy against the C library in Double over a dense sweep of
// [-20, 20] plus extremes (VectorMathTests): exp 3e-7 relative, tanh 5e-7 relative, erf 2e-7
// absolute; erf-GELU 1e-6 (|gelu| + 1), 4e-7 relative for x >= -1;
// tanh-GELU 1e-6 relative for x >= -3, 3e-6 down to -5.5, 1e-12 absolute below. Every function is
// NaN-free for finite input of any size. Functions are `@_transparent`: with `@inline(__always)`
// alone LLVM left exp out of line, passing SIMD8 in two halves through memory.

/// Eight-lane elementary functions (lanes are independent).
package enum VectorMath {
    package typealias Vector = SIMD8<Float>

    @_transparent
    static func bits(_ x: Vector) -> SIMD8<UInt32> { unsafeBitCast(x, to: SIMD8<UInt32>.self) }

    @_transparent
    static func float(_ bits: SIMD8<UInt32>) -> Vector { unsafeBitCast(bits, to: Vector.self) }

    /// `b` where `mask` is set, else `a` (one blend).
    @_transparent
    package static func select(_ mask: SIMDMask<SIMD8<Int32>>, _ b: Vector, else a: Vector) -> Vector {
        a.replacing(with: b, where: mask)
    }

    /// Lane-wise min(x, c): one vminps. (The standard library's `pointwiseMin` and `clamped` are
    /// out-of-line calls with per-lane NaN handling.) Note for all selects here: a comparison whose
    /// mask feeds two selects makes LLVM materialize the mask and split the code into branchy
    /// 128-bit halves, so each comparison is used once.
    @_transparent
    package static func minimum(_ x: Vector, _ c: Float) -> Vector {
        select(x .> c, Vector(repeating: c), else: x)
    }

    /// Lane-wise max(x, c): one vmaxps.
    @_transparent
    package static func maximum(_ x: Vector, _ c: Float) -> Vector {
        select(x .< c, Vector(repeating: c), else: x)
    }

    /// |x|.
    @_transparent
    package static func abs(_ x: Vector) -> Vector { float(bits(x) & 0x7fff_ffff) }

    /// e^x. Cephes' expf method: x = n ln2 + r with |r| <= ln2/2 (ln2 split in two for an exact
    /// product), e^r by a degree-7 minimax polynomial, 2^n built in the exponent bits.
    /// x is clamped to [-88, 88]: at and below about -87.7 2^n underflows to 0, so the result is 0
    /// (e^x is then below the smallest normal Float); above 88 it stays e^88.
    @_transparent  // @inline(__always) alone left it an out-of-line call (SIMD8 passed in halves)
    package static func exp(_ x: Vector) -> Vector {
        let clamped = minimum(maximum(x, -88), 88)
        // Round x / ln2 to the nearest integer with the 1.5 * 2^23 trick (no rounding instruction in SSE2).
        let magic = Vector(repeating: 12_582_912)
        let shifted = clamped * 1.442_695_04 + magic
        let n = shifted - magic
        var r = clamped - n * 0.693_359_375
        r = r - n * -2.121_944_4e-4
        var p = Vector(repeating: 1.987_569_15e-4)
        p = p * r + 1.398_199_950_7e-3
        p = p * r + 8.333_451_907_3e-3
        p = p * r + 4.166_579_589_4e-2
        p = p * r + 1.666_666_545_9e-1
        p = p * r + 5.000_000_120_1e-1
        let er = p * (r * r) + r + 1
        // n in [-127, 127] sits in the low bits of `shifted`; n = -127 gives exponent bits 0, i.e. 2^n = 0.
        let nInt = bits(shifted) &- 0x4B40_0000
        let scale = float((nInt &+ 127) &<< 23)
        return er * scale
    }

    /// erfc(z) for z >= 0: the Chebyshev-fitted form of Numerical Recipes (Press et al., 2nd ed., 6.2):
    /// t = 1 / (1 + z/2), erfc(z) = t exp(-z^2 + P(t)), fractional error below 1.2e-7 for all z >= 0.
    @_transparent
    package static func erfcNonNegative(_ z: Vector) -> Vector {
        erfc(z: z, squareOver: z, factor: 1)
    }

    /// erfc(z) = t exp(-factor y^2 + P(t)) with y = z / sqrt(factor) given separately, so that the
    /// Gaussian exponent is computed with no rounding of its own: y is split into a 12-bit head
    /// (squared exactly) and a tail, y^2 = head^2 + (y - head)(y + head); the GELU passes y = x and
    /// factor = 1/2 rather than rounding x / sqrt 2 first (that rounding alone costs 2 z^2 ulp).
    @_transparent
    static func erfc(z unclamped: Vector, squareOver y: Vector, factor: Float) -> Vector {
        // Clamped at 10, where erfc < 1e-44: keeps y^2 finite for any finite input.
        let z = minimum(unclamped, 10)  // callers pass z >= 0
        let y = minimum(abs(y), 15)
        let t = 1 / (z * 0.5 + 1)
        var p = Vector(repeating: 0.170_872_77)
        p = p * t - 0.822_152_23
        p = p * t + 1.488_515_87
        p = p * t - 1.135_203_98
        p = p * t + 0.278_868_07
        p = p * t - 0.186_288_06
        p = p * t + 0.096_784_18
        p = p * t + 0.374_091_96
        p = p * t + 1.000_023_68
        p = p * t - 1.265_512_23
        let head = float(bits(y) & 0xFFFF_F000)
        let squareTail = (y - head) * (y + head)
        return t * exp(p - head * head * factor) * exp(squareTail * -factor)
    }

    /// erf(x) = sign(x) (1 - erfc(|x|)); absolute error below 2e-7.
    @_transparent
    package static func erf(_ x: Vector) -> Vector {
        let magnitude = 1 - erfcNonNegative(abs(x))
        return float(bits(magnitude) | (bits(x) & 0x8000_0000))
    }

    /// GELU, exact form x Phi(x), Phi the standard normal CDF, by one rational minimax fit (no exp):
    /// Phi(x) = 1/2 + x P(x^2) / Q(x^2) on |x| <= 5.5 (P, Q of degree 5, Q(0) = 1, fitted to the
    /// Double erf on 6000 Chebyshev nodes by Lawson-reweighted linear least squares; fit error 2e-8);
    /// x Phi(x) = 0 below -5.5 (true |value| < 1.1e-7) and x above 5.5 (1 - Phi < 2e-8). Evaluated in Float: error <= 1e-6 (|gelu| + 1), relative
    /// 4e-7 for x >= -1; for x < 0 the 1/2 + odd part cancels, so accuracy there is absolute (~1e-7),
    /// as in PyTorch's own Float erf.
    @_transparent
    package static func gelu(_ x: Vector) -> Vector {
        let c = minimum(maximum(x, -5.5), 5.5)
        let s = c * c
        var p = Vector(repeating: 2.188_846_259_798_538e-8)
        p = p * s + 6.474_999_281_635_974e-6
        p = p * s + 1.827_771_775_424_480_4e-4
        p = p * s + 4.763_121_251_016_855e-3
        p = p * s + 3.518_969_193_100_929e-2
        p = p * s + 0.398_942_172_527_313_23
        var q = Vector(repeating: 1.181_342_440_759_181e-6)
        q = q * s + 7.824_954_082_025_215e-5
        q = q * s + 1.963_722_985_237_837e-3
        q = q * s + 2.942_094_206_809_997_6e-2
        q = q * s + 0.254_872_620_105_743_4
        q = q * s + 1
        let result = x * (c * p / q + 0.5)
        return select(x .< -5.5, Vector(), else: result)
    }

    /// tanh(x): for |x| < 0.625 Cephes' tanhf odd polynomial; above, 1 - 2 / (e^{2|x|} + 1) with the
    /// sign of x (|x| is capped at 9, where tanh rounds to 1 in Float).
    @_transparent
    package static func tanh(_ x: Vector) -> Vector {
        let a = abs(x)
        let z = x * x
        var p = Vector(repeating: -5.704_988_727_45e-3)
        p = p * z + 2.063_908_879_54e-2
        p = p * z - 5.373_971_555_31e-2
        p = p * z + 1.333_144_220_36e-1
        p = p * z - 3.333_328_194_22e-1
        let small = p * z * x + x
        let e = exp(minimum(a, 9) * 2)
        let largeMagnitude = 1 - 2 / (e + 1)
        let large = float(bits(largeMagnitude) | (bits(x) & 0x8000_0000))
        return select(a .< 0.625, small, else: large)
    }

    /// GELU, tanh approximation: 0.5 x (1 + tanh(u)) with u = sqrt(2/pi) (x + 0.044715 x^3),
    /// computed as x / (1 + e^{-2u}), the same value without the cancellation at negative x.
    @_transparent
    package static func geluTanh(_ x: Vector) -> Vector {
        let u = (x * x * x * 0.044_715 + x) * 0.797_884_560_802_865_4
        let result = x / (exp(u * -2) + 1)
        return select(x .< -10, Vector(), else: result)  // true |value| < 1e-28 there; avoids x / e^88 for huge |x|
    }
}
