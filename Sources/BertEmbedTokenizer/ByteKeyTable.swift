// An open-addressing hash map from UTF-8 byte strings to token ids, looked up without allocating a String.

/// FNV-1a, 64 bit: cheap to extend one byte at a time, so every prefix of a word is hashed in one pass.
@usableFromInline
package enum FNV1a {
    /// The hash of the empty string.
    @usableFromInline package static let offsetBasis: UInt64 = 0xcbf2_9ce4_8422_2325
    /// `hash` extended by one byte.
    @inline(__always) @usableFromInline
    package static func step(_ hash: UInt64, _ byte: UInt8) -> UInt64 {
        (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
    }
}

/// An immutable map from byte strings (vocabulary pieces, as UTF-8) to ids, with linear probing.
///
/// Keys live in one byte pool; a slot holds a 32-bit hash tag, the key's place in the pool and the id.
package struct ByteKeyTable: Sendable {
    struct Slot: Sendable {
        var tag: UInt32 = 0
        var offset: UInt32 = 0
        var length: UInt32 = 0  // 0: empty slot (empty keys are never stored)
        var id: Int32 = 0
    }

    private var slots: [Slot]
    private var pool: [UInt8] = []
    private let mask: Int
    /// Length in bytes of the longest key: no longer substring needs a lookup.
    package private(set) var maxKeyLength = 0
    /// Number of keys stored.
    package private(set) var count = 0

    /// A table sized for `capacity` keys.
    package init(capacity: Int) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        slots = Array(repeating: Slot(), count: size)
        mask = size - 1
    }

    @inline(__always)
    static func split(_ hash: UInt64) -> (index: Int, tag: UInt32) {
        (Int(truncatingIfNeeded: hash ^ (hash >> 31)), UInt32(truncatingIfNeeded: hash >> 32) | 1)
    }

    /// The hash of `bytes`, as `lookup` expects it.
    package static func hash<C: Collection>(_ bytes: C) -> UInt64 where C.Element == UInt8 {
        bytes.reduce(FNV1a.offsetBasis, FNV1a.step)
    }

    /// Inserts `key` with `id`, replacing the id of an equal key (the later entry wins, as in a Python dict).
    /// Empty keys and keys longer than 2^31 bytes are ignored.
    package mutating func insert(_ key: [UInt8], id: Int) {
        guard !key.isEmpty, key.count < Int(Int32.max), let id32 = Int32(exactly: id) else { return }
        let (start, tag) = Self.split(Self.hash(key))
        var index = start & mask
        while slots[index].length != 0 {
            let slot = slots[index]
            if slot.tag == tag, Int(slot.length) == key.count,
                pool[Int(slot.offset)..<Int(slot.offset) + key.count].elementsEqual(key)
            {
                slots[index].id = id32
                return
            }
            index = (index + 1) & mask
        }
        slots[index] = Slot(tag: tag, offset: UInt32(pool.count), length: UInt32(key.count), id: id32)
        pool.append(contentsOf: key)
        maxKeyLength = max(maxKeyLength, key.count)
        count += 1
        precondition(count * 2 <= slots.count, "ByteKeyTable sized too small")
    }

    /// The id of the `count` bytes at `bytes`, whose FNV-1a hash is `hash`; nil when absent.
    @inline(__always)
    package func lookup(_ bytes: UnsafePointer<UInt8>, count: Int, hash: UInt64) -> Int? {
        let (start, tag) = Self.split(hash)
        return slots.withUnsafeBufferPointer { slots in
            pool.withUnsafeBufferPointer { pool in
                guard let base = pool.baseAddress else { return nil }
                var index = start & mask
                while true {
                    let slot = slots[index]
                    if slot.length == 0 { return nil }
                    if slot.tag == tag, Int(slot.length) == count,
                        memcmpBytes(base + Int(slot.offset), bytes, count)
                    {
                        return Int(slot.id)
                    }
                    index = (index + 1) & mask
                }
            }
        }
    }

    /// The id of `key`, nil when absent (a convenience for tests and setup; the hot path uses the pointer form).
    package func lookup(_ key: [UInt8]) -> Int? {
        key.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress, !buffer.isEmpty else { return nil }
            return lookup(base, count: buffer.count, hash: Self.hash(buffer))
        }
    }
}

/// Byte-wise equality of two memory ranges of `count` bytes.
@inline(__always)
func memcmpBytes(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ count: Int) -> Bool {
    var i = 0
    while i + 8 <= count {
        if UnsafeRawPointer(a + i).loadUnaligned(as: UInt64.self)
            != UnsafeRawPointer(b + i).loadUnaligned(as: UInt64.self)
        {
            return false
        }
        i += 8
    }
    while i < count {
        if a[i] != b[i] { return false }
        i += 1
    }
    return true
}
