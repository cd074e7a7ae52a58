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

    /// Scratch space for `split`: sized for words of up to `wordCapacity` bytes.
    package struct Scratch {
        /// Prefix hashes (one more than the longest key).
        package let hashes: UnsafeMutableBufferPointer<UInt64>
        /// Pieces of the current word.
        package var pieces: UnsafeMutableBufferPointer<Piece>

        /// Allocates scratch space; call `deallocate()` when done.
        package init(model: WordPiece, wordCapacity: Int) {
            hashes = .allocate(capacity: max(model.startPieces.maxKeyLength, model.continuationPieces.maxKeyLength) + 1)
            pieces = .allocate(capacity: max(wordCapacity, 1))
        }

        /// Makes room for the pieces of a word of `count` bytes.
        package mutating func reserve(wordBytes count: Int) {
            guard count > pieces.count else { return }
            pieces.deallocate()
            pieces = .allocate(capacity: count)
        }

        /// Frees the space.
        package func deallocate() {
            hashes.deallocate()
            pieces.deallocate()
        }
    }

    /// Splits one normalized word (`count` UTF-8 bytes at `word`, `scalarCount` scalars) into pieces, written to
    /// `scratch.pieces` (call `scratch.reserve(wordBytes:)` first); returns how many. Greedy longest match first;
    /// the whole word becomes one unknown piece when a position has no match or the word has more than
    /// `maxInputCharsPerWord` scalars. Substrings end only on scalar boundaries.
    @inline(__always)
    package func split(word: UnsafePointer<UInt8>, count: Int, scalarCount: Int, scratch: Scratch) -> Int {
        let pieces = scratch.pieces
        if scalarCount > maxInputCharsPerWord {
            pieces[0] = Piece(id: unknownId, start: 0, end: count)
            return 1
        }
        let hashes = scratch.hashes
        var produced = 0
        var start = 0
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
                    let id = table.lookup(word + start, count: stop - start, hash: hashes[stop - start])
                {
                    found = id
                    break
                }
                stop -= 1
            }
            if found < 0 {
                pieces[0] = Piece(id: unknownId, start: 0, end: count)
                return 1
            }
            pieces[produced] = Piece(id: found, start: start, end: stop)
            produced += 1
            start = stop
        }
        return produced
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
