// Packing an nn.Linear weight into the GEMM's panels, once at load, straight from where its rows lie (the
// memory-mapped checkpoint, or an array), and the naive reference the fast path is tested against.
//
// Shapes: source rows W[o, 0..<inFeatures] for o in 0..<outFeatures, Float32 in native byte order at any
// alignment; target (panels, inFeatures, columns) with panels = ceil(outFeatures / columns):
// target[p, k, j] = W[p * columns + j, k], zero where p * columns + j >= outFeatures.
// The fast path moves 8 x 8 blocks: the next 8 values of 8 rows are loaded as vectors (each source cache line
// is read whole and in order while it is in L1), transposed in registers by three perfect unshuffles, and
// stored as 8 runs of 8 floats; for one k block the panel's groups of 8 rows follow one another, so each
// (k, columns) row of the panel is written whole. The ragged edges (k past the last multiple of 8, a group of
// fewer than 8 rows) are copied one value at a time. Packing only moves bits: the result is bit-identical
// to the reference whatever the path or the split of panels between threads.

/// The rows of a weight (outFeatures, inFeatures) where they lie in memory: row-major blocks of Float32 in
/// native byte order at any alignment, stacked along the output features (the fused q|k|v weight is three
/// blocks). The pointers are only read, and must stay valid while the rows are packed.
package struct WeightRows {
    /// The blocks in output-feature order: `rows` rows of `inFeatures` values each, starting at `base`.
    package let blocks: [(base: UnsafeRawPointer, rows: Int)]
    /// Values per row.
    package let inFeatures: Int
    /// Rows in all (the sum of the blocks' rows).
    package let outFeatures: Int

    /// Rows stacked from `blocks` (each `rows` x `inFeatures`).
    package init(blocks: [(base: UnsafeRawPointer, rows: Int)], inFeatures: Int) {
        precondition(inFeatures >= 0 && blocks.allSatisfy { $0.rows >= 0 })
        self.blocks = blocks
        self.inFeatures = inFeatures
        self.outFeatures = blocks.reduce(0) { $0 + $1.rows }
    }

    /// The first byte of row `o` (0 <= o < outFeatures).
    func row(_ o: Int) -> UnsafeRawPointer {
        var first = 0
        for block in blocks {
            if o < first + block.rows { return block.base + (o - first) * inFeatures * 4 }
            first += block.rows
        }
        preconditionFailure("row \(o) of \(outFeatures)")
    }
}

/// The weight packing of `PackedLinear` (layout in the file comment).
package enum WeightPacking {
    /// Fills panels `panels` of `target`, the whole packed weight (ceil(outFeatures / columns) panels of
    /// inFeatures x columns floats), from `rows`. Disjoint panel ranges may be packed concurrently.
    package static func pack(
        _ rows: WeightRows, columns: Int, panels: Range<Int>, into target: UnsafeMutablePointer<Float>
    ) {
        for p in panels { packPanel(rows, columns: columns, panel: p, into: target + p * columns * rows.inFeatures) }
    }

    /// Fills `panel`, the inFeatures x columns floats of panel `p` alone, from `rows`.
    package static func packPanel(
        _ rows: WeightRows, columns: Int, panel p: Int, into panel: UnsafeMutablePointer<Float>
    ) {
        let n = rows.outFeatures, k = rows.inFeatures, nr = columns
        let vectorK = k - k % 8
        // The panel's rows that exist (the last panel may have fewer than nr; the rest of it is zero).
        let sources = (p * nr..<min(n, p * nr + nr)).map { rows.row($0) }
        let groups = sources.count / 8
        sources.withUnsafeBufferPointer { sources in
            for k0 in stride(from: 0, to: vectorK, by: 8) {
                for g in 0..<groups {
                    transposeBlock(sources, firstRow: 8 * g, at: k0, into: panel + k0 * nr + 8 * g, stride: nr)
                }
            }
        }
        for j in 0..<nr {
            guard j < sources.count else {
                for kk in 0..<k { panel[kk * nr + j] = 0 }
                continue
            }
            for kk in (j < 8 * groups ? vectorK : 0)..<k {
                panel[kk * nr + j] = sources[j].loadUnaligned(fromByteOffset: 4 * kk, as: Float.self)
            }
        }
    }

    /// Values k0 ..< k0 + 8 of rows `firstRow` ..< firstRow + 8, stored transposed: value k0 + l of row
    /// firstRow + i goes to target[l * stride + i].
    @inline(__always)
    private static func transposeBlock(
        _ sources: UnsafeBufferPointer<UnsafeRawPointer>, firstRow: Int, at k0: Int,
        into target: UnsafeMutablePointer<Float>, stride: Int
    ) {
        @inline(__always) func load(_ i: Int) -> SIMD8<Float> {
            sources[firstRow + i].loadUnaligned(fromByteOffset: 4 * k0, as: SIMD8<Float>.self)
        }
        var block = Block8x8(load(0), load(1), load(2), load(3), load(4), load(5), load(6), load(7))
        block.unshuffle()
        block.unshuffle()
        block.unshuffle()
        let out = UnsafeMutableRawPointer(target), step = 4 * stride
        out.storeBytes(of: block.r0, toByteOffset: 0, as: SIMD8<Float>.self)
        out.storeBytes(of: block.r1, toByteOffset: step, as: SIMD8<Float>.self)
        out.storeBytes(of: block.r2, toByteOffset: 2 * step, as: SIMD8<Float>.self)
        out.storeBytes(of: block.r3, toByteOffset: 3 * step, as: SIMD8<Float>.self)
        out.storeBytes(of: block.r4, toByteOffset: 4 * step, as: SIMD8<Float>.self)
        out.storeBytes(of: block.r5, toByteOffset: 5 * step, as: SIMD8<Float>.self)
        out.storeBytes(of: block.r6, toByteOffset: 6 * step, as: SIMD8<Float>.self)
        out.storeBytes(of: block.r7, toByteOffset: 7 * step, as: SIMD8<Float>.self)
    }

    /// An 8 x 8 block in eight vectors. Read as 64 values in order (index 8 * vector + lane), one unshuffle
    /// moves the value at index i to (i & 1) * 32 + i / 2, a rotation of the 6-bit index by one; three rotate
    /// (row, column) to (column, row), i.e. transpose the block.
    private struct Block8x8 {
        var r0, r1, r2, r3, r4, r5, r6, r7: SIMD8<Float>

        init(
            _ r0: SIMD8<Float>, _ r1: SIMD8<Float>, _ r2: SIMD8<Float>, _ r3: SIMD8<Float>,
            _ r4: SIMD8<Float>, _ r5: SIMD8<Float>, _ r6: SIMD8<Float>, _ r7: SIMD8<Float>
        ) {
            (self.r0, self.r1, self.r2, self.r3, self.r4, self.r5, self.r6, self.r7) = (r0, r1, r2, r3, r4, r5, r6, r7)
        }

        /// Even-indexed values of the 64 first, odd-indexed after.
        @inline(__always)
        mutating func unshuffle() {
            let a0 = SIMD16(lowHalf: r0, highHalf: r1), a1 = SIMD16(lowHalf: r2, highHalf: r3)
            let a2 = SIMD16(lowHalf: r4, highHalf: r5), a3 = SIMD16(lowHalf: r6, highHalf: r7)
            (r0, r1, r2, r3) = (a0.evenHalf, a1.evenHalf, a2.evenHalf, a3.evenHalf)
            (r4, r5, r6, r7) = (a0.oddHalf, a1.oddHalf, a2.oddHalf, a3.oddHalf)
        }
    }

    /// Reference: the packed weight (layout in the file comment) of `weight` (outFeatures x inFeatures,
    /// row-major), one value at a time.
    package static func reference(weight: [Float], outFeatures: Int, inFeatures: Int, columns: Int) -> [Float] {
        precondition(weight.count == outFeatures * inFeatures)
        let panels = (outFeatures + columns - 1) / columns
        var packed = [Float](repeating: 0, count: panels * columns * inFeatures)
        for o in 0..<outFeatures {
            for k in 0..<inFeatures {
                packed[(o / columns) * columns * inFeatures + k * columns + o % columns] = weight[o * inFeatures + k]
            }
        }
        return packed
    }
}
