// Ports tokenizers' `process_offsets` (pre_tokenizers/byte_level.rs), the offset trimming of the ByteLevel
// post-processor and of RobertaProcessing when `trim_offsets` is set.

/// Trims the offsets of one sequence's tokens so that they do not cover the spaces at either end of the token.
///
/// For each token, `lead` and `trail` count the scalars at the start and at the end of its string that are `Ġ`
/// (U+0120, the byte-level space) or White_Space (a real space or tab in an added token such as `" <mask>"`; the
/// byte-level `ĉ` and `Ċ` are neither). A token of spaces only counts for both. Then:
/// - the start moves right by `lead`, no further than the end; except that the first token (index 0, or any token
///   starting at offset 0) keeps a single leading space when `addPrefixSpace` is set (it may be the space the
///   pre-tokenizer added, aligned with the first character);
/// - the end moves left by `trail` (when it is at least `trail`), no further than the new start.
///
/// The counts are of the token's scalars, not of the original text: a token whose offsets cover fewer scalars
/// (a `Ġ` made from U+3000, say) still moves by its count, as in tokenizers (Python's character offsets).
package enum ByteLevelOffsetTrimming {
    /// The trimmed offsets of one sequence (`tokens[i]` with `offsets[i]`, counted from the sequence's first token,
    /// as tokenizers does for each sequence and each overflow chunk). Precondition: as many offsets as tokens.
    package static func trim(tokens: [String], offsets: [Range<Int>], addPrefixSpace: Bool) -> [Range<Int>] {
        precondition(tokens.count == offsets.count, "one offset range per token")
        var result = offsets
        for index in tokens.indices {
            result[index] = trim(tokens[index], offsets: offsets[index], index: index, addPrefixSpace: addPrefixSpace)
        }
        return result
    }

    /// The trimmed offsets of token `token` at position `index` of its sequence.
    package static func trim(_ token: String, offsets: Range<Int>, index: Int, addPrefixSpace: Bool) -> Range<Int> {
        // Most ends are an ASCII byte that is not a space: nothing to count there.
        let utf8 = token.utf8
        guard let firstByte = utf8.first, let lastByte = utf8.last else { return offsets }
        let scalars = token.unicodeScalars
        var leading = 0
        if !isKeptASCII(firstByte) {
            for scalar in scalars {
                guard isSpace(scalar) else { break }
                leading += 1
            }
        }
        // A token of spaces only counts them at both ends.
        var trailing = 0
        if !isKeptASCII(lastByte) {
            for scalar in scalars.reversed() {
                guard isSpace(scalar) else { break }
                trailing += 1
            }
        }
        var start = offsets.lowerBound, end = offsets.upperBound
        if leading > 0 {
            if (index == 0 || start == 0) && addPrefixSpace && leading == 1 { leading = 0 }
            start = min(start + leading, end)
        }
        if trailing > 0 && end >= trailing { end = max(end - trailing, start) }
        return start..<end
    }

    /// An ASCII byte that is not White_Space (so not the start or end of a space).
    @inline(__always)
    static func isKeptASCII(_ byte: UInt8) -> Bool { byte < 0x80 && byte != 0x20 && !(0x09...0x0D).contains(byte) }

    /// `Ġ` or White_Space.
    @inline(__always)
    static func isSpace(_ scalar: Unicode.Scalar) -> Bool {
        scalar == "\u{0120}" || WhiteSpace.contains(scalar)
    }
}
