// Ports tokenizers' models::bpe::word::Word (`add`, `merge_all`, `get_offsets_iter`): the merge loop of BPE, with the
// merge map as a flat open-addressing table.

/// The merges of a BPE model: for a pair of adjacent token ids, the merge's rank (its index in the file's list;
/// lower merges first) and the id of the merged token.
package struct BPEMergeTable: Sendable {
    /// Keys `left << 32 | right`; `empty` marks a free slot (ids are below 2^31, so no key equals it).
    private var keys: [UInt64]
    /// Values `rank << 32 | newId`, beside their keys.
    private var values: [UInt64]
    private let mask: Int
    /// The number of pairs.
    package private(set) var count = 0
    private static let empty = UInt64.max

    /// A table sized for `capacity` pairs.
    package init(capacity: Int) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        keys = Array(repeating: Self.empty, count: size)
        values = Array(repeating: 0, count: size)
        mask = size - 1
    }

    @inline(__always)
    private func slot(_ key: UInt64) -> Int {
        Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> 32) & mask
    }

    /// Sets the merge of (`left`, `right`), replacing an earlier one (the later line of a file wins, as in
    /// tokenizers' HashMap). Ids are in 0..<2^31.
    package mutating func insert(left: Int, right: Int, rank: Int, newId: Int) {
        let key = UInt64(left) << 32 | UInt64(right)
        var index = slot(key)
        while keys[index] != Self.empty && keys[index] != key { index = (index + 1) & mask }
        if keys[index] == Self.empty { count += 1 }
        keys[index] = key
        values[index] = UInt64(rank) << 32 | UInt64(newId)
        precondition(count * 2 <= keys.count, "BPEMergeTable sized too small")
    }

    /// The merge of (`left`, `right`): its rank and the merged id, or nil.
    @inline(__always)
    package func lookup(_ left: Int32, _ right: Int32) -> (rank: UInt32, newId: Int32)? {
        let key = UInt64(UInt32(bitPattern: left)) << 32 | UInt64(UInt32(bitPattern: right))
        var index = slot(key)
        while true {
            let found = keys[index]
            if found == key {
                let value = values[index]
                return (UInt32(truncatingIfNeeded: value >> 32), Int32(truncatingIfNeeded: value))
            }
            if found == Self.empty { return nil }
            index = (index + 1) & mask
        }
    }
}

/// One word during BPE: its symbols (token id and length in the word's UTF-8 bytes) as a linked list in an array.
struct BPEWord {
    /// A symbol; `byteCount` 0 marks one merged into its left neighbour.
    struct Symbol {
        var id: Int32
        var previous: Int32
        var next: Int32
        var byteCount: Int32
    }

    /// The symbols, in order of the word.
    private(set) var symbols: [Symbol] = []

    /// An empty word with room for `capacity` symbols.
    init(capacity: Int) { symbols.reserveCapacity(capacity) }

    /// Appends symbol `id` covering `byteCount` bytes (`Word::add`).
    mutating func add(_ id: Int, byteCount: Int) {
        let count = Int32(symbols.count)
        if count > 0 { symbols[Int(count) - 1].next = count }
        symbols.append(Symbol(id: Int32(id), previous: count - 1, next: -1, byteCount: Int32(byteCount)))
    }

    /// A queued merge: rank, then position (the left symbol), packed so that one comparison orders them, and the
    /// id the pair merges into.
    private struct Candidate {
        var order: UInt64
        var newId: Int32
        var position: Int { Int(truncatingIfNeeded: UInt32(truncatingIfNeeded: order)) }
        init(rank: UInt32, position: Int, newId: Int32) {
            order = UInt64(rank) << 32 | UInt64(position)
            self.newId = newId
        }
    }

    /// Applies the merges (`Word::merge_all` without dropout): repeatedly the queued pair of lowest rank, leftmost
    /// among equal ranks; an entry whose pair has changed since it was queued (its left symbol merged away, or the
    /// pair now merging into another id) is skipped.
    mutating func mergeAll(_ merges: BPEMergeTable) {
        var heap: [Candidate] = []
        heap.reserveCapacity(symbols.count)
        if symbols.count > 1 {
            for position in 0..<(symbols.count - 1) {
                if let merge = merges.lookup(symbols[position].id, symbols[position + 1].id) {
                    heap.append(Candidate(rank: merge.rank, position: position, newId: merge.newId))
                }
            }
        }
        Self.heapify(&heap)
        while let top = Self.popMin(&heap) {
            let position = top.position
            let current = symbols[position]
            if current.byteCount == 0 || current.next == -1 { continue }
            let nextPosition = Int(current.next)
            let right = symbols[nextPosition]
            guard let merge = merges.lookup(current.id, right.id), merge.newId == top.newId else { continue }
            symbols[position].id = top.newId
            symbols[position].byteCount += right.byteCount
            symbols[position].next = right.next
            symbols[nextPosition].byteCount = 0
            if right.next >= 0 { symbols[Int(right.next)].previous = Int32(position) }
            let merged = symbols[position]
            if merged.previous >= 0, let merge = merges.lookup(symbols[Int(merged.previous)].id, merged.id) {
                Self.push(&heap, Candidate(rank: merge.rank, position: Int(merged.previous), newId: merge.newId))
            }
            if merged.next >= 0, let merge = merges.lookup(merged.id, symbols[Int(merged.next)].id) {
                Self.push(&heap, Candidate(rank: merge.rank, position: position, newId: merge.newId))
            }
        }
    }

    /// The symbols left after merging, each with its byte range in the word (cumulative lengths from 0, as
    /// `get_offsets_iter`).
    func pieces() -> [(id: Int, bytes: Range<Int>)] {
        var result: [(id: Int, bytes: Range<Int>)] = []
        var position = 0
        for symbol in symbols where symbol.byteCount != 0 {
            result.append((Int(symbol.id), position..<(position + Int(symbol.byteCount))))
            position += Int(symbol.byteCount)
        }
        return result
    }

    // MARK: - A binary min-heap on `order`

    private static func heapify(_ heap: inout [Candidate]) {
        var index = heap.count / 2
        while index > 0 {
            index -= 1
            siftDown(&heap, from: index)
        }
    }

    private static func push(_ heap: inout [Candidate], _ candidate: Candidate) {
        heap.append(candidate)
        var child = heap.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child].order < heap[parent].order else { break }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    private static func popMin(_ heap: inout [Candidate]) -> Candidate? {
        guard let last = heap.popLast() else { return nil }
        guard !heap.isEmpty else { return last }
        let top = heap[0]
        heap[0] = last
        siftDown(&heap, from: 0)
        return top
    }

    private static func siftDown(_ heap: inout [Candidate], from start: Int) {
        var parent = start
        while true {
            let left = 2 * parent + 1
            guard left < heap.count else { return }
            var smallest = left
            if left + 1 < heap.count && heap[left + 1].order < heap[left].order { smallest = left + 1 }
            guard heap[smallest].order < heap[parent].order else { return }
            heap.swapAt(smallest, parent)
            parent = smallest
        }
    }
}
