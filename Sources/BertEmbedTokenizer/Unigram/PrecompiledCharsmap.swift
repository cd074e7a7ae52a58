// Ports spm_precompiled 0.1.4 (src/lib.rs): SentencePiece's `precompiled_charsmap` blob and its darts-clone
// double-array lookup, the table behind tokenizers' `Precompiled` normalizer.

/// SentencePiece's compiled normalization table (`normalizer_spec.precompiled_charsmap`): a darts-clone double array
/// whose keys are UTF-8 byte strings and whose values are byte offsets into a blob of NUL-terminated replacement
/// strings.
///
/// Layout of the blob: a little-endian u32 `trieSize` (bytes), then `trieSize / 4` little-endian u32 units, then the
/// replacement strings (everything that is left, all of it valid UTF-8).
package struct PrecompiledCharsmap: Sendable {
    /// The double-array units (darts-clone `DoubleArrayUnit`).
    let units: [UInt32]
    /// The replacement strings: each value is an offset where a string starts, ending at the next NUL or the end.
    let strings: [UInt8]

    /// Parses a decoded blob (`spm_precompiled::Precompiled::from`).
    /// - Throws: `TokenizerError.invalidValue` at `path`/`key` when the blob is shorter than its trie, or its strings
    ///   are not valid UTF-8.
    package init(bytes: [UInt8], path: String, key: String) throws(TokenizerError) {
        guard bytes.count >= 4 else {
            throw .invalidValue(path: path, key: key, reason: "the charsmap is \(bytes.count) bytes, too short")
        }
        let trieSize = Int(Self.littleEndian(bytes, at: 0))
        let unitCount = trieSize / 4
        guard bytes.count - 4 >= unitCount * 4 else {
            throw .invalidValue(
                path: path, key: key,
                reason: "the charsmap announces a \(trieSize)-byte trie but has only \(bytes.count - 4) bytes")
        }
        var units = [UInt32](repeating: 0, count: unitCount)
        for i in 0..<unitCount { units[i] = Self.littleEndian(bytes, at: 4 + 4 * i) }
        let strings = Array(bytes[(4 + 4 * unitCount)...])
        var iterator = strings.makeIterator()
        var decoder = UTF8()
        decoding: while true {
            switch decoder.decode(&iterator) {
            case .scalarValue: continue
            case .emptyInput: break decoding
            case .error:
                throw .invalidValue(path: path, key: key, reason: "the charsmap's strings are not valid UTF-8")
            }
        }
        self.units = units
        self.strings = strings
    }

    /// Parses the base64 text of tokenizer.json's `precompiled_charsmap` (standard alphabet, padding optional; see
    /// `StrictBase64`).
    /// - Throws: `TokenizerError.invalidValue` at `path`/`key` for invalid base64 or an invalid blob.
    package init(base64: String, path: String, key: String) throws(TokenizerError) {
        guard let bytes = StrictBase64.decode(base64) else {
            throw .invalidValue(path: path, key: key, reason: "not valid base64")
        }
        try self.init(bytes: bytes, path: path, key: key)
    }

    /// The u32 stored little-endian at `offset`.
    private static func littleEndian(_ bytes: [UInt8], at offset: Int) -> UInt32 {
        UInt32(bytes[offset]) | UInt32(bytes[offset + 1]) << 8 | UInt32(bytes[offset + 2]) << 16
            | UInt32(bytes[offset + 3]) << 24
    }

    // MARK: - darts-clone unit fields

    /// Whether the node has a value, stored in the unit at `node ^ offset`.
    @inline(__always) static func hasLeaf(_ unit: UInt32) -> Bool { (unit >> 8) & 1 == 1 }
    /// The value of a value unit.
    @inline(__always) static func value(_ unit: UInt32) -> Int { Int(unit & 0x7FFF_FFFF) }
    /// The label (the key byte leading to this node; never a byte for value units, whose bit 31 is set).
    @inline(__always) static func label(_ unit: UInt32) -> UInt32 { unit & 0x8000_00FF }
    /// The offset to the node's children (shifted by 8 when bit 9 is set).
    @inline(__always) static func offset(_ unit: UInt32) -> Int { Int((unit >> 10) << ((unit & 0x200) >> 6)) }

    // MARK: - Lookup

    /// The values of every key that is a prefix of `key`, shortest first (`DoubleArray::common_prefix_search`). A
    /// NUL byte ends the key. Positions outside the array (where the Rust panics) end the search.
    package func commonPrefixSearch(_ key: some Sequence<UInt8>) -> [Int] {
        var results: [Int] = []
        guard !units.isEmpty else { return results }
        var node = Self.offset(units[0])
        for byte in key {
            if byte == 0 { break }
            node ^= Int(byte)
            guard node < units.count else { break }
            let unit = units[node]
            if Self.label(unit) != UInt32(byte) { break }
            node ^= Self.offset(unit)
            if Self.hasLeaf(unit) {
                guard node < units.count else { break }
                results.append(Self.value(units[node]))
            }
        }
        return results
    }

    /// The value of the shortest key that is a prefix of the `count` bytes at `key`, nil when none is: the first
    /// result of `commonPrefixSearch`, without collecting the others.
    @inline(__always)
    func shortestMatch(_ key: UnsafePointer<UInt8>, count: Int) -> Int? {
        units.withUnsafeBufferPointer { units -> Int? in
            guard !units.isEmpty else { return nil }
            var node = Self.offset(units[0])
            for i in 0..<count {
                let byte = key[i]
                if byte == 0 { return nil }
                node ^= Int(byte)
                guard node < units.count else { return nil }
                let unit = units[node]
                if Self.label(unit) != UInt32(byte) { return nil }
                node ^= Self.offset(unit)
                if Self.hasLeaf(unit) {
                    return node < units.count ? Self.value(units[node]) : nil
                }
            }
            return nil
        }
    }

    /// The replacement string starting at `value` (`Precompiled::transform`): the bytes up to the next NUL or the end.
    /// Nil when `value` is outside the strings or not at the start of a character (where the Rust panics).
    func replacement(at value: Int) -> ArraySlice<UInt8>? {
        guard value <= strings.count else { return nil }
        if value < strings.count, strings[value] & 0xC0 == 0x80 { return nil }
        var end = value
        while end < strings.count, strings[end] != 0 { end += 1 }
        return strings[value..<end]
    }

    /// The replacement of the UTF-8 string `chunk`: the string of the shortest key that is a prefix of it, or nil when
    /// no key is (`Precompiled::transform`). The empty string means "delete".
    package func transform(_ chunk: String) -> String? {
        var chunk = chunk
        return chunk.withUTF8 { bytes -> String? in
            guard let base = bytes.baseAddress, let value = shortestMatch(base, count: bytes.count),
                let replacement = replacement(at: value)
            else { return nil }
            return String(decoding: replacement, as: UTF8.self)
        }
    }
}

/// Base64 decoding as the Rust `base64` engine of spm_precompiled 0.1.4 accepts it (checked against tokenizers 0.23.3):
/// standard alphabet, no whitespace; the final group may have 2 or 3 symbols, padded with at most the `=` it lacks
/// ("AAAAAA", "AAAAAA=" and "AAAAAA==" are all accepted); the unused bits of the last symbol must be zero.
package enum StrictBase64 {
    /// The 6-bit value of each ASCII byte, 0xFF for bytes outside the alphabet.
    private static let values: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (i, c) in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8.enumerated() {
            table[Int(c)] = UInt8(i)
        }
        return table
    }()

    /// The bytes of `text`, nil when the engine rejects it.
    package static func decode(_ text: String) -> [UInt8]? {
        var input = Array(text.utf8)
        var padding = 0
        while input.last == UInt8(ascii: "=") {
            input.removeLast()
            padding += 1
        }
        let remainder = input.count % 4
        guard remainder != 1, padding <= (4 - remainder) % 4 else { return nil }
        var output: [UInt8] = []
        output.reserveCapacity(input.count / 4 * 3 + 2)
        var bits: UInt32 = 0
        var bitCount = 0
        for c in input {
            let value = values[Int(c)]
            if value == 0xFF { return nil }
            bits = bits << 6 | UInt32(value)
            bitCount += 6
            if bitCount >= 8 {
                bitCount -= 8
                output.append(UInt8(truncatingIfNeeded: bits >> UInt32(bitCount)))
                bits &= (1 << UInt32(bitCount)) - 1
            }
        }
        // Leftover bits of the last symbol (2 or 4) must be zero.
        return bits == 0 ? output : nil
    }
}
