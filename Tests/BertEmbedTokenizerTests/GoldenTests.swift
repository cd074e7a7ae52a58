// Every golden case of Hugging Face tokenizers, for every configuration, must match exactly.
import BertEmbedTokenizer
import XCTest
import _BertEmbedTestSupport

final class GoldenTests: XCTestCase {
    /// Ids, type ids, attention mask and offsets (and token strings where stored) of every case; exact.
    func testEncodingsMatchHuggingFace() throws {
        let inputs = try Goldens.inputs()
        for configuration in Goldens.configurations {
            let tokenizer = try Goldens.tokenizer(configuration)
            let golden = try Goldens.file(configuration)
            XCTAssertEqual(golden.cases.count, inputs.cases.count)
            var failures = 0
            for (index, (input, expected)) in zip(inputs.cases, golden.cases).enumerated() {
                let encoding = try tokenizer.encode(
                    input.text, pair: input.pair, addSpecialTokens: input.special ?? true,
                    maxLength: input.maxLength, truncation: input.truncation)
                let ok =
                    encoding.ids == expected.ids && encoding.offsets == expected.ranges
                    && encoding.typeIds == expected.typeIds(count: expected.ids.count)
                    && encoding.attentionMask == Array(repeating: 1, count: expected.ids.count)
                    && (expected.tokens == nil || expected.tokens == encoding.tokens)
                if !ok {
                    failures += 1
                    if failures <= 10 {
                        XCTFail(
                            """
                            \(configuration) case \(index) \(input.text.unicodeScalars.map { String($0.value, radix: 16) }.prefix(40)):
                              ids      \(encoding.ids)
                              expected \(expected.ids)
                              offsets  \(encoding.offsets.map { [$0.lowerBound, $0.upperBound] })
                              expected \(expected.ranges.map { [$0.lowerBound, $0.upperBound] })
                              tokens   \(encoding.tokens) expected \(expected.tokens ?? [])
                            """)
                    }
                }
            }
            XCTAssertEqual(failures, 0, "\(configuration): \(failures) of \(inputs.cases.count) cases differ")
        }
    }

    /// The fast ids-only path gives the ids of `encode` (special tokens, longest-first truncation), on every case.
    func testFastIdsEqualFullEncoding() throws {
        let inputs = try Goldens.inputs()
        for configuration in Goldens.configurations {
            let tokenizer = try Goldens.tokenizer(configuration)
            for input in inputs.cases where input.pair == nil {
                for maxLength in [nil, input.maxLength, 5] as [Int?] {
                    XCTAssertEqual(
                        try tokenizer.encodeIds(input.text, maxLength: maxLength),
                        try tokenizer.encode(input.text, maxLength: maxLength).ids,
                        "\(configuration): \(input.text.debugDescription) maxLength \(String(describing: maxLength))")
                }
            }
        }
    }

    /// Padded batches: ids, type ids, mask, tokens and offsets of every row, exact.
    func testBatchesMatchHuggingFace() throws {
        let inputs = try Goldens.inputs()
        for configuration in Goldens.configurations {
            let tokenizer = try Goldens.tokenizer(configuration)
            let golden = try Goldens.file(configuration)
            for (batch, expected) in zip(inputs.batches, golden.batches) {
                let padding: PaddingStrategy
                switch batch.padding {
                case .longest: padding = .longest
                case .fixed(let length): padding = .fixed(length)
                }
                let encodings = try tokenizer.encodeBatch(
                    batch.texts, pairs: batch.pairs, maxLength: batch.maxLength, padding: padding)
                XCTAssertEqual(encodings.count, expected.count)
                for (encoding, row) in zip(encodings, expected) {
                    XCTAssertEqual(encoding.ids, row.ids, configuration)
                    XCTAssertEqual(encoding.typeIds, row.typeIds, configuration)
                    XCTAssertEqual(encoding.attentionMask, row.attentionMask, configuration)
                    XCTAssertEqual(encoding.tokens, row.tokens, configuration)
                    XCTAssertEqual(encoding.offsets, row.ranges, configuration)
                }
            }
        }
    }

    /// Decoding ids back to text, with and without special tokens, exactly as `Tokenizer.decode`.
    func testDecodeMatchesHuggingFace() throws {
        for configuration in Goldens.configurations {
            let tokenizer = try Goldens.tokenizer(configuration)
            for item in try Goldens.file(configuration).decode {
                XCTAssertEqual(
                    tokenizer.decode(item.ids, skipSpecialTokens: item.skip), item.text,
                    "\(configuration) \(item.ids) skip \(item.skip)")
            }
        }
    }

    /// Every Unicode scalar (in chunks of 256), at a word start, inside a word and alone: digest of ids and offsets.
    func testEveryCodePointMatchesHuggingFace() throws {
        let chunk = try Goldens.inputs().sweepChunk
        for configuration in Goldens.configurations {
            let tokenizer = try Goldens.tokenizer(configuration)
            let digests = Array(try Goldens.file(configuration).sweep.digests.utf8)
            XCTAssertEqual(digests.count, 0x110000 / chunk * 16)
            var failed: [String] = []
            for (index, start) in stride(from: 0, to: 0x110000, by: chunk).enumerated() {
                let expected = String(decoding: digests[index * 16..<index * 16 + 16], as: UTF8.self)
                let text = Goldens.sweepText(start: start, chunk: chunk)
                if Goldens.digest(try tokenizer.encode(text)) != expected { failed.append(String(start, radix: 16)) }
            }
            XCTAssertEqual(failed, [], "\(configuration): chunks starting at these code points differ")
        }
    }
}
