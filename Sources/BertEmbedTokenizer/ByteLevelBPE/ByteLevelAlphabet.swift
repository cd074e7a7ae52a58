// Ports tokenizers' `bytes_char` (pre_tokenizers/byte_level.rs, from GPT-2's encoder.py `bytes_to_unicode`): the 256
// printable scalars that stand for the bytes of UTF-8 text in byte-level BPE vocabularies.

/// GPT-2's byte <-> scalar table. Bytes 0x21-0x7E, 0xA1-0xAC and 0xAE-0xFF stand for the scalar of the same value;
/// the other 68 bytes, in increasing order, for U+0100 + n (space 0x20 is `Ġ` U+0120, `\n` is `Ċ` U+010A).
package enum ByteLevelAlphabet {
    /// The scalar standing for each byte, indexed by the byte.
    package static let scalars: [Unicode.Scalar] = {
        var table = [Unicode.Scalar](repeating: " ", count: 256)
        var next: UInt32 = 0x100
        for byte in 0..<256 {
            if (0x21...0x7E).contains(byte) || (0xA1...0xAC).contains(byte) || (0xAE...0xFF).contains(byte) {
                table[byte] = Unicode.Scalar(UInt8(byte))
            } else {
                // 0x100 + n stays below 0x144: always a valid scalar.
                table[byte] = Unicode.Scalar(next) ?? " "
                next += 1
            }
        }
        return table
    }()

    /// The byte each scalar below U+0144 stands for, or -1 (indexed by the scalar's value).
    private static let bytes: [Int16] = {
        var table = [Int16](repeating: -1, count: 0x144)
        for (byte, scalar) in scalars.enumerated() { table[Int(scalar.value)] = Int16(byte) }
        return table
    }()

    /// The scalar standing for `byte`.
    @inline(__always)
    package static func scalar(for byte: UInt8) -> Unicode.Scalar { scalars[Int(byte)] }

    /// The byte `scalar` stands for, or nil when it is not one of the 256 (tokenizers' `CHAR_BYTES`).
    @inline(__always)
    package static func byte(for scalar: Unicode.Scalar) -> UInt8? {
        guard scalar.value < 0x144 else { return nil }
        let byte = bytes[Int(scalar.value)]
        return byte < 0 ? nil : UInt8(byte)
    }

    /// The byte-level form of `text`: the scalar of each of its UTF-8 bytes.
    package static func encode(_ text: String) -> String {
        var view = String.UnicodeScalarView()
        for byte in text.utf8 { view.append(scalars[Int(byte)]) }
        return String(view)
    }
}
