// The async API: concurrent callers share forward passes and get the synchronous API's bits; cancellation answers
// at once and leaves the encoder usable.
import BertEmbed
import Foundation
import XCTest
import _BertEmbedTestSupport

final class AsyncEncodingTests: XCTestCase {
    /// The synchronous API's vectors (in an async function the async overload is chosen).
    static func synchronous(
        _ encoder: SentenceEncoder, _ texts: [String], _ options: EncodeOptions = EncodeOptions()
    ) throws -> [[Float]] {
        try encoder.encode(texts, options: options)
    }

    /// The synchronous API's token vectors.
    static func synchronousTokens(
        _ encoder: SentenceEncoder, _ texts: [String], _ options: EncodeOptions = EncodeOptions()
    ) throws -> [[[Float]]] {
        try encoder.tokenEmbeddings(texts, options: options)
    }

    let texts = (0..<64).map { "Sentence number \($0): " + String(repeating: "word\($0 % 7) ", count: 1 + $0 % 13) }

    func testConcurrentSingleTextCallsGiveTheSyncBits() async throws {
        for (folder, pooling) in [("tiny-bert", Pooling.mean), ("families/xlm-roberta", nil), ("families/mpnet", nil)] {
            var compute = ComputeOptions(threads: 2)
            compute.passTokenBudget = 300  // several passes, each shared by several callers
            let encoder = try SentenceEncoder(modelDirectory: resource(folder), pooling: pooling, compute: compute)
            let reference = try Self.synchronous(encoder, texts)
            let vectors = try await withThrowingTaskGroup(of: (Int, [Float]).self) { group in
                for (index, text) in texts.enumerated() {
                    group.addTask {
                        let vector = try await encoder.encode(text)
                        return (index, vector)
                    }
                }
                var result = [[Float]](repeating: [], count: texts.count)
                for try await (index, vector) in group { result[index] = vector }
                return result
            }
            XCTAssertEqual(vectors.map { $0.map(\.bitPattern) }, reference.map { $0.map(\.bitPattern) }, folder)
            let together = try await encoder.encode(texts)
            XCTAssertEqual(together, reference, folder)
        }
    }

    /// 64 calls all waiting before the first pass (the passes held until then) run in a few shared passes, each
    /// filled up to the token budget, and still give the synchronous bits.
    func testConcurrentCallsShareForwardPasses() async throws {
        var compute = ComputeOptions(threads: 2)
        compute.passTokenBudget = 300
        let encoder = try SentenceEncoder(modelDirectory: resource("tiny-bert"), pooling: .mean, compute: compute)
        let reference = try Self.synchronous(encoder, texts)
        let lengths = try texts.map { try encoder.tokenIds($0).count }
        let tokens = lengths.reduce(0, +)
        encoder.passes.hold(true)
        let vectors = try await withThrowingTaskGroup(of: (Int, [Float]).self) { group in
            for (index, text) in texts.enumerated() {
                group.addTask { (index, try await encoder.encode(text)) }
            }
            while encoder.passes.statistics.waitingCalls < texts.count { try await Task.sleep(nanoseconds: 1_000_000) }
            encoder.passes.hold(false)
            var result = [[Float]](repeating: [], count: texts.count)
            for try await (index, vector) in group { result[index] = vector }
            return result
        }
        XCTAssertEqual(vectors.map { $0.map(\.bitPattern) }, reference.map { $0.map(\.bitPattern) })
        let statistics = encoder.passes.statistics
        XCTAssertEqual(statistics.sequences, texts.count)
        // Every pass but the last holds more than (budget - longest sequence) tokens.
        let longest = lengths.max() ?? 0
        XCTAssertLessThanOrEqual(statistics.passes, tokens / (300 - longest) + 1, "\(tokens) tokens")
        XCTAssertLessThan(statistics.passes, texts.count / 4)
    }

    /// `tokenize` gives the ids `encode` uses (and the count before truncation); those ids encoded as token ids give
    /// the text's vector; bad token sequences are refused.
    func testTokenizeAndTokenIdInputs() async throws {
        let encoder = try SentenceEncoder(modelDirectory: resource("families/mpnet"))
        var short = EncodeOptions()
        short.maxSequenceLength = 8
        for text in ["A man is eating food.", "Ünïcödé and 東京 " + String(repeating: "long ", count: 20), ""] {
            for options in [EncodeOptions(), short] {
                let tokenized = try encoder.tokenize(text, options: options)
                XCTAssertEqual(tokenized.ids, try encoder.tokenIds(text, options: options))
                XCTAssertEqual(tokenized.tokens.count, tokenized.ids.count)
                XCTAssertEqual(tokenized.untruncatedCount, try encoder.tokenize(text).ids.count)
                XCTAssertEqual(tokenized.wasTruncated, tokenized.untruncatedCount > (options.maxSequenceLength ?? 512))
                let fromIds = try await encoder.encode(tokenIds: [tokenized.ids], options: options)
                XCTAssertEqual(fromIds, [try Self.synchronous(encoder, [text], options)[0]])
            }
        }
        XCTAssertTrue(try encoder.tokenize("x").offsets.first?.isEmpty ?? false, "<s> has an empty range")
        for bad in [[[Int]()], [Array(repeating: 5, count: 10_000)], [[0, 1_000_000, 2]]] {
            do {
                _ = try await encoder.encode(tokenIds: bad)
                XCTFail("accepted \(bad.map(\.count))")
            } catch let error as EmbeddingError {
                guard case .invalidInput = error else { return XCTFail("\(error)") }
            }
        }
    }

    /// A call with an id outside the vocabulary is refused on its own: calls held for the same pass still get their
    /// vectors (the pass's check used to fail every call in it, naming a sequence of the pass).
    func testABadTokenIdFailsOnlyItsOwnCall() async throws {
        let encoder = try SentenceEncoder(modelDirectory: resource("families/mpnet"))
        let good = try encoder.tokenize("A man is eating food.").ids
        let expected = try Self.synchronous(encoder, ["A man is eating food."], EncodeOptions())
        encoder.passes.hold(true)
        async let first = encoder.encode(tokenIds: [good])
        async let bad: [[Float]] = encoder.encode(tokenIds: [good, [good[0], 1_000_000, good[0]]])
        async let second = encoder.encode(tokenIds: [good])
        while encoder.passes.statistics.waitingCalls < 2 { try await Task.sleep(nanoseconds: 1_000_000) }
        try await Task.sleep(nanoseconds: 20_000_000)  // time for the bad call to join them, were it let in
        encoder.passes.hold(false)
        do {
            _ = try await bad
            XCTFail("an id outside the vocabulary was accepted")
        } catch {
            XCTAssertTrue("\(error)".contains("sequence 1: token id 1000000"), "\(error)")
        }
        let vectors = try await [first, second]
        XCTAssertEqual(vectors, [expected, expected])
    }

    /// One shared encoder hammered by 64 tasks at once, each with random texts (random scripts, lengths, empty ones)
    /// and random options (normalization, truncated dimensions, maximum length, a prompt, sync or async, sentence or
    /// token vectors): every answer equals the synchronous call with the same texts and options, computed first.
    /// Run under ThreadSanitizer by Scripts/sanitize_concurrency.sh.
    func testSixtyFourTasksWithRandomTextsAndOptions() async throws {
        let encoder = try SentenceEncoder(modelDirectory: resource("families/mpnet"))
        var random = SplitMix64(seed: 64)
        let alphabet = Array("abc xyz ÉéÜü 東京 мир !?., 123 \n\t") + ["👍🏽", "e\u{301}"]
        func text() -> String {
            String((0..<Int(random.next() % 120)).map { _ in alphabet[Int(random.next() % UInt64(alphabet.count))] })
        }
        struct Call {
            var texts: [String]
            var options: EncodeOptions
            var tokens: Bool
            var async: Bool
        }
        let calls: [Call] = (0..<64).map { _ in
            var options = EncodeOptions()
            options.normalize = [nil, true, false][Int(random.next() % 3)]
            options.truncateDimension = random.next() % 3 == 0 ? 8 : nil
            options.maxSequenceLength = random.next() % 3 == 0 ? 2 + Int(random.next() % 30) : nil
            options.prompt = random.next() % 4 == 0 ? "query: " : nil
            return Call(
                texts: (0..<(1 + Int(random.next() % 6))).map { _ in text() }, options: options,
                tokens: random.next() % 4 == 0, async: random.next() % 4 != 0)
        }
        let expected = try calls.map { call in
            call.tokens
                ? try Self.synchronousTokens(encoder, call.texts, call.options).map { $0.flatMap { $0 } }
                : try Self.synchronous(encoder, call.texts, call.options)
        }
        let results = try await withThrowingTaskGroup(of: (Int, [[Float]]).self) { group in
            for (index, call) in calls.enumerated() {
                group.addTask {
                    if call.tokens {
                        let vectors =
                            call.async
                            ? try await encoder.tokenEmbeddings(call.texts, options: call.options)
                            : try Self.synchronousTokens(encoder, call.texts, call.options)
                        return (index, vectors.map { $0.flatMap { $0 } })
                    }
                    return (
                        index,
                        call.async
                            ? try await encoder.encode(call.texts, options: call.options)
                            : try Self.synchronous(encoder, call.texts, call.options)
                    )
                }
            }
            var results = [[[Float]]](repeating: [], count: calls.count)
            for try await (index, vectors) in group { results[index] = vectors }
            return results
        }
        for index in calls.indices {
            XCTAssertEqual(
                results[index].map { $0.map(\.bitPattern) }, expected[index].map { $0.map(\.bitPattern) },
                "call \(index)")
        }
    }

    /// Calls with different options at once: each gets what the synchronous call with its options gives.
    func testMixedOptionsAndTokenEmbeddings() async throws {
        let encoder = try SentenceEncoder(modelDirectory: resource("tiny-bert"), pooling: .mean)
        var normalized = EncodeOptions()
        normalized.normalize = true
        var truncated = EncodeOptions()
        truncated.truncateDimension = 5
        var prompted = EncodeOptions()
        prompted.prompt = "query: "
        var windows = EncodeOptions()
        windows.longTexts = .slidingWindowMean(size: 8, stride: 3)
        let variants = [EncodeOptions(), normalized, truncated, prompted, windows]
        let results = try await withThrowingTaskGroup(of: (Int, [[Float]]).self) { group in
            for (index, options) in variants.enumerated() {
                group.addTask { [texts] in
                    let vectors = try await encoder.encode(texts, options: options)
                    return (index, vectors)
                }
            }
            var result = [[[Float]]](repeating: [], count: variants.count)
            for try await (index, vectors) in group { result[index] = vectors }
            return result
        }
        for (index, options) in variants.enumerated() {
            let expected = try Self.synchronous(encoder, texts, options)
            XCTAssertEqual(results[index], expected, "options \(index)")
        }
        let tokens = try await encoder.tokenEmbeddings(Array(texts.prefix(9)))
        let expectedTokens = try Self.synchronousTokens(encoder, Array(texts.prefix(9)))
        XCTAssertEqual(tokens, expectedTokens)
        let empty = try await encoder.encode([String]())
        XCTAssertEqual(empty, [])
        var bad = EncodeOptions()
        bad.truncateDimension = 0
        do {
            _ = try await encoder.encode(texts, options: bad)
            XCTFail("truncateDimension 0 was accepted")
        } catch {}
    }

    func testCancellationAnswersAtOnceAndTheEncoderStaysUsable() async throws {
        var compute = ComputeOptions(threads: 1)
        compute.passTokenBudget = 64  // many small passes
        let encoder = try SentenceEncoder(
            modelDirectory: resource("families/mpnet"), compute: compute)
        let many = (0..<10000).map { "text \($0) " + String(repeating: "long words here ", count: 8) }
        let task = Task { try await encoder.encode(many) }
        try await Task.sleep(nanoseconds: 50_000_000)
        task.cancel()
        do {
            _ = try await task.value
            XCTFail("the cancelled call returned")
        } catch is CancellationError {}
        // Cancelled before it starts.
        let early = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return try await encoder.encode(["a"])
        }
        do {
            _ = try await early.value
            XCTFail("a call in a cancelled task returned")
        } catch is CancellationError {}
        // Still usable, and exact.
        let after = try await encoder.encode(Array(texts.prefix(5)))
        let expected = try Self.synchronous(encoder, Array(texts.prefix(5)))
        XCTAssertEqual(after, expected)
        var zero = ComputeOptions()
        zero.passTokenBudget = 0
        XCTAssertThrowsError(try SentenceEncoder(modelDirectory: resource("families/mpnet"), compute: zero))
    }
}
