// Tests the NFC, NFD, NFKC and NFKD normalizers and Replace (literal and regex patterns) against tokenizers 0.23.3,
// every configuration loaded as a whole tokenizer.json.
import BertEmbedJSON
import BertEmbedTokenizer
import XCTest

final class UnicodeNormalizerGoldenTests: XCTestCase {
    static let goldens = Result { try ComponentGoldens.read("normalizers.json", as: NormalizerGoldens.self) }
    static let sweeps = Result { try ComponentGoldens.read("sweeps.json", as: SweepGoldens.self) }

    /// The normalizer of a tokenizer.json made of `json` and the golden model.
    private func normalizer(_ json: String) throws -> any TextNormalizer {
        let goldens = try Self.goldens.get()
        return try ComponentGoldens.withDefinition(model: goldens.model, normalizer: json) { definition in
            try XCTUnwrap(definition.normalizer)
        }
    }

    /// The normalizer of one of the four forms.
    private func form(_ name: String) throws -> any TextNormalizer {
        try normalizer(#"{"type": "\#(name)"}"#)
    }

    /// Normalized text and every scalar's original offsets equal tokenizers' for hard texts (every script,
    /// combining marks in odd orders, Hangul, ligatures, full-width forms, emoji, whitespace kinds, long words)
    /// through each configuration; and the whole tokenizer (WordPiece over every character) gives the same ids and
    /// offsets.
    func testConfigurationsMatchTokenizers() throws {
        let goldens = try Self.goldens.get()
        XCTAssertEqual(goldens.configs.count, 16)
        for config in goldens.configs {
            try ComponentGoldens.withDefinition(model: goldens.model, normalizer: config.normalizer) { definition in
                let normalizer = try XCTUnwrap(definition.normalizer, config.name)
                let tokenizer = try Tokenizer(definition: definition)
                var failures = 0
                for golden in config.cases {
                    let text = goldens.texts[golden.text]
                    var normalized = NormalizedText(text)
                    normalizer.normalize(&normalized)
                    let offsets = ComponentGoldens.flatOffsets(normalized)
                    let encoding = try tokenizer.encode(text, addSpecialTokens: false)
                    if normalized.string.unicodeScalars.elementsEqual(golden.normalized.unicodeScalars)
                        && offsets == golden.offsets && ComponentGoldens.digest(encoding) == golden.encoding
                    {
                        continue
                    }
                    failures += 1
                    if failures <= 5 {
                        XCTFail(
                            "\(config.name) \(text.unicodeScalars.map { String($0.value, radix: 16) }): got "
                                + "\(normalized.string.debugDescription) \(offsets), expected "
                                + "\(golden.normalized.debugDescription) \(golden.offsets)"
                                + " (encoding \(ComponentGoldens.digest(encoding)) vs \(golden.encoding))")
                    }
                }
                XCTAssertEqual(failures, 0, config.name)
            }
        }
    }

    /// Every code point alone (surrogates excluded), through each form: the code points each form changes, and what
    /// it makes of them, every result scalar aligned with its code point; Hangul syllables through a digest.
    ///
    /// The code points go through in chunks, each followed by U+0001: a starter that is no part of any
    /// decomposition or composition, so no reordering or composition crosses it and each code point normalizes
    /// as it does alone.
    func testEveryCodePointAloneMatchesTokenizers() throws {
        let sweeps = try Self.sweeps.get()
        var resultsByForm: [String: [UInt32: [Unicode.Scalar]]] = [:]
        for name in ["NFD", "NFKD", "NFC", "NFKC"] {
            let golden = try XCTUnwrap(sweeps.forms[name])
            let normalizer = try form(name)
            let changed = ComponentGoldens.codePoints(golden.changed)
            let decomposition = name.hasPrefix("NFK") ? "NFKD" : "NFD"
            var expectedResults = ComponentGoldens.keyed(golden.results)
            if name != decomposition {
                for (value, result) in try XCTUnwrap(resultsByForm[decomposition]) where expectedResults[value] == nil {
                    expectedResults[value] = result
                }
            }
            resultsByForm[name] = expectedResults
            var failed: [String] = []
            var hangul: [String] = []
            for start in stride(from: UInt32(0), to: 0x110000, by: 0x1000) {
                let sources = (start..<(start + 0x1000)).compactMap(Unicode.Scalar.init)
                var text = NormalizedText(sources.flatMap { [$0, "\u{1}"] })
                normalizer.normalize(&text)
                // Each result scalar goes to the code point it is aligned with (index 2i; separators 2i + 1).
                var results = [[Unicode.Scalar]](repeating: [], count: sources.count)
                var misaligned = Set<Int>()
                for (scalar, alignment) in zip(text.scalars, text.alignments) {
                    let index = alignment.lowerBound / 2
                    if alignment.count != 1 || (alignment.lowerBound % 2 == 1 && scalar != "\u{1}") {
                        misaligned.insert(index)
                    } else if alignment.lowerBound % 2 == 0 {
                        results[index].append(scalar)
                    }
                }
                for (index, scalar) in sources.enumerated() {
                    if scalar.value >= 0xAC00 && scalar.value <= 0xD7A3 {
                        hangul.append(String(String.UnicodeScalarView(results[index])))
                        continue
                    }
                    let expected = changed.contains(scalar.value) ? expectedResults[scalar.value] ?? [] : [scalar]
                    if results[index] != expected || misaligned.contains(index) {
                        failed.append(String(scalar.value, radix: 16))
                    }
                }
            }
            XCTAssertEqual(failed.count, 0, "\(name): \(failed.prefix(40))")
            XCTAssertEqual(ComponentGoldens.digest(hangul.joined(separator: "\n")), golden.hangulDigest, name)
        }
    }

    /// NFC (NFKC) of the NFD (NFKD) of every code point that has one: every primary composition, every composition
    /// exclusion and singleton, with the offsets tokenizers gives the composites.
    func testRecompositionOfEveryDecompositionMatchesTokenizers() throws {
        let sweeps = try Self.sweeps.get()
        for (name, decomposition) in [("NFC", "NFD"), ("NFKC", "NFKD")] {
            let golden = try XCTUnwrap(sweeps.forms[name])
            let normalizer = try form(name)
            let changed = ComponentGoldens.codePoints(golden.changed)
            let special = ComponentGoldens.keyed(golden.recomposed ?? [])
            var failed: [String] = []
            for (value, source) in ComponentGoldens.keyed(try XCTUnwrap(sweeps.forms[decomposition]).results) {
                var text = NormalizedText(source)
                normalizer.normalize(&text)
                let expected: (scalars: [Unicode.Scalar], offsets: [Int])
                if let line = special[value], let space = line.lastIndex(of: " ") {
                    let offsets = String(String.UnicodeScalarView(line[(space + 1)...])).split(separator: ",")
                    expected = (Array(line[..<space]), offsets.compactMap { Int($0) })
                } else if changed.contains(value) {
                    expected = (source, source.indices.flatMap { [$0, $0 + 1] })
                } else {
                    expected = ([Unicode.Scalar(value)!], [0, 1])
                }
                if text.scalars != expected.scalars || ComponentGoldens.flatOffsets(text) != expected.offsets {
                    failed.append(String(value, radix: 16))
                }
            }
            XCTAssertEqual(failed.count, 0, "\(name): \(failed.sorted().prefix(40))")
        }
    }

    /// Every code point in contexts, chunk by chunk (digests of text and offsets): before a combining acute
    /// (composition, blocking), among marks of classes 230 and 1 (canonical ordering), after `e` (as the second
    /// of a pair).
    func testEveryCodePointInContextMatchesTokenizers() throws {
        let sweeps = try Self.sweeps.get()
        let contexts = ["compose": ("", "\u{301}"), "reorder": ("a\u{301}", "\u{334}"), "second": ("e", "")]
        for (name, golden) in sweeps.forms.sorted(by: { $0.key < $1.key }) {
            let normalizer = try form(name)
            for (context, digests) in golden.contexts.sorted(by: { $0.key < $1.key }) {
                let (prefix, suffix) = try XCTUnwrap(contexts[context])
                XCTAssertEqual(digests.count, 0x110000 / sweeps.chunk)
                var failed: [String] = []
                for (index, start) in stride(from: 0, to: 0x110000, by: sweeps.chunk).enumerated() {
                    let input = ComponentGoldens.sweepText(start: start, count: sweeps.chunk) {
                        prefix + String($0) + suffix
                    }
                    var text = NormalizedText(input)
                    normalizer.normalize(&text)
                    let offsets = ComponentGoldens.flatOffsets(text).map(String.init).joined(separator: ",")
                    if ComponentGoldens.digest(text.string + "|" + offsets) != digests[index] {
                        failed.append(String(start, radix: 16))
                    }
                }
                XCTAssertEqual(failed, [], "\(name) \(context): chunks starting at these code points differ")
            }
        }
    }

    /// StripAccents removes exactly the scalars tokenizers removes (combining marks of Unicode 9.0), every code
    /// point checked.
    func testStripAccentsRemovesTokenizersMarksForEveryCodePoint() throws {
        let expected = ComponentGoldens.codePoints(try XCTUnwrap(try Self.sweeps.get().classes["strip_accents"]))
        XCTAssertEqual(expected.count, 2097)
        let normalizer = try form("StripAccents")
        var removed = Set<UInt32>()
        for start in stride(from: 0, to: 0x110000, by: 0x1000) {
            let scalars = Array(ComponentGoldens.sweepText(start: start, count: 0x1000) { String($0) }.unicodeScalars)
            var text = NormalizedText(scalars)
            normalizer.normalize(&text)
            let kept = Set(text.scalars.map(\.value))
            for scalar in scalars where !kept.contains(scalar.value) { removed.insert(scalar.value) }
        }
        XCTAssertEqual(removed.subtracting(expected).sorted(), [])
        XCTAssertEqual(expected.subtracting(removed).sorted(), [])
    }

    /// The Replace decoder with literal and regular-expression patterns decodes each token as tokenizers does.
    func testReplaceDecoderMatchesTokenizers() throws {
        let goldens = try Self.goldens.get().replaceDecoders
        XCTAssertEqual(goldens.cases.count, 8)
        for golden in goldens.cases {
            let object = try JSONNode(value: JSONParser.parse(Array(golden.decoder.utf8)), path: "t.json", key: "")
            let decoder = try ReplaceDecoder(json: try object.object())
            XCTAssertEqual(goldens.tokens.map { decoder.decode([$0]).joined() }, golden.decoded, golden.decoder)
        }
    }
}
