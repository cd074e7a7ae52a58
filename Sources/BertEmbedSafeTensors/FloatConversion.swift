// Widening F32 / F16 / BF16 bytes (little-endian, any alignment) to Float32, with naive references for the tests.
//
// Data offsets need not be 4-aligned, so elements are read with unaligned loads (or memcpy), never by
// rebinding the mapped memory. Every conversion is exact: F16 and BF16 values are all representable in F32.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Converts tensor bytes to Float32.
package enum FloatConversion {
    /// output (count) = the `count` little-endian elements of `dtype` at `source` (any alignment), as Float32.
    /// `dtype` must be float-convertible; `source` must hold `count * dtype.bitSize / 8` bytes.
    package static func convert(
        _ source: UnsafeRawPointer, dtype: SafeTensorsDType, count: Int, into output: UnsafeMutablePointer<Float>
    ) {
        switch dtype {
        case .f32:
            #if _endian(little)
            memcpy(output, source, count * 4)
            #else
            for i in 0..<count {
                output[i] = Float(
                    bitPattern: UInt32(littleEndian: source.loadUnaligned(fromByteOffset: 4 * i, as: UInt32.self)))
            }
            #endif
        case .f16:
            for i in 0..<count {
                output[i] = float(
                    fromHalf: UInt16(littleEndian: source.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)))
            }
        case .bf16:
            for i in 0..<count {
                let bits = UInt16(littleEndian: source.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self))
                output[i] = Float(bitPattern: UInt32(bits) << 16)
            }
        default:
            preconditionFailure("FloatConversion.convert: \(dtype.rawValue) is not float-convertible")
        }
    }

    /// IEEE 754 binary16 bits -> Float32, exactly, by moving the fields (NaN payloads are kept).
    @inline(__always)
    package static func float(fromHalf bits: UInt16) -> Float {
        let h = UInt32(bits)
        let sign = (h & 0x8000) << 16
        let exponent = (h >> 10) & 0x1F
        let mantissa = h & 0x3FF
        if exponent == 0x1F {  // infinity or NaN
            return Float(bitPattern: sign | 0x7F80_0000 | (mantissa << 13))
        }
        if exponent == 0 {  // zero or subnormal: mantissa x 2^-24, exact in Float32
            let magnitude = Float(mantissa) * 0x1p-24
            return Float(bitPattern: sign | magnitude.bitPattern)
        }
        return Float(bitPattern: sign | ((exponent + 112) << 23) | (mantissa << 13))  // rebias 15 -> 127
    }

    /// Naive reference for `float(fromHalf:)`: the binary16 value computed from its definition in Double.
    package static func referenceFloat(fromHalf bits: UInt16) -> Float {
        referenceFloat(bits, exponentBits: 5, fractionBits: 10)
    }

    /// Naive reference for the BF16 path: the value from its definition (sign, 8-bit exponent, 7-bit fraction).
    package static func referenceFloat(fromBFloat16 bits: UInt16) -> Float {
        referenceFloat(bits, exponentBits: 8, fractionBits: 7)
    }

    /// The 16-bit IEEE-style float `bits` (sign, then `exponentBits`, then `fractionBits`) from its definition:
    /// subnormal, normal, infinity or NaN, computed in Double.
    private static func referenceFloat(_ bits: UInt16, exponentBits: Int, fractionBits: Int) -> Float {
        let negative = bits & 0x8000 != 0
        let maxExponent = (1 << exponentBits) - 1, bias = maxExponent / 2
        let exponent = Int(bits >> fractionBits) & maxExponent
        let fraction = Double(Int(bits) & ((1 << fractionBits) - 1)) / Double(1 << fractionBits)
        let magnitude: Double
        switch exponent {
        case 0: magnitude = fraction * pow(2.0, Double(1 - bias))
        case maxExponent: magnitude = fraction == 0 ? .infinity : .nan
        default: magnitude = (1 + fraction) * pow(2.0, Double(exponent - bias))
        }
        return Float(negative ? -magnitude : magnitude)
    }
}
