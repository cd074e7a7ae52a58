// BertSelfAttention's core (modeling_bert.py, eager attention): softmax(q k^T / sqrt(d)) v per sequence
// and head, over each sequence's true length (no padding, so no mask), and its naive reference.
//
// Shapes: qkv (T, 3 * H * d) row-major, per token the query, key and value, head h at columns
// h*d ..< (h+1)*d of each; output (T, H * d). One task per (sequence, head), each writing only its own
// output columns, so results do not depend on the thread count. Per task, two small GEMMs on the
// context's micro-kernel (`KernelSet.gemm`, MR x NR tile, the one the dense layers use):
//   scores (L, L) = Q (L, d) . K^T: Q packed in (d, MR) micro-panels (scaled by 1/sqrt(d) as it is
//   packed), K in (d, NR) panels; per query row: subtract the row maximum, vector exp, sum; the
//   weights p are written straight into (L, MR) micro-panels, the A operand of the second GEMM;
//   out (L, d) = P (L, L) . V (L, d): V packed in (L, NR) panels; each row divided by its sum.
// Rows past L are zero in every packed operand, so the micro-kernel always runs on full tiles.

/// A bias added to each head's attention scores that depends only on the distance between key and query (MPNet's
/// relative position bias): head h adds `values[h * width + (key - query) + maxDistance]` to the scaled score of a
/// query and a key, with width = 2 maxDistance + 1.
package struct AttentionBias: Sendable {
    /// The heads (rows of `values`).
    package let heads: Int
    /// The largest |key - query| covered: sequences may be up to maxDistance + 1 tokens long.
    package let maxDistance: Int
    /// (heads, 2 maxDistance + 1) row-major.
    package let values: [Float]

    /// A bias table; `values.count` must be heads * (2 maxDistance + 1).
    package init(heads: Int, maxDistance: Int, values: [Float]) {
        precondition(heads >= 1 && maxDistance >= 0 && values.count == heads * (2 * maxDistance + 1))
        self.heads = heads
        self.maxDistance = maxDistance
        self.values = values
    }
}

/// Multi-head self-attention over sequences of true length (no padding, no mask needed).
///
/// qkv (T, 3 * heads * headDim) row-major: per token, the query, then the key, then the value,
/// each `heads * headDim` wide with head h at columns h*headDim ..< (h+1)*headDim.
/// `sequences` partitions 0..<T into the token rows of each sequence.
/// output (T, heads * headDim): softmax(q k^T / sqrt(headDim) + bias) v per sequence and head, the bias (if any)
/// by distance within the sequence.
package func multiHeadAttention(
    qkv: UnsafePointer<Float>, tokens: Int, sequences: [Range<Int>], heads: Int, headDim: Int,
    bias: AttentionBias? = nil, output: UnsafeMutablePointer<Float>, context: ComputeContext
) {
    let kernel = context.kernels.gemm
    for sequence in sequences {
        precondition(sequence.lowerBound >= 0 && sequence.upperBound <= tokens)
        precondition(bias.map { sequence.count <= $0.maxDistance + 1 && $0.heads == heads } ?? true)
    }
    // A short query's attention (11 tokens: 46,464 multiply-adds in q k^T) is done in microseconds: split over
    // threads, the loop's start and the other core's rows cost more (a MiniLM bfloat16 query on 2 threads: 1.53 ms
    // with attention split, 1.38 with it on one thread; BENCHMARKS.md, "bfloat16 on two threads").
    let products = sequences.reduce(0) { $0 + $1.count * $1.count } * heads * headDim
    let runner = products <= ComputeContext.serialAttentionLimit ? context.with(threads: 1) : context
    (bias?.values ?? []).withUnsafeBufferPointer { biasValues in
        let biasBase = bias == nil ? nil : biasValues.baseAddress
        runner.parallelFor(sequences.count * heads) { task in
            let head = task % heads
            // The head's bias for key - query = 0 (the row is indexed by key - query).
            let biasCenter = biasBase.map { $0 + head * (2 * bias!.maxDistance + 1) + bias!.maxDistance }
            attentionHead(
                qkv: qkv, sequence: sequences[task / heads], head: head, heads: heads, headDim: headDim,
                biasCenter: biasCenter, output: output, kernel: kernel)
        }
    }
}

/// One (sequence, head) of `multiHeadAttention`; `biasCenter[k - q]` is the head's bias for query q and key k.
func attentionHead(
    qkv: UnsafePointer<Float>, sequence: Range<Int>, head: Int, heads: Int, headDim d: Int,
    biasCenter: UnsafePointer<Float>?, output: UnsafeMutablePointer<Float>, kernel: GemmKernel
) {
    let length = sequence.count
    guard length > 0, d > 0 else { return }
    let hidden = heads * d, stride = 3 * hidden
    let mr = kernel.rows, nr = kernel.columns, splat = kernel.splat
    let rows = (length + mr - 1) / mr * mr  // queries, padded to whole micro-panels
    let keys = (length + nr - 1) / nr * nr  // keys, padded to whole panels (score columns)
    let outColumns = (d + nr - 1) / nr * nr
    let scale = 1 / Float(d).squareRoot()
    let base = qkv + sequence.lowerBound * stride + head * d
    // Sizes in floats: q (rows/MR) x (d, MR, splat); k (keys/NR) x (d, NR); v (outColumns/NR) x (L, NR);
    // p (rows/MR) x (L, MR, splat); scores, one micro-panel's rows (MR, keys); tile (MR, outColumns); inverses (MR).
    let sizes = (
        q: rows * splat * d, k: keys * d, v: length * outColumns, p: rows * splat * length, scores: mr * keys,
        tile: mr * outColumns, inverses: mr
    )
    let bytes =
        ThreadScratch.bytes(floats: sizes.q) + ThreadScratch.bytes(floats: sizes.k)
        + ThreadScratch.bytes(floats: sizes.v)
        + ThreadScratch.bytes(floats: sizes.p) + ThreadScratch.bytes(floats: sizes.scores)
        + ThreadScratch.bytes(floats: sizes.tile) + ThreadScratch.bytes(floats: sizes.inverses)
    ThreadScratch.with(bytes: bytes) { scratch in
        let q = scratch.floats(sizes.q), k = scratch.floats(sizes.k), v = scratch.floats(sizes.v)
        let p = scratch.floats(sizes.p), scores = scratch.floats(sizes.scores), tile = scratch.floats(sizes.tile)
        let inverses = scratch.floats(sizes.inverses)
        // Q is scaled by 1/sqrt(d) as it is packed, so the GEMM gives the scaled scores.
        packPanels(
            base, count: length, stride: stride, depth: d, rows: rows, mr: mr, splat: splat, scale: scale, into: q)
        (k + length / nr * nr * d).initialize(repeating: 0, count: (keys - length / nr * nr) * d)  // the last panel
        for j in 0..<length {
            scatter(base + j * stride + hidden, count: d, to: k + (j / nr) * nr * d + j % nr, step: nr, scale: 1)
        }
        if outColumns > d { v.initialize(repeating: 0, count: length * outColumns) }
        for panel in 0..<(outColumns / nr) {
            let c0 = panel * nr, width = min(nr, d - c0)
            for j in 0..<length {
                let source = base + j * stride + 2 * hidden + c0, target = v + panel * nr * length + j * nr
                if width == 16 {
                    let from = UnsafeRawPointer(source), to = UnsafeMutableRawPointer(target)
                    to.storeBytes(of: from.loadUnaligned(as: SIMD8<Float>.self), as: SIMD8<Float>.self)
                    to.storeBytes(
                        of: from.loadUnaligned(fromByteOffset: 32, as: SIMD8<Float>.self), toByteOffset: 32,
                        as: SIMD8<Float>.self)
                } else {
                    for c in 0..<width { target[c] = source[c] }
                }
            }
        }
        if rows > length {  // rows past the length, in the last micro-panel, are zero
            let last = p + (rows / mr - 1) * mr * splat * length
            for j in 0..<length {
                for r in (length - (rows - mr))..<mr {
                    for s in 0..<splat { last[(j * mr + r) * splat + s] = 0 }
                }
            }
        }
        let panelStride = mr * splat
        for i in 0..<(rows / mr) {
            let qPanel = q + i * panelStride * d, pPanel = p + i * panelStride * length
            for panel in 0..<(keys / nr) {
                kernel.function(qPanel, k + panel * nr * d, d, scores + panel * nr, keys, false)
            }
            for r in 0..<min(mr, length - i * mr) {
                if let biasCenter { addBias(biasCenter - (i * mr + r), to: scores + r * keys, count: length) }
                inverses[r] = softmaxRow(
                    scores + r * keys, length: length, into: pPanel + r * splat, stride: panelStride, splat: splat)
            }
            for panel in 0..<(outColumns / nr) {
                kernel.function(pPanel, v + panel * nr * length, length, tile + panel * nr, outColumns, false)
            }
            for r in 0..<min(mr, length - i * mr) {
                let out = output + (sequence.lowerBound + i * mr + r) * hidden + head * d, row = tile + r * outColumns
                let inverse = inverses[r]
                var c = 0
                while c + 8 <= d {
                    UnsafeMutableRawPointer(out + c).storeBytes(
                        of: UnsafeRawPointer(row + c).loadUnaligned(as: SIMD8<Float>.self) * inverse,
                        as: SIMD8<Float>.self)
                    c += 8
                }
                while c < d {
                    out[c] = row[c] * inverse
                    c += 1
                }
            }
        }
    }
}

/// Reference: `multiHeadAttention` one query at a time in Double (same shapes).
package func multiHeadAttentionReference(
    qkv: UnsafePointer<Float>, tokens: Int, sequences: [Range<Int>], heads: Int, headDim: Int,
    bias: AttentionBias? = nil, output: UnsafeMutablePointer<Float>
) {
    let hidden = heads * headDim
    let scale = 1 / Double(headDim).squareRoot()
    for sequence in sequences {
        for h in 0..<heads {
            for i in sequence {
                let q = qkv + i * 3 * hidden + h * headDim
                var scores = sequence.map { j -> Double in
                    let k = qkv + j * 3 * hidden + hidden + h * headDim
                    let score = (0..<headDim).reduce(0.0) { $0 + Double(q[$1]) * Double(k[$1]) } * scale
                    guard let bias else { return score }
                    return score + Double(bias.values[h * (2 * bias.maxDistance + 1) + (j - i) + bias.maxDistance])
                }
                let m = scores.max() ?? 0
                scores = scores.map { libmExp($0 - m) }
                let sum = scores.reduce(0, +)
                for c in 0..<headDim {
                    var acc = 0.0
                    for (jj, j) in sequence.enumerated() {
                        acc += scores[jj] * Double(qkv[j * 3 * hidden + 2 * hidden + h * headDim + c])
                    }
                    output[i * hidden + h * headDim + c] = Float(acc / sum)
                }
            }
        }
    }
}
