// Properties of encode that need no goldens: order, batch size, threads, concurrency, unit norm, progress.
import BertEmbed
import Foundation
import XCTest
import _BertEmbedTestSupport

final class EncodePropertyTests: XCTestCase {
    /// Texts of very different lengths (1 to 48 tokens after truncation), some of equal length.
    let texts = [
        "A man is eating food.", "a", "", "The quick brown fox jumps over the lazy dog!",
        "the man and the woman", "the woman and the man", "Numbers: 3.14, $19.99 & 42%; (done)",
        String(repeating: "the time of the people in the world was a year ", count: 6), "over the world",
        "two", "the year of the time", "people",
    ]

    func encoder() throws -> SentenceEncoder { try SentenceEncoder(modelDirectory: resource("tiny-bert")) }

    /// A text's vector does not depend on where it is in the input (abs 1e-5 / rel 1e-4: a different order may
    /// group it with other texts).
    func testInputOrderDoesNotMatter() throws {
        let encoder = try encoder()
        let forward = try encoder.encode(texts, options: EncodeOptions(batchSize: 4))
        let permutation = [7, 3, 11, 0, 5, 9, 1, 10, 2, 6, 8, 4]
        let permuted = try encoder.encode(permutation.map { texts[$0] }, options: EncodeOptions(batchSize: 4))
        for (position, index) in permutation.enumerated() {
            assertClose(permuted[position], forward[index], "text \(index) at position \(position)")
        }
    }

    /// Batch sizes 1, 2 and 32 give the same vectors (abs 1e-5 / rel 1e-4), and so does each text alone.
    func testBatchSizeDoesNotMatter() throws {
        let encoder = try encoder()
        let reference = try encoder.encode(texts, options: EncodeOptions(batchSize: 32))
        for batchSize in [1, 2] {
            let vectors = try encoder.encode(texts, options: EncodeOptions(batchSize: batchSize))
            for index in texts.indices {
                assertClose(vectors[index], reference[index], "batch \(batchSize), text \(index)")
            }
        }
        for index in texts.indices {
            assertClose(try encoder.encode(texts[index]), reference[index], "text \(index) alone")
        }
    }

    /// 1, 2 and 3 threads give bit-identical vectors (the work is split, never the sums).
    func testThreadCountIsBitIdentical() throws {
        let encoder = try encoder()
        let one = try encoder.encode(texts, options: EncodeOptions(threads: 1))
        for threads in [2, 3] {
            XCTAssertEqual(
                try encoder.encode(texts, options: EncodeOptions(threads: threads)), one, "\(threads) threads")
        }
        let perEncoder = try SentenceEncoder(modelDirectory: resource("tiny-bert"), compute: ComputeOptions(threads: 3))
        XCTAssertEqual(try perEncoder.encode(texts), one)
    }

    /// Many tasks calling encode at once on one encoder get what sequential calls get, bit for bit.
    func testConcurrentCallsEqualSequentialOnes() throws {
        let encoder = try encoder()
        let inputs = (0..<12).map { k in (0..<(1 + k % 5)).map { texts[($0 * 7 + k) % texts.count] } }
        let sequential = try inputs.map { try encoder.encode($0, options: EncodeOptions(batchSize: 2)) }
        let results = Results(count: inputs.count)
        DispatchQueue.concurrentPerform(iterations: inputs.count) { k in
            results.set(k, Result { try encoder.encode(inputs[k], options: EncodeOptions(batchSize: 2)) })
        }
        for k in inputs.indices { XCTAssertEqual(try results.get(k).get(), sequential[k], "call \(k)") }
    }

    /// Normalized vectors have unit length (|norm - 1| <= 1e-6), the empty text included.
    func testNormalizedVectorsHaveUnitLength() throws {
        let encoder = try encoder()
        for options in [EncodeOptions(normalize: true), EncodeOptions(normalize: true, truncateDimension: 7)] {
            for vector in try encoder.encode(texts, options: options) {
                XCTAssertEqual(Similarity.dot(vector, vector).squareRoot(), 1, accuracy: 1e-6)
            }
        }
        let raw = try encoder.encode(texts[0])
        XCTAssertGreaterThan(abs(Similarity.dot(raw, raw).squareRoot() - 1), 1e-3, "the tiny folder does not normalize")
    }

    /// The progress callback reports every batch, in order, ending at the total.
    func testProgressCountsBatches() throws {
        let encoder = try encoder()
        let calls = Results(count: 0)
        _ = try encoder.encode(
            Array(texts.prefix(10)),
            options: EncodeOptions(batchSize: 3, progress: { done, total in calls.append((done, total)) }))
        XCTAssertEqual(calls.progress.map(\.0), [3, 6, 9, 10])
        XCTAssertEqual(calls.progress.map(\.1), [10, 10, 10, 10])
        XCTAssertEqual(try encoder.encode([]), [])
    }

    /// Token embeddings: one row per token (special tokens included), the mean of which is the mean pooling.
    func testTokenEmbeddingsPoolToTheSentenceVector() throws {
        let encoder = try encoder()
        let tokens = try encoder.tokenEmbeddings(texts)
        let vectors = try encoder.encode(texts)
        for index in texts.indices {
            XCTAssertEqual(tokens[index].count, try encoder.tokenIds(texts[index]).count)
            var mean = [Float](repeating: 0, count: 32)
            for row in tokens[index] { for c in 0..<32 { mean[c] += row[c] / Float(tokens[index].count) } }
            assertClose(mean, vectors[index], "text \(index)")
        }
    }
}

/// Results written from several threads, one slot each (a lock guards the storage).
final class Results: @unchecked Sendable {
    private let lock = NSLock()
    private var slots: [Result<[[Float]], Error>?]
    private(set) var progress: [(Int, Int)] = []

    init(count: Int) { slots = Array(repeating: nil, count: count) }

    func set(_ index: Int, _ result: Result<[[Float]], Error>) {
        lock.lock()
        slots[index] = result
        lock.unlock()
    }

    func get(_ index: Int) -> Result<[[Float]], Error> {
        lock.lock()
        defer { lock.unlock() }
        return slots[index] ?? .failure(CocoaError(.featureUnsupported))
    }

    func append(_ call: (Int, Int)) {
        lock.lock()
        progress.append(call)
        lock.unlock()
    }
}
