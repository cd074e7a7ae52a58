// The encoder against transformers on tiny random models of every family it runs (Scripts/make_family_models.py):
// RoBERTa, XLM-R (a task checkpoint under the "roberta." prefix), CamemBERT, DistilBERT (learned and recomputed
// sinusoidal positions), MPNet (the relative position bias, to distance 199) and a BERT body for a multilingual
// tokenizer: every hidden state and the pooler. (Their sentence goldens: BertEmbedTests/FamilySentenceGoldenTests.)
import BertEmbedKernels
import BertEmbedModel
import Foundation
import XCTest
import _BertEmbedTestSupport

final class ModelFamilyGoldenTests: XCTestCase {
    struct Goldens: Decodable {
        enum CodingKeys: String, CodingKey {
            case model
            case numHiddenLayers = "num_hidden_layers"
            case cases
        }
        struct Case: Decodable {
            enum CodingKeys: String, CodingKey {
                case name, batch
                case hiddenStates = "hidden_states"
                case poolerOutput = "pooler_output"
            }
            var name: String
            var batch: [[Int]]
            /// [layer][sequence] -> (length x hidden) flattened.
            var hiddenStates: [[[Float]]]
            /// Empty for the families without a pooler.
            var poolerOutput: [[Float]]
        }
        var model: String
        var numHiddenLayers: Int
        var cases: [Case]
    }

    static let expectedFamilies: [String: ModelFamily] = [
        "roberta": .roberta, "xlm-roberta": .xlmRoberta, "camembert": .camembert, "distilbert": .distilbert,
        "distilbert-sinusoidal": .distilbert, "mpnet": .mpnet, "bert-xlmr-tokenizer": .bert,
    ]

    /// Every hidden state (abs 1e-5 + rel 1e-4, GoldenComparison.swift) of every case: single sequences up to the
    /// longest the model takes, a padded batch (run here without padding), a sequence holding the padding id.
    func testEveryFamilyMatchesTransformers() throws {
        for (name, family) in Self.expectedFamilies.sorted(by: { $0.key < $1.key }) {
            let goldens = try JSONDecoder().decode(
                Goldens.self, from: Data(contentsOf: resource("goldens/families/\(name).json")))
            let model = try BertModel(directory: resource("families/\(name)"))
            XCTAssertEqual(model.config.family, family, name)
            // DistilBERT has no pooler, nor has the XLM-R fixture (saved from XLMRobertaForMaskedLM).
            XCTAssertEqual(model.hasPooler, !goldens.cases[0].poolerOutput.isEmpty, name)
            if family == .distilbert { XCTAssertFalse(model.hasPooler) }
            let layers = Set(0...goldens.numHiddenLayers)
            for threads in [1, 2] {
                for c in goldens.cases {
                    let output = try model.forward(
                        inputIds: c.batch, request: BertOutputRequest(hiddenStates: layers, pooler: model.hasPooler),
                        context: ComputeContext(threads: threads))
                    for layer in layers {
                        for s in c.batch.indices {
                            assertClose(
                                output.hiddenState(layer: layer, sequence: s), c.hiddenStates[layer][s],
                                "\(name): \(c.name), layer \(layer), sequence \(s), \(threads) threads")
                        }
                    }
                    if model.hasPooler {
                        assertClose(output.pooled, c.poolerOutput.flatMap { $0 }, "\(name): \(c.name), pooler")
                    }
                }
            }
        }
    }

    /// The longest sequence each family takes follows from its positions: RoBERTa's 72 rows minus the padding index
    /// and the row before it; one more token is an error.
    func testLongestSequenceFollowsThePositions() throws {
        let roberta = try BertModel(directory: resource("families/roberta"))
        XCTAssertEqual(roberta.config.maxSequenceLength, 70)
        let distil = try BertModel(directory: resource("families/distilbert"))
        XCTAssertEqual(distil.config.maxSequenceLength, 64)
        let request = BertOutputRequest(hiddenStates: [2])
        XCTAssertThrowsError(
            try roberta.forward(
                inputIds: [[Int](repeating: 5, count: 71)], request: request, context: ComputeContext(threads: 1))
        ) { XCTAssertTrue("\($0)".contains("at most 70"), "\($0)") }
        XCTAssertNoThrow(
            try roberta.forward(
                inputIds: [[Int](repeating: 5, count: 70)], request: request, context: ComputeContext(threads: 1)))
    }

    /// MPNet's buckets, against the table transformers' relative_position_bucket gives (distance |key - query|:
    /// 0-7 themselves, then 8 from 8, 9 from 12, 10 from 16, 11 from 23, 12 from 32, 13 from 46, 14 from 64, 15 from 91;
    /// +16 when the key follows the query).
    func testMPNetBuckets() {
        let firsts = [(8, 8), (12, 9), (16, 10), (23, 11), (32, 12), (46, 13), (64, 14), (91, 15)]
        for distance in 0..<600 {
            let expected = distance < 8 ? distance : firsts.last { $0.0 <= distance }!.1
            XCTAssertEqual(MPNetRelativePositionBias.bucket(-distance), expected, "query after key by \(distance)")
            XCTAssertEqual(
                MPNetRelativePositionBias.bucket(distance), distance == 0 ? 0 : 16 + expected,
                "key after by \(distance)")
        }
    }
}
