// The activations transformers' BERT uses after a dense layer (ACT2FN: gelu, gelu_new, relu, tanh),
// applied eight lanes at a time in the GEMM epilogue, with a Double reference for the tests.

/// Activation applied to the output of a dense layer, after the bias.
package enum Activation: Sendable, Equatable, CaseIterable {
    /// No activation.
    case identity
    /// GELU, exact erf form: x * 0.5 * (1 + erf(x / sqrt(2))). transformers' "gelu".
    case gelu
    /// GELU, tanh approximation. transformers' "gelu_new", "gelu_pytorch_tanh".
    case geluTanh
    /// max(0, x).
    case relu
    /// tanh(x) (BERT's pooler).
    case tanh
}

extension Activation {
    /// The activation of eight values at once (lanes are independent: a value's result does not
    /// depend on its lane or neighbours). Accuracy: see `VectorMath.swift`.
    @inline(__always)
    package func apply(_ x: SIMD8<Float>) -> SIMD8<Float> {
        switch self {
        case .identity: return x
        case .gelu: return VectorMath.gelu(x)
        case .geluTanh: return VectorMath.geluTanh(x)
        case .relu: return VectorMath.maximum(x, 0)
        case .tanh: return VectorMath.tanh(x)
        }
    }

    /// In place over `count` contiguous values, after adding `bias` (count) if given: whole vectors,
    /// then the tail through a padded vector so that the tail gets exactly the vector arithmetic.
    @inline(never)
    package func apply(_ values: UnsafeMutablePointer<Float>, count: Int, adding bias: UnsafePointer<Float>? = nil) {
        apply(values, rows: 1, count: count, stride: count, adding: bias)
    }

    /// In place over a tile of `rows` rows of `count` values at row stride `stride`, after adding
    /// `bias` (count, the same for every row) if given; each row exactly as `apply(_:count:adding:)`.
    /// One out-of-line call per GEMM tile, one specialized loop per activation.
    @inline(never)
    package func apply(
        _ values: UnsafeMutablePointer<Float>, rows: Int, count: Int, stride: Int, adding bias: UnsafePointer<Float>?
    ) {
        switch self {
        case .identity: if bias != nil { Activation.map(Identity.self, values, rows, count, stride, bias) }
        case .gelu: Activation.map(GELU.self, values, rows, count, stride, bias)
        case .geluTanh: Activation.map(GELUTanh.self, values, rows, count, stride, bias)
        case .relu: Activation.map(ReLU.self, values, rows, count, stride, bias)
        case .tanh: Activation.map(Tanh.self, values, rows, count, stride, bias)
        }
    }

    /// values[r * stride + i] = F(values[r * stride + i] + bias[i]), eight at a time; each row's tail
    /// goes through `mapTail` (out of line: inlined, LLVM merged the vector and tail paths into
    /// lane-by-lane code). A generic over a type rather than a closure: LLVM left closures as a call
    /// per vector.
    @inline(__always)
    static func map<F: VectorFunction>(
        _: F.Type, _ values: UnsafeMutablePointer<Float>, _ rows: Int, _ count: Int, _ stride: Int,
        _ bias: UnsafePointer<Float>?
    ) {
        let full = count - count % 8
        for r in 0..<rows {
            let raw = UnsafeMutableRawPointer(values + r * stride)
            var i = 0
            if let bias {
                let b = UnsafeRawPointer(bias)
                while i < full {
                    let v =
                        raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
                        + b.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
                    raw.storeBytes(of: F.apply(v), toByteOffset: i * 4, as: SIMD8<Float>.self)
                    i += 8
                }
            } else {
                while i < full {
                    let v = raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
                    raw.storeBytes(of: F.apply(v), toByteOffset: i * 4, as: SIMD8<Float>.self)
                    i += 8
                }
            }
            if full < count { mapTail(F.self, values + r * stride + full, count - full, bias.map { $0 + full }) }
        }
    }

    /// The last `count` (< 8) values of a row through one padded vector (built in registers: a
    /// scalar store reloaded as a vector would stall on store forwarding).
    @inline(never)
    static func mapTail<F: VectorFunction>(
        _: F.Type, _ values: UnsafeMutablePointer<Float>, _ count: Int, _ bias: UnsafePointer<Float>?
    ) {
        var v = SIMD8<Float>()
        if let bias {
            for l in 0..<count { v[l] = values[l] + bias[l] }
        } else {
            for l in 0..<count { v[l] = values[l] }  // no + 0: that would turn a -0 into +0, unlike whole vectors
        }
        let y = F.apply(v)
        for l in 0..<count { values[l] = y[l] }
    }

    /// Reference: the activation in Double with the C library's erfc, tanh and exp. The GELUs are
    /// written without 1 + erf / 1 + tanh, which cancel to nothing for x below about -8 even in Double:
    /// 0.5 x (1 + erf(x / sqrt 2)) = 0.5 x erfc(-x / sqrt 2), 0.5 x (1 + tanh u) = x / (1 + e^{-2u}).
    package func reference(_ x: Double) -> Double {
        switch self {
        case .identity: return x
        case .gelu: return 0.5 * x * libmErfc(-x / 2.0.squareRoot())
        case .geluTanh:
            return x / (1 + libmExp(-2 * (2 / Double.pi).squareRoot() * (x + 0.044715 * x * x * x)))
        case .relu: return max(0, x)
        case .tanh: return libmTanh(x)
        }
    }
}

/// A lane-wise function of eight values, as a type so that generic loops specialize on it.
protocol VectorFunction {
    /// The function of eight values.
    static func apply(_ x: SIMD8<Float>) -> SIMD8<Float>
}

/// x.
enum Identity: VectorFunction { @_transparent static func apply(_ x: SIMD8<Float>) -> SIMD8<Float> { x } }
/// Erf GELU.
enum GELU: VectorFunction { @_transparent static func apply(_ x: SIMD8<Float>) -> SIMD8<Float> { VectorMath.gelu(x) } }
/// Tanh GELU.
enum GELUTanh: VectorFunction {
    @_transparent static func apply(_ x: SIMD8<Float>) -> SIMD8<Float> { VectorMath.geluTanh(x) }
}
/// max(0, x).
enum ReLU: VectorFunction {
    @_transparent static func apply(_ x: SIMD8<Float>) -> SIMD8<Float> { VectorMath.maximum(x, 0) }
}
/// tanh.
enum Tanh: VectorFunction { @_transparent static func apply(_ x: SIMD8<Float>) -> SIMD8<Float> { VectorMath.tanh(x) } }
