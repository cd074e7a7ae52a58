// UTF-8 encoding of single scalars into caller-owned buffers, for the byte-level lookups of Precompiled and Unigram.

/// Writes Unicode scalars as UTF-8 without allocating.
enum ScalarUTF8 {
    /// Writes the UTF-8 bytes of `scalar` at `bytes` (room for 4 needed); returns how many (1 to 4).
    @discardableResult @inline(__always)
    static func encode(_ scalar: Unicode.Scalar, into bytes: UnsafeMutablePointer<UInt8>) -> Int {
        let value = scalar.value
        switch value {
        case 0..<0x80:
            bytes[0] = UInt8(value)
            return 1
        case 0x80..<0x800:
            bytes[0] = UInt8(0xC0 | value >> 6)
            bytes[1] = UInt8(0x80 | value & 0x3F)
            return 2
        case 0x800..<0x10000:
            bytes[0] = UInt8(0xE0 | value >> 12)
            bytes[1] = UInt8(0x80 | (value >> 6) & 0x3F)
            bytes[2] = UInt8(0x80 | value & 0x3F)
            return 3
        default:
            bytes[0] = UInt8(0xF0 | value >> 18)
            bytes[1] = UInt8(0x80 | (value >> 12) & 0x3F)
            bytes[2] = UInt8(0x80 | (value >> 6) & 0x3F)
            bytes[3] = UInt8(0x80 | value & 0x3F)
            return 4
        }
    }
}
