// int8 weights (`WeightFormat.int8`): each output feature's weights quantized once, at load, to symmetric int8 in
// blocks of 16 along the input features, one float32 scale per block, and widened back to float32 in L1 right before
// the micro-kernel reads them (as bfloat16 panels are; PackedLinear.swift).
//
// A block of (up to) 16 weights w of one output feature becomes integers q in [-127, 127] and a scale s:
//   amax = max |w|;  s = amax / 127;  q = round-half-even(w * (127 / amax))   (the inverse rounded once)
// and computes as the float32 weight q * s (one rounding). A block of zeros gets s = 0; a block holding a NaN or an
// infinity gets s = NaN (its weights compute as NaN, as the float32 layer's would give NaN or infinity).
//
// Why blocks of 16 and float32 inputs: measured against sentence-transformers float32 on 1,011 texts
// (Scripts/int8_study.py, BENCHMARKS.md "int8 weights"): blocks of 32 keep all-MiniLM-L6-v2 above 0.9995, but one
// all-mpnet-base-v2 paragraph falls to 0.9974 (the feed-forward input layers of layers 0-5 together; no single layer
// does it); blocks of 16 keep every text above 0.998. Quantizing the inputs as well (int8 blocks of 32, as llama.cpp's
// q8_0 does) takes the empty text to 0.9983 on MiniLM and mpnet's worst paragraph to 0.9973, and buys speed only with
// an int8 dot-product instruction that is exact at that precision (VNNI's vpdpbusd, arm64's sdot; AVX2's vpmaddubsw
// saturates unless one side loses a bit). So the products stay float32: int8 buys memory (a third of float32's
// weights) at about float32's throughput (the widening is generated AVX2 code where it can be, Int8WidenJIT).
//
// Storage, per panel of `columns` output features: the integers (inFeatures, columns), k-major like the float32
// panels, each stored as the byte q + 128, then the scales (ceil(inFeatures / 16), columns) float32: 1.25 bytes per
// weight. Within a row each group of 16 columns is stored transposed as 4 x 4 (column 4j + l at byte 4l + j), so that
// widening takes four columns out of one 16-byte load with a shift and a mask: Swift's SIMD conversions between
// integer widths and to float are generic calls in a default build, these are single SSE2 instructions.

/// Quantization of weights into int8 blocks of 16 (see the file comment).
package enum Int8Weights {
    /// Weights per block, along the input features.
    package static let blockSize = 16

    /// The blocks of a row of `count` input features.
    @inline(__always)
    package static func blocks(_ count: Int) -> Int { (count + blockSize - 1) / blockSize }

    /// Bytes of one packed panel of `columns` output features over `inFeatures`.
    package static func panelBytes(columns: Int, inFeatures: Int) -> Int {
        inFeatures * columns + 4 * blocks(inFeatures) * columns
    }

    /// Quantizes one float32 panel (inFeatures, columns), columns a multiple of 4, into `target`
    /// (`panelBytes(columns:inFeatures:)` bytes, the file comment's layout): four output features at a time.
    package static func quantize(
        panel: UnsafePointer<Float>, columns: Int, inFeatures k: Int, into target: UnsafeMutableRawPointer
    ) {
        precondition(columns % 4 == 0)
        let scales = target + k * columns
        let groups = columns / 16
        // x + 1.5 * 2^23 rounds x (|x| <= 2^22) to an integer, half to even, in the low mantissa bits; the low byte
        // of x + (2^23 + 128) is then x + 128 for x in [-128, 127].
        let biased = SIMD4<Float>(repeating: 8_388_736)
        // Each column's inverse scale in the current block (0 where the block is zero or not finite).
        var inverses = [SIMD4<Float>](repeating: SIMD4(), count: columns / 4)
        for block in 0..<blocks(k) {
            let first = block * blockSize, last = min(k, first + blockSize)
            let blockScales = scales + 4 * block * columns
            for j in 0..<(columns / 4) {
                var largest = SIMD4<UInt32>()  // |w| as bits: non-negative floats order as their bit patterns
                for i in first..<last {
                    let bits = UnsafeRawPointer(panel + i * columns + 4 * j).loadUnaligned(as: SIMD4<UInt32>.self)
                    largest = pointwiseMax(largest, bits & 0x7FFF_FFFF)
                }
                let finite = largest .< 0x7F80_0000, nonzero = largest .!= 0
                let amax = unsafeBitCast(largest, to: SIMD4<Float>.self)
                var inverse = SIMD4<Float>(repeating: 127) / amax
                inverse.replace(with: 0, where: .!(finite .& nonzero))
                inverses[j] = inverse
                var scale = amax / 127
                scale.replace(with: .nan, where: .!finite)
                UnsafeMutableRawPointer(blockScales + 16 * j).storeBytes(of: scale, as: SIMD4<Float>.self)
            }
            for i in first..<last {
                let row = panel + i * columns, to = target + i * columns
                // The biased integer (q + 128) of four columns, in the low byte of each lane.
                func integers(_ j: Int) -> SIMD4<UInt32> {
                    var x = UnsafeRawPointer(row + 4 * j).loadUnaligned(as: SIMD4<Float>.self) * inverses[j]
                    let magnitude = unsafeBitCast(x, to: SIMD4<UInt32>.self) & 0x7FFF_FFFF
                    x.replace(with: 0, where: magnitude .>= 0x7F80_0000)  // an infinity times 0 is NaN
                    x = pointwiseMin(pointwiseMax(x, SIMD4(repeating: -127)), SIMD4(repeating: 127))
                    return unsafeBitCast(x + biased, to: SIMD4<UInt32>.self) & 0xFF
                }
                for group in 0..<groups {
                    // Column 4j + l at byte 4l + j of the group: `widen` takes chunk j out with one shift.
                    var word = SIMD4<UInt32>()
                    for j in 0..<4 { word |= integers(4 * group + j) &<< UInt32(8 * j) }
                    (to + 16 * group).storeBytes(of: word, as: SIMD4<UInt32>.self)
                }
                for j in (4 * groups)..<(columns / 4) {
                    let word = integers(j)
                    for l in 0..<4 {
                        (to + 4 * j + l).storeBytes(of: UInt8(truncatingIfNeeded: word[l]), as: UInt8.self)
                    }
                }
            }
        }
    }

    /// The float32 weights of rows [k0, k0 + depth) of a packed panel (`columns` a multiple of 4) into `target`
    /// (depth, columns): q * s, one multiply each; through `generated` (Int8WidenJIT, the same bits) when given and
    /// the panel is 16 columns wide.
    @inline(__always)
    package static func widen(
        panel: UnsafeRawPointer, columns: Int, inFeatures k: Int, rows k0: Int, depth: Int,
        into target: UnsafeMutablePointer<Float>, generated: Int8WidenJIT.Function? = nil
    ) {
        let integers = panel + k0 * columns, scales = panel + k * columns, groups = columns / 16
        if columns == 16, let generated {
            // One call per run of rows that share a block's scales.
            var i = 0
            while i < depth {
                let block = (k0 + i) / blockSize, count = min(depth, (block + 1) * blockSize - k0) - i
                generated(
                    integers + i * 16, scales + 64 * block, count, target + i * 16, Int8WidenJIT.constants)
                i += count
            }
            return
        }
        // 2^23 + u as a float's bits, minus 2^23 + 128: u - 128, exact.
        let exponent = SIMD4<UInt32>(repeating: 0x4B00_0000), bias = SIMD4<Float>(repeating: 8_388_736)
        for i in 0..<depth {
            let row = integers + i * columns, rowScales = scales + 4 * ((k0 + i) / blockSize) * columns
            let out = UnsafeMutableRawPointer(target + i * columns)
            for group in 0..<groups {
                let word = row.loadUnaligned(fromByteOffset: 16 * group, as: SIMD4<UInt32>.self)
                for j in 0..<4 {
                    let offset = 4 * (16 * group + 4 * j)
                    let q = unsafeBitCast(((word &>> UInt32(8 * j)) & 0xFF) | exponent, to: SIMD4<Float>.self) - bias
                    let s = rowScales.loadUnaligned(fromByteOffset: offset, as: SIMD4<Float>.self)
                    out.storeBytes(of: q * s, toByteOffset: offset, as: SIMD4<Float>.self)
                }
            }
            for j in (16 * groups)..<columns {
                let q = Float(Int32(row.load(fromByteOffset: j, as: UInt8.self)) - 128)
                out.storeBytes(
                    of: q * rowScales.loadUnaligned(fromByteOffset: 4 * j, as: Float.self), toByteOffset: 4 * j,
                    as: Float.self)
            }
        }
    }

    /// The definition (file comment), one value at a time: each weight of `weight` (outFeatures, inFeatures) as it
    /// computes in an int8 layer.
    package static func reference(_ weight: [Float], outFeatures: Int, inFeatures: Int) -> [Float] {
        precondition(weight.count == outFeatures * inFeatures)
        var result = weight
        for o in 0..<outFeatures {
            for block in 0..<blocks(inFeatures) {
                let start = o * inFeatures + block * blockSize
                let range = start..<(o * inFeatures + min(inFeatures, (block + 1) * blockSize))
                let values = weight[range]
                if values.contains(where: { !$0.isFinite }) {
                    for i in range { result[i] = .nan }
                    continue
                }
                let amax = values.reduce(Float(0)) { max($0, abs($1)) }
                let inverse: Float = amax == 0 ? 0 : 127 / amax, scale = amax / 127
                for i in range {
                    let q = Int32(max(-127, min(127, (weight[i] * inverse).rounded(.toNearestOrEven))))
                    result[i] = Float(q) * scale
                }
            }
        }
        return result
    }
}
