// Ports the word cache of tokenizers' BPE (models/bpe/model.rs `tokenize_with_cache`, utils/cache.rs): the tokens of
// words already seen, so that frequent words skip the merge loop. Purely an optimisation: results are the same.
import Foundation

/// A thread-safe map from words (their scalars) to their tokens, filled until it holds `capacity` words (then no
/// more are added, as tokenizers' cache does). Words of `maximumByteCount` UTF-8 bytes or more are never kept.
final class BPEWordCache: @unchecked Sendable {
    /// tokenizers' `DEFAULT_CACHE_CAPACITY`.
    static let defaultCapacity = 10_000
    /// tokenizers' `MAX_LENGTH` (in bytes).
    static let maximumByteCount = 256

    private let lock = NSLock()
    private var entries: [Key: [ModelToken]] = [:]
    private let capacity: Int

    /// An empty cache for up to `capacity` words (0: nothing is kept).
    init(capacity: Int = defaultCapacity) {
        self.capacity = capacity
    }

    /// The tokens of `word`, when kept.
    func tokens(of word: [Unicode.Scalar]) -> [ModelToken]? {
        guard capacity > 0 else { return nil }
        lock.lock()
        defer { lock.unlock() }
        return entries[Key(word)]
    }

    /// Keeps the tokens of `word`, while there is room and the word is short enough.
    func keep(_ tokens: [ModelToken], of word: [Unicode.Scalar]) {
        guard capacity > 0, word.count < Self.maximumByteCount, Self.byteCount(word) < Self.maximumByteCount else {
            return
        }
        lock.lock()
        defer { lock.unlock() }
        if entries.count < capacity { entries[Key(word)] = tokens }
    }

    /// A word as a dictionary key, hashed once with FNV-1a over its scalars (the standard library's hash of an
    /// array feeds its hasher one element at a time, several times slower for these short keys).
    struct Key: Hashable {
        let scalars: [Unicode.Scalar]
        let hash: UInt64

        init(_ scalars: [Unicode.Scalar]) {
            self.scalars = scalars
            var hash: UInt64 = 0xCBF2_9CE4_8422_2325
            for scalar in scalars { hash = (hash ^ UInt64(scalar.value)) &* 0x100_0000_01B3 }
            self.hash = hash
        }

        static func == (a: Key, b: Key) -> Bool { a.hash == b.hash && a.scalars == b.scalars }
        func hash(into hasher: inout Hasher) { hasher.combine(hash) }
    }

    /// The number of UTF-8 bytes of `word`.
    static func byteCount(_ word: [Unicode.Scalar]) -> Int {
        var count = 0
        for scalar in word { count += UTF8.width(scalar) }
        return count
    }
}
