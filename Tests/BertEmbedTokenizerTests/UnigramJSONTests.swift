// Tests the tokenizer.json readers of the Unigram-family components: accepted and refused exactly where tokenizers
// 0.23.3 loads or refuses the file, and, when loaded, the same behavior.
import BertEmbedJSON
import BertEmbedTokenizer
import XCTest

final class UnigramJSONTests: XCTestCase {
    /// Every golden object: loads here iff tokenizers loads it; a loaded model tokenizes "aa" to the same ids and
    /// has the same size, a Metaspace has the same settings, a decoder decodes the same, a Precompiled normalizer
    /// normalizes the same (where tokenizers does not panic).
    func testComponentsLoadWhereTokenizersLoads() throws {
        let charsmap = try UnigramFixture.charsmapBase64()
        let cases = UnigramFixture.goldens.json
        XCTAssertGreaterThan(cases.count, 90)
        for (index, golden) in cases.enumerated() {
            let text = golden.json.replacingOccurrences(of: "\"FIXTURE[:-4]\"", with: "\"\(charsmap.dropLast(4))\"")
                .replacingOccurrences(of: "\"FIXTURE\"", with: "\"\(charsmap)\"")
            let object = try UnigramFixture.object(text, key: "json[\(index)]")
            let message = "\(golden.component) \(golden.json.prefix(120))"
            do {
                switch golden.component {
                case "model":
                    let model = try UnigramModel(json: object)
                    XCTAssertTrue(golden.loads, message)
                    XCTAssertEqual(model.vocabularySize, golden.vocabSize, message)
                    XCTAssertEqual(try? model.tokenize(["a", "a"]).map(\.id), golden.ids, message)
                case "pre_tokenizer":
                    let options = try MetaspacePreTokenizer(json: object).options
                    XCTAssertTrue(golden.loads, message)
                    check(options, golden.options, message)
                case "decoder":
                    let decoder = try UnigramDecoderTests.decoder(object)
                    XCTAssertTrue(golden.loads, message)
                    if let metaspace = decoder as? MetaspaceDecoder {
                        check(metaspace.options, golden.options, message)
                    } else {
                        let tokens = ["\u{2581}a", " b ", "<0x41>", "x\u{2581}"]
                        XCTAssertEqual(decoder.decode(tokens).joined(), golden.decoded, message)
                    }
                case "normalizer":
                    let normalizer = try PrecompiledNormalizer(json: object)
                    XCTAssertTrue(golden.loads, message)
                    let input = "\u{FB01} \u{FF21}\u{A0}x"
                    XCTAssertEqual(normalizer.normalize(input), golden.normalized ?? input, message)
                default:
                    XCTFail("unknown component \(golden.component)")
                }
            } catch {
                XCTAssertFalse(golden.loads, "\(message): \(error)")
            }
        }
    }

    /// Scores are the Doubles tokenizers reads (serde_json's parse, one unit in the last place off the nearest Double
    /// for about 1 literal in 10): random literals in three formats, integers past 2^64, long fractions, subnormals,
    /// exponents out of range; and all of the fixture's scores.
    func testScoresAreReadAsTokenizersReadsThem() throws {
        func hex(_ value: Double) -> String {
            let digits = String(value.bitPattern, radix: 16)
            return String(repeating: "0", count: 16 - digits.count) + digits
        }
        let literals = UnigramFixture.goldens.floats.literals
        XCTAssertGreaterThan(literals.count, 1600)
        var nearestDiffers = 0
        for pair in literals {
            let literal = try XCTUnwrap(pair.first ?? nil)
            let expected = pair.count > 1 ? pair[1] : nil
            XCTAssertEqual(SerdeFloat.parse(literal).map(hex), expected, literal)
            if let nearest = Double(literal), nearest.isFinite, hex(nearest) != expected { nearestDiffers += 1 }
        }
        // The reason for SerdeFloat: Swift's correctly rounded parse differs on many of these.
        XCTAssertGreaterThan(nearestDiffers, 50)
        let scores = try UnigramFixture.model().scores
        XCTAssertEqual(scores.count, 2001)
        let digest = UnigramFixture.fnv1a64(scores.map(hex).joined(separator: "\n"))
        XCTAssertEqual(
            String(digest, radix: 16), UnigramFixture.goldens.floats.fixtureDigest.drop { $0 == "0" }.description)
    }

    /// `options` are the settings tokenizers reports.
    private func check(_ options: MetaspaceOptions, _ expected: JSONGolden.Options?, _ message: String) {
        XCTAssertEqual(String(Character(options.replacement)), expected?.replacement, message)
        XCTAssertEqual(options.prependScheme.rawValue, expected?.prependScheme, message)
        XCTAssertEqual(options.split, expected?.split, message)
    }

    /// Errors name the file and the dotted key.
    func testErrorsNameTheKey() throws {
        let object = try UnigramFixture.object(#"{"type": "Unigram", "vocab": [["a", -1], ["b"]]}"#, key: "model")
        XCTAssertThrowsError(try UnigramModel(json: object)) { error in
            XCTAssertEqual((error as? JSONFileError)?.key, "model.vocab[1]")
        }
        let unk = try UnigramFixture.object(#"{"type": "Unigram", "vocab": [["a", -1]], "unk_id": 1}"#, key: "model")
        XCTAssertThrowsError(try UnigramModel(json: unk)) { error in
            XCTAssertEqual((error as? JSONFileError)?.key, "model.unk_id")
        }
        let metaspace = try UnigramFixture.object(
            #"{"type": "Metaspace", "replacement": "_", "add_prefix_space": false}"#, key: "pre_tokenizer")
        XCTAssertThrowsError(try MetaspacePreTokenizer(json: metaspace)) { error in
            XCTAssertEqual((error as? JSONFileError)?.key, "pre_tokenizer.add_prefix_space")
        }
        let precompiled = try UnigramFixture.object(
            #"{"type": "Precompiled", "precompiled_charsmap": "QUJD"}"#, key: "normalizer")
        XCTAssertThrowsError(try PrecompiledNormalizer(json: precompiled)) { error in
            guard case .invalidValue(let path, let key, _) = error as? TokenizerError else {
                return XCTFail("\(error)")
            }
            XCTAssertEqual(path, "goldens.json")
            XCTAssertEqual(key, "normalizer.precompiled_charsmap")
        }
        let regex = try UnigramFixture.object(
            #"{"type": "Replace", "pattern": {"Regex": " +"}, "content": " "}"#, key: "decoder")
        // A Regex pattern runs on ICU (UnicodeNormalizerGoldenTests compares it with tokenizers).
        XCTAssertEqual(try ReplaceDecoder(json: regex).decode(["a  b", "c"]), ["a b", "c"])
    }
}
