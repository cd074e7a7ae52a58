// Long texts: sliding windows of tokens, their embeddings, and their mean.
import BertEmbed
import Foundation
import XCTest
import _BertEmbedTestSupport

final class LongTextTests: XCTestCase {
    let longText = String(repeating: "the quick brown fox jumps over the lazy dog and runs away. ", count: 12)

    func testShortTextWindowEqualsTruncatedEmbedding() throws {
        let encoder = try SentenceEncoder(modelDirectory: resource("tiny-bert"))
        let text = "A man is eating food."
        let plain = try encoder.encode(text)
        let windowed = try encoder.encode(
            text, options: EncodeOptions(longTexts: .slidingWindowMean(size: 32, stride: 16)))
        XCTAssertEqual(plain, windowed)
        XCTAssertEqual(try encoder.encodeWindows([text], size: 32, stride: 16)[0], [plain])
    }

    func testWindowsCoverTheTextAndTheMeanIsTheirMean() throws {
        let encoder = try SentenceEncoder(modelDirectory: resource("tiny-bert"))
        let tokens = try encoder.tokenIds(longText, options: EncodeOptions(maxSequenceLength: 64)).count
        XCTAssertEqual(tokens, 64, "the text must be longer than one window")
        // Windows of size 3 hold one content token each: their count is the text's token count without specials.
        let content = try encoder.encodeWindows([longText], size: 3, stride: 1)[0].count
        XCTAssertGreaterThan(content, 100)
        let size = 20, stride = 12
        let windows = try encoder.encodeWindows([longText, "short"], size: size, stride: stride)
        // Windows start every 12 content tokens until one reaches the end: ceil((n - 18) / 12) + 1 of them.
        let expected = 1 + max(0, (content - (size - 2) + stride - 1) / stride)
        XCTAssertEqual(windows[0].count, expected)
        XCTAssertEqual(windows[1].count, 1)
        let mean = try encoder.encode(
            [longText],
            options: EncodeOptions(normalize: false, longTexts: .slidingWindowMean(size: size, stride: stride)))[0]
        for d in mean.indices {
            let reference = windows[0].reduce(Float(0)) { $0 + $1[d] } / Float(windows[0].count)
            XCTAssertEqual(mean[d], reference, accuracy: 1e-6)
        }
        // The mean differs from the truncated embedding: the windows saw the whole text.
        XCTAssertNotEqual(mean, try encoder.encode(longText, options: EncodeOptions(normalize: false)))
        // Normalizing normalizes the mean.
        let unit = try encoder.encode(
            longText, options: EncodeOptions(normalize: true, longTexts: .slidingWindowMean(size: size, stride: stride))
        )
        XCTAssertEqual(unit.reduce(0) { $0 + $1 * $1 }, 1, accuracy: 1e-5)
    }

    /// Progress is reported in texts, as `EncodeOptions.progress` says, not in windows (the CLI's progress bar took
    /// windows for texts and trapped past 100 %).
    func testWindowProgressCountsTexts() throws {
        let encoder = try SentenceEncoder(modelDirectory: resource("tiny-bert"))
        let reports = Reports()
        var options = EncodeOptions(longTexts: .slidingWindowMean(size: 8, stride: 4))
        options.batchSize = 2
        options.progress = { done, total in reports.append(done, total) }
        _ = try encoder.encode([longText, "short", longText], options: options)
        let seen = reports.values
        XCTAssertFalse(seen.isEmpty)
        XCTAssertTrue(seen.allSatisfy { $0.total == 3 && $0.done <= 3 }, "\(seen)")
        XCTAssertEqual(seen.last?.done, 3)
        XCTAssertEqual(seen.map(\.done), seen.map(\.done).sorted())
    }

    /// A tokenizer.json without a post-processor adds no special tokens: the windows hold the text's tokens alone
    /// (they used to lose its first and last token and gain a [SEP]), so a short text's window is the text.
    func testWindowsFollowTheTokenizersTemplate() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("windows-\(UUID())")
        try FileManager.default.copyItem(at: resource("tiny-bert"), to: folder)
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("tokenizer.json")
        var object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        object["post_processor"] = NSNull()
        try JSONSerialization.data(withJSONObject: object).write(to: url)
        let encoder = try SentenceEncoder(modelDirectory: folder)
        let text = "A man is eating food."
        XCTAssertEqual(
            try encoder.tokenIds(text),
            try SentenceEncoder(modelDirectory: resource("tiny-bert")).tokenIds(text)
                .dropFirst().dropLast().map { $0 }, "no special tokens")
        let windowed = try encoder.encode(
            text, options: EncodeOptions(longTexts: .slidingWindowMean(size: 32, stride: 16)))
        XCTAssertEqual(windowed, try encoder.encode(text))
    }

    func testBadWindowsThrow() throws {
        let encoder = try SentenceEncoder(modelDirectory: resource("tiny-bert"))
        XCTAssertThrowsError(try encoder.encodeWindows(["x"], size: 2, stride: 1))
        XCTAssertThrowsError(try encoder.encodeWindows(["x"], size: 65, stride: 1))
        XCTAssertThrowsError(try encoder.encodeWindows(["x"], size: 10, stride: 9))
        XCTAssertThrowsError(try encoder.encodeWindows(["x"], size: 10, stride: 0))
    }
}

/// Progress reports gathered from the callback.
private final class Reports: @unchecked Sendable {
    private let lock = NSLock()
    private var list: [(done: Int, total: Int)] = []
    var values: [(done: Int, total: Int)] { lock.withLock { list } }
    func append(_ done: Int, _ total: Int) { lock.withLock { list.append((done, total)) } }
}
