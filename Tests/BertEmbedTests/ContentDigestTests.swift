// The download's digests against published test vectors (FIPS 180-4 examples, NIST's one-million-'a' message) and
// git's blob id, fed in pieces that cross block boundaries every way.
import BertEmbed
import XCTest

final class ContentDigestTests: XCTestCase {
    func testSHA256AndSHA1TestVectors() {
        let million = [UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)
        let twoBlocks = Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)
        let cases: [([UInt8], String, String)] = [
            (
                [], "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
                "da39a3ee5e6b4b0d3255bfef95601890afd80709"
            ),
            (
                Array("abc".utf8), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
                "a9993e364706816aba3e25717850c26c9cd0d89d"
            ),
            (
                twoBlocks, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1",
                "84983e441c3bd26ebaae4aa1f95129e5e54670f1"
            ),
            (
                million, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0",
                "34aa973cd4c4daa4f61eeb2bdbad27316534016f"
            ),
        ]
        for (message, sha256, sha1) in cases {
            for piece in [1, 55, 63, 64, 65, 1000, 1 << 20] {
                var a = SHA256(), b = SHA1()
                var offset = 0
                while offset < message.count {
                    let end = min(message.count, offset + piece)
                    a.update(message[offset..<end])
                    b.update(message[offset..<end])
                    offset = end
                    if message.count > 100_000 && piece < 1000 { break }  // the long message only in large pieces
                }
                if message.count > 100_000 && piece < 1000 { continue }
                XCTAssertEqual(a.hexDigest(), sha256, "\(message.count) bytes in pieces of \(piece)")
                XCTAssertEqual(b.hexDigest(), sha1, "\(message.count) bytes in pieces of \(piece)")
            }
        }
        // git hash-object of "hello\n".
        var blob = SHA1.gitBlob(size: 6)
        blob.update(Array("hello\n".utf8))
        XCTAssertEqual(blob.hexDigest(), "ce013625030ba8dba906f756967f9e9ca394464a")
    }
}
