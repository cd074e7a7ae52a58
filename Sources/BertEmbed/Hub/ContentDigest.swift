// The two digests the Hugging Face Hub names files by: SHA-256 (FIPS 180-4) for LFS files, whose sha256 the file
// listing gives, and SHA-1 for git blob ids ("blob SIZE\0" + contents) of the small files git stores itself. Both are
// streaming: a download is hashed as it arrives (and a resumed one from its kept part first), never read twice.

/// A Merkle-Damgard hash over 64-byte blocks with a big-endian 64-bit bit length in its padding (SHA-1, SHA-256):
/// the block buffering and padding, shared; the compression function, each its own.
package protocol BlockDigest {
    /// The hash state after the blocks so far.
    var state: [UInt32] { get set }
    /// Bytes received not yet a whole block (< 64).
    var pending: [UInt8] { get set }
    /// Bytes received in all.
    var length: UInt64 { get set }
    /// Mixes one 64-byte block into `state`.
    mutating func compress(_ block: UnsafeRawPointer)
}

extension BlockDigest {
    /// Adds `bytes` to the message.
    package mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard var base = bytes.baseAddress else { return }
        var count = bytes.count
        length += UInt64(count)
        if !pending.isEmpty {
            let take = min(64 - pending.count, count)
            pending.append(contentsOf: UnsafeRawBufferPointer(start: base, count: take))
            base += take
            count -= take
            if pending.count < 64 { return }
            let block = pending
            block.withUnsafeBytes { compress($0.baseAddress!) }
            pending.removeAll(keepingCapacity: true)
        }
        while count >= 64 {
            compress(base)
            base += 64
            count -= 64
        }
        if count > 0 { pending.append(contentsOf: UnsafeRawBufferPointer(start: base, count: count)) }
    }

    /// Adds `bytes` to the message.
    package mutating func update<Bytes: Sequence>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        Array(bytes).withUnsafeBytes { update($0) }
    }

    /// The digest of the message so far, as lowercase hexadecimal (the state words big-endian).
    package func hexDigest() -> String {
        var copy = self
        let bits = length &* 8
        var padding: [UInt8] = [0x80]
        padding += [UInt8](repeating: 0, count: (64 + 56 - (pending.count + 1) % 64) % 64)
        for shift in stride(from: 56, through: 0, by: -8) { padding.append(UInt8(truncatingIfNeeded: bits >> shift)) }
        copy.update(padding)
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        for word in copy.state {
            for shift in stride(from: 28, through: 0, by: -4) { text.append(digits[Int(word >> UInt32(shift) & 15)]) }
        }
        return String(decoding: text, as: UTF8.self)
    }
}

@inline(__always)
private func bigEndianWord(_ block: UnsafeRawPointer, _ index: Int) -> UInt32 {
    UInt32(bigEndian: block.loadUnaligned(fromByteOffset: 4 * index, as: UInt32.self))
}

/// SHA-256 (FIPS 180-4, 6.2), streaming.
package struct SHA256: BlockDigest {
    package var state: [UInt32] = [
        0x6a09_e667, 0xbb67_ae85, 0x3c6e_f372, 0xa54f_f53a, 0x510e_527f, 0x9b05_688c, 0x1f83_d9ab, 0x5be0_cd19,
    ]
    package var pending: [UInt8] = []
    package var length: UInt64 = 0
    private var schedule = [UInt32](repeating: 0, count: 64)

    /// The hash of the empty message so far.
    package init() {}

    private static let roundConstants: [UInt32] = [
        0x428a_2f98, 0x7137_4491, 0xb5c0_fbcf, 0xe9b5_dba5, 0x3956_c25b, 0x59f1_11f1, 0x923f_82a4, 0xab1c_5ed5,
        0xd807_aa98, 0x1283_5b01, 0x2431_85be, 0x550c_7dc3, 0x72be_5d74, 0x80de_b1fe, 0x9bdc_06a7, 0xc19b_f174,
        0xe49b_69c1, 0xefbe_4786, 0x0fc1_9dc6, 0x240c_a1cc, 0x2de9_2c6f, 0x4a74_84aa, 0x5cb0_a9dc, 0x76f9_88da,
        0x983e_5152, 0xa831_c66d, 0xb003_27c8, 0xbf59_7fc7, 0xc6e0_0bf3, 0xd5a7_9147, 0x06ca_6351, 0x1429_2967,
        0x27b7_0a85, 0x2e1b_2138, 0x4d2c_6dfc, 0x5338_0d13, 0x650a_7354, 0x766a_0abb, 0x81c2_c92e, 0x9272_2c85,
        0xa2bf_e8a1, 0xa81a_664b, 0xc24b_8b70, 0xc76c_51a3, 0xd192_e819, 0xd699_0624, 0xf40e_3585, 0x106a_a070,
        0x19a4_c116, 0x1e37_6c08, 0x2748_774c, 0x34b0_bcb5, 0x391c_0cb3, 0x4ed8_aa4a, 0x5b9c_ca4f, 0x682e_6ff3,
        0x748f_82ee, 0x78a5_636f, 0x84c8_7814, 0x8cc7_0208, 0x90be_fffa, 0xa450_6ceb, 0xbef9_a3f7, 0xc671_78f2,
    ]

    package mutating func compress(_ block: UnsafeRawPointer) {
        @inline(__always) func rotate(_ x: UInt32, _ n: UInt32) -> UInt32 { x >> n | x << (32 - n) }
        schedule.withUnsafeMutableBufferPointer { w in
            for t in 0..<16 { w[t] = bigEndianWord(block, t) }
            for t in 16..<64 {
                let s0 = rotate(w[t - 15], 7) ^ rotate(w[t - 15], 18) ^ (w[t - 15] >> 3)
                let s1 = rotate(w[t - 2], 17) ^ rotate(w[t - 2], 19) ^ (w[t - 2] >> 10)
                w[t] = w[t - 16] &+ s0 &+ w[t - 7] &+ s1
            }
            var a = state[0], b = state[1], c = state[2], d = state[3]
            var e = state[4], f = state[5], g = state[6], h = state[7]
            Self.roundConstants.withUnsafeBufferPointer { k in
                for t in 0..<64 {
                    let t1 = h &+ (rotate(e, 6) ^ rotate(e, 11) ^ rotate(e, 25)) &+ (e & f ^ ~e & g) &+ k[t] &+ w[t]
                    let t2 = (rotate(a, 2) ^ rotate(a, 13) ^ rotate(a, 22)) &+ (a & b ^ a & c ^ b & c)
                    h = g
                    g = f
                    f = e
                    e = d &+ t1
                    d = c
                    c = b
                    b = a
                    a = t1 &+ t2
                }
            }
            state[0] &+= a
            state[1] &+= b
            state[2] &+= c
            state[3] &+= d
            state[4] &+= e
            state[5] &+= f
            state[6] &+= g
            state[7] &+= h
        }
    }
}

/// SHA-1 (FIPS 180-4, 6.1), streaming: only for git blob ids, which are SHA-1 by git's definition.
package struct SHA1: BlockDigest {
    package var state: [UInt32] = [0x6745_2301, 0xEFCD_AB89, 0x98BA_DCFE, 0x1032_5476, 0xC3D2_E1F0]
    package var pending: [UInt8] = []
    package var length: UInt64 = 0
    private var schedule = [UInt32](repeating: 0, count: 80)

    /// The hash of the empty message so far.
    package init() {}

    /// The hash git names a file's contents by: SHA-1 of "blob SIZE\0" then the `size` bytes (fed with `update`).
    package static func gitBlob(size: Int) -> SHA1 {
        var digest = SHA1()
        digest.update(Array("blob \(size)".utf8) + [0])
        return digest
    }

    package mutating func compress(_ block: UnsafeRawPointer) {
        @inline(__always) func rotate(_ x: UInt32, _ n: UInt32) -> UInt32 { x << n | x >> (32 - n) }
        schedule.withUnsafeMutableBufferPointer { w in
            for t in 0..<16 { w[t] = bigEndianWord(block, t) }
            for t in 16..<80 { w[t] = rotate(w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16], 1) }
            var a = state[0], b = state[1], c = state[2], d = state[3], e = state[4]
            for t in 0..<80 {
                let f: UInt32, k: UInt32
                switch t {
                case 0..<20: (f, k) = (b & c | ~b & d, 0x5A82_7999)
                case 20..<40: (f, k) = (b ^ c ^ d, 0x6ED9_EBA1)
                case 40..<60: (f, k) = (b & c | b & d | c & d, 0x8F1B_BCDC)
                default: (f, k) = (b ^ c ^ d, 0xCA62_C1D6)
                }
                let next = rotate(a, 5) &+ f &+ e &+ k &+ w[t]
                e = d
                d = c
                c = rotate(b, 30)
                b = a
                a = next
            }
            state[0] &+= a
            state[1] &+= b
            state[2] &+= c
            state[3] &+= d
            state[4] &+= e
        }
    }
}
