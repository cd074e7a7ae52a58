// The bfloat16 layers' tile kernel on CPUs with AMX-BF16 (Sapphire Rapids and later): the products of a dense layer
// as tdpbf16ps tile instructions (CodeGeneration/BF16TileJIT.swift), each of which multiplies 16 rows by 32 inputs by
// 16 columns, 8,192 multiply-adds of bfloat16 pairs summed in float32 (the AVX-512 float32 kernel's vfmadd231ps does
// 16). The weights are the bfloat16 type's own. The inputs are float32, and one bfloat16 each is not enough: rounding
// them too cost all-mpnet-base-v2 a min cosine of 0.99950 on the goldens' longest text (the bound is 0.9998; weights
// alone 0.99987; Scripts/int8_study.py's bf16-both and bf16-weights). So each input x is split into two bfloat16,
// hi = x rounded and lo = (x - hi) rounded (x - hi is exact in float32), 16 significant bits between them, and the
// kernel multiplies both by the weights: twice the tile products, and the layer computes the rounded weights times
// the inputs to about 2^-17 of each (a remainder's own rounding), as the widening path nearly does.
//
// Layouts (bfloat16 values as UInt16; K is padded with zeros to whole steps of 32 inputs):
// - weights, per panel of 32 output features, per step of 32 inputs, per half of 16 features: one 1 KB tile of 16
//   rows of 64 bytes, row p holding for each feature j of the half the pair (W[j, 32 s + 2p], W[j, 32 s + 2p + 1])
//   (the interleaved rows tdpbf16ps reads for its right-hand operand). A panel is `steps` x 2 KB.
// - inputs, per group of 32 rows, per step: the hi tiles of rows 0-15 and 16-31, then the lo tiles of the same rows,
//   1 KB each: 16 rows of 64 bytes, the step's 32 values of a row. A group is `steps` x 4 KB (rows past the input's
//   are zero).
// - the kernel computes, for up to 32 rows (one group) and a run of panels, c[r][32 q + j] = the sum over k of
//   (hi + lo)[r][k] x weight[32 q + j][k] in float32, per step the hi tile's products then the lo tile's, one
//   tdpbf16ps after another, so the bits do not depend on threads or task split and are the same on every run.
//   Within one instruction the SDM defines the sum as each pair of products added in turn to a float32 running sum
//   (denormal operands read as zero, denormal sums flushed); Sapphire Rapids does not sum in that order (measured:
//   about 70 % of sums over 384 inputs differ from it in the last bits, and it matches neither a rounding per pair
//   nor one per instruction), so the tests hold the kernel to the exact sum of its operands (`reference`) within
//   float32's summation error instead.

/// A generated AMX-BF16 kernel for bfloat16 layers (file comment): rows x panels of 32 columns over K.
package struct BF16TileKernel: Sendable, CustomStringConvertible {
    /// Rows of one call at most, columns of one weight panel, inputs of one step.
    package static let groupRows = 32, panelColumns = 32, stepDepth = 32
    /// Bytes of one step of a weight panel (two 1 KB tiles) and of an input group (four).
    package static let weightStepBytes = 2048, inputStepBytes = 4096

    /// (call): runs the call block `call` points at (`Call`).
    package typealias Function = @convention(c) (UnsafeRawPointer) -> Void

    /// (source, target, steps): splits `steps` x 32 inputs from source into the hi and lo rows of that many steps
    /// from target (a row of an input group's first step), as `split` does but for denormals (`BF16TileJIT`).
    package typealias SplitFunction = @convention(c) (UnsafePointer<Float>, UnsafeMutablePointer<UInt16>, Int) -> Void

    /// Name, e.g. "32x32-bf16-amx-jit".
    package let name: String

    /// The program for a group of up to 16 rows (one row of tiles) and for 17 ... 32 rows (two).
    let oneTileRow: Function, twoTileRows: Function
    /// The generated splitting of full steps of inputs (AVX512-BF16), or nil: `split`, compiled.
    package let splitSteps: SplitFunction?

    /// The name.
    package var description: String { name }

    /// Whether Linux lets this process run tile instructions: asked once per process, the first time (the grant is
    /// permanent: `BF16TileJIT`'s file comment). Check before packing a layer for the kernel.
    package var isGranted: Bool { BF16TileJIT.permission }

    /// The call block the kernel reads (64-byte aligned): bytes 0-63 the tile configuration (ldtilecfg's: palette 1,
    /// each tile's bytes per row at 16 + 2 t, its rows at 48 + t), then 8-byte fields at these offsets.
    package enum Call {
        /// The input group (`steps` x 4 KB).
        static let inputs = 64
        /// The first weight panel (the run's panels follow each other).
        static let weights = 72
        /// Steps of 32 inputs (>= 1).
        static let steps = 80
        /// The output: row r, column j at output + r * rowBytes + 4 j.
        static let output = 88
        /// Bytes between output rows.
        static let rowBytes = 96
        /// Panels of the run (>= 1).
        static let panels = 104
        /// The block's size.
        static let bytes = 128
    }

    /// Steps of 32 over `inFeatures` inputs (at least one, so that an empty K still has a tile of zeros).
    package static func steps(_ inFeatures: Int) -> Int { max(1, (inFeatures + stepDepth - 1) / stepDepth) }

    /// Runs the kernel on `rows` (1 ... 32) rows of the input group at `inputs` times `panels` weight panels from
    /// `weights`, `steps` steps each, into `output` (row stride `rowBytes`), over every column of each panel.
    package func run(
        rows: Int, inputs: UnsafeRawPointer, weights: UnsafeRawPointer, steps: Int, panels: Int,
        output: UnsafeMutableRawPointer, rowBytes: Int
    ) {
        precondition((1...Self.groupRows).contains(rows) && steps >= 1 && panels >= 1)
        withUnsafeTemporaryAllocation(byteCount: Call.bytes, alignment: 64) { call in
            call.initializeMemory(as: UInt8.self, repeating: 0)
            // Tiles: c00 c01 c10 c11 (0-3) rows x 64 bytes, a0 a1 (4, 5) rows x 64 bytes, b0 b1 (6, 7) 16 x 64 bytes.
            let first = min(rows, 16), second = rows - first
            call[0] = 1  // palette 1
            for (tile, count) in [first, first, second, second, first, second, 16, 16].enumerated() where count > 0 {
                call.storeBytes(of: UInt16(64), toByteOffset: 16 + 2 * tile, as: UInt16.self)
                call[48 + tile] = UInt8(count)
            }
            call.storeBytes(of: inputs, toByteOffset: Call.inputs, as: UnsafeRawPointer.self)
            call.storeBytes(of: weights, toByteOffset: Call.weights, as: UnsafeRawPointer.self)
            call.storeBytes(of: steps, toByteOffset: Call.steps, as: Int.self)
            call.storeBytes(of: output, toByteOffset: Call.output, as: UnsafeMutableRawPointer.self)
            call.storeBytes(of: rowBytes, toByteOffset: Call.rowBytes, as: Int.self)
            call.storeBytes(of: panels, toByteOffset: Call.panels, as: Int.self)
            (rows > 16 ? twoTileRows : oneTileRow)(UnsafeRawPointer(call.baseAddress!))
        }
    }

    /// Packs `rows` (<= 32) rows of `inFeatures` inputs (row r at source + r * stride) into an input group at `target`
    /// (`steps(inFeatures)` x 4 KB; zero past K), split into hi and lo (`split`). The tile rows past `rows` are not
    /// written: `run` with the same `rows` configures its tiles to that many rows and never loads them (an 11-token
    /// query's group has 21 such rows).
    package func packInputs(
        _ source: UnsafePointer<Float>, rows: Int, stride: Int, inFeatures: Int,
        into target: UnsafeMutablePointer<UInt16>
    ) {
        precondition((0...Self.groupRows).contains(rows))
        let steps = Self.steps(inFeatures)
        for r in 0..<rows {
            let tileRow = target + (r / 16) * 512 + (r % 16) * 32  // in UInt16: a tile is 512, a row 32
            var first = 0
            if let splitSteps {  // the row's full steps, generated
                first = inFeatures / Self.stepDepth
                splitSteps(source + r * stride, tileRow, first)
            }
            for s in first..<steps {
                let hi = tileRow + s * 2048, lo = hi + 1024, k0 = s * Self.stepDepth
                let count = min(Self.stepDepth, inFeatures - k0)
                let from = source + r * stride + k0
                for i in 0..<count { (hi[i], lo[i]) = Self.split(from[i]) }  // branch-free: the compiler vectorizes it
                for i in max(0, count)..<Self.stepDepth { (hi[i], lo[i]) = (0, 0) }
            }
        }
    }

    /// `x` as hi + lo: hi is x rounded to bfloat16 (nearest, ties to even), lo the remainder x - hi (exact in float32)
    /// rounded; lo is zero where hi is not finite (an infinity or NaN stays hi's alone).
    @inline(__always)
    package static func split(_ x: Float) -> (hi: UInt16, lo: UInt16) {
        // BFloat16.rounding's arithmetic without branches (selects), kept in the top half.
        let bits = x.bitPattern
        let isNaN = bits & 0x7FFF_FFFF > 0x7F80_0000
        let high = (isNaN ? bits | 0x0040_0000 : bits &+ 0x7FFF &+ ((bits >> 16) & 1)) & 0xFFFF_0000
        let finite = high & 0x7F80_0000 != 0x7F80_0000
        let remainder = (x - Float(bitPattern: high)).bitPattern
        let low = finite ? (remainder &+ 0x7FFF &+ ((remainder >> 16) & 1)) >> 16 : 0
        return (UInt16(truncatingIfNeeded: high >> 16), UInt16(truncatingIfNeeded: low))
    }

    /// Stores a float32 panel (`WeightPacking.packPanel` with 32 columns: value (k, j) at k * 32 + j) of
    /// `inFeatures` rows as a bfloat16 weight panel at `target` (`steps(inFeatures)` x 2 KB, zero past K).
    package static func packWeights(
        panel: UnsafePointer<Float>, inFeatures: Int, into target: UnsafeMutablePointer<UInt16>
    ) {
        for s in 0..<steps(inFeatures) {
            for half in 0..<2 {
                let tile = target + (2 * s + half) * 512
                for p in 0..<16 {
                    for j in 0..<16 {
                        for e in 0..<2 {
                            let k = s * stepDepth + 2 * p + e
                            tile[p * 32 + 2 * j + e] =
                                k < inFeatures ? BFloat16.rounding(panel[k * panelColumns + half * 16 + j]) : 0
                        }
                    }
                }
            }
        }
    }

    /// The exact sum of the rounded operands (float64; denormal operands read as zero) and the sum of the products'
    /// magnitudes (for an error bound), one output at a time, on the packed operands: `rows` rows, `panels` panels.
    package static func reference(
        rows: Int, inputs: UnsafePointer<UInt16>, weights: UnsafePointer<UInt16>, steps: Int, panels: Int
    ) -> [(sum: Double, magnitude: Double)] {
        func value(_ bits: UInt16) -> Double { bits & 0x7F80 == 0 ? 0 : Double(BFloat16.widening(bits)) }
        var result: [(sum: Double, magnitude: Double)] = []
        for r in 0..<rows {
            for column in 0..<(panels * panelColumns) {
                let q = column / panelColumns, j = column % panelColumns
                var sum = 0.0, magnitude = 0.0
                for s in 0..<steps {
                    let hi = inputs + s * 2048 + (r / 16) * 512 + (r % 16) * 32
                    let b = weights + (q * steps + s) * 1024 + (j / 16) * 512 + 2 * (j % 16)
                    for a in [hi, hi + 1024] {
                        for p in 0..<16 {
                            for e in 0..<2 {
                                let product = value(a[2 * p + e]) * value(b[32 * p + e])
                                sum += product
                                magnitude += abs(product)
                            }
                        }
                    }
                }
                result.append((sum, magnitude))
            }
        }
        return result
    }
}
