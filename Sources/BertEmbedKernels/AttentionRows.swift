// The row operations of `multiHeadAttention`: packing queries and keys into micro-panels, adding a position bias,
// and the softmax of one row of scores. Plain Swift SIMD with no platform import, so that
// Scripts/check_arm64_kernels.sh compiles this very file for arm64.

/// Packs `count` rows of `depth` values (row j at source + j * stride) into (depth, mr, splat)
/// micro-panels, `rows` / mr of them (rows a multiple of mr), multiplied by `scale`, zero past `count`.
func packPanels(
    _ source: UnsafePointer<Float>, count: Int, stride: Int, depth: Int, rows: Int, mr: Int, splat: Int,
    scale: Float, into target: UnsafeMutablePointer<Float>
) {
    for row in 0..<rows {
        packPanelRow(
            row < count ? source + row * stride : nil, row: row, depth: depth, mr: mr, splat: splat, scale: scale,
            into: target)
    }
}

/// Row `row` of `packPanels`' layout: `depth` values at `source` multiplied by `scale` (nil: zeros), each `splat`
/// times, into its micro-panel of `target`.
@inline(__always)
func packPanelRow(
    _ source: UnsafePointer<Float>?, row: Int, depth: Int, mr: Int, splat: Int, scale: Float,
    into target: UnsafeMutablePointer<Float>
) {
    let panelStride = mr * splat
    var to = target + (row / mr) * panelStride * depth + (row % mr) * splat
    guard let source else {
        for _ in 0..<depth {
            for s in 0..<splat { to[s] = 0 }
            to += panelStride
        }
        return
    }
    if splat == 1 {
        scatter(source, count: depth, to: to, step: panelStride, scale: scale)
        return
    }
    for c in 0..<depth {
        let value = source[c] * scale
        for s in 0..<splat { to[s] = value }
        to += panelStride
    }
}

/// to[i * step] = from[i] * scale for i in 0..<count: eight loads at once, so that a packing loop
/// requests the cache lines of several rows together (a load at a time, it waited on each row).
@inline(__always)
func scatter(_ from: UnsafePointer<Float>, count: Int, to: UnsafeMutablePointer<Float>, step: Int, scale: Float) {
    let raw = UnsafeRawPointer(from)
    var i = 0
    while i + 8 <= count {
        let v = raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self) * scale
        for l in 0..<8 { to[(i + l) * step] = v[l] }
        i += 8
    }
    while i < count {
        to[i * step] = from[i] * scale
        i += 1
    }
}

/// scores[j] += bias[j] for j in 0..<count.
@inline(__always)
func addBias(_ bias: UnsafePointer<Float>, to scores: UnsafeMutablePointer<Float>, count: Int) {
    let from = UnsafeRawPointer(bias), to = UnsafeMutableRawPointer(scores)
    var j = 0
    while j + 8 <= count {
        let sum =
            to.loadUnaligned(fromByteOffset: j * 4, as: SIMD8<Float>.self)
            + from.loadUnaligned(fromByteOffset: j * 4, as: SIMD8<Float>.self)
        to.storeBytes(of: sum, toByteOffset: j * 4, as: SIMD8<Float>.self)
        j += 8
    }
    while j < count {
        scores[j] += bias[j]
        j += 1
    }
}

/// Softmax of `scores` (length), written to target[j * stride + s] for
/// s < splat (a column of a packed micro-panel) without the normalization; returns 1 / sum.
@inline(__always)
func softmaxRow(
    _ scores: UnsafeMutablePointer<Float>, length: Int, into target: UnsafeMutablePointer<Float>,
    stride: Int, splat: Int
) -> Float {
    typealias V = SIMD8<Float>
    let raw = UnsafeMutableRawPointer(scores)
    let full = length / 8 * 8
    var maxima = V(repeating: -Float.infinity)
    var jb = 0
    while jb < full {
        let s = raw.loadUnaligned(fromByteOffset: jb * 4, as: V.self)
        maxima = VectorMath.select(s .> maxima, s, else: maxima)
        jb += 8
    }
    // The horizontal maximum by halving (SIMD's max() was an out-of-line call).
    let m4 = maxima.highHalf.replacing(with: maxima.lowHalf, where: maxima.lowHalf .> maxima.highHalf)
    let m2 = m4.lowHalf.replacing(with: m4.highHalf, where: m4.highHalf .> m4.lowHalf)
    var maximum = Swift.max(m2[0], m2[1])
    for j in full..<length { maximum = max(maximum, scores[j]) }
    var sums = V()
    jb = 0
    while jb < full {
        let e = VectorMath.exp(raw.loadUnaligned(fromByteOffset: jb * 4, as: V.self) - maximum)
        if splat == 1 {
            for l in 0..<8 { target[(jb + l) * stride] = e[l] }
        } else {
            for l in 0..<8 {
                for s in 0..<splat { target[(jb + l) * stride + s] = e[l] }
            }
        }
        sums += e
        jb += 8
    }
    var sum = sums.sum()
    if full < length {
        // The tail through one padded vector, so it gets exactly the vector exp.
        var tail = V(repeating: -Float.infinity)
        for l in 0..<(length - full) { tail[l] = scores[full + l] - maximum }
        let e = VectorMath.exp(tail)
        for l in 0..<(length - full) {
            for s in 0..<splat { target[(full + l) * stride + s] = e[l] }
            sum += e[l]
        }
    }
    return 1 / sum
}
