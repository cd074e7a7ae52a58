// int8 weights (`WeightFormat.int8`): each output feature's weights quantized once, at load, to symmetric int8 in
// blocks of 16 along the input features, one float32 scale per block. Where the CPU has the integer micro-kernel
// (generated, Int8GemmKernel.swift: x86-64 with AVX2 + FMA, arm64 Linux with dot products) the layer multiplies them
// as integers with its inputs quantized per row (Int8Inputs.swift: int16; 15 bits on arm64); elsewhere they are
// widened back to float32 in L1 right before the float32 micro-kernel reads them (as bfloat16 panels are;
// PackedLinear.swift).
//
// A block of (up to) 16 weights w of one output feature becomes integers q in [-127, 127] and a scale s:
//   amax = max |w|;  s = amax / 127;  q = round-half-even(w * (127 / amax))   (the inverse rounded once)
// and computes as the float32 weight q * s (one rounding). A block of zeros gets s = 0; a block holding a NaN or an
// infinity gets s = NaN (its weights compute as NaN, as the float32 layer's would give NaN or infinity).
//
// Why blocks of 16, and int16 inputs: measured against sentence-transformers float32 on 1,011 texts
// (Scripts/int8_study.py, BENCHMARKS.md "int8 weights"): blocks of 32 keep all-MiniLM-L6-v2 above 0.9995, but one
// all-mpnet-base-v2 paragraph falls to 0.9974 (the feed-forward input layers of layers 0-5 together; no single layer
// does it); blocks of 16 keep every text above 0.998. Quantizing the inputs to int8 as well (blocks of 32, as
// llama.cpp's q8_0 does) takes the empty text to 0.9983 on MiniLM and mpnet's worst paragraph to 0.9973; inputs at 16
// bits per row change the cosines by less than the weights' rounding does, and give AVX2 an exact integer product:
// vpmaddwd, two int16 products summed per 32-bit lane.
//
// Storage, per panel of `columns` output features, block after block (inFeatures padded with zero weights to whole
// blocks): the block's integers as 8 pairs of inputs (2p, 2p + 1), each pair `columns` times two signed bytes (input 2p
// first), then the block's `columns` float32 scales: 20 bytes per column and block, 1.25 bytes per weight. The pairs
// are what the integer micro-kernel multiplies (Int8GemmKernel.swift: vpmaddwd takes two int16 products per lane);
// the scales next to them are read as the block ends. The arm64 kernels take four inputs per lane (`sdot`) or eight
// per row of a 2 x 8 matrix (`smmla`), so for them the block holds 4 quads or 2 octets instead (`quantize(group:)`:
// per group `columns` times four or eight bytes). Where there is no integer kernel, `widen` takes a row of eight
// columns out of one 16-byte load with a shift and a mask (Swift's SIMD conversions between integer widths and to
// float are generic calls in a default build; these are single SSE2 instructions).

/// Quantization of weights into int8 blocks of 16 (see the file comment).
package enum Int8Weights {
    /// Weights per block, along the input features.
    package static let blockSize = 16

    /// The blocks of a row of `count` input features.
    @inline(__always)
    package static func blocks(_ count: Int) -> Int { (count + blockSize - 1) / blockSize }

    /// Bytes of one block of a panel of `columns` output features: its integers, then its scales.
    @inline(__always)
    package static func blockBytes(columns: Int) -> Int { 20 * columns }

    /// Bytes of one packed panel of `columns` output features over `inFeatures`.
    package static func panelBytes(columns: Int, inFeatures: Int) -> Int {
        blocks(inFeatures) * blockBytes(columns: columns)
    }

    /// Quantizes one float32 panel (inFeatures, columns), columns a multiple of 4, into `target`
    /// (`panelBytes(columns:inFeatures:)` bytes, the file comment's layout): four output features at a time. With
    /// `group` 4 or 8 (the arm64 kernels' layouts, Int8GemmKernel.swift) a block holds 4 quads or 2 octets of inputs
    /// instead of 8 pairs: per group `columns` times four or eight bytes; the same integers and scales.
    package static func quantize(
        panel: UnsafePointer<Float>, columns: Int, inFeatures k: Int, group: Int = 2,
        into target: UnsafeMutableRawPointer
    ) {
        precondition(columns % 4 == 0 && [2, 4, 8].contains(group))
        // x + 1.5 * 2^23 rounds x (|x| <= 2^22) to an integer, half to even, in the low mantissa bits, two's
        // complement: the low byte is the int8.
        let rounding = SIMD4<Float>(repeating: 12_582_912)
        // Each column's inverse scale in the current block (0 where the block is zero or not finite).
        var inverses = [SIMD4<Float>](repeating: SIMD4(), count: columns / 4)
        for block in 0..<blocks(k) {
            let first = block * blockSize, last = min(k, first + blockSize)
            let blockStart = target + block * blockBytes(columns: columns)
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
                (blockStart + 16 * columns + 16 * j).storeBytes(of: scale, as: SIMD4<Float>.self)
            }
            // The int8 of four columns of row i, in the low byte of each lane (0 past the last row).
            func integers(_ i: Int, _ j: Int) -> SIMD4<UInt32> {
                guard i < last else { return SIMD4() }
                var x = UnsafeRawPointer(panel + i * columns + 4 * j).loadUnaligned(as: SIMD4<Float>.self) * inverses[j]
                let magnitude = unsafeBitCast(x, to: SIMD4<UInt32>.self) & 0x7FFF_FFFF
                x.replace(with: 0, where: magnitude .>= 0x7F80_0000)  // an infinity times 0 is NaN
                x = pointwiseMin(pointwiseMax(x, SIMD4(repeating: -127)), SIMD4(repeating: 127))
                return unsafeBitCast(x + rounding, to: SIMD4<UInt32>.self) & 0xFF
            }
            // Lane l: column 4j + l's bytes of inputs i ..< i + 4.
            func quads(_ i: Int, _ j: Int) -> SIMD4<UInt32> {
                integers(i, j) | integers(i + 1, j) &<< 8 | integers(i + 2, j) &<< 16 | integers(i + 3, j) &<< 24
            }
            if group == 4 {
                for quad in 0..<(blockSize / 4) {
                    let i = first + 4 * quad, to = blockStart + 4 * columns * quad
                    for j in 0..<(columns / 4) { (to + 16 * j).storeBytes(of: quads(i, j), as: SIMD4<UInt32>.self) }
                }
                continue
            }
            if group == 8 {
                for octet in 0..<(blockSize / 8) {
                    let i = first + 8 * octet, to = blockStart + 8 * columns * octet
                    for j in 0..<(columns / 4) {  // each column's eight bytes: its two quads
                        let low = quads(i, j), high = quads(i + 4, j)
                        let columnsEight = SIMD8<UInt32>(
                            low[0], high[0], low[1], high[1], low[2], high[2], low[3], high[3])
                        (to + 32 * j).storeBytes(of: columnsEight, as: SIMD8<UInt32>.self)
                    }
                }
                continue
            }
            for pair in 0..<(blockSize / 2) {
                let i = first + 2 * pair, to = blockStart + 2 * columns * pair
                for j in 0..<(columns / 4) {
                    let pairs = integers(i, j) | integers(i + 1, j) &<< 8  // lane l: column 4j + l's two bytes
                    (to + 8 * j).storeBytes(of: pairs.evenHalf | pairs.oddHalf &<< 16, as: SIMD2<UInt32>.self)
                }
            }
        }
    }

    /// The float32 weights of rows [k0, k0 + depth) of a packed panel (`columns` a multiple of 4) into `target`
    /// (depth, columns): q * s, one multiply each.
    @inline(__always)
    package static func widen(
        panel: UnsafeRawPointer, columns: Int, inFeatures k: Int, rows k0: Int, depth: Int,
        into target: UnsafeMutablePointer<Float>
    ) {
        // 2^23 + u as a float's bits, minus 2^23 + 128: u - 128, exact (u = q + 128, the byte with its top bit flipped).
        let exponent = SIMD8<UInt32>(repeating: 0x4B00_0000), bias = SIMD8<Float>(repeating: 8_388_736)
        let octets = columns / 8
        for i in 0..<depth {
            let row = k0 + i, blockStart = panel + (row / blockSize) * blockBytes(columns: columns)
            let pair = blockStart + 2 * columns * ((row % blockSize) / 2), scales = blockStart + 16 * columns
            let shift = UInt32(8 * (row % 2)), out = UnsafeMutableRawPointer(target + i * columns)
            for octet in 0..<octets {
                // Lane l holds columns 2l and 2l + 1: this row's byte of each, as the two 16-bit halves.
                let words = pair.loadUnaligned(fromByteOffset: 16 * octet, as: SIMD4<UInt32>.self)
                let halves = unsafeBitCast(((words &>> shift) ^ 0x0080_0080) & 0x00FF_00FF, to: SIMD8<UInt16>.self)
                let q =
                    unsafeBitCast(SIMD8<UInt32>(truncatingIfNeeded: halves) | exponent, to: SIMD8<Float>.self) - bias
                let s = scales.loadUnaligned(fromByteOffset: 32 * octet, as: SIMD8<Float>.self)
                out.storeBytes(of: q * s, toByteOffset: 32 * octet, as: SIMD8<Float>.self)
            }
            for j in (8 * octets)..<columns {
                let q = Float(pair.load(fromByteOffset: 2 * j + row % 2, as: Int8.self))
                out.storeBytes(
                    of: q * scales.loadUnaligned(fromByteOffset: 4 * j, as: Float.self), toByteOffset: 4 * j,
                    as: Float.self)
            }
        }
    }

    /// The definition (file comment), one value at a time: each weight of `weight` (outFeatures, inFeatures) as it
    /// computes in an int8 layer whose weights are widened to float32 (q * s).
    package static func reference(_ weight: [Float], outFeatures: Int, inFeatures: Int) -> [Float] {
        let (integers, scales) = referenceIntegers(weight, outFeatures: outFeatures, inFeatures: inFeatures)
        let perRow = blocks(inFeatures)
        return integers.indices.map { i in
            Float(integers[i]) * scales[(i / max(1, inFeatures)) * perRow + (i % max(1, inFeatures)) / blockSize]
        }
    }

    /// The definition (file comment), one value at a time: the integers (outFeatures, inFeatures) of `weight` and the
    /// scales (outFeatures, blocks) of its blocks. A block holding a NaN or an infinity: integers 0, scale NaN.
    package static func referenceIntegers(
        _ weight: [Float], outFeatures: Int, inFeatures: Int
    ) -> (integers: [Int32], scales: [Float]) {
        precondition(weight.count == outFeatures * inFeatures)
        var integers = [Int32](repeating: 0, count: weight.count), scales: [Float] = []
        for o in 0..<outFeatures {
            for block in 0..<blocks(inFeatures) {
                let start = o * inFeatures + block * blockSize
                let range = start..<(o * inFeatures + min(inFeatures, (block + 1) * blockSize))
                let values = weight[range]
                if values.contains(where: { !$0.isFinite }) {
                    scales.append(.nan)
                    continue
                }
                let amax = values.reduce(Float(0)) { max($0, abs($1)) }
                let inverse: Float = amax == 0 ? 0 : 127 / amax
                scales.append(amax / 127)
                for i in range {
                    integers[i] = Int32(max(-127, min(127, (weight[i] * inverse).rounded(.toNearestOrEven))))
                }
            }
        }
        return (integers, scales)
    }
}
