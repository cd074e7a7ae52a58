// Ports tokenizers' models::wordpiece::WordPiece: greedy longest-match-first subwords with a continuation prefix.

/// The WordPiece model: a vocabulary, the unknown token and the `##` continuation prefix.
package struct WordPiece: Sendable {
    /// Token string by id (nil for ids no token maps to).
    package let tokens: [String?]
    /// The number of distinct tokens.
    package let count: Int
    /// Id of the unknown token, emitted for a word that cannot be covered or is too long.
    package let unknownId: Int
    /// The prefix marking a piece that continues a word (`##`).
    package let continuingSubwordPrefix: String
    /// Words with more scalars than this become the unknown token (100 for BERT).
    package let maxInputCharsPerWord: Int
    /// Pieces that may start a word: every vocabulary entry, keyed by its UTF-8 bytes.
    let startPieces: ByteKeyTable
    /// Pieces that continue a word: entries beginning with the prefix, keyed by their bytes after the prefix.
    let continuationPieces: ByteKeyTable

    /// A model over `vocabulary` (token, id pairs; tokens compared byte-wise, never by Swift's canonical
    /// equivalence). Precondition: `unknownId` is the id of the unknown token (loaders check and throw).
    package init(vocabulary: Vocabulary, unknownId: Int, continuingSubwordPrefix: String, maxInputCharsPerWord: Int) {
        self.unknownId = unknownId
        self.continuingSubwordPrefix = continuingSubwordPrefix
        self.maxInputCharsPerWord = maxInputCharsPerWord
        self.count = vocabulary.entries.count
        var tokens = [String?](repeating: nil, count: (vocabulary.entries.map(\.id).max() ?? -1) + 1)
        var start = ByteKeyTable(capacity: vocabulary.entries.count)
        var continuation = ByteKeyTable(capacity: vocabulary.entries.count)
        let prefix = Array(continuingSubwordPrefix.utf8)
        for (token, id) in vocabulary.entries where id >= 0 {
            tokens[id] = token
            let bytes = Array(token.utf8)
            start.insert(bytes, id: id)
            if !prefix.isEmpty, bytes.count > prefix.count, bytes.starts(with: prefix) {
                continuation.insert(Array(bytes[prefix.count...]), id: id)
            }
        }
        self.tokens = tokens
        self.startPieces = start
        // An empty prefix means continuation pieces are looked up as they are, like word starts.
        self.continuationPieces = prefix.isEmpty ? start : continuation
    }

    /// One piece of a word: its id and its byte range in the word.
    package struct Piece: Sendable, Equatable {
        package var id: Int
        package var start: Int
        package var end: Int
    }

    /// Splits one normalized word (`count` UTF-8 bytes at `word`, `scalarCount` scalars) into pieces, appended to
    /// `pieces`: greedy longest match first; the whole word becomes one unknown piece when any position has no match
    /// or the word has more than `maxInputCharsPerWord` scalars. Substrings end only on scalar boundaries.
    @inline(__always)
    package func split(word: UnsafePointer<UInt8>, count: Int, scalarCount: Int, into pieces: inout [Piece]) {
        if scalarCount > maxInputCharsPerWord {
            pieces.append(Piece(id: unknownId, start: 0, end: count))
            return
        }
        let firstPiece = pieces.count
        var start = 0
        // Hashes of word[start..<start+k] for k = 1...; kept on the stack for the common short cases.
        withUnsafeTemporaryAllocation(of: UInt64.self, capacity: max(startPieces.maxKeyLength, continuationPieces.maxKeyLength) + 1) { hashes in
            while start < count {
                let table = start == 0 ? startPieces : continuationPieces
                let end = min(count, start + table.maxKeyLength)
                var hash = FNV1a.offsetBasis
                var k = start
                while k < end {
                    hash = FNV1a.step(hash, word[k])
                    k += 1
                    hashes[k - start] = hash
                }
                var found = -1
                var stop = end
                while stop > start {
                    // Only try substrings that end on a scalar boundary.
                    if stop == count || word[stop] & 0xC0 != 0x80,
                        let id = table.lookup(word + start, count: stop - start, hash: hashes[stop - start]) {
                        found = id
                        break
                    }
                    stop -= 1
                }
                if found < 0 {
                    pieces.removeSubrange(firstPiece...)
                    pieces.append(Piece(id: unknownId, start: 0, end: count))
                    return
                }
                pieces.append(Piece(id: found, start: start, end: stop))
                start = stop
            }
        }
    }

    /// The token string of `id`, nil when no token has that id.
    package func token(for id: Int) -> String? {
        guard id >= 0, id < tokens.count else { return nil }
        return tokens[id]
    }

    /// The id of the exact token string `token` (byte-wise), nil when absent.
    package func id(for token: String) -> Int? {
        startPieces.lookup(Array(token.utf8))
    }
}
