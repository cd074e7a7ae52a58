// Properties that need no goldens: a text's vectors do not depend on its batch or on the thread count.
import BertEmbedKernels
import BertEmbedModel
import XCTest
import _BertEmbedTestSupport

final class BatchInvarianceTests: XCTestCase {
    /// A sequence alone and inside a batch of longer and shorter sequences gives bit-identical hidden states:
    /// dense layers are row-wise and attention runs per sequence, so nothing else in the batch can enter.
    func testSequenceAloneEqualsSequenceInBatch() throws {
        let model = try BertModel(directory: resource("tiny-bert"))
        let target = [2, 42, 2145, 2005, 46, 2718, 2598, 47, 3]
        let others: [[Int]] = [[2, 3], (0..<60).map { 5 + $0 * 7 }, [2, 884, 760, 3], []]
        let request = BertOutputRequest(hiddenStates: [0, 1, 2], pooler: true)
        let alone = try model.forward(inputIds: [target], request: request, context: ComputeContext(threads: 1))
        let batch = [others[0], others[1], target, others[2], others[3]]
        for threads in [1, 2, 3] {
            let mixed = try model.forward(inputIds: batch, request: request, context: ComputeContext(threads: threads))
            for layer in 0...2 {
                XCTAssertEqual(
                    Array(mixed.hiddenState(layer: layer, sequence: 2)),
                    Array(alone.hiddenState(layer: layer, sequence: 0)),
                    "layer \(layer), \(threads) threads")
            }
            XCTAssertEqual(Array(mixed.pooled[(2 * 32)..<(3 * 32)]), alone.pooled)
        }
    }

    /// Reused scratch buffers (as encode passes them from batch to batch) change nothing: a batch run after a larger
    /// one on the same buffers, and a batch too large for them (new buffers), equal fresh runs bit for bit.
    func testReusedScratchGivesTheSameOutputs() throws {
        let model = try BertModel(directory: resource("tiny-bert"))
        let request = BertOutputRequest(hiddenStates: [0, 2], pooler: true)
        let context = ComputeContext(threads: 2)
        let large: [[Int]] = [(0..<40).map { 5 + $0 * 11 }, [2, 42, 2145, 3]], small: [[Int]] = [[2, 884, 760, 3]]
        let scratch = model.scratch(tokens: 44)
        for batch in [large, small, large + large] {
            let fresh = try model.forward(inputIds: batch, request: request, context: context)
            let reused = try model.forward(inputIds: batch, request: request, context: context, scratch: scratch)
            XCTAssertEqual(reused.hiddenStates, fresh.hiddenStates)
            XCTAssertEqual(reused.pooled, fresh.pooled)
        }
    }
}
