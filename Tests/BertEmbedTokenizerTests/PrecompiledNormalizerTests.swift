// Tests the Precompiled normalizer (charsmap parsing, darts lookup, grapheme handling, alignments) against
// tokenizers 0.23.3 with the real XLM-R nmt_nfkc table of the fixture.
import BertEmbedJSON
import BertEmbedTokenizer
import XCTest
import _BertEmbedTestSupport

final class PrecompiledNormalizerTests: XCTestCase {
    /// Normalized text and every scalar's original offsets equal tokenizers' on the handwritten tricky inputs
    /// (full-width, ligatures, combining marks, NBSP + virama, CRLF, controls at the start, emoji, U+FFFD, NUL) and
    /// 400 random strings of tricky pieces.
    func testNormalizedTextAndOffsetsMatchTokenizers() throws {
        let normalizer = try UnigramFixture.normalizer()
        let cases = UnigramFixture.goldens.precompiled
        XCTAssertGreaterThan(cases.count, 400)
        var failures = 0
        for golden in cases {
            var text = NormalizedText(golden.text)
            normalizer.normalize(&text)
            let offsets = UnigramFixture.originalOffsets(text)
            if text.string != golden.normalized || offsets != UnigramFixture.ranges(golden.offsets) {
                failures += 1
                if failures <= 10 {
                    XCTFail(
                        "\(golden.text.debugDescription): got \(text.string.debugDescription) \(offsets), "
                            + "expected \(golden.normalized.debugDescription) \(UnigramFixture.ranges(golden.offsets))")
                }
            }
        }
        XCTAssertEqual(failures, 0)
    }

    /// The quirks the spec lists, spelled out (the goldens hold them too; these name what each one is).
    func testDocumentedQuirks() throws {
        let normalizer = try UnigramFixture.normalizer()
        func check(_ input: String, _ expected: String, _ offsets: [Range<Int>], line: UInt = #line) {
            var text = NormalizedText(input)
            normalizer.normalize(&text)
            XCTAssertEqual(text.string, expected, line: line)
            XCTAssertEqual(text.alignments, offsets, line: line)
        }
        // Whole grapheme under 6 bytes, shortest key: the rest of the cluster is dropped.
        check("A\u{302}\u{300}", "\u{C2}", [0..<1])
        check("\u{FF21}\u{301}", "A", [0..<1])
        // NBSP + virama is one cluster of 5 bytes; the consonant after it is not part of it (GB9c).
        check("\u{A0}\u{94D}\u{921}", " \u{921}", [0..<1, 2..<3])
        // CR LF is one cluster: one space.
        check("\r\nab", " ab", [0..<1, 2..<3, 3..<4])
        // A deletion at the very start shifts the alignments of what follows.
        check("\u{1E}ab", "ab", [0..<1, 1..<2])
        check("a\u{1E}", "a", [0..<1])
        // Expansion: the added scalars share the source's span.
        check("\u{FB01}x", "fix", [0..<1, 0..<1, 1..<2])
        // Contraction: e + combining acute becomes é aligned with the e only.
        check("cafe\u{301}", "caf\u{E9}", [0..<1, 1..<2, 2..<3, 3..<4])
        // NUL never matches; U+FFFD becomes a space.
        check("\u{0}\u{FFFD}", "\u{0} ", [0..<1, 1..<2])
        // Seven bytes: scalar by scalar, nothing composes.
        check("o\u{308}\u{304}\u{301}", "o\u{308}\u{304}\u{301}", [0..<1, 1..<2, 2..<3, 3..<4])
    }

    /// Every BMP code point alone and in grapheme-sensitive contexts (after NBSP and full-width A, which are keys;
    /// before NBSP and "a" for Prepend; after a virama for GB9c; after CR; before a combining mark) normalizes to
    /// tokenizers' text and offsets: Swift's grapheme segmentation agrees with unicode-segmentation 1.13 (Unicode 17).
    func testBMPSweepsMatchTokenizers() throws {
        let normalizer = try UnigramFixture.normalizer()
        let sweeps = UnigramFixture.goldens.precompiledSweeps
        XCTAssertEqual(sweeps.count, 9)
        for sweep in sweeps {
            XCTAssertEqual(sweep.digests.count, 0x10000 / 256)
            let prefix = Array(sweep.prefix.unicodeScalars), suffix = Array(sweep.suffix.unicodeScalars)
            var mismatches: [Int] = []
            for (chunk, digest) in sweep.digests.enumerated() {
                var parts: [String] = []
                for value in UInt32(chunk * 256)..<UInt32((chunk + 1) * 256) {
                    guard let scalar = Unicode.Scalar(value) else { continue }
                    var text = NormalizedText(prefix + [scalar] + suffix)
                    normalizer.normalize(&text)
                    let offsets = text.alignments.flatMap { [$0.lowerBound, $0.upperBound] }
                    parts.append(text.string + "|" + offsets.map(String.init).joined(separator: ","))
                }
                if String(UnigramFixture.fnv1a64(parts.joined(separator: "\n")), radix: 16)
                    != digest.trimmingLeadingZeros
                {
                    mismatches.append(chunk)
                }
            }
            XCTAssertEqual(
                mismatches, [],
                "prefix \(sweep.prefix.debugDescription) suffix \(sweep.suffix.debugDescription): "
                    + "chunks of 256 code points that differ")
        }
    }

    /// Every supplementary code point alone normalizes to tokenizers' text.
    func testSupplementarySweepMatchesTokenizers() throws {
        let normalizer = try UnigramFixture.normalizer()
        let digests = UnigramFixture.goldens.precompiledSupplementary
        XCTAssertEqual(digests.count, (0x110000 - 0x10000) / 4096)
        var mismatches: [Int] = []
        for (index, digest) in digests.enumerated() {
            let chunk = index + 0x10000 / 4096
            var parts: [String] = []
            for value in UInt32(chunk * 4096)..<UInt32((chunk + 1) * 4096) {
                guard let scalar = Unicode.Scalar(value) else { continue }
                parts.append(normalizer.normalize(String(Character(scalar))))
            }
            if String(UnigramFixture.fnv1a64(parts.joined(separator: "\n")), radix: 16) != digest.trimmingLeadingZeros {
                mismatches.append(chunk)
            }
        }
        XCTAssertEqual(mismatches, [])
    }

    /// The darts-clone walk of the spec's worked example: "ﬁ" has one key (value 2130, "fi"); "A\u{302}\u{300}" has
    /// two, shortest first, and transform takes the shortest.
    func testDoubleArrayLookup() throws {
        let charsmap = try UnigramFixture.normalizer().charsmap
        XCTAssertEqual(charsmap.commonPrefixSearch(Array("\u{FB01}".utf8)), [2130])
        XCTAssertEqual(charsmap.transform("\u{FB01}"), "fi")
        XCTAssertEqual(charsmap.commonPrefixSearch(Array("A\u{302}\u{300}".utf8)), [2465, 7485])
        XCTAssertEqual(charsmap.transform("A\u{302}\u{300}"), "\u{C2}")
        XCTAssertEqual(charsmap.transform("\u{1E}"), "")
        XCTAssertNil(charsmap.transform("a"))
        XCTAssertNil(charsmap.transform("\u{0}\u{FB01}"), "a NUL byte ends the key")
    }

    /// The grapheme clusters the spec singles out, and the fast path (certain boundaries below U+0300) against
    /// Swift's plain Character segmentation of the whole string on random strings.
    func testGraphemeClusters() {
        func clusters(_ text: String) -> [Range<Int>] {
            var result: [Range<Int>] = []
            GraphemeClusters.forEach(Array(text.unicodeScalars)) { result.append($0) }
            return result
        }
        XCTAssertEqual(clusters("\u{A0}\u{94D}\u{921}"), [0..<2, 2..<3])
        XCTAssertEqual(clusters("\u{915}\u{94D}\u{921}"), [0..<3])
        XCTAssertEqual(clusters("\r\n"), [0..<2])
        XCTAssertEqual(clusters("\r\r\n\n"), [0..<1, 1..<3, 3..<4])
        XCTAssertEqual(clusters("\u{FF21}\u{301}"), [0..<2])
        XCTAssertEqual(clusters("A\u{302}\u{300}b"), [0..<3, 3..<4])
        XCTAssertEqual(clusters(""), [])

        let pool: [String] = [
            "a", "b", " ", "\r", "\n", "\t", "\u{0}", "\u{A9}", "\u{AD}", "\u{300}", "\u{301}", "\u{94D}", "\u{915}",
            "\u{921}", "\u{93C}", "\u{A0}", "\u{200D}", "\u{FE0F}", "\u{1F600}", "\u{1F44D}", "\u{1F3FD}", "\u{1F1FA}",
            "\u{1F1F8}", "\u{1100}", "\u{1161}", "\u{11A8}", "\u{AC00}", "\u{600}", "\u{E33}", "\u{E40}", "\u{FF21}",
            "\u{2122}", "\u{E0041}", "\u{0600}", "\u{0D4E}", "\u{FFFD}",
        ]
        var generator = SplitMix64(seed: 7)
        for _ in 0..<3000 {
            let text = (0..<Int.random(in: 0...12, using: &generator)).map { _ in
                pool.randomElement(using: &generator) ?? "a"
            }.joined()
            var expected: [Range<Int>] = []
            var start = 0
            for character in text {
                expected.append(start..<(start + character.unicodeScalars.count))
                start += character.unicodeScalars.count
            }
            XCTAssertEqual(clusters(text), expected, text.debugDescription)
        }
    }

    /// A text with no key in it is left exactly as it was, alignments included.
    func testUnmodifiedTextIsUntouched() throws {
        let normalizer = try UnigramFixture.normalizer()
        var text = NormalizedText("xHello world", originalStart: 7)
        text = text.slice(1..<12)
        let before = text
        normalizer.normalize(&text)
        XCTAssertEqual(text, before)
    }

    /// Malformed charsmaps are load errors naming the file and key, as tokenizers refuses them.
    func testInvalidCharsmaps() throws {
        func reason(_ bytes: [UInt8]) -> String? {
            do {
                _ = try PrecompiledCharsmap(
                    bytes: bytes, path: "tokenizer.json", key: "normalizer.precompiled_charsmap")
                return nil
            } catch {
                guard case .invalidValue(let path, let key, let reason) = error else { return "wrong error \(error)" }
                XCTAssertEqual(path, "tokenizer.json")
                XCTAssertEqual(key, "normalizer.precompiled_charsmap")
                return reason
            }
        }
        XCTAssertNotNil(reason([]))
        XCTAssertNotNil(reason([8, 0, 0]))
        XCTAssertNotNil(reason([8, 0, 0, 0, 1, 2, 3, 4]), "announces 8 trie bytes, has 4")
        XCTAssertNotNil(reason([0, 0, 0, 0, 0xFF, 0xFE]), "strings not UTF-8")
        XCTAssertNil(reason([0, 0, 0, 0]))
        XCTAssertNil(
            reason([5, 0, 0, 0, 1, 2, 3, 4, 0x61]), "a trie size not a multiple of 4 leaves bytes to the strings")
        XCTAssertThrowsError(try PrecompiledCharsmap(base64: "QUJD!", path: "p", key: "k"))
        // An empty trie loads; tokenizers then panics on any text, here nothing matches.
        let empty = PrecompiledNormalizer(charsmap: try PrecompiledCharsmap(bytes: [0, 0, 0, 0], path: "p", key: "k"))
        XCTAssertEqual(empty.normalize("\u{FB01} a"), "\u{FB01} a")
    }

    /// The base64 rules of the Rust engine: padding optional but never more than the last group lacks, no stray
    /// symbols, zero trailing bits.
    func testBase64() {
        XCTAssertEqual(StrictBase64.decode(""), [])
        XCTAssertEqual(StrictBase64.decode("QUJD"), Array("ABC".utf8))
        XCTAssertEqual(StrictBase64.decode("QUI="), Array("AB".utf8))
        XCTAssertEqual(StrictBase64.decode("QUI"), Array("AB".utf8))
        XCTAssertEqual(StrictBase64.decode("QQ=="), Array("A".utf8))
        XCTAssertEqual(StrictBase64.decode("QQ="), Array("A".utf8))
        XCTAssertEqual(StrictBase64.decode("QQ"), Array("A".utf8))
        XCTAssertNil(StrictBase64.decode("QQ==="))
        XCTAssertNil(StrictBase64.decode("QUJD="))
        XCTAssertNil(StrictBase64.decode("Q"))
        XCTAssertNil(StrictBase64.decode("QR=="), "trailing bits set")
        XCTAssertNil(StrictBase64.decode("QU I="))
        XCTAssertNil(StrictBase64.decode("QU=I"))
        XCTAssertNil(StrictBase64.decode("QUJ-"))
        XCTAssertEqual(StrictBase64.decode("+/+/"), [0xFB, 0xFF, 0xBF])
    }
}

extension String {
    /// The hex digest without leading zeros (as `String(_, radix: 16)` writes it).
    fileprivate var trimmingLeadingZeros: String {
        let trimmed = drop { $0 == "0" }
        return trimmed.isEmpty ? "0" : String(trimmed)
    }
}
