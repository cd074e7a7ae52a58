// Writing a finished register tile to C, shared by every compiled micro-kernel: row by row, each vector either
// stored (c = v) or added to what C holds (c = v + c, the sum a later K block needs). `@inline(__always)` and
// generic over the vector type, so each kernel gets the same loads, adds and stores it would spell out itself.

/// One vector of a tile: `out + offset` = `v`, or `v + (out + offset)` when `accumulate`.
@inline(__always)
func storeTileVector<V: SIMD>(
    _ out: UnsafeMutableRawPointer, _ offset: Int, _ accumulate: Bool, _ v: V
) where V.Scalar: BinaryFloatingPoint {
    let value = accumulate ? v + out.loadUnaligned(fromByteOffset: offset, as: V.self) : v
    out.storeBytes(of: value, toByteOffset: offset, as: V.self)
}

/// One tile row of two vectors side by side, starting at byte `offset` of `out`.
@inline(__always)
func storeTileRow<V: SIMD>(
    _ out: UnsafeMutableRawPointer, _ offset: Int, _ accumulate: Bool, _ v0: V, _ v1: V
) where V.Scalar: BinaryFloatingPoint {
    storeTileVector(out, offset, accumulate, v0)
    storeTileVector(out, offset + MemoryLayout<V>.size, accumulate, v1)
}

/// One tile row of three vectors side by side, starting at byte `offset` of `out`.
@inline(__always)
func storeTileRow<V: SIMD>(
    _ out: UnsafeMutableRawPointer, _ offset: Int, _ accumulate: Bool, _ v0: V, _ v1: V, _ v2: V
) where V.Scalar: BinaryFloatingPoint {
    storeTileRow(out, offset, accumulate, v0, v1)
    storeTileVector(out, offset + 2 * MemoryLayout<V>.size, accumulate, v2)
}

/// Six tile rows of two vectors each, row r at byte offset `first + r * rowBytes` of `out`: the 6 x 2-vector tiles
/// (6x16 on SIMD8, 6x8 on SIMD4) and each half of the 12-row SIMD16 tile.
@inline(__always)
func storeTile6x2<V: SIMD>(
    _ out: UnsafeMutableRawPointer, first: Int = 0, rowBytes: Int, _ accumulate: Bool,
    _ c00: V, _ c01: V, _ c10: V, _ c11: V, _ c20: V, _ c21: V,
    _ c30: V, _ c31: V, _ c40: V, _ c41: V, _ c50: V, _ c51: V
) where V.Scalar: BinaryFloatingPoint {
    storeTileRow(out, first, accumulate, c00, c01)
    storeTileRow(out, first + rowBytes, accumulate, c10, c11)
    storeTileRow(out, first + 2 * rowBytes, accumulate, c20, c21)
    storeTileRow(out, first + 3 * rowBytes, accumulate, c30, c31)
    storeTileRow(out, first + 4 * rowBytes, accumulate, c40, c41)
    storeTileRow(out, first + 5 * rowBytes, accumulate, c50, c51)
}
