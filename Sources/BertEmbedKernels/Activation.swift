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
    /// One out-of-line loop per activation: inlined into a caller's loop nest, LLVM interleaved the
    /// vector and tail paths into lane-by-lane code several times slower.
    @inline(never)
    package func apply(_ values: UnsafeMutablePointer<Float>, count: Int, adding bias: UnsafePointer<Float>? = nil) {
        switch self {
        case .identity: if bias != nil { Activation.map(values, count, bias) { $0 } }
        case .gelu: Activation.map(values, count, bias) { VectorMath.gelu($0) }
        case .geluTanh: Activation.map(values, count, bias) { VectorMath.geluTanh($0) }
        case .relu: Activation.map(values, count, bias) { VectorMath.maximum($0, 0) }
        case .tanh: Activation.map(values, count, bias) { VectorMath.tanh($0) }
        }
    }

    /// values[i] = f(values[i] + bias[i]) for i in 0..<count, eight at a time; the tail goes through
    /// an eight-float buffer (bias is added in registers in the vector loop: a scalar add stored and
    /// reloaded as a vector would stall on store forwarding).
    @_transparent
    static func map(
        _ values: UnsafeMutablePointer<Float>, _ count: Int, _ bias: UnsafePointer<Float>?,
        _ f: (SIMD8<Float>) -> SIMD8<Float>
    ) {
        let raw = UnsafeMutableRawPointer(values)
        var i = 0
        while i + 8 <= count {
            var v = raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
            if let bias { v += UnsafeRawPointer(bias).loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self) }
            raw.storeBytes(of: f(v), toByteOffset: i * 4, as: SIMD8<Float>.self)
            i += 8
        }
        if i < count {
            let rest = count - i
            let buffer = UnsafeMutablePointer<Float>.allocate(capacity: 8)
            defer { buffer.deallocate() }
            buffer.initialize(repeating: 0, count: 8)
            for l in 0..<rest { buffer[l] = values[i + l] + (bias?[i + l] ?? 0) }
            let bufferRaw = UnsafeMutableRawPointer(buffer)
            bufferRaw.storeBytes(of: f(bufferRaw.load(as: SIMD8<Float>.self)), as: SIMD8<Float>.self)
            for l in 0..<rest { values[i + l] = buffer[l] }
        }
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
