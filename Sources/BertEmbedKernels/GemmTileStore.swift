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
