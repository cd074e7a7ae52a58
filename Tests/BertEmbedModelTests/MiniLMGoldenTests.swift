// The encoder against transformers on the real all-MiniLM-L6-v2 (Scripts/make_minilm_goldens.py): every hidden state.
import BertEmbedKernels
import BertEmbedModel
import Foundation
import XCTest
import _BertEmbedTestSupport

final class MiniLMGoldenTests: XCTestCase {
    struct Cases: Decodable {
        enum CodingKeys: String, CodingKey {
            case hiddenSize = "hidden_size"
            case layers, cases
        }
        struct Case: Decodable {
            enum CodingKeys: String, CodingKey {
                case text
                case inputIds = "input_ids"
            }
            var text: String
            var inputIds: [Int]
        }
        var hiddenSize: Int
        var layers: Int
        var cases: [Case]
    }

    func testEveryHiddenStateMatchesTransformers() throws {
        let directory = try miniLMDirectory()
        let folder = resource("goldens/minilm-encoder")
        let cases = try JSONDecoder().decode(
            Cases.self, from: Data(contentsOf: folder.appendingPathComponent("cases.json")))
        let model = try BertModel(directory: directory)
        XCTAssertEqual(model.config.numHiddenLayers + 1, cases.layers)
        let ids = cases.cases.map(\.inputIds)
        // The whole set as one batch, and in small batches: both must match the reference.
        for batchSize in [ids.count, 5] {
            var row = 0
            for start in stride(from: 0, to: ids.count, by: batchSize) {
                let batch = Array(ids[start..<min(start + batchSize, ids.count)])
                let output = try model.forward(
                    inputIds: batch, request: BertOutputRequest(hiddenStates: Set(0..<cases.layers)),
                    context: ComputeContext(threads: 2))
                let tokens = batch.reduce(0) { $0 + $1.count }
                for layer in 0..<cases.layers {
                    let reference = try readFloats(
                        folder.appendingPathComponent("hidden-\(layer).f32"), offset: row * cases.hiddenSize,
                        count: tokens * cases.hiddenSize)
                    for s in batch.indices {
                        let range = output.sequences[s]
                        let slice = reference[
                            (range.lowerBound * cases.hiddenSize)..<(range.upperBound * cases.hiddenSize)]
                        assertClose(
                            output.hiddenState(layer: layer, sequence: s), slice,
                            "text \(start + s) '\(cases.cases[start + s].text.prefix(30))', layer \(layer)")
                    }
                }
                row += tokens
            }
        }
    }

    /// `count` little-endian float32 values starting at element `offset` of a raw file.
    func readFloats(_ url: URL, offset: Int, count: Int) throws -> [Float] {
        let data = try Data(contentsOf: url)
        precondition(data.count >= (offset + count) * 4, "golden file too short")
        return (0..<count).map { i in
            let base = (offset + i) * 4
            let bits =
                UInt32(data[base]) | UInt32(data[base + 1]) << 8 | UInt32(data[base + 2]) << 16
                | UInt32(data[base + 3]) << 24
            return Float(bitPattern: bits)
        }
    }
}
