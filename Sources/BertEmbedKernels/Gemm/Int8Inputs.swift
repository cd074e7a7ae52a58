// The inputs of an int8 layer's integer path, quantized on the fly: each row (token) of the layer's input becomes
// symmetric int16 with one float32 scale, then is packed into the micro-panels Int8GemmKernel.swift reads. For the
// arm64 kernels (`packSplit`) the same rounding keeps 15 bits (L = 16383), each integer stored as two signed bytes,
// since `sdot` and `smmla` multiply bytes only.
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
    /// The largest integer of a quantized input (the x86-64 kernels' int16; the arm64 kernels' 15 bits:
    /// `Int8GemmKernel.Layout.levels`).
    package static let levels: Float = 32767

    /// Quantizes and packs one micro-panel for a kernel of `layout`: `pack` (int16 pairs, 6 rows) or `packSplit`
    /// (15 bits split into two bytes, 4 rows).
    @inline(__always)
    package static func pack(
        _ source: UnsafePointer<Float>, rows: Int, stride: Int, inFeatures k: Int, blocks: Int,
        layout: Int8GemmKernel.Layout, into target: UnsafeMutableRawPointer
    ) {
        switch layout {
        case .int16Pairs: pack(source, rows: rows, stride: stride, inFeatures: k, blocks: blocks, into: target)
        case .splitQuads, .splitOctets:
            packSplit(source, rows: rows, stride: stride, inFeatures: k, blocks: blocks, layout: layout, into: target)
        }
    }

    /// The bits of max |x| over a row of k values, or of NaN where one is NaN (an infinity gives the bits of
    /// infinity): a compare and select (SSE2's maxps; pointwiseMax is a call in a default build) drops a NaN, so a
    /// running sum of |x| (NaN if any x is) catches those. (An integer max of the bit patterns, which keeps NaN, costs
    /// SSE2 five more instructions per four values: no unsigned compare.)
    @inline(__always)
    private static func magnitudeBits(_ row: UnsafePointer<Float>, count k: Int) -> UInt32 {
        var largest = SIMD8<Float>(), sum = SIMD8<Float>()
        var i = 0
        while i + 8 <= k {
            let x = unsafeBitCast(
                UnsafeRawPointer(row + i).loadUnaligned(as: SIMD8<UInt32>.self) & 0x7FFF_FFFF, to: SIMD8<Float>.self)
            largest.replace(with: x, where: x .> largest)
            sum += x
            i += 8
        }
        var amax = largest.max()
        for j in i..<k {
            amax = max(amax, abs(row[j]))
            sum[0] += abs(row[j])
        }
        return sum.sum().isNaN ? Float.nan.bitPattern : amax.bitPattern
    }

    /// Quantizes `rows` (at most 4) rows of `inFeatures` values (row r at source + r * stride) to 15 bits (levels
    /// 16383, the same rounding as `pack`) and packs them as one micro-panel of an arm64 kernel's split `layout`
    /// (Int8GemmKernel.swift: q = 128 h + l, the h bytes of a block, then its l bytes) over `blocks` blocks into
    /// `target` (`layout.microPanelBytes(blocks:)` bytes): inputs past inFeatures and rows past `rows` are zero.
    package static func packSplit(
        _ source: UnsafePointer<Float>, rows: Int, stride: Int, inFeatures k: Int, blocks: Int,
        layout: Int8GemmKernel.Layout, into target: UnsafeMutableRawPointer
    ) {
        let mr = layout.rows, quads = 4 * blocks
        let scales = target + 128 * blocks
        let rounding = SIMD4<Float>(repeating: 12_582_912)  // as in `pack`
        for r in 0..<mr {
            let row = source + r * stride
            let bits = r < rows ? magnitudeBits(row, count: k) : 0
            let amax = Float(bitPattern: bits)
            guard r < rows, bits != 0, bits < 0x7F80_0000 else {
                for quad in 0..<quads {
                    let at = layout.splitOffset(block: quad / 4, row: r, input: 4 * (quad % 4))
                    target.storeBytes(of: 0, toByteOffset: at, as: UInt32.self)
                    target.storeBytes(of: 0, toByteOffset: at + 64, as: UInt32.self)
                }
                scales.storeBytes(of: r < rows && bits != 0 ? .nan : 0, toByteOffset: 4 * r, as: Float.self)
                continue
            }
            let inverse = SIMD4<Float>(repeating: layout.levels / amax)
            scales.storeBytes(of: amax / layout.levels, toByteOffset: 4 * r, as: Float.self)
            for quad in 0..<quads {
                let first = 4 * quad
                var x: SIMD4<Float>
                if first + 4 <= k {
                    x = UnsafeRawPointer(row + first).loadUnaligned(as: SIMD4<Float>.self)
                } else {
                    x = SIMD4()
                    for j in first..<max(first, min(k, first + 4)) { x[j - first] = row[j] }
                }
                // |q| <= 16383: the low 16 bits of the rounded float, sign-extended, are q; h = q >> 7, l = q & 127.
                let q =
                    SIMD4<Int32>(
                        truncatingIfNeeded: unsafeBitCast(x * inverse + rounding, to: SIMD4<UInt32>.self) &<< 16) &>> 16
                let high = SIMD4<UInt32>(truncatingIfNeeded: q &>> 7) & 0xFF,
                    low = SIMD4<UInt32>(truncatingIfNeeded: q & 127)
                let shifts = SIMD4<UInt32>(0, 8, 16, 24)
                let at = layout.splitOffset(block: quad / 4, row: r, input: 4 * (quad % 4))
                target.storeBytes(of: (high &<< shifts).wrappedSum(), toByteOffset: at, as: UInt32.self)
                target.storeBytes(of: (low &<< shifts).wrappedSum(), toByteOffset: at + 64, as: UInt32.self)
            }
        }
    }

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
            let bits = r < rows ? magnitudeBits(row, count: k) : 0
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

    /// The definition (file comment), one value at a time: the integers and the scale of one row, quantized to
    /// `levels` (the x86-64 kernels' 32767, or the arm64 kernels' 16383).
    package static func reference(_ row: [Float], levels: Float = levels) -> (integers: [Int32], scale: Float) {
        if row.contains(where: { !$0.isFinite }) { return ([Int32](repeating: 0, count: row.count), .nan) }
        let amax = row.reduce(Float(0)) { max($0, abs($1)) }
        guard amax > 0 else { return ([Int32](repeating: 0, count: row.count), 0) }
        let inverse = levels / amax
        return (row.map { Int32(max(-levels, min(levels, ($0 * inverse).rounded(.toNearestOrEven)))) }, amax / levels)
    }
}
