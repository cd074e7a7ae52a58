// The encoder against transformers' BertModel on the tiny random fixture (Scripts/make_tiny_model.py).
import BertEmbedKernels
import BertEmbedModel
import Foundation
import XCTest
import _BertEmbedTestSupport

struct TinyGoldens: Decodable {
    enum CodingKeys: String, CodingKey {
        case hiddenSize = "hidden_size"
        case numHiddenLayers = "num_hidden_layers"
        case cases
    }
    struct Case: Decodable {
        enum CodingKeys: String, CodingKey {
            case name, batch
            case tokenTypeIds = "token_type_ids"
            case hiddenStates = "hidden_states"
            case poolerOutput = "pooler_output"
        }
        var name: String
        var batch: [[Int]]
        var tokenTypeIds: [[Int]]
        /// [layer][sequence] -> (length x hidden) flattened.
        var hiddenStates: [[[Float]]]
        var poolerOutput: [[Float]]
    }
    var hiddenSize: Int
    var numHiddenLayers: Int
    var cases: [Case]

    static func load() throws -> TinyGoldens {
        let data = try Data(contentsOf: resource("goldens/tiny-bert-encoder.json"))
        return try JSONDecoder().decode(TinyGoldens.self, from: data)
    }
}

final class TinyBertGoldenTests: XCTestCase {
    func testEveryHiddenStateAndPoolerMatchTransformers() throws {
        let goldens = try TinyGoldens.load()
        let model = try BertModel(directory: resource("tiny-bert"))
        XCTAssertEqual(model.config.hiddenSize, goldens.hiddenSize)
        let allLayers = Set(0...goldens.numHiddenLayers)
        for threads in [1, 2] {
            for c in goldens.cases {
                let output = try model.forward(
                    inputIds: c.batch, tokenTypeIds: c.tokenTypeIds,
                    request: BertOutputRequest(hiddenStates: allLayers, pooler: true),
                    context: ComputeContext(threads: threads))
                XCTAssertEqual(output.hiddenStates.count, goldens.numHiddenLayers + 1)
                for layer in allLayers {
                    for s in c.batch.indices {
                        assertClose(
                            output.hiddenState(layer: layer, sequence: s), c.hiddenStates[layer][s],
                            "\(c.name), layer \(layer), sequence \(s), \(threads) threads")
                    }
                }
                assertClose(output.pooled, c.poolerOutput.flatMap { $0 }, "\(c.name), pooler, \(threads) threads")
            }
        }
    }

    func testOnlyRequestedHiddenStatesAreKept() throws {
        let model = try BertModel(directory: resource("tiny-bert"))
        let output = try model.forward(
            inputIds: [[2, 42, 3]], request: BertOutputRequest(hiddenStates: [2]), context: ComputeContext(threads: 1))
        XCTAssertEqual(output.hiddenStates.map(\.count), [0, 0, 3 * 32])
        XCTAssertTrue(output.pooled.isEmpty)
    }

    func testInvalidInputThrows() throws {
        let model = try BertModel(directory: resource("tiny-bert"))
        let context = ComputeContext(threads: 1)
        let request = BertOutputRequest(hiddenStates: [2])
        XCTAssertThrowsError(try model.forward(inputIds: [[2, 99_999, 3]], request: request, context: context)) {
            XCTAssertTrue("\($0)".contains("outside the vocabulary"), "\($0)")
        }
        XCTAssertThrowsError(try model.forward(inputIds: [[2, -1]], request: request, context: context))
        XCTAssertThrowsError(
            try model.forward(inputIds: [[Int](repeating: 5, count: 65)], request: request, context: context)
        ) {
            XCTAssertTrue("\($0)".contains("at most 64"), "\($0)")
        }
        XCTAssertThrowsError(
            try model.forward(inputIds: [[2, 3]], tokenTypeIds: [[0, 2]], request: request, context: context))
        XCTAssertThrowsError(
            try model.forward(inputIds: [[2, 3]], tokenTypeIds: [[0]], request: request, context: context))
        XCTAssertThrowsError(
            try model.forward(
                inputIds: [[2, 3]], request: BertOutputRequest(hiddenStates: [3]), context: context))
    }

    func testEmptyBatchAndEmptySequence() throws {
        let model = try BertModel(directory: resource("tiny-bert"))
        let context = ComputeContext(threads: 1)
        let none = try model.forward(
            inputIds: [], request: BertOutputRequest(hiddenStates: [2], pooler: true), context: context)
        XCTAssertEqual(none.sequences, [])
        XCTAssertEqual(none.hiddenStates[2], [])
        let mixed = try model.forward(
            inputIds: [[], [2, 3]], request: BertOutputRequest(hiddenStates: [2]), context: context)
        XCTAssertEqual(mixed.sequences, [0..<0, 0..<2])
    }
}
