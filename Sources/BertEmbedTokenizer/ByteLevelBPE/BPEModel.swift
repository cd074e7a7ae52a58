// Ports tokenizers' models::bpe::BPE (model.rs: `BpeBuilder::build`, `merge_word`, `tokenize`) and its tokenizer.json
// form (serialization.rs): byte-pair encoding of one pre-tokenized word with a vocabulary and ranked merges.
import BertEmbedJSON

/// A BPE model (GPT-2, RoBERTa and other byte-level vocabularies, or any BPE).
///
/// A word is split into its scalars, each looked up in the vocabulary (with the continuing-subword prefix when it is
/// not the first, the end-of-word suffix when it is the last); a scalar missing from it becomes byte-fallback tokens
/// `<0xXX>`, else the unknown token (consecutive ones fused into one with `fuseUnknown`), else it is dropped without
/// a trace. Then the adjacent pair with the lowest merge rank is merged, the leftmost of equal ones first, until no
/// pair merges (`BPEWord.mergeAll`). Tokens are compared byte for byte (never by Swift's canonical equivalence).
package struct BPEModel: TokenizationModel {
    /// The options of a BPE model (tokenizers' BpeBuilder), all off by default.
    package struct Options: Sendable, Equatable {
        /// The token for a scalar that is not in the vocabulary (nil: such scalars are dropped).
        package var unknownToken: String?
        /// The prefix of vocabulary entries that continue a word (nil or "": none).
        package var continuingSubwordPrefix: String?
        /// The suffix of vocabulary entries that end a word (nil or "": none).
        package var endOfWordSuffix: String?
        /// Whether consecutive unknown scalars make one unknown token.
        package var fuseUnknown: Bool
        /// Whether a scalar missing from the vocabulary becomes the tokens `<0xXX>` of its bytes when they all exist.
        package var byteFallback: Bool
        /// Whether a word that is a vocabulary entry is that one token, without merging.
        package var ignoreMerges: Bool

        /// Options; "" for the prefix or suffix means none, as in tokenizers.
        package init(
            unknownToken: String? = nil, continuingSubwordPrefix: String? = nil, endOfWordSuffix: String? = nil,
            fuseUnknown: Bool = false, byteFallback: Bool = false, ignoreMerges: Bool = false
        ) {
            self.unknownToken = unknownToken
            self.continuingSubwordPrefix = continuingSubwordPrefix?.isEmpty == true ? nil : continuingSubwordPrefix
            self.endOfWordSuffix = endOfWordSuffix?.isEmpty == true ? nil : endOfWordSuffix
            self.fuseUnknown = fuseUnknown
            self.byteFallback = byteFallback
            self.ignoreMerges = ignoreMerges
        }
    }

    /// The options.
    package let options: Options
    /// The vocabulary, keyed by UTF-8 bytes.
    let vocabulary: ByteKeyTable
    /// The token of each id (for an id given to several tokens, the last one in the file; tokenizers keeps any one).
    let tokens: [Int: String]
    /// The merges: ids of the pair -> rank and merged id.
    let merges: BPEMergeTable
    /// The ids of single scalars below U+0144 (the byte-level alphabet and ASCII), -1 when absent, for the four
    /// positions: index `variant * 0x144 + value`, variant 1 with the prefix, 2 with the suffix, 3 with both.
    let scalarIds: [Int32]
    /// The id of each `<0xXX>` token, -1 when absent; empty without byte fallback.
    let byteFallbackIds: [Int32]
    /// The unknown token's id, nil when there is no unknown token or it is not in the vocabulary.
    let unknownId: Int?
    /// Words already tokenized.
    let cache: BPEWordCache
    /// The number of ids: the largest id + 1.
    package let vocabularySize: Int

    /// A model of `vocabulary` (token, id pairs; a repeated token keeps its last id) and `merges` (pairs of tokens,
    /// rank = position; a repeated pair keeps its last rank). `path` and `key` name the source in errors.
    /// - Throws: `TokenizerError.invalidValue` when an id is out of 0..<2^31, or a merge's tokens or its result
    ///   (left + right without the continuing-subword prefix's length in bytes) are not in the vocabulary.
    package init(
        vocabulary: [(token: String, id: Int)], merges: [(String, String)], options: Options = Options(),
        path: String = "BPE", key: String = "merges"
    ) throws(TokenizerError) {
        self.options = options
        var table = ByteKeyTable(capacity: vocabulary.count)
        var tokens: [Int: String] = [:]
        tokens.reserveCapacity(vocabulary.count)
        for (token, id) in vocabulary {
            guard id >= 0, id < 1 << 31 else {
                throw .invalidValue(path: path, key: "vocab", reason: "token '\(token)' has no valid id")
            }
            table.insert(Array(token.utf8), id: id)
        }
        // The ids of the entries that stayed (tokenizers builds its id -> token map from the deduplicated map).
        var largestId = -1
        for (token, id) in vocabulary where table.lookup(Array(token.utf8)) == id {
            tokens[id] = token
            largestId = max(largestId, id)
        }
        self.vocabulary = table
        self.tokens = tokens
        vocabularySize = largestId + 1

        let prefixLength = options.continuingSubwordPrefix?.utf8.count ?? 0
        var mergeTable = BPEMergeTable(capacity: merges.count)
        for (rank, (left, right)) in merges.enumerated() {
            func missing(_ token: String) -> TokenizerError {
                .invalidValue(path: path, key: "\(key)[\(rank)]", reason: "'\(token)' is not in the vocabulary")
            }
            let leftBytes = Array(left.utf8), rightBytes = Array(right.utf8)
            guard let leftId = table.lookup(leftBytes) else { throw missing(left) }
            guard let rightId = table.lookup(rightBytes) else { throw missing(right) }
            // tokenizers cuts the prefix's length in bytes off `right` without checking that it is the prefix.
            let merged = leftBytes + rightBytes.dropFirst(prefixLength)
            guard rightBytes.count >= prefixLength, let newId = table.lookup(merged) else {
                throw missing(String(decoding: merged, as: UTF8.self))
            }
            mergeTable.insert(left: leftId, right: rightId, rank: rank, newId: newId)
        }
        self.merges = mergeTable

        var scalarIds = [Int32](repeating: -1, count: 4 * 0x144)
        let prefix = Array((options.continuingSubwordPrefix ?? "").utf8)
        let suffix = Array((options.endOfWordSuffix ?? "").utf8)
        for value in 0..<0x144 {
            guard let scalar = Unicode.Scalar(value) else { continue }
            let bytes = Array(String(scalar).utf8)
            for variant in 0..<4 {
                let key = (variant & 1 != 0 ? prefix : []) + bytes + (variant & 2 != 0 ? suffix : [])
                scalarIds[variant * 0x144 + value] = Int32(table.lookup(key) ?? -1)
            }
        }
        self.scalarIds = scalarIds
        byteFallbackIds =
            options.byteFallback
            ? (0..<256).map { byte in
                let hex = String(byte, radix: 16, uppercase: true)
                return Int32(table.lookup(Array("<0x\(hex.count == 1 ? "0" : "")\(hex)>".utf8)) ?? -1)
            } : []
        unknownId = options.unknownToken.flatMap { table.lookup(Array($0.utf8)) }
        cache = BPEWordCache()
    }

    /// The id of a vocabulary entry (byte-wise).
    package func id(for token: String) -> Int? { vocabulary.lookup(Array(token.utf8)) }

    /// The vocabulary entry of an id.
    package func token(for id: Int) -> String? { tokens[id] }

    /// The number of distinct tokens (tokenizers' `get_vocab_size`; `vocabularySize` is the largest id + 1).
    package var tokenCount: Int { vocabulary.count }
}

extension BPEModel {
    /// The tokens of `word` (`BPE::tokenize`), each with the scalars of the word it covers. Token ranges follow
    /// tokenizers' byte offsets: the symbols' byte lengths are added up from 0, so dropped scalars shift the tokens
    /// after them, and a token's range runs from the scalar holding its first byte to the one holding its last.
    /// - Throws: `TokenizerError.unknownToken` when a scalar needs the unknown token and it is not in the vocabulary
    ///   (tokenizers: "Unk token ... not found in the vocabulary").
    package func tokenize(_ word: UnsafeBufferPointer<Unicode.Scalar>) throws -> [ModelToken] {
        guard !word.isEmpty else { return [] }
        let word = Array(word)  // the cache's key
        if options.ignoreMerges, let id = id(for: Self.string(word)) {
            return [ModelToken(id: id, value: Self.string(word), range: 0..<word.count)]
        }
        if let tokens = cache.tokens(of: word) { return tokens }
        let tokens = try merge(word)
        cache.keep(tokens, of: word)
        return tokens
    }

    /// `merge_word`, then the tokens with their scalar ranges.
    func merge(_ word: [Unicode.Scalar]) throws(TokenizerError) -> [ModelToken] {
        var symbols = BPEWord(capacity: word.count)
        var unknown: (id: Int, byteCount: Int)? = nil
        let hasPrefix = options.continuingSubwordPrefix != nil, hasSuffix = options.endOfWordSuffix != nil
        for (index, scalar) in word.enumerated() {
            let byteCount = UTF8.width(scalar)
            let prefixed = index > 0 && hasPrefix, suffixed = index == word.count - 1 && hasSuffix
            if let id = symbolId(scalar, prefixed: prefixed, suffixed: suffixed) {
                if let pending = unknown {
                    symbols.add(pending.id, byteCount: pending.byteCount)
                    unknown = nil
                }
                symbols.add(id, byteCount: byteCount)
                continue
            }
            // A pending unknown token stays pending across byte-fallback tokens, as in tokenizers.
            if options.byteFallback, let ids = fallbackIds(scalar, prefixed: prefixed, suffixed: suffixed) {
                for id in ids { symbols.add(id, byteCount: 1) }
                continue
            }
            guard options.unknownToken != nil else { continue }
            if let pending = unknown, options.fuseUnknown {
                unknown = (pending.id, pending.byteCount + byteCount)
            } else {
                if let pending = unknown { symbols.add(pending.id, byteCount: pending.byteCount) }
                guard let unknownId else { throw .unknownToken(text: Self.string(word)) }
                unknown = (unknownId, byteCount)
            }
        }
        if let pending = unknown { symbols.add(pending.id, byteCount: pending.byteCount) }
        symbols.mergeAll(merges)

        // Byte offsets to scalar ranges: `scalar` is the scalar holding byte `byteStart`; offsets past the word
        // (byte-fallback tokens of a prefixed scalar) stay on its last scalar.
        var tokens: [ModelToken] = []
        var scalar = 0, scalarEnd = UTF8.width(word[0])
        for piece in symbols.pieces() {
            while piece.bytes.lowerBound >= scalarEnd && scalar + 1 < word.count {
                scalar += 1
                scalarEnd += UTF8.width(word[scalar])
            }
            let first = scalar
            while piece.bytes.upperBound > scalarEnd && scalar + 1 < word.count {
                scalar += 1
                scalarEnd += UTF8.width(word[scalar])
            }
            tokens.append(ModelToken(id: piece.id, value: self.tokens[piece.id] ?? "", range: first..<(scalar + 1)))
        }
        return tokens
    }

    /// The id of `scalar` with the prefix and/or suffix, nil when absent.
    @inline(__always)
    func symbolId(_ scalar: Unicode.Scalar, prefixed: Bool, suffixed: Bool) -> Int? {
        let variant = (prefixed ? 1 : 0) + (suffixed ? 2 : 0)
        if scalar.value < 0x144 {
            let id = scalarIds[variant * 0x144 + Int(scalar.value)]
            return id < 0 ? nil : Int(id)
        }
        return vocabulary.lookup(symbolBytes(scalar, prefixed: prefixed, suffixed: suffixed))
    }

    /// The ids of the `<0xXX>` tokens of the bytes of `scalar` with the prefix and/or suffix (tokenizers looks up
    /// the bytes of the whole string), nil when one is absent.
    func fallbackIds(_ scalar: Unicode.Scalar, prefixed: Bool, suffixed: Bool) -> [Int]? {
        var ids: [Int] = []
        for byte in symbolBytes(scalar, prefixed: prefixed, suffixed: suffixed) {
            let id = byteFallbackIds[Int(byte)]
            guard id >= 0 else { return nil }
            ids.append(Int(id))
        }
        return ids
    }

    /// The UTF-8 of `scalar` with the prefix and/or suffix.
    func symbolBytes(_ scalar: Unicode.Scalar, prefixed: Bool, suffixed: Bool) -> [UInt8] {
        var bytes: [UInt8] = []
        if prefixed, let prefix = options.continuingSubwordPrefix { bytes.append(contentsOf: prefix.utf8) }
        UTF8.encode(scalar) { bytes.append($0) }
        if suffixed, let suffix = options.endOfWordSuffix { bytes.append(contentsOf: suffix.utf8) }
        return bytes
    }

    /// The string of `scalars`.
    static func string(_ scalars: [Unicode.Scalar]) -> String {
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars)
        return String(view)
    }
}
