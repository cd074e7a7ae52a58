// How a dense layer stores its packed weight, and the bfloat16 conversions (int8's are in Int8Weights.swift).
//
// bfloat16 is the top half of a float32 (sign, the 8 exponent bits, 7 mantissa bits): half the memory of float32
// with its range. A weight is rounded to it once, at load, to nearest with ties to even (as PyTorch's
// `tensor.to(torch.bfloat16)` rounds); widening back is exact (the low 16 bits become zero). A generated tile's
// bfloat16 twin widens the weights in registers as it reads them (stored in pairs, `roundPairs`); otherwise the GEMM
// widens each bfloat16 panel block to float32 right before the micro-kernel reads it (`PackedLinear`). Either way a
// bfloat16 layer computes exactly what the float32 kernel computes on the rounded weights, and activations stay
// float32.

/// The storage of a packed weight.
package enum WeightFormat: String, Sendable, CaseIterable {
    /// 4 bytes per weight, the checkpoint's values.
    case float32
    /// 2 bytes per weight, each rounded to the nearest bfloat16 (ties to even).
    case bfloat16
    /// 1 byte per weight plus a float32 scale per block of 16 (`Int8Weights`): 1.25 bytes, widened to float32 as
    /// bfloat16 is.
    case int8
}

/// Conversions between float32 and bfloat16 (the bits, as `UInt16`).
package enum BFloat16 {
    /// `value` rounded to the nearest bfloat16, ties to even; infinities stay, a NaN stays a (quiet) NaN.
    @inline(__always)
    package static func rounding(_ value: Float) -> UInt16 {
        let bits = value.bitPattern
        if value.isNaN { return UInt16(truncatingIfNeeded: bits >> 16) | 0x40 }
        // Adding 0x7FFF plus the lowest kept bit carries into the kept half exactly when the dropped half is above
        // one half, or exactly one half and the kept half is odd; a carry out of the mantissa raises the exponent
        // (up to infinity), as rounding must.
        return UInt16(truncatingIfNeeded: (bits &+ 0x7FFF &+ ((bits >> 16) & 1)) >> 16)
    }

    /// The float32 value of the bfloat16 `bits` (exact).
    @inline(__always)
    package static func widening(_ bits: UInt16) -> Float { Float(bitPattern: UInt32(bits) << 16) }

    /// Rounds `count` values of `source` into `target` (`rounding`, eight at a time where it can).
    package static func round(_ source: UnsafePointer<Float>, into target: UnsafeMutablePointer<UInt16>, count: Int) {
        var i = 0
        while i + 8 <= count {
            let bits = UnsafeRawPointer(source + i).loadUnaligned(as: SIMD8<UInt32>.self)
            // A NaN (exponent all ones, mantissa nonzero) goes one value at a time, to stay a quiet NaN.
            if any((bits & 0x7FFF_FFFF) .> 0x7F80_0000) {
                for j in i..<(i + 8) { target[j] = rounding(source[j]) }
            } else {
                let rounded = (bits &+ 0x7FFF &+ ((bits &>> 16) & 1)) &>> 16
                UnsafeMutableRawPointer(target + i).storeBytes(
                    of: SIMD8<UInt16>(truncatingIfNeeded: rounded), as: SIMD8<UInt16>.self)
            }
            i += 8
        }
        while i < count {
            target[i] = rounding(source[i])
            i += 1
        }
    }

    /// Widens `count` bfloat16 values of `source` into `target` (exact, eight at a time where it can).
    @inline(__always)
    package static func widen(_ source: UnsafePointer<UInt16>, into target: UnsafeMutablePointer<Float>, count: Int) {
        var i = 0
        while i + 8 <= count {
            let bits = UnsafeRawPointer(source + i).loadUnaligned(as: SIMD8<UInt16>.self)
            let wide = SIMD8<UInt32>(truncatingIfNeeded: bits) &<< 16
            UnsafeMutableRawPointer(target + i).storeBytes(of: wide, as: SIMD8<UInt32>.self)
            i += 8
        }
        while i < count {
            target[i] = widening(source[i])
            i += 1
        }
    }

    /// Rounds a packed panel of `rows` x `columns` float32 weights (row-major, `columns` even) into bfloat16 pairs
    /// for a tile that widens them in registers (`GemmKernel.bfloat16Function`): per row, the 32-bit pair j holds
    /// column j in its low half and column j + columns / 2 in its high half, so one vector of pairs widens into the
    /// row's two vectors of columns with a shift and a mask.
    package static func roundPairs(
        _ source: UnsafePointer<Float>, into target: UnsafeMutablePointer<UInt16>, rows: Int, columns: Int
    ) {
        precondition(columns % 2 == 0, "bfloat16 pairs need an even column count")
        let half = columns / 2
        round(source, into: target, count: rows * columns)
        withUnsafeTemporaryAllocation(of: UInt16.self, capacity: columns) { row in
            for r in 0..<rows {
                let stored = target + r * columns
                for j in 0..<columns { row[j] = stored[j] }
                for j in 0..<half {
                    stored[2 * j] = row[j]
                    stored[2 * j + 1] = row[j + half]
                }
            }
        }
    }
}
