// The element types of the safetensors format (mirrors the Rust crate's `Dtype`) and their sizes in bits.

/// An element type of a safetensors tensor, spelled as in the header (`"F32"`, `"BF16"`, ...).
///
/// Every dtype of the reference implementation is parsed and sized; only `f32`, `f16` and `bf16`
/// convert to Float32 (`isFloatConvertible`). The others are readable as raw bytes.
package enum SafeTensorsDType: String, Sendable, CaseIterable {
    /// Boolean, one byte.
    case bool = "BOOL"
    /// MXF4 float, 4 bits.
    case f4 = "F4"
    /// MXF6 float (E2M3), 6 bits.
    case f6E2M3 = "F6_E2M3"
    /// MXF6 float (E3M2), 6 bits.
    case f6E3M2 = "F6_E3M2"
    /// Unsigned 8-bit integer.
    case u8 = "U8"
    /// Signed 8-bit integer.
    case i8 = "I8"
    /// FP8 (E5M2).
    case f8E5M2 = "F8_E5M2"
    /// FP8 (E4M3).
    case f8E4M3 = "F8_E4M3"
    /// FP8 scale (E8M0).
    case f8E8M0 = "F8_E8M0"
    /// Signed 16-bit integer.
    case i16 = "I16"
    /// Unsigned 16-bit integer.
    case u16 = "U16"
    /// IEEE half precision (converts to Float32).
    case f16 = "F16"
    /// bfloat16 (converts to Float32).
    case bf16 = "BF16"
    /// Signed 32-bit integer.
    case i32 = "I32"
    /// Unsigned 32-bit integer.
    case u32 = "U32"
    /// IEEE single precision (converts to Float32).
    case f32 = "F32"
    /// Complex of two F32.
    case c64 = "C64"
    /// IEEE double precision.
    case f64 = "F64"
    /// Signed 64-bit integer.
    case i64 = "I64"
    /// Unsigned 64-bit integer.
    case u64 = "U64"

    /// Size of one element in bits (4 for `F4`, 6 for the `F6` types, else a multiple of 8).
    package var bitSize: Int {
        switch self {
        case .f4: return 4
        case .f6E2M3, .f6E3M2: return 6
        case .bool, .u8, .i8, .f8E5M2, .f8E4M3, .f8E8M0: return 8
        case .i16, .u16, .f16, .bf16: return 16
        case .i32, .u32, .f32: return 32
        case .c64, .f64, .i64, .u64: return 64
        }
    }

    /// True for the dtypes `SafeTensorsFile.floats(_:)` converts to Float32: F32 (copied), F16 and BF16 (widened
    /// exactly). F64 is not converted (it would round silently); integer and 8-bit-or-less float types neither.
    package var isFloatConvertible: Bool {
        switch self {
        case .f32, .f16, .bf16: return true
        default: return false
        }
    }
}
