// The integer micro-kernel of int8 layers: int16 inputs times int8 weights, exact int32 sums per block of 16, scaled
// and summed in float32 (Int8Weights.swift gives the quantization and why; PackedLinear.swift the driver). Generated
// as AVX2 / AVX-512 code (CodeGeneration/Int8GemmJIT.swift) and as arm64 code (CodeGeneration/Int8GemmARM64JIT.swift);
// `reference`, `reference16`, `wideReference`, `splitReference` and `octetReference` are the same arithmetic one value
// at a time, which the tests hold the generated code to, bit for bit.
//
// Operands, for a tile of 6 rows by nr output features (8; 16 for the wide AVX2 kernel, 32 for the zmm one) over
// K = 16 * blocks inputs (K padded with zeros to whole blocks):
// - a: a micro-panel of quantized inputs: for each pair of inputs (2p, 2p + 1), for each of the 6 rows, one 32-bit
//   word holding the two int16 (input 2p in the low half); then the 6 rows' float32 scales.
// - b: an int8 weight panel of nr columns (`Int8Weights`' layout): per block, 8 pairs of inputs times nr columns of
//   two int8 (input 2p first), then the block's nr float32 scales.
// - rows: how many of the tile's rows to compute and store, 1 ... 6 (a short text's last micro-panel has fewer than
//   6 rows: the kernel does no work for the missing ones and leaves their rows of c untouched).
// - c (`rows` rows of nr, row stride ldc floats) = for each row r < rows and column j:
//     acc = 0;  for each block: acc = fma(Float(sum of the block's 16 products, int32), weight scale, acc)
//     c[r][j] = acc * input scale of row r
// Every block's integer sum is exact: at most 16 * 32767 * 127 < 2^31. Its conversion to float32 rounds to nearest,
// ties to even, as does each fma and the final multiply; the order is fixed, so the bits are too.
//
// The arm64 kernels (CodeGeneration/Int8GemmARM64JIT.swift) compute the same formula with inputs of 15 bits (levels
// 16383, Int8Inputs.swift) on a tile of 4 rows by 8 columns, in other layouts: `sdot` and `smmla` multiply signed bytes
// only, so each input q is stored as two bytes, q = 128 h + l (h = q >> 7 in [-128, 127], l = q & 127), and a block's
// sum is 128 * (sum of h w) + (sum of l w), still exact (at most 16 * 16383 * 127).
// - a (`Layout.splitQuads`, sdot: four inputs of a row per 32-bit lane): per block, the h bytes of its 4 quads of
//   inputs (quad g: inputs 4g ..< 4g + 4 of the block), 16 bytes per quad: row r's four at 4r; then the l bytes the
//   same way (128 bytes per block); after the last block the 4 rows' scales.
// - a (`Layout.splitOctets`, smmla: a 2 x 8 matrix of bytes per register): per block, the h bytes of its 2 octets of
//   inputs (octet g: inputs 8g ..< 8g + 8), 32 bytes per octet: rows 0 and 1's eight (16 bytes), then rows 2 and 3's;
//   then the l bytes the same way; after the last block the 4 rows' scales.
// - b: per block, 4 quads (splitQuads) or 2 octets (splitOctets) of 8 columns times four or eight int8 (column j's at
//   4j or 8j), then the block's 8 float32 scales (`Int8Weights.quantize(group:)`; 20 bytes per column and block, as in
//   the pairs layout).

/// An integer GEMM micro-kernel of int8 layers (file comment).
package struct Int8GemmKernel: Sendable, CustomStringConvertible {
    /// (a, b, blocks, c, ldc, rows): c (rows x columns, row stride ldc floats) = a x b as the file comment defines,
    /// for the first `rows` (1 ... `layout.rows`) rows of the tile.
    package typealias Function =
        @convention(c) (UnsafeRawPointer, UnsafeRawPointer, Int, UnsafeMutablePointer<Float>, Int, Int) -> Void

    /// Name, e.g. "6x8-int16-avx2-jit", "6x32-int16-avx512vnni-jit".
    package let name: String
    /// Tile rows: the rows of one input micro-panel.
    package let rows: Int
    /// Tile columns: the output features of one weight panel.
    package let columns: Int
    /// How the kernel's operands are laid out (and how many bits its inputs keep).
    package let layout: Layout
    /// The micro-kernel.
    package let function: Function

    /// The operand layouts of the file comment.
    package enum Layout: Sendable {
        /// 6 rows of int16 inputs in pairs, weights in pairs (the x86-64 kernels: vpmaddwd, vpdpwssd).
        case int16Pairs
        /// 4 rows of 15-bit inputs split into two signed bytes, four inputs side by side, weights in quads (the
        /// arm64 sdot kernel).
        case splitQuads
        /// The same inputs, eight side by side, weights in octets (the arm64 smmla kernel).
        case splitOctets

        /// Rows of an input micro-panel.
        package var rows: Int {
            switch self {
            case .int16Pairs: return 6
            case .splitQuads, .splitOctets: return 4
            }
        }

        /// The largest integer of a quantized input (Int8Inputs.swift).
        package var levels: Float {
            switch self {
            case .int16Pairs: return 32767
            case .splitQuads, .splitOctets: return 16383
            }
        }

        /// Consecutive inputs whose weights sit side by side for one column (`Int8Weights.quantize(group:)`).
        package var weightGroup: Int {
            switch self {
            case .int16Pairs: return 2
            case .splitQuads: return 4
            case .splitOctets: return 8
            }
        }

        /// Bytes of an input micro-panel over `blocks` blocks: the integers, then the row scales.
        package func microPanelBytes(blocks: Int) -> Int {
            switch self {
            case .int16Pairs: return 4 * rows * (8 * blocks) + 4 * rows
            case .splitQuads, .splitOctets: return 128 * blocks + 4 * rows
            }
        }

        /// Where a split layout keeps the h byte of input `input` (0 ..< 16) of block `block` for row `row` (the l byte
        /// is 64 bytes further); four consecutive inputs from a multiple of 4 are four consecutive bytes.
        package func splitOffset(block: Int, row: Int, input: Int) -> Int {
            switch self {
            case .int16Pairs: preconditionFailure("not a split layout")
            case .splitQuads: return 128 * block + 16 * (input / 4) + 4 * row + input % 4
            case .splitOctets: return 128 * block + 32 * (input / 8) + 8 * row + input % 8
            }
        }
    }

    /// A kernel `name` of `rows` x `columns` on operands laid out as `layout`.
    package init(name: String, rows: Int, columns: Int, layout: Layout = .int16Pairs, function: Function) {
        precondition(rows == layout.rows)
        self.name = name
        self.rows = rows
        self.columns = columns
        self.layout = layout
        self.function = function
    }

    /// The name.
    package var description: String { name }

    /// Rows of the x86-64 int8 micro-kernels (the pairs layout of `a` is written for them).
    package static let tileRows = Layout.int16Pairs.rows

    /// The file comment's arithmetic one value at a time, as a kernel of 8 columns (slow; for tests).
    package static let reference = Int8GemmKernel(
        name: "6x8-int16-reference", rows: tileRows, columns: 8,
        function: { referenceKernel($0, $1, $2, $3, $4, $5, 8) })
    /// `reference` with 16 columns.
    package static let reference16 = Int8GemmKernel(
        name: "6x16-int16-reference", rows: tileRows, columns: 16,
        function: { referenceKernel($0, $1, $2, $3, $4, $5, 16) })
    /// `reference` with 32 columns.
    package static let wideReference = Int8GemmKernel(
        name: "6x32-int16-reference", rows: tileRows, columns: 32,
        function: { referenceKernel($0, $1, $2, $3, $4, $5, 32) })

    /// The arm64 sdot kernel's arithmetic (`Layout.splitQuads`, 4 x 8) one value at a time.
    package static let splitReference = Int8GemmKernel(
        name: "4x8-split-int8-reference", rows: 4, columns: 8, layout: .splitQuads,
        function: { splitReferenceKernel($0, $1, $2, $3, $4, $5, .splitQuads) })
    /// The arm64 smmla kernel's arithmetic (`Layout.splitOctets`, 4 x 8) one value at a time.
    package static let octetReference = Int8GemmKernel(
        name: "4x8-split-octets-int8-reference", rows: 4, columns: 8, layout: .splitOctets,
        function: { splitReferenceKernel($0, $1, $2, $3, $4, $5, .splitOctets) })

    /// The reference kernel of `columns` columns (8, 16 or 32) for `layout`, nil for another width.
    package static func reference(columns: Int, layout: Layout = .int16Pairs) -> Int8GemmKernel? {
        [reference, reference16, wideReference, splitReference, octetReference].first {
            $0.columns == columns && $0.layout == layout
        }
    }

    /// Bytes of an input micro-panel over `blocks` blocks in the pairs layout: the words, then the row scales.
    package static func microPanelBytes(blocks: Int) -> Int { Layout.int16Pairs.microPanelBytes(blocks: blocks) }
}

/// The function of `Int8GemmKernel.reference` (nr 8), `reference16` and `wideReference` (nr 32).
private func referenceKernel(
    _ a: UnsafeRawPointer, _ b: UnsafeRawPointer, _ blocks: Int, _ c: UnsafeMutablePointer<Float>, _ ldc: Int,
    _ rows: Int, _ nr: Int
) {
    let mr = Int8GemmKernel.tileRows
    let blockBytes = Int8Weights.blockBytes(columns: nr)
    let rowScales = a + 4 * mr * 8 * blocks
    for r in 0..<min(rows, mr) {
        for j in 0..<nr {
            var acc: Float = 0
            for block in 0..<blocks {
                var sum: Int32 = 0
                for p in 0..<8 {
                    let word = a.load(fromByteOffset: 4 * (mr * (8 * block + p) + r), as: UInt32.self)
                    let low = Int32(Int16(truncatingIfNeeded: word)),
                        high = Int32(Int16(truncatingIfNeeded: word >> 16))
                    let pair = b + block * blockBytes + p * 2 * nr + 2 * j
                    sum +=
                        low * Int32(pair.load(as: Int8.self)) + high
                        * Int32(pair.load(fromByteOffset: 1, as: Int8.self))
                }
                let scale = b.load(fromByteOffset: block * blockBytes + 16 * nr + 4 * j, as: Float.self)
                acc = acc.addingProduct(Float(sum), scale)
            }
            c[r * ldc + j] = acc * rowScales.load(fromByteOffset: 4 * r, as: Float.self)
        }
    }
}

/// The function of `Int8GemmKernel.splitReference` and `octetReference`: the split layouts of the file comment, 4 rows
/// by 8 columns, each block's sum as the arm64 kernels form it (the h products, shifted left by 7, then the l products
/// added).
private func splitReferenceKernel(
    _ a: UnsafeRawPointer, _ b: UnsafeRawPointer, _ blocks: Int, _ c: UnsafeMutablePointer<Float>, _ ldc: Int,
    _ rows: Int, _ layout: Int8GemmKernel.Layout
) {
    let nr = 8, blockBytes = Int8Weights.blockBytes(columns: nr), group = layout.weightGroup
    let rowScales = a + 128 * blocks
    for r in 0..<min(rows, 4) {
        for j in 0..<nr {
            var acc: Float = 0
            for block in 0..<blocks {
                var high: Int32 = 0, low: Int32 = 0
                for i in 0..<Int8Weights.blockSize {
                    let input = layout.splitOffset(block: block, row: r, input: i)
                    let weight = block * blockBytes + group * nr * (i / group) + group * j + i % group
                    let w = Int32(b.load(fromByteOffset: weight, as: Int8.self))
                    high &+= Int32(a.load(fromByteOffset: input, as: Int8.self)) &* w
                    low &+= Int32(a.load(fromByteOffset: input + 64, as: Int8.self)) &* w
                }
                let scale = b.load(fromByteOffset: block * blockBytes + 16 * nr + 4 * j, as: Float.self)
                acc = acc.addingProduct(Float(high &<< 7 &+ low), scale)
            }
            c[r * ldc + j] = acc * rowScales.load(fromByteOffset: 4 * r, as: Float.self)
        }
    }
}
