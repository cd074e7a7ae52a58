// The integer micro-kernel of int8 layers: int16 inputs times int8 weights, exact int32 sums per block of 16, scaled
// and summed in float32 (Int8Weights.swift gives the quantization and why; PackedLinear.swift the driver). Generated
// as AVX2 / AVX-512 code (CodeGeneration/Int8GemmJIT.swift); `reference` and `wideReference` are the same arithmetic
// one value at a time, which the tests hold the generated code to, bit for bit.
//
// Operands, for a tile of 6 rows by nr output features (8; 16 for the wide AVX2 kernel, 32 for the zmm one) over K = 16 * blocks inputs (K
// padded with zeros to whole blocks):
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

/// An integer GEMM micro-kernel of int8 layers (file comment).
package struct Int8GemmKernel: Sendable, CustomStringConvertible {
    /// (a, b, blocks, c, ldc, rows): c (rows x columns, row stride ldc floats) = a x b as the file comment defines,
    /// for the first `rows` (1 ... `Int8GemmKernel.tileRows`) rows of the tile.
    package typealias Function =
        @convention(c) (UnsafeRawPointer, UnsafeRawPointer, Int, UnsafeMutablePointer<Float>, Int, Int) -> Void

    /// Name, e.g. "6x8-int16-avx2-jit", "6x32-int16-avx512vnni-jit".
    package let name: String
    /// Tile rows: the rows of one input micro-panel.
    package let rows: Int
    /// Tile columns: the output features of one weight panel.
    package let columns: Int
    /// The micro-kernel.
    package let function: Function

    /// The name.
    package var description: String { name }

    /// Rows of every int8 micro-kernel (the layout of `a` is written for them).
    package static let tileRows = 6

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

    /// The reference kernel of `columns` columns (8, 16 or 32), nil for another width.
    package static func reference(columns: Int) -> Int8GemmKernel? {
        [reference, reference16, wideReference].first { $0.columns == columns }
    }

    /// Bytes of an input micro-panel over `blocks` blocks: the words, then the row scales.
    package static func microPanelBytes(blocks: Int) -> Int { 4 * tileRows * (8 * blocks) + 4 * tileRows }
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
