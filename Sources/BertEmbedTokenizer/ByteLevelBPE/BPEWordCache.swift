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
    private var entries: [[Unicode.Scalar]: [ModelToken]] = [:]
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
        return entries[word]
    }

    /// Keeps the tokens of `word`, while there is room and the word is short enough.
    func keep(_ tokens: [ModelToken], of word: [Unicode.Scalar]) {
        guard capacity > 0, word.count < Self.maximumByteCount, Self.byteCount(word) < Self.maximumByteCount else {
            return
        }
        lock.lock()
        defer { lock.unlock() }
        if entries.count < capacity { entries[word] = tokens }
    }

    /// The number of UTF-8 bytes of `word`.
    static func byteCount(_ word: [Unicode.Scalar]) -> Int {
        var count = 0
        for scalar in word { count += UTF8.width(scalar) }
        return count
    }
}
