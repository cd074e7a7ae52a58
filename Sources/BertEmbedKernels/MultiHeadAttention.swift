// BertSelfAttention's core (modeling_bert.py, eager attention): softmax(q k^T / sqrt(d)) v per sequence
// and head, over each sequence's true length (no padding, so no mask), and its naive reference.
//
// Shapes: qkv (T, 3 * H * d) row-major, per token the query, key and value, head h at columns
// h*d ..< (h+1)*d of each; output (T, H * d). One task per (sequence, head), each writing only its own
// output columns, so results do not depend on the thread count. Per task: K^T is packed (d, L8) with
// L8 = L rounded up to 8; scores for 4 queries x 8 keys at a time; softmax max-subtracted with the
// vector exp; out = (sum_j p_j v_j) / sum_j p_j, vectorized over d.

/// Multi-head self-attention over sequences of true length (no padding, no mask needed).
///
/// qkv (T, 3 * heads * headDim) row-major: per token, the query, then the key, then the value,
/// each `heads * headDim` wide with head h at columns h*headDim ..< (h+1)*headDim.
/// `sequences` partitions 0..<T into the token rows of each sequence.
/// output (T, heads * headDim): softmax(q k^T / sqrt(headDim)) v per sequence and head.
package func multiHeadAttention(
    qkv: UnsafePointer<Float>, tokens: Int, sequences: [Range<Int>], heads: Int, headDim: Int,
    output: UnsafeMutablePointer<Float>, context: ComputeContext
) {
    for sequence in sequences { precondition(sequence.lowerBound >= 0 && sequence.upperBound <= tokens) }
    context.parallelFor(sequences.count * heads) { task in
        attentionHead(
            qkv: qkv, sequence: sequences[task / heads], head: task % heads, heads: heads, headDim: headDim,
            output: output)
    }
}

/// One (sequence, head) of `multiHeadAttention`.
func attentionHead(
    qkv: UnsafePointer<Float>, sequence: Range<Int>, head: Int, heads: Int, headDim d: Int,
    output: UnsafeMutablePointer<Float>
) {
    typealias V = SIMD8<Float>
    let length = sequence.count
    guard length > 0, d > 0 else { return }
    let hidden = heads * d, stride = 3 * hidden
    let padded = (length + 7) / 8 * 8
    let scale = 1 / Float(d).squareRoot()
    let base = qkv + sequence.lowerBound * stride + head * d
    // K^T (d, padded), zero past the length.
    let keys = UnsafeMutablePointer<Float>.allocate(capacity: d * padded)
    let scores = UnsafeMutablePointer<Float>.allocate(capacity: 4 * padded)
    defer { keys.deallocate(); scores.deallocate() }
    keys.initialize(repeating: 0, count: d * padded)
    for j in 0..<length {
        var source = base + j * stride + hidden, target = keys + j
        for _ in 0..<d {
            target.pointee = source.pointee
            source += 1
            target += padded
        }
    }
    // Lanes of the last key block past the length get -inf scores (so softmax weight 0), in registers.
    var lanes = SIMD8<Int32>()
    for l in 0..<8 { lanes[l] = Int32(l) }
    let pastEnd = lanes .>= Int32(length - (padded - 8))
    let minusInfinity = V(repeating: -.infinity)
    let keysRaw = UnsafeRawPointer(keys), scoresRaw = UnsafeMutableRawPointer(scores)
    var i0 = 0
    while i0 < length {
        let count = min(4, length - i0)
        // Scores of queries i0 ..< i0 + count (missing ones repeat the last and are ignored).
        let q0 = base + i0 * stride, q1 = base + (i0 + min(1, count - 1)) * stride
        let q2 = base + (i0 + min(2, count - 1)) * stride, q3 = base + (i0 + min(3, count - 1)) * stride
        var jb = 0
        while jb < padded {
            var s0 = V(), s1 = V(), s2 = V(), s3 = V()
            for c in 0..<d {
                let k = keysRaw.loadUnaligned(fromByteOffset: (c * padded + jb) * 4, as: V.self)
                s0 += V(repeating: q0[c]) * k
                s1 += V(repeating: q1[c]) * k
                s2 += V(repeating: q2[c]) * k
                s3 += V(repeating: q3[c]) * k
            }
            s0 *= scale; s1 *= scale; s2 *= scale; s3 *= scale
            if jb + 8 == padded {
                s0 = VectorMath.select(pastEnd, minusInfinity, else: s0)
                s1 = VectorMath.select(pastEnd, minusInfinity, else: s1)
                s2 = VectorMath.select(pastEnd, minusInfinity, else: s2)
                s3 = VectorMath.select(pastEnd, minusInfinity, else: s3)
            }
            scoresRaw.storeBytes(of: s0, toByteOffset: jb * 4, as: V.self)
            scoresRaw.storeBytes(of: s1, toByteOffset: (padded + jb) * 4, as: V.self)
            scoresRaw.storeBytes(of: s2, toByteOffset: (2 * padded + jb) * 4, as: V.self)
            scoresRaw.storeBytes(of: s3, toByteOffset: (3 * padded + jb) * 4, as: V.self)
            jb += 8
        }
        for q in 0..<count {
            let row = scores + q * padded
            softmaxTimesValues(
                row, padded: padded, length: length, values: base + 2 * hidden, stride: stride, headDim: d,
                output: output + (sequence.lowerBound + i0 + q) * hidden + head * d)
        }
        i0 += 4
    }
}

/// out (d) = softmax(scores) . values: scores (padded, -inf past length, overwritten), values rows of d at `stride`.
@inline(__always)
func softmaxTimesValues(
    _ scores: UnsafeMutablePointer<Float>, padded: Int, length: Int, values: UnsafePointer<Float>,
    stride: Int, headDim d: Int, output: UnsafeMutablePointer<Float>
) {
    typealias V = SIMD8<Float>
    let raw = UnsafeMutableRawPointer(scores)
    var maxima = V(repeating: -Float.infinity)
    for jb in Swift.stride(from: 0, to: padded, by: 8) {
        let s = raw.loadUnaligned(fromByteOffset: jb * 4, as: V.self)
        maxima = VectorMath.select(s .> maxima, s, else: maxima)
    }
    let maximum = maxima.max()
    var sums = V()
    for jb in Swift.stride(from: 0, to: padded, by: 8) {
        let p = VectorMath.exp(raw.loadUnaligned(fromByteOffset: jb * 4, as: V.self) - maximum)
        raw.storeBytes(of: p, toByteOffset: jb * 4, as: V.self)
        sums += p
    }
    let inverse = 1 / sums.sum()
    var c0 = 0
    while c0 + 32 <= d {
        var a0 = V(), a1 = V(), a2 = V(), a3 = V()
        for j in 0..<length {
            let p = V(repeating: scores[j])
            let v = UnsafeRawPointer(values + j * stride + c0)
            a0 += p * v.loadUnaligned(as: V.self)
            a1 += p * v.loadUnaligned(fromByteOffset: 32, as: V.self)
            a2 += p * v.loadUnaligned(fromByteOffset: 64, as: V.self)
            a3 += p * v.loadUnaligned(fromByteOffset: 96, as: V.self)
        }
        let out = UnsafeMutableRawPointer(output + c0)
        out.storeBytes(of: a0 * inverse, as: V.self)
        out.storeBytes(of: a1 * inverse, toByteOffset: 32, as: V.self)
        out.storeBytes(of: a2 * inverse, toByteOffset: 64, as: V.self)
        out.storeBytes(of: a3 * inverse, toByteOffset: 96, as: V.self)
        c0 += 32
    }
    while c0 + 8 <= d {
        var a0 = V()
        for j in 0..<length {
            a0 += V(repeating: scores[j]) * UnsafeRawPointer(values + j * stride + c0).loadUnaligned(as: V.self)
        }
        UnsafeMutableRawPointer(output + c0).storeBytes(of: a0 * inverse, as: V.self)
        c0 += 8
    }
    for c in c0..<d {
        var a: Float = 0
        for j in 0..<length { a += scores[j] * values[j * stride + c] }
        output[c] = a * inverse
    }
}

/// Reference: `multiHeadAttention` one query at a time in Double (same shapes).
package func multiHeadAttentionReference(
    qkv: UnsafePointer<Float>, tokens: Int, sequences: [Range<Int>], heads: Int, headDim: Int,
    output: UnsafeMutablePointer<Float>
) {
    let hidden = heads * headDim
    let scale = 1 / Double(headDim).squareRoot()
    for sequence in sequences {
        for h in 0..<heads {
            for i in sequence {
                let q = qkv + i * 3 * hidden + h * headDim
                var scores = sequence.map { j -> Double in
                    let k = qkv + j * 3 * hidden + hidden + h * headDim
                    return (0..<headDim).reduce(0.0) { $0 + Double(q[$1]) * Double(k[$1]) } * scale
                }
                let m = scores.max() ?? 0
                scores = scores.map { libmExp($0 - m) }
                let sum = scores.reduce(0, +)
                for c in 0..<headDim {
                    var acc = 0.0
                    for (jj, j) in sequence.enumerated() { acc += scores[jj] * Double(qkv[j * 3 * hidden + 2 * hidden + h * headDim + c]) }
                    output[i * hidden + h * headDim + c] = Float(acc / sum)
                }
            }
        }
    }
}
