// The prefix structure of the Unigram model (tokenizers' models::unigram::trie, a map-of-maps trie) as a double array
// built once at load: one array read per byte walked, so every piece starting at a position is found in one pass.

/// A double-array trie over byte strings, each key with an id and a score.
///
/// State `s` moves on byte `c` to `t = base[s] + c` when `check[t] == s`; `id[t]` and `score[t]` are those of the key
/// ending there (id -1: none). State 0 is the root. Built from the sorted keys, each state's children placed at the first base where
/// all their slots are free (free slots kept in a linked list).
package struct PieceTrie: Sendable {
    /// One slot of the double array.
    struct Slot: Sendable {
        /// The score of the key ending here (read with the id, in the same cache line as `check`).
        var score: Double = 0
        /// Where this state's children start (child on byte c at base + c).
        var base: Int32 = 0
        /// The parent state of this slot; -1 when the slot is free.
        var check: Int32 = -1
        /// The id of the key ending here, -1 when none.
        var id: Int32 = -1
    }

    /// The double array.
    private(set) var slots: [Slot]

    /// The number of slots (states and holes).
    package var slotCount: Int { slots.count }

    /// A trie of `keys` (UTF-8 byte strings; `keys[i]` has id `i` and score `scores[i]`, 0 when absent). For equal
    /// keys the last id wins, as in a Rust HashMap filled in order; the empty key is never matched (tokenizers walks
    /// at least one byte).
    package init(keys: [[UInt8]], scores: [Double] = []) {
        var pool: [UInt8] = []
        pool.reserveCapacity(keys.reduce(0) { $0 + $1.count })
        var ranges: [Range<Int>] = []
        ranges.reserveCapacity(keys.count)
        for key in keys {
            ranges.append(pool.count..<(pool.count + key.count))
            pool.append(contentsOf: key)
        }
        // Sort ids by key (bytewise, a prefix first), then keep the last id of each run of equal keys.
        let order = pool.withUnsafeBufferPointer { pool in
            ranges.indices.sorted { a, b in
                let x = ranges[a], y = ranges[b]
                let n = min(x.count, y.count)
                var i = 0
                while i < n {
                    let p = pool[x.lowerBound + i], q = pool[y.lowerBound + i]
                    if p != q { return p < q }
                    i += 1
                }
                return x.count != y.count ? x.count < y.count : a < b
            }
        }
        var unique: [Int] = []
        unique.reserveCapacity(order.count)
        for id in order where !ranges[id].isEmpty {
            if let last = unique.last, pool[ranges[last]] == pool[ranges[id]] {
                unique[unique.count - 1] = id
            } else {
                unique.append(id)
            }
        }
        var builder = Builder(capacity: max(256, pool.count / 2 + 512))
        builder.build(pool: pool, ranges: ranges, sorted: unique)
        slots = builder.slots
        for i in slots.indices where slots[i].id >= 0 && Int(slots[i].id) < scores.count {
            slots[i].score = scores[Int(slots[i].id)]
        }
    }

    /// Calls `body(length, id, score)` for every key that is a prefix of the `count` bytes at `bytes`, shortest
    /// first.
    @inline(__always)
    package func forEachPrefix(_ bytes: UnsafePointer<UInt8>, count: Int, _ body: (Int, Int, Double) -> Void) {
        slots.withUnsafeBufferPointer { slots in
            var state = 0
            var k = 0
            while k < count {
                let next = Int(slots[state].base) + Int(bytes[k])
                guard next < slots.count, Int(slots[next].check) == state else { return }
                state = next
                k += 1
                let slot = slots[state]
                if slot.id >= 0 { body(k, Int(slot.id), slot.score) }
            }
        }
    }

    /// The id of the key equal to the `count` bytes at `bytes`, nil when absent.
    package func id(of bytes: UnsafePointer<UInt8>, count: Int) -> Int? {
        guard count > 0 else { return nil }
        return slots.withUnsafeBufferPointer { slots -> Int? in
            var state = 0
            for k in 0..<count {
                let next = Int(slots[state].base) + Int(bytes[k])
                guard next < slots.count, Int(slots[next].check) == state else { return nil }
                state = next
            }
            let id = slots[state].id
            return id >= 0 ? Int(id) : nil
        }
    }

    /// The id of `key`, nil when absent.
    package func id(of key: [UInt8]) -> Int? {
        key.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return nil }
            return id(of: base, count: buffer.count)
        }
    }

    /// Places states in the double array.
    private struct Builder {
        var slots: [Slot]
        /// Doubly linked list of free slots (indices 1...; slot 0 is the root), in increasing order.
        var nextFree: [Int32]
        var previousFree: [Int32]
        /// The first free slot, or `slots.count` when none.
        var firstFree: Int

        init(capacity: Int) {
            slots = []
            nextFree = []
            previousFree = []
            firstFree = 1
            grow(to: capacity)
            slots[0].check = -2  // the root: never free, never a child
        }

        /// Makes the array `count` slots long, the new slots free.
        mutating func grow(to count: Int) {
            let old = slots.count
            guard count > old else { return }
            slots.append(contentsOf: repeatElement(Slot(), count: count - old))
            for i in old..<count {
                nextFree.append(Int32(i + 1))
                previousFree.append(Int32(i - 1))
            }
            // Link the old list's tail (the last free slot below `old`) to the new slots.
            var tail = old - 1
            while tail >= 1 && slots[tail].check != -1 { tail -= 1 }
            if tail >= 1 {
                nextFree[tail] = Int32(old)
                previousFree[old] = Int32(tail)
            } else {
                firstFree = max(1, old)
                previousFree[max(1, old)] = 0
            }
        }

        /// Marks `slot` used by `parent`, unlinking it from the free list.
        mutating func take(_ slot: Int, parent: Int) {
            slots[slot].check = Int32(parent)
            let next = Int(nextFree[slot]), previous = Int(previousFree[slot])
            if slot == firstFree { firstFree = next }
            if previous >= 1 { nextFree[previous] = Int32(next) }
            if next < nextFree.count { previousFree[next] = Int32(previous) }
        }

        /// The first base at which every label of `labels` lands on a free slot (never slot 0).
        mutating func findBase(_ labels: [UInt8]) -> Int {
            let first = Int(labels[0])
            var candidate = firstFree
            while true {
                if candidate >= slots.count { grow(to: slots.count * 2) }
                let base = candidate - first
                if base >= 0 {
                    let last = base + Int(labels[labels.count - 1])
                    if last >= slots.count { grow(to: max(slots.count * 2, last + 1)) }
                    var fits = true
                    for label in labels.dropFirst() where slots[base + Int(label)].check != -1 {
                        fits = false
                        break
                    }
                    if fits { return base }
                }
                candidate = Int(nextFree[candidate])
            }
        }

        /// Builds the trie of the keys `pool[ranges[i]]` for i in `sorted` (sorted, distinct, non-empty).
        mutating func build(pool: [UInt8], ranges: [Range<Int>], sorted: [Int]) {
            // Work items: (state, range of `sorted` sharing the state's prefix, depth).
            var stack: [(state: Int, lower: Int, upper: Int, depth: Int)] = []
            if !sorted.isEmpty { stack.append((0, 0, sorted.count, 0)) }
            var labels: [UInt8] = []
            var childRanges: [Range<Int>] = []
            while let (state, lower, upper, depth) = stack.popLast() {
                var lower = lower
                if ranges[sorted[lower]].count == depth {
                    slots[state].id = Int32(sorted[lower])
                    lower += 1
                }
                guard lower < upper else { continue }
                labels.removeAll(keepingCapacity: true)
                childRanges.removeAll(keepingCapacity: true)
                var start = lower
                while start < upper {
                    let label = pool[ranges[sorted[start]].lowerBound + depth]
                    var end = start + 1
                    while end < upper && pool[ranges[sorted[end]].lowerBound + depth] == label { end += 1 }
                    labels.append(label)
                    childRanges.append(start..<end)
                    start = end
                }
                let base = findBase(labels)
                slots[state].base = Int32(base)
                for (label, range) in zip(labels, childRanges) {
                    let child = base + Int(label)
                    take(child, parent: state)
                    stack.append((child, range.lowerBound, range.upperBound, depth + 1))
                }
            }
            // Trim trailing free slots.
            var end = slots.count
            while end > 1 && slots[end - 1].check == -1 { end -= 1 }
            slots.removeSubrange(end...)
        }
    }
}
