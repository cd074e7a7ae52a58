// BertSelfAttention's core (modeling_bert.py, eager attention): softmax(q k^T / sqrt(d)) v per sequence
// and head, over each sequence's true length (no padding, so no mask), and its naive reference.
//
// Shapes: qkv (T, 3 * H * d) row-major, per token the query, key and value, head h at columns
// h*d ..< (h+1)*d of each; output (T, H * d). One task per sequence (its rows read once, in order, into every
// head's packed operands) or, when one sequence outweighs the others, per (sequence, head); each head's arithmetic is
// the same either way and writes only its own output columns, so results depend neither on the thread count nor on
// the split. Per head, two small GEMMs on the context's micro-kernel (`KernelSet.gemm`, MR x NR tile, the one the
// dense layers use):
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
    let split = attentionSplit(sequences: sequences, heads: heads, headDim: headDim, context: context)
    let runner = context.with(threads: split.threads), perSequence = split.perSequence
    (bias?.values ?? []).withUnsafeBufferPointer { biasValues in
        // The head's bias for key - query = 0 (its row is indexed by key - query).
        let biasCenters = (0..<heads).map { head in
            bias.map { biasValues.baseAddress! + head * (2 * $0.maxDistance + 1) + $0.maxDistance }
        }
        runner.parallelFor(perSequence ? sequences.count : sequences.count * heads) { task in
            attention(
                qkv: qkv, sequence: sequences[perSequence ? task : task / heads],
                heads: perSequence ? 0..<heads : (task % heads)..<(task % heads + 1), of: heads, headDim: headDim,
                biasCenters: biasCenters, output: output, kernel: kernel)
        }
    }
}

/// How `multiHeadAttention` splits its work on `context`: on how many threads, and whether one task takes a
/// sequence (all its heads) or a (sequence, head).
package func attentionSplit(
    sequences: [Range<Int>], heads: Int, headDim: Int, context: ComputeContext
) -> (threads: Int, perSequence: Bool) {
    // A short query's attention (11 tokens: 46,464 multiply-adds in q k^T) is done in microseconds: split over
    // threads, the loop's start and the other core's rows cost more (a MiniLM bfloat16 query on 2 threads: 1.53 ms
    // with attention split, 1.38 with it on one thread; BENCHMARKS.md, "bfloat16 on two threads").
    let squares = sequences.map { $0.count * $0.count }, total = squares.reduce(0, +)
    let threads = total * heads * headDim <= ComputeContext.serialAttentionLimit ? 1 : context.threads
    // One task per sequence when that keeps the threads balanced: the largest sequence's work at most half a
    // thread's share (always on one thread). Else one per (sequence, head), as a batch of one long text and a few
    // short ones needs.
    return (threads, threads == 1 || (squares.max() ?? 0) * 2 * threads <= total)
}

/// Heads `heads` (of `count`) of one sequence of `multiHeadAttention`: the sequence's rows of qkv read once, in
/// order, into each head's packed operands, then each head's products. `biasCenters[h][k - q]` is head h's bias for
/// query q and key k.
///
/// Why in order: a head's query, key and value are 3 x 32 floats of each 1,152-float row (MiniLM), so packing one
/// head at a time read a few cache lines from every row, 4.6 KB apart, and a batch's QKV output (7.6 MB for 32
/// paragraphs) is not in L2: perf put that packing at 7.7 % of MiniLM's int8 time (1 thread), waiting on loads. Read
/// row by row, the lines stream in (BENCHMARKS.md, "Attention's operands packed row by row").
func attention(
    qkv: UnsafePointer<Float>, sequence: Range<Int>, heads: Range<Int>, of count: Int, headDim d: Int,
    biasCenters: [UnsafePointer<Float>?], output: UnsafeMutablePointer<Float>, kernel: GemmKernel
) {
    let length = sequence.count
    guard length > 0, d > 0, !heads.isEmpty else { return }
    let hidden = count * d, stride = 3 * hidden
    let shape = AttentionShape(length: length, headDim: d, kernel: kernel)
    let bytes = heads.count * shape.operandBytes + shape.workBytes
    ThreadScratch.with(bytes: bytes) { scratch in
        let operands = scratch.floats(heads.count * shape.operandBytes / MemoryLayout<Float>.stride)
        let work = AttentionWork(shape, kernel: kernel, scratch: &scratch)
        let perHead = shape.operandBytes / MemoryLayout<Float>.stride
        for h in 0..<heads.count { PackedHeadOperands(shape, at: operands + h * perHead).clearPadding() }
        let base = qkv + sequence.lowerBound * stride
        for j in 0..<length {  // in address order: the row's queries, keys, values, each head by head
            for part in 0..<3 {
                for (h, head) in heads.enumerated() {
                    PackedHeadOperands(shape, at: operands + h * perHead).pack(
                        token: j, part: part, from: base + j * stride + part * hidden + head * d)
                }
            }
        }
        for (h, head) in heads.enumerated() {
            work.attend(
                PackedHeadOperands(shape, at: operands + h * perHead), biasCenter: biasCenters[head],
                output: output + sequence.lowerBound * hidden + head * d, outputStride: hidden)
        }
    }
}

/// The padded sizes of one (sequence, head)'s operands for the micro-kernel's MR x NR tile.
struct AttentionShape {
    let length: Int, depth: Int
    /// 1 / sqrt(d), applied to the queries as they are packed.
    let scale: Float
    let mr: Int, nr: Int, splat: Int
    /// Queries padded to whole micro-panels; keys padded to whole panels (score columns); value columns likewise.
    let rows: Int, keys: Int, outColumns: Int
    /// Floats of the packed operands: q (rows/MR) x (d, MR, splat), k (keys/NR) x (d, NR), v (outColumns/NR) x
    /// (L, NR); and of the work areas: p (rows/MR) x (L, MR, splat), one micro-panel's scores (MR, keys), its
    /// output tile (MR, outColumns) and the 1/sums of its rows (MR).
    let q: Int, k: Int, v: Int, p: Int, scores: Int, tile: Int, inverses: Int

    init(length: Int, headDim d: Int, kernel: GemmKernel) {
        self.length = length
        depth = d
        scale = 1 / Float(d).squareRoot()
        (mr, nr, splat) = (kernel.rows, kernel.columns, kernel.splat)
        rows = (length + mr - 1) / mr * mr
        keys = (length + nr - 1) / nr * nr
        outColumns = (d + nr - 1) / nr * nr
        (q, k, v) = (rows * splat * d, keys * d, length * outColumns)
        (p, scores, tile, inverses) = (rows * splat * length, mr * keys, mr * outColumns, mr)
    }

    /// Scratch bytes of one head's packed operands (q, k, v in order, each 64-byte aligned).
    var operandBytes: Int {
        ThreadScratch.bytes(floats: q) + ThreadScratch.bytes(floats: k) + ThreadScratch.bytes(floats: v)
    }

    /// Scratch bytes of the work areas a head's products use (reused by every head of a task).
    var workBytes: Int {
        ThreadScratch.bytes(floats: p) + ThreadScratch.bytes(floats: scores) + ThreadScratch.bytes(floats: tile)
            + ThreadScratch.bytes(floats: inverses)
    }
}

/// One (sequence, head)'s operands packed for the micro-kernel: Q in (d, MR, splat) micro-panels scaled by
/// 1/sqrt(d) (so the product gives the scaled scores), K in (d, NR) panels, V in (L, NR) panels; zero past L.
struct PackedHeadOperands {
    let shape: AttentionShape
    let q: UnsafeMutablePointer<Float>, k: UnsafeMutablePointer<Float>, v: UnsafeMutablePointer<Float>

    /// The operands laid out from `base` (`shape.operandBytes` bytes, 64-byte aligned).
    init(_ shape: AttentionShape, at base: UnsafeMutablePointer<Float>) {
        self.shape = shape
        q = base
        k = q + ThreadScratch.bytes(floats: shape.q) / MemoryLayout<Float>.stride
        v = k + ThreadScratch.bytes(floats: shape.k) / MemoryLayout<Float>.stride
    }

    /// Zeroes what no token fills: query rows past L, the last key panel, value columns past d.
    func clearPadding() {
        let s = shape
        for row in s.length..<s.rows {
            packPanelRow(nil, row: row, depth: s.depth, mr: s.mr, splat: s.splat, scale: 0, into: q)
        }
        let filled = s.length / s.nr * s.nr * s.depth
        (k + filled).initialize(repeating: 0, count: s.k - filled)
        if s.outColumns > s.depth { v.initialize(repeating: 0, count: s.v) }
    }

    /// Packs token `j`'s query (`part` 0), key (1) or value (2): `depth` floats at `source`.
    @inline(__always)
    func pack(token j: Int, part: Int, from source: UnsafePointer<Float>) {
        let s = shape, d = s.depth
        switch part {
        case 0: packPanelRow(source, row: j, depth: d, mr: s.mr, splat: s.splat, scale: s.scale, into: q)
        case 1: scatter(source, count: d, to: k + (j / s.nr) * s.nr * d + j % s.nr, step: s.nr, scale: 1)
        default:
            for panel in 0..<(s.outColumns / s.nr) {
                let c0 = panel * s.nr, width = min(s.nr, d - c0)
                let from = source + c0, target = v + panel * s.nr * s.length + j * s.nr
                if width == 16 {
                    let raw = UnsafeRawPointer(from), to = UnsafeMutableRawPointer(target)
                    to.storeBytes(of: raw.loadUnaligned(as: SIMD8<Float>.self), as: SIMD8<Float>.self)
                    to.storeBytes(
                        of: raw.loadUnaligned(fromByteOffset: 32, as: SIMD8<Float>.self), toByteOffset: 32,
                        as: SIMD8<Float>.self)
                } else {
                    for c in 0..<width { target[c] = from[c] }
                }
            }
        }
    }
}

/// The work areas of a head's products (scores, weights, output tile), shared by the heads of a task.
struct AttentionWork {
    let shape: AttentionShape
    let p: UnsafeMutablePointer<Float>, scores: UnsafeMutablePointer<Float>, tile: UnsafeMutablePointer<Float>
    let inverses: UnsafeMutablePointer<Float>
    let kernel: GemmKernel

    init(_ shape: AttentionShape, kernel: GemmKernel, scratch: inout ScratchRegions) {
        self.shape = shape
        self.kernel = kernel
        p = scratch.floats(shape.p)
        scores = scratch.floats(shape.scores)
        tile = scratch.floats(shape.tile)
        inverses = scratch.floats(shape.inverses)
    }

    /// softmax(Q K^T + bias) V of packed `operands`, row i written to output + i * outputStride (d floats).
    /// Per micro-panel of MR queries: its scores against every key panel; per query row the bias, then the
    /// softmax's weights straight into (L, MR) micro-panels, the A operand of the second product; P V; each row
    /// divided by its sum.
    func attend(
        _ operands: PackedHeadOperands, biasCenter: UnsafePointer<Float>?, output: UnsafeMutablePointer<Float>,
        outputStride: Int
    ) {
        let s = shape, d = s.depth, length = s.length
        let (mr, nr) = (s.mr, s.nr)
        if s.rows > length {  // rows past the length, in the last micro-panel, are zero
            let last = p + (s.rows / mr - 1) * mr * s.splat * length
            for j in 0..<length {
                for r in (length - (s.rows - mr))..<mr {
                    for t in 0..<s.splat { last[(j * mr + r) * s.splat + t] = 0 }
                }
            }
        }
        let panelStride = mr * s.splat
        for i in 0..<(s.rows / mr) {
            let qPanel = operands.q + i * panelStride * d, pPanel = p + i * panelStride * length
            for panel in 0..<(s.keys / nr) {
                kernel.function(qPanel, operands.k + panel * nr * d, d, scores + panel * nr, s.keys, false)
            }
            for r in 0..<min(mr, length - i * mr) {
                if let biasCenter { addBias(biasCenter - (i * mr + r), to: scores + r * s.keys, count: length) }
                inverses[r] = softmaxRow(
                    scores + r * s.keys, length: length, into: pPanel + r * s.splat, stride: panelStride,
                    splat: s.splat)
            }
            for panel in 0..<(s.outColumns / nr) {
                kernel.function(
                    pPanel, operands.v + panel * nr * length, length, tile + panel * nr, s.outColumns, false)
            }
            for r in 0..<min(mr, length - i * mr) {
                let out = output + (i * mr + r) * outputStride, row = tile + r * s.outColumns
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
