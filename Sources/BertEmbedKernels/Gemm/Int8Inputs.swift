// The inputs of an int8 layer's integer path, quantized on the fly: each row (token) of the layer's input becomes
// symmetric int16 with one float32 scale, then is packed into the micro-panels Int8GemmKernel.swift reads.
//
// A row x of K values becomes integers q in [-L, L] (L = `levels`) and a scale s:
//   amax = max |x|;  s = amax / L;  q = round-half-even(x * (L / amax))   (the inverse rounded once)
// A row of zeros gets s = 0 (q = 0); a row holding a NaN or an infinity gets q = 0 and s = NaN, so that its outputs are
// NaN, as the float32 layer's would be NaN or infinite.
//
// Why int16 per row: the weights' own rounding (int8 in blocks of 16) is what the accuracy bound leaves room for
// (Int8Weights.swift), and 16-bit inputs add next to nothing to it: all-mpnet-base-v2 on the 1,011 golden texts
// (Scripts/int8_study.py) keeps min cosine 0.999574 with them against 0.999575 with float inputs, and the golden tests
// give the float-input figures to the fifth digit. One scale per row costs one multiply per output. Int8 inputs lost
// too much (Int8Weights.swift's file comment).

/// Quantization and packing of an int8 layer's inputs (file comment).
package enum Int8Inputs {
    /// The largest integer of a quantized input.
    package static let levels: Float = 32767

    /// Quantizes `rows` (at most the kernel's 6) rows of `inFeatures` values (row r at source + r * stride) and
    /// packs them as one micro-panel over `blocks` blocks of 16 inputs into `target`
    /// (`Int8GemmKernel.microPanelBytes(blocks:)` bytes): inputs past inFeatures and rows past `rows` are zero.
    package static func pack(
        _ source: UnsafePointer<Float>, rows: Int, stride: Int, inFeatures k: Int, blocks: Int,
        into target: UnsafeMutableRawPointer
    ) {
        let mr = Int8GemmKernel.tileRows, pairs = blocks * Int8Weights.blockSize / 2
        let words = target.assumingMemoryBound(to: UInt32.self), scales = target + 4 * mr * pairs
        // x + 1.5 * 2^23 rounds x (|x| <= 2^22) to an integer, half to even, in the low mantissa bits, two's
        // complement: the low 16 bits are the int16.
        let rounding = SIMD8<Float>(repeating: 12_582_912)
        for r in 0..<mr {
            let row = source + r * stride
            // amax as floats: a compare and select (SSE2's maxps; pointwiseMax is a call in a default build) drops a
            // NaN, so a running sum of |x| (NaN if any x is) catches those. (An integer max of the bit patterns,
            // which keeps NaN, costs SSE2 five more instructions per four values: no unsigned compare.)
            var largest = SIMD8<Float>(), sum = SIMD8<Float>()
            var bits: UInt32 = 0
            if r < rows {
                var i = 0
                while i + 8 <= k {
                    let x = unsafeBitCast(
                        UnsafeRawPointer(row + i).loadUnaligned(as: SIMD8<UInt32>.self) & 0x7FFF_FFFF,
                        to: SIMD8<Float>.self)
                    largest.replace(with: x, where: x .> largest)
                    sum += x
                    i += 8
                }
                var amax = largest.max()
                for j in i..<k {
                    amax = max(amax, abs(row[j]))
                    sum[0] += abs(row[j])
                }
                bits = sum.sum().isNaN ? Float.nan.bitPattern : amax.bitPattern
            }
            let amax = Float(bitPattern: bits)
            guard r < rows, bits != 0, bits < 0x7F80_0000 else {
                for p in 0..<pairs { words[p * mr + r] = 0 }
                scales.storeBytes(of: r < rows && bits != 0 ? .nan : 0, toByteOffset: 4 * r, as: Float.self)
                continue
            }
            let inverse = SIMD8<Float>(repeating: levels / amax)
            scales.storeBytes(of: amax / levels, toByteOffset: 4 * r, as: Float.self)
            var p = 0
            while p < pairs {  // four pairs (8 inputs) at a time
                let first = 2 * p
                var x: SIMD8<Float>
                if first + 8 <= k {
                    x = UnsafeRawPointer(row + first).loadUnaligned(as: SIMD8<Float>.self)
                } else {
                    x = SIMD8()
                    for j in first..<max(first, min(k, first + 8)) { x[j - first] = row[j] }
                }
                // |x * inverse| <= amax * (L / amax) rounded twice < L + 0.5: no clamp needed.
                // The rounded values' low 16 bits are the even 16-bit halves of the rounded floats (little-endian);
                // two side by side are a pair's word. In a default build: pslld/psrad + packssdw (exact: the halves
                // are sign-extended first), then four strided 32-bit stores. (64-bit lanes masked and shifted, the
                // form before, were turned into scalar code for SSE2: this function took 7.2 % of int8's encoding
                // time on Zen 4, 5.1 % now; perf, MiniLM, 1 thread.)
                let halves = unsafeBitCast(x * inverse + rounding, to: SIMD16<UInt16>.self)
                let packed = unsafeBitCast(halves.evenHalf, to: SIMD4<UInt32>.self)
                for l in 0..<4 { words[(p &+ l) &* mr &+ r] = packed[l] }
                p += 4
            }
        }
    }

    /// The definition (file comment), one value at a time: the integers and the scale of one row.
    package static func reference(_ row: [Float]) -> (integers: [Int32], scale: Float) {
        if row.contains(where: { !$0.isFinite }) { return ([Int32](repeating: 0, count: row.count), .nan) }
        let amax = row.reduce(Float(0)) { max($0, abs($1)) }
        guard amax > 0 else { return ([Int32](repeating: 0, count: row.count), 0) }
        let inverse = levels / amax
        return (row.map { Int32(max(-levels, min(levels, ($0 * inverse).rounded(.toNearestOrEven)))) }, amax / levels)
    }
}
