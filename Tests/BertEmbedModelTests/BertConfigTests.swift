// config.json decoding: the real MiniLM config, Hugging Face defaults, integral floats, and one bad file per rule.
import BertEmbedKernels
import BertEmbedModel
import Foundation
import XCTest
import _BertEmbedTestSupport

final class BertConfigTests: XCTestCase {
    func testMiniLMConfig() throws {
        let config = try BertConfig(contentsOf: try miniLMDirectory().appendingPathComponent("config.json"))
        XCTAssertEqual(config.vocabSize, 30522)
        XCTAssertEqual(config.hiddenSize, 384)
        XCTAssertEqual(config.numHiddenLayers, 6)
        XCTAssertEqual(config.numAttentionHeads, 12)
        XCTAssertEqual(config.headDim, 32)
        XCTAssertEqual(config.intermediateSize, 1536)
        XCTAssertEqual(config.hiddenAct, .gelu)
        XCTAssertEqual(config.maxPositionEmbeddings, 512)
        XCTAssertEqual(config.typeVocabSize, 2)
        XCTAssertEqual(config.layerNormEps, 1e-12)
        XCTAssertEqual(config.padTokenId, 0)
    }

    func testEmptyConfigTakesHuggingFaceDefaults() throws {
        let config = try BertConfig(contentsOf: resource("config/valid-empty.json"))
        XCTAssertEqual(config, BertConfig())
        // transformers' BertConfig() defaults (BERT-base).
        XCTAssertEqual(
            [
                config.vocabSize, config.hiddenSize, config.numHiddenLayers, config.numAttentionHeads,
                config.intermediateSize, config.maxPositionEmbeddings, config.typeVocabSize, config.padTokenId,
            ],
            [30522, 768, 12, 12, 3072, 512, 2, 0])
        XCTAssertEqual(config.hiddenAct, .gelu)
        XCTAssertEqual(config.layerNormEps, 1e-12)
    }

    func testIntegralFloatsNullsAndUnknownKeys() throws {
        let config = try BertConfig(contentsOf: resource("config/valid-integral-floats.json"))
        XCTAssertEqual(config.hiddenSize, 384)
        XCTAssertEqual(config.numAttentionHeads, 12)
        XCTAssertEqual(config.numHiddenLayers, 6)
        XCTAssertEqual(config.layerNormEps, 1e-7)
        XCTAssertEqual(config.hiddenAct, .geluTanh)
        XCTAssertEqual(config.padTokenId, 0)
        let duplicate = try BertConfig(contentsOf: resource("config/valid-duplicate-last-wins.json"))
        XCTAssertEqual(duplicate.hiddenAct, .geluTanh, "a repeated key keeps its last value, as Python's json")
    }

    /// The config's activation table against transformers' ACT2FN itself (Resources/goldens/act2fn.json, written by
    /// Scripts/make_activation_goldens.py): every name accepted maps to a kernel activation that gives ACT2FN's values
    /// (abs 1e-6 + rel 1e-6, in Double), and every ACT2FN name refused is a function none of the kernel activations
    /// computes (it differs from each by more than 1e-3 somewhere), so no usable activation is refused.
    func testActivationTableFollowsTransformersACT2FN() throws {
        struct Golden: Decodable {
            let inputs: [Double]
            let activations: [String: [Double]]
        }
        let golden = try JSONDecoder().decode(Golden.self, from: Data(contentsOf: resource("goldens/act2fn.json")))
        func matches(_ activation: Activation, _ expected: [Double], tolerance: Double) -> Bool {
            zip(golden.inputs, expected).allSatisfy { x, y in
                Swift.abs(activation.reference(x) - y) <= tolerance * (1 + Swift.abs(y))
            }
        }
        for (name, activation) in BertConfig.supportedActivations {
            let expected = try XCTUnwrap(golden.activations[name], "\(name) is not in ACT2FN")
            XCTAssertTrue(matches(activation, expected, tolerance: 1e-6), "\(name) -> \(activation)")
        }
        for (name, expected) in golden.activations where BertConfig.supportedActivations[name] == nil {
            for activation in Activation.allCases {
                XCTAssertFalse(
                    matches(activation, expected, tolerance: 1e-3), "ACT2FN's \(name) is \(activation), yet refused")
            }
        }
    }

    func testEveryBadConfigIsRejectedNamingFileAndKey() throws {
        let cases: [(file: String, mentions: String)] = [
            ("not-json.json", "not valid JSON"),
            ("not-object.json", "the top level is a list, not an object"),
            ("not-divisible.json", "hidden_size: 384 is not divisible by the number of attention heads 5"),
            ("zero-layers.json", "num_hidden_layers: must be between 1"),
            ("negative-vocab.json", "vocab_size: must be between 1"),
            ("absurd-size.json", "intermediate_size: must be between 1"),
            ("non-integral.json", "hidden_size: expected an integer, found the number 384.5"),
            ("wrong-type-size.json", "hidden_size: expected an integer, found the string"),
            ("bool-size.json", "num_hidden_layers: expected an integer, found a boolean"),
            ("unsupported-activation.json", "hidden_act: 'quick_gelu' is not supported"),
            ("activation-not-string.json", "hidden_act: expected a string"),
            ("relative-position.json", "position_embedding_type: 'relative_key'"),
            ("unsupported-model-type.json", "model_type: 'nomic_bert' is not supported (supported: bert, camembert"),
            ("decoder.json", "is_decoder: true"),
            ("zero-eps.json", "layer_norm_eps: must be positive"),
            ("eps-string.json", "layer_norm_eps: expected a number"),
            ("pad-float.json", "pad_token_id: expected an integer"),
            ("pad-huge.json", "leave no position after the padding index 9223372036854775807"),
        ]
        let files = try FileManager.default.contentsOfDirectory(atPath: resource("config").path)
        XCTAssertEqual(Set(files.filter { !$0.hasPrefix("valid-") }), Set(cases.map(\.file)), "one test per bad file")
        for (name, mentions) in cases {
            let url = resource("config/" + name)
            XCTAssertThrowsError(try BertConfig(contentsOf: url), name) { error in
                guard case .invalidConfig(let file, let reason)? = error as? BertModelError else {
                    return XCTFail("\(name): \(error)")
                }
                XCTAssertEqual(file, url.path)
                XCTAssertTrue(reason.contains(mentions), "\(name): \(reason)")
                XCTAssertTrue("\(error)".hasPrefix(url.path + ": "), "\(error)")
            }
        }
        let absent = resource("config/absent.json")
        XCTAssertThrowsError(try BertConfig(contentsOf: absent)) { error in
            XCTAssertEqual("\(error)", absent.path + ": no such file")
        }
    }
    /// Random byte edits of a valid config either decode or throw `.invalidConfig`, never trap (seeded, 5000 cases).
    func testMutatedConfigsDecodeOrThrow() throws {
        let original = [UInt8](try Data(contentsOf: resource("config/valid-integral-floats.json")))
        var state: UInt64 = 0xC0FF_EE00
        func next(_ bound: Int) -> Int {  // xorshift64*, enough for picking edits
            state ^= state >> 12
            state ^= state << 25
            state ^= state >> 27
            return Int((state &* 0x2545_F491_4F6C_DD1D) >> 33) % max(bound, 1)
        }
        let alphabet = Array("{}[]\",:-.eE0123456789 truefalsn".utf8) + [0x00, 0xC3, 0xFF]
        var decoded = 0
        for _ in 0..<5000 {
            var bytes = original
            for _ in 0...next(4) {
                let at = next(bytes.count)
                switch next(3) {
                case 0 where !bytes.isEmpty: bytes.remove(at: at)
                case 1: bytes.insert(alphabet[next(alphabet.count)], at: at)
                default: if !bytes.isEmpty { bytes[at] = alphabet[next(alphabet.count)] }
                }
            }
            do {
                _ = try BertConfig(jsonBytes: bytes, file: "fuzz.json")
                decoded += 1
            } catch let error as BertModelError {
                guard case .invalidConfig(let file, _) = error else { return XCTFail("\(error)") }
                XCTAssertEqual(file, "fuzz.json")
            }
        }
        XCTAssertGreaterThan(decoded, 50, "some mutants must stay valid")
    }
}
