// Tests the ByteLevel pre-tokenizer and its GPT-2 split against tokenizers 0.23.3 (Resources/tokenizer-bpe/split.json
// and classes.json, from Scripts/make_bpe_goldens.py), and its tokenizer.json form.
import BertEmbedJSON
import BertEmbedTokenizer
import XCTest

final class ByteLevelPreTokenizerTests: XCTestCase {
    /// The words of `text` as (byte-level string, original scalar range).
    private func words(_ text: String, prefix: Bool, regex: Bool = true) -> [(String, Range<Int>)] {
        ByteLevelPreTokenizer(addPrefixSpace: prefix, useRegex: regex).split(NormalizedText(text)).map {
            ($0.string, $0.originalStart..<($0.originalStart + $0.originalCount))
        }
    }

    /// The pieces of a golden list [[piece, start, end], ...].
    private func pieces(_ node: JSONNode) throws -> [(String, Range<Int>)] {
        try node.array().map { item in
            let fields = try item.array()
            return (try fields[0].string(), try fields[1].int()..<fields[2].int())
        }
    }

    private func assertSame(
        _ actual: [(String, Range<Int>)], _ expected: [(String, Range<Int>)], _ message: String,
        file: StaticString = #filePath, line: UInt = #line
    ) {
        let render = { (list: [(String, Range<Int>)]) in list.map { "\($0.0.debugDescription)\($0.1)" } }
        XCTAssertEqual(render(actual), render(expected), message, file: file, line: line)
    }

    /// The class of every code point (the scanner's `\s`, `\p{L}`, `\p{N}`) equals what tokenizers' Oniguruma
    /// regex decides: this is where the Unicode versions of the two would show.
    func testClassOfEveryCodePointMatchesTokenizers() throws {
        let runs = try BPEGolden.read("classes.json").array().map { try BPEGolden.ints($0) }
        XCTAssertGreaterThan(runs.count, 1000)
        let classes: [GPT2Split.ScalarClass] = [.letter, .number, .whitespace, .other]
        var mismatches: [String] = []
        var checked = 0
        for (index, run) in runs.enumerated() {
            let end = index + 1 < runs.count ? runs[index + 1][0] : 0x110000
            for value in run[0]..<end {
                guard let scalar = Unicode.Scalar(UInt32(value)) else { continue }
                checked += 1
                if GPT2Split.classify(scalar) != classes[run[1]] {
                    mismatches.append("U+\(String(value, radix: 16, uppercase: true)) \(GPT2Split.classify(scalar))")
                }
            }
        }
        XCTAssertEqual(checked, 0x110000 - 0x800)
        XCTAssertEqual(mismatches.count, 0, "first mismatches: \(mismatches.prefix(20))")
    }

    /// Hand-written and random texts: pieces and offsets equal tokenizers' `pre_tokenize_str`, with and without
    /// the prefix space.
    func testSplitMatchesTokenizers() throws {
        let golden = try BPEGolden.read("split.json").object()
        let cases = try golden.required("cases").array()
        XCTAssertGreaterThan(cases.count, 900)
        for item in cases {
            let entry = try item.object()
            let text = try entry.required("text").string()
            assertSame(words(text, prefix: false), try pieces(entry.required("plain")), "\(text.debugDescription)")
            assertSame(
                words(text, prefix: true), try pieces(entry.required("prefix")), "prefix \(text.debugDescription)")
        }
        for item in try golden.required("no_regex").array() {
            let entry = try item.object()
            let text = try entry.required("text").string()
            let prefix = try entry.required("add_prefix_space").bool()
            assertSame(
                words(text, prefix: prefix, regex: false), try pieces(entry.required("pieces")),
                "no regex, prefix \(prefix), \(text.debugDescription)")
        }
    }

    /// The examples of the spec, readable (each also in split.json).
    func testSpecExamples() {
        func strings(_ text: String, prefix: Bool = false) -> [String] { words(text, prefix: prefix).map(\.0) }
        XCTAssertEqual(strings("a   b"), ["a", "ĠĠ", "Ġb"])
        XCTAssertEqual(strings("a  "), ["a", "ĠĠ"])
        XCTAssertEqual(strings("a \n b"), ["a", "ĠĊ", "Ġb"])
        XCTAssertEqual(strings("hello  !"), ["hello", "Ġ", "Ġ!"])
        XCTAssertEqual(strings("don't DON'T"), ["don", "'t", "ĠDON", "'", "T"])
        XCTAssertEqual(strings("'dog 's"), ["'d", "og", "Ġ'", "s"])
        XCTAssertEqual(strings("cafe\u{301}"), ["cafe", "Ìģ"])
        XCTAssertEqual(strings("12abc3 $100.00"), ["12", "abc", "3", "Ġ$", "100", ".", "00"])
        XCTAssertEqual(strings("a\u{85}\u{85}b"), ["a", "Âħ", "Âħ", "b"])
        // The prefix space only when the text does not start with U+0020; it takes the first scalar's offsets.
        XCTAssertEqual(words("\tHello", prefix: true).map(\.0), ["Ġ", "ĉ", "Hello"])
        XCTAssertEqual(words("\tHello", prefix: true).map(\.1), [0..<1, 0..<1, 1..<6])
        XCTAssertEqual(words(" Hello", prefix: true).map(\.0), ["ĠHello"])
        // Every byte of a scalar carries the scalar's offsets.
        let emoji = ByteLevelPreTokenizer(addPrefixSpace: false).split(NormalizedText("😀"))
        XCTAssertEqual(emoji.map(\.string), ["ðŁĺĢ"])
        XCTAssertEqual(emoji[0].alignments, [0..<1, 0..<1, 0..<1, 0..<1])
        XCTAssertEqual(words("", prefix: true).count, 0)
    }

    /// The pre-tokenizer keeps the offsets of a piece that does not start the input (the pipeline hands it the
    /// spans between added tokens).
    func testPieceOffsetsAreShifted() {
        let words = ByteLevelPreTokenizer(addPrefixSpace: true).split(NormalizedText("world x", originalStart: 11))
        XCTAssertEqual(words.map(\.string), ["Ġworld", "Ġx"])
        XCTAssertEqual(words.map { $0.originalStart..<($0.originalStart + $0.originalCount) }, [11..<16, 16..<18])
    }

    /// tokenizer.json: `add_prefix_space` and `trim_offsets` are required, `use_regex` defaults to true.
    func testJSON() throws {
        let full = try ByteLevelPreTokenizer(
            json: BPEGolden.object(
                #"{"type": "ByteLevel", "add_prefix_space": true, "trim_offsets": false, "use_regex": false}"#))
        XCTAssertEqual(full, ByteLevelPreTokenizer(addPrefixSpace: true, trimOffsets: false, useRegex: false))
        let legacy = try ByteLevelPreTokenizer(
            json: BPEGolden.object(#"{"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true}"#))
        XCTAssertEqual(legacy, ByteLevelPreTokenizer(addPrefixSpace: false, trimOffsets: true, useRegex: true))
        for (text, key) in [
            (#"{"type": "ByteLevel", "trim_offsets": true}"#, "add_prefix_space"),
            (#"{"type": "ByteLevel", "add_prefix_space": false}"#, "trim_offsets"),
            (#"{"type": "ByteLevel", "add_prefix_space": 1, "trim_offsets": true}"#, "add_prefix_space"),
            (#"{"type": "Metaspace", "add_prefix_space": true, "trim_offsets": true}"#, "type"),
        ] {
            XCTAssertThrowsError(try ByteLevelPreTokenizer(json: BPEGolden.object(text)), text) { error in
                XCTAssertEqual((error as? JSONFileError)?.key, key, "\(error)")
            }
        }
    }

    /// The byte-level alphabet: 256 distinct scalars, GPT-2's table, and its inverse.
    func testAlphabet() {
        XCTAssertEqual(Set(ByteLevelAlphabet.scalars).count, 256)
        XCTAssertEqual(ByteLevelAlphabet.scalar(for: 0x20), "\u{120}")
        XCTAssertEqual(ByteLevelAlphabet.scalar(for: 0x0A), "\u{10A}")
        XCTAssertEqual(ByteLevelAlphabet.scalar(for: 0xAD), "\u{143}")
        XCTAssertEqual(ByteLevelAlphabet.scalar(for: 0x7F), "\u{121}")
        XCTAssertEqual(ByteLevelAlphabet.scalar(for: 0x41), "A")
        for byte in 0...255 {
            XCTAssertEqual(ByteLevelAlphabet.byte(for: ByteLevelAlphabet.scalar(for: UInt8(byte))), UInt8(byte))
        }
        XCTAssertNil(ByteLevelAlphabet.byte(for: " "))
        XCTAssertNil(ByteLevelAlphabet.byte(for: "\u{144}"))
        XCTAssertEqual(ByteLevelAlphabet.encode("é a"), "Ã©Ġa")
    }
}
