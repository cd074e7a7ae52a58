// Ports tokenizers' pre_tokenizers::byte_level::ByteLevel as a pre-tokenizer (byte_level.rs `pre_tokenize`): an
// optional prefix space, the GPT-2 split, then every UTF-8 byte of every scalar written as its byte-level scalar.
import BertEmbedJSON

/// The ByteLevel pre-tokenizer of GPT-2 and RoBERTa tokenizers.
///
/// For each piece of text it is given (the pipeline calls it once per span between added tokens):
/// 1. with `addPrefixSpace`, a space is put in front unless the piece starts with U+0020 (only that scalar: a
///    piece starting with a tab or U+3000 gets one too); the space takes the first scalar's alignment;
/// 2. with `useRegex`, the piece is split at the GPT-2 pattern (`GPT2Split`), every match a word;
/// 3. each word's scalars are replaced by the byte-level scalars of their UTF-8 bytes (`ByteLevelAlphabet`), all
///    the bytes of a scalar aligned with that scalar, so a token made of some of its bytes covers all of it.
package struct ByteLevelPreTokenizer: RangePreTokenizer, Equatable {
    /// Whether a space is put in front of a piece that does not start with one.
    package var addPrefixSpace: Bool
    /// Whether offsets are trimmed after tokenization. Not used by pre-tokenization: the ByteLevel post-processor
    /// and RobertaProcessing carry their own flag (see `ByteLevelOffsetTrimming`); kept because the file has it.
    package var trimOffsets: Bool
    /// Whether the GPT-2 split runs (false: each piece is one word).
    package var useRegex: Bool

    /// A pre-tokenizer with these options (tokenizers' defaults: all true).
    package init(addPrefixSpace: Bool = true, trimOffsets: Bool = true, useRegex: Bool = true) {
        self.addPrefixSpace = addPrefixSpace
        self.trimOffsets = trimOffsets
        self.useRegex = useRegex
    }

    /// The pre-tokenizer of a tokenizer.json object `{"type": "ByteLevel", "add_prefix_space": ..,
    /// "trim_offsets": .., "use_regex": ..}`: as tokenizers' serde, `add_prefix_space` and `trim_offsets` are
    /// required, `use_regex` defaults to true, other keys are ignored.
    /// - Throws: `JSONFileError` naming the key when a value is missing or of the wrong kind, or `type` is not
    ///   ByteLevel.
    package init(json: JSONObject) throws(JSONFileError) {
        try Self.checkType(json)
        addPrefixSpace = try json.required("add_prefix_space").bool()
        trimOffsets = try json.required("trim_offsets").bool()
        useRegex = try json.bool("use_regex") ?? true
    }

    /// Checks that `json`'s `type` is ByteLevel (the component picker normally has).
    static func checkType(_ json: JSONObject) throws(JSONFileError) {
        let type = try json.required("type").string()
        guard type == "ByteLevel" else { throw json.error("type", "expected \"ByteLevel\", found \"\(type)\"") }
    }

    /// Rewrites `text` to byte-level scalars; its words in order (none for an empty text).
    ///
    /// tokenizers splits, then maps each word to bytes; here the whole text is mapped once and then cut at the
    /// byte-level positions of the matches, which gives the same words: every byte takes its scalar's alignment
    /// either way, and a slice's offsets come from the alignments of its first and last byte.
    package func wordRanges(_ text: inout NormalizedText) -> [Range<Int>] {
        guard !text.isEmpty else { return [] }
        if addPrefixSpace && text.scalars[0] != " " { text.prepend([" "]) }
        guard useRegex else {
            Self.mapToBytes(&text)
            return [0..<text.scalars.count]
        }
        let matches = GPT2Split.ranges(text.scalars)
        // Where each scalar's bytes start in the byte-level text.
        var byteStarts: [Int] = []
        var isASCII = true
        byteStarts.reserveCapacity(text.scalars.count + 1)
        var position = 0
        for scalar in text.scalars {
            byteStarts.append(position)
            let width = UTF8.width(scalar)
            isASCII = isASCII && width == 1
            position += width
        }
        byteStarts.append(position)
        Self.mapToBytes(&text)
        if isASCII { return matches }
        return matches.map { byteStarts[$0.lowerBound]..<byteStarts[$0.upperBound] }
    }

    /// Replaces each scalar of `word` by the byte-level scalars of its UTF-8 bytes (byte_level.rs: the first byte
    /// takes the scalar's place, the others are inserted after it and inherit its alignment).
    package static func mapToBytes(_ word: inout NormalizedText) {
        if word.scalars.allSatisfy({ $0.value < 0x80 }) {
            // One byte per scalar: the same as `transform` with no insertion, alignments unchanged.
            word.map { ByteLevelAlphabet.scalar(for: UInt8(truncatingIfNeeded: $0.value)) }
            return
        }
        var changes: [(scalar: Unicode.Scalar, change: Int)] = []
        changes.reserveCapacity(word.scalars.count + word.scalars.count / 2)
        for scalar in word.scalars {
            var first = true
            UTF8.encode(scalar) { byte in
                changes.append((ByteLevelAlphabet.scalar(for: byte), first ? 0 : 1))
                first = false
            }
        }
        word.transform(changes, initialOffset: 0)
    }
}
