// A weight table read in place at run time (the embedding tables): the checkpoint's own bytes, in a map of their own,
// when they are F32 in native byte order and 4-byte aligned, so that loading copies nothing and the OS reads a row's
// page when a token first needs it; otherwise (F16/BF16, unaligned, tensors given in memory, a missing tensor's zeros)
// a copy made at load.
import BertEmbedKernels
import BertEmbedSafeTensors

/// Row-major Float32 values, mapped from the checkpoint or copied at load. Immutable.
///
/// A mapped table keeps its range of the file mapped while the model lives, so the file must not be truncated or
/// rewritten in place meanwhile (replacing it, as downloads do, is safe: the map keeps the old file).
package enum WeightTable: Sendable {
    /// The checkpoint's bytes (Float32, native byte order, 4-byte aligned).
    case mapped(MappedBytes)
    /// Values copied at load.
    case copied(WeightBuffer)

    /// Calls `body` with the values.
    package func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        switch self {
        case .mapped(let bytes):
            return try withExtendedLifetime(bytes) {
                try body(
                    UnsafeBufferPointer(
                        start: bytes.base.bindMemory(to: Float.self, capacity: bytes.count / 4), count: bytes.count / 4)
                )
            }
        case .copied(let buffer):
            return try buffer.withUnsafeBufferPointer(body)
        }
    }
}
