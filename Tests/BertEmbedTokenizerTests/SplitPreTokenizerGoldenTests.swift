// Tests the Split, Punctuation and Digits pre-tokenizers (and the Oniguruma-to-ICU regex rewrite under Split)
// against tokenizers 0.23.3, every configuration loaded as a whole tokenizer.json.
import BertEmbedJSON
import BertEmbedTokenizer
import XCTest

final class SplitPreTokenizerGoldenTests: XCTestCase {
    static let goldens = Result { try ComponentGoldens.read("pretokenizers.json", as: PreTokenizerGoldens.self) }
    static let sweeps = Result { try ComponentGoldens.read("sweeps.json", as: SweepGoldens.self) }

    /// The pieces of `text`: normalized (when `normalizer`), then pre-tokenized, empty pieces dropped.
    private func pieces(
        _ text: String, _ normalizer: (any TextNormalizer)?, _ preTokenizer: any PreTokenizer
    ) -> [NormalizedText] {
        var normalized = NormalizedText(text)
        normalizer?.normalize(&normalized)
        return preTokenizer.split(normalized).filter { !$0.isEmpty }
    }

    /// Pieces, their offsets, and the whole tokenizer's ids and offsets equal tokenizers' for every configuration:
    /// Split with literal and regex patterns under every behavior, inverted or not (empty matches included), the
    /// regexes of real tokenizer.json files (GPT-2, Llama 3, cl100k, o200k, Qwen2, DeepSeek), patterns probing the
    /// differences between Oniguruma and ICU, Punctuation, Digits, sequences, and after NFKC or NFD.
    func testConfigurationsMatchTokenizers() throws {
        let goldens = try Self.goldens.get()
        XCTAssertGreaterThan(goldens.configs.count, 100)
        var refused: [String] = []
        for config in goldens.configs {
            let loaded: (TokenizerDefinition, Tokenizer)
            do {
                loaded = try ComponentGoldens.withDefinition(
                    model: goldens.model, normalizer: config.normalizer, preTokenizer: config.preTokenizer
                ) { ($0, try Tokenizer(definition: $0)) }
            } catch TokenizerError.unsupported(_, let feature) {
                // A construct OnigurumaRegex documents as refused.
                refused.append(feature)
                continue
            }
            let (definition, tokenizer) = loaded
            let preTokenizer = try XCTUnwrap(definition.preTokenizer, config.name)
            var failures = 0
            for golden in config.cases {
                let text = goldens.texts[golden.text]
                let scalars = Array(text.unicodeScalars)
                let words = pieces(text, definition.normalizer, preTokenizer)
                let offsets = words.flatMap { [$0.originalStart, $0.originalStart + $0.originalCount] }
                let expectedStrings =
                    golden.strings
                    ?? stride(from: 0, to: golden.pieces.count, by: 2).map {
                        String(String.UnicodeScalarView(scalars[golden.pieces[$0]..<golden.pieces[$0 + 1]]))
                    }
                let strings = words.map(\.string)
                let encoding = try tokenizer.encode(text, addSpecialTokens: false)
                if offsets == golden.pieces
                    && strings.map({ Array($0.unicodeScalars) }) == expectedStrings.map({ Array($0.unicodeScalars) })
                    && ComponentGoldens.digest(encoding) == golden.encoding
                {
                    continue
                }
                failures += 1
                if failures <= 3 {
                    XCTFail(
                        "\(config.name) \(text.debugDescription): got \(strings) \(offsets), expected "
                            + "\(expectedStrings) \(golden.pieces) (encoding \(ComponentGoldens.digest(encoding)) vs "
                            + "\(golden.encoding))")
                }
            }
            XCTAssertEqual(failures, 0, config.name)
        }
        // Only the Oniguruma constructs documented as refused: \X and the extended mode (?x).
        XCTAssertEqual(refused.count, 2, "\(refused)")
    }

    /// A pre-tokenizer object loads here exactly when tokenizers loads it (required keys, behavior names, the
    /// single-key pattern object, regexes that do not compile), with the same pieces; a refusal is a
    /// `TokenizerError` naming the file and the key.
    func testLoadingMatchesTokenizers() throws {
        let goldens = try Self.goldens.get()
        XCTAssertGreaterThan(goldens.json.count, 25)
        for golden in goldens.json {
            do {
                let preTokenizer = try ComponentGoldens.withDefinition(
                    model: goldens.model, preTokenizer: golden.preTokenizer
                ) { try XCTUnwrap($0.preTokenizer) }
                XCTAssertTrue(golden.loads, "\(golden.preTokenizer) loads here, tokenizers: \(golden.error ?? "")")
                let words = preTokenizer.split(NormalizedText(goldens.jsonProbe)).filter { !$0.isEmpty }
                let offsets = words.flatMap { [$0.originalStart, $0.originalStart + $0.originalCount] }
                XCTAssertEqual(offsets, golden.pieces, golden.preTokenizer)
            } catch let error as TokenizerError {
                XCTAssertFalse(golden.loads, "\(golden.preTokenizer): \(error)")
                switch error {
                case .invalidValue(let path, let key, _):
                    XCTAssertTrue(path.hasSuffix("tokenizer.json"), "\(error)")
                    XCTAssertTrue(key.hasPrefix("pre_tokenizer"), "\(error)")
                case .unsupported(let path, _):
                    XCTAssertTrue(path.hasSuffix("tokenizer.json"), "\(error)")
                default:
                    XCTFail("\(golden.preTokenizer): unexpected \(error)")
                }
            }
        }
    }

    /// Errors name the component: an unknown behavior, a regex that does not compile, a construct ICU cannot run.
    func testErrorsNameTheComponent() throws {
        let model = try Self.goldens.get().model
        func loadingError(_ preTokenizer: String) -> TokenizerError? {
            do {
                _ = try ComponentGoldens.withDefinition(model: model, preTokenizer: preTokenizer) { $0 }
                return nil
            } catch {
                return error as? TokenizerError
            }
        }
        let behavior = loadingError(
            #"{"type": "Split", "pattern": {"String": " "}, "behavior": "Merged", "invert": false}"#)
        guard case .invalidValue(let path, let key, let reason) = behavior else { return XCTFail("\(behavior as Any)") }
        XCTAssertTrue(path.hasSuffix("tokenizer.json"))
        XCTAssertEqual(key, "pre_tokenizer.behavior")
        XCTAssertTrue(reason.contains("Merged") && reason.contains("MergedWithPrevious"), reason)

        let regex = loadingError(
            #"{"type": "Sequence", "pretokenizers": [{"type": "Split", "pattern": {"Regex": "(a|b"}, "#
                + #""behavior": "Isolated", "invert": false}]}"#)
        guard case .invalidValue(_, let regexKey, let regexReason) = regex else { return XCTFail("\(regex as Any)") }
        XCTAssertEqual(regexKey, "pre_tokenizer.pretokenizers[0].pattern.Regex")
        XCTAssertTrue(regexReason.contains("(a|b"), regexReason)
        XCTAssertTrue("\(regex!)".contains("tokenizer.json"))

        let keep = loadingError(
            #"{"type": "Split", "pattern": {"Regex": "a\\Kb"}, "behavior": "Isolated", "invert": false}"#)
        guard case .unsupported(_, let feature) = keep else { return XCTFail("\(keep as Any)") }
        XCTAssertTrue(feature.contains("pre_tokenizer.pattern.Regex") && feature.contains("a\\Kb"), feature)

        let digits = loadingError(#"{"type": "Digits"}"#)
        guard case .invalidValue(_, let digitsKey, _) = digits else { return XCTFail("\(digits as Any)") }
        XCTAssertEqual(digitsKey, "pre_tokenizer.individual_digits")
    }

    /// The scalars Punctuation and Digits split at are tokenizers' for every code point.
    func testEveryCodePointClassMatchesTokenizers() throws {
        let sweeps = try Self.sweeps.get()
        let expectedPunctuation = ComponentGoldens.codePoints(try XCTUnwrap(sweeps.classes["punctuation"]))
        let expectedDigits = ComponentGoldens.codePoints(try XCTUnwrap(sweeps.classes["digits"]))
        XCTAssertEqual(expectedPunctuation.count, 726)
        XCTAssertEqual(expectedDigits.count, 1924)
        var punctuation = Set<UInt32>(), digits = Set<UInt32>()
        let removing = PunctuationPreTokenizer(behavior: .removed)
        let isolating = DigitsPreTokenizer(individualDigits: true)
        for start in stride(from: 0, to: 0x110000, by: 0x1000) {
            let scalars = Array(ComponentGoldens.sweepText(start: start, count: 0x1000) { String($0) }.unicodeScalars)
            // Punctuation removes each punctuation scalar: what is not kept is punctuation.
            var kept = Set<Int>()
            for word in removing.split(NormalizedText(scalars)) {
                kept.formUnion(word.originalStart..<(word.originalStart + word.originalCount))
            }
            for (index, scalar) in scalars.enumerated() where !kept.contains(index) { punctuation.insert(scalar.value) }
            // Digits isolates each digit; between x's (not numeric) the other scalars merge with them.
            let spaced = NormalizedText(Array(scalars.map { "x" + String($0) }.joined().unicodeScalars) + ["x"])
            for word in isolating.split(spaced) where word.originalCount == 1 && word.originalStart % 2 == 1 {
                digits.insert(scalars[word.originalStart / 2].value)
            }
        }
        XCTAssertEqual(punctuation.subtracting(expectedPunctuation).sorted(), [])
        XCTAssertEqual(expectedPunctuation.subtracting(punctuation).sorted(), [])
        XCTAssertEqual(digits.subtracting(expectedDigits).sorted(), [])
        XCTAssertEqual(expectedDigits.subtracting(digits).sorted(), [])
    }

    /// Real-world and dialect-probing regexes over every code point (each followed by a letter, a space or a
    /// digit): the digests of the Isolated pieces' offsets, chunk by chunk, equal tokenizers' (Oniguruma's classes
    /// and ICU's, after the rewrite, agree on every code point). The pieces are the segments of the matches
    /// (`PatternSplit.segments`, what Split cuts at; Split itself is covered above), without slicing the texts.
    /// An isolated option group reaches to the end of its enclosing group, alternatives included: Oniguruma reads
    /// `a(?i)b|c` as `a(?i:b|c)` (found by fuzzing: ICU's `(?i)` left `|c` as an alternative of its own). Expected
    /// pieces: tokenizers 0.23.3, `pre_tokenizers.Split(Regex(pattern), "isolated").pre_tokenize_str(text)`.
    func testIsolatedOptionsScopeToTheEnclosingGroup() throws {
        let cases: [(String, String, [[Int]])] = [
            ("a(?i)b|c", "xcx", [[0, 3]]), ("a(?i)b|c", "xacx", [[0, 1], [1, 3], [3, 4]]),
            ("a(?i)b|c", "xABx", [[0, 4]]), ("a(?i)b|c", "aBc", [[0, 2], [2, 3]]),
            ("a(?i)b|c", "cab", [[0, 1], [1, 3]]), ("(x(?i)y|z)w", "xYw", [[0, 3]]), ("(x(?i)y|z)w", "zw", [[0, 2]]),
            ("(x(?i)y|z)w", "Zw", [[0, 2]]), ("(x(?i)y|z)w", "xyw zW", [[0, 3], [3, 6]]),
            ("(?i)a|b", "AbBa", [[0, 1], [1, 2], [2, 3], [3, 4]]), ("q(?m).|r", "q\nr", [[0, 2], [2, 3]]),
            ("q(?m).|r", "qr", [[0, 2]]),
            ("(?i)x(?-i)y|z", "XY Xy xz XZ z", [[0, 3], [3, 5], [5, 6], [6, 8], [8, 13]]),
        ]
        for (pattern, text, expected) in cases {
            let scalars = Array(text.unicodeScalars)
            let segments = PatternSplit.segments(try OnigurumaRegex(pattern).matches(in: scalars), count: scalars.count)
            let pieces = segments.filter { !$0.range.isEmpty }.map { [$0.range.lowerBound, $0.range.upperBound] }
            XCTAssertEqual(pieces, expected, "\(pattern) on \(text.debugDescription)")
        }
    }

    func testRegexesOverEveryCodePointMatchTokenizers() throws {
        let sweeps = try Self.sweeps.get()
        XCTAssertEqual(sweeps.split.count, 17)
        for golden in sweeps.split {
            let regex = try OnigurumaRegex(golden.regex)
            var failed: [String] = []
            for (index, start) in stride(from: 0, to: 0x110000, by: sweeps.chunk).enumerated() {
                let text = ComponentGoldens.sweepText(start: start, count: sweeps.chunk) { scalar in
                    String(scalar) + ["a", " ", "1"][Int(scalar.value % 3)]
                }
                let scalars = Array(text.unicodeScalars)
                let segments = PatternSplit.segments(regex.matches(in: scalars), count: scalars.count)
                let offsets = segments.filter { !$0.range.isEmpty }.map {
                    "\($0.range.lowerBound)-\($0.range.upperBound)"
                }
                if ComponentGoldens.digest(offsets.joined(separator: ",")) != golden.digests[index] {
                    failed.append(String(start, radix: 16))
                }
            }
            XCTAssertEqual(failed, [], "/\(golden.regex)/: chunks starting at these code points differ")
        }
    }
}
