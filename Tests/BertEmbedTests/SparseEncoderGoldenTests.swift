// SparseEncoder against sentence-transformers 6.2.0's SparseEncoder on tiny seeded SPLADE models (Resources/heads/,
// Scripts/make_head_models.py): BERT and DistilBERT MLM heads, max and sum pooling, the module layouts of
// sentence-transformers 5 and 6, max_active_dims, log1p_relu, cosine; token ids, the non-zero set, the values,
// decode and similarity. Tolerance: abs 1e-5 + rel 1e-4 per value (the goldens ran as one padded batch; single
// inputs differ by up to 4.8e-6 on sums near 58).
import BertEmbed
import Foundation
import XCTest
import _BertEmbedTestSupport

final class SparseEncoderGoldenTests: XCTestCase {
    func golden(_ name: String) throws -> [String: Any] {
        let data = try Data(contentsOf: resource("heads/goldens/\(name).json"))
        return try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    func close(_ a: Float, _ b: Double) -> Bool { abs(Double(a) - b) <= 1e-5 + 1e-4 * abs(b) }

    /// Checks `encoder` on the golden `texts` (all of them, or those at `only`): ids, non-zero set, values, decode.
    func check(
        _ encoder: SparseEncoder, texts: [[String: Any]], similarity: [[Double]]?, label: String
    ) throws {
        let strings = try texts.map { try XCTUnwrap($0["text"] as? String) }
        var options = SparseEncoder.Options()
        options.batchSize = 5
        let vectors = try encoder.encode(strings, options: options)
        for (index, text) in texts.enumerated() {
            let name = "\(label) text \(index)"
            XCTAssertEqual(try encoder.tokenIds(strings[index]), text["input_ids"] as? [Int], "\(name): ids")
            let tokenized = try encoder.tokenize(strings[index])
            XCTAssertEqual(tokenized.ids, text["input_ids"] as? [Int], "\(name): tokenize")
            XCTAssertEqual(tokenized.tokens.count, tokenized.ids.count, name)
            if tokenized.ids.count < encoder.maxSequenceLength { XCTAssertFalse(tokenized.wasTruncated, name) }
            let indices = try XCTUnwrap(text["indices"] as? [Int])
            let values = try XCTUnwrap(text["values"] as? [Double])
            XCTAssertEqual(vectors[index].dimension, encoder.dimension)
            XCTAssertEqual(vectors[index].indices, indices, "\(name): the non-zero set")
            if vectors[index].indices == indices {
                for (a, b) in zip(vectors[index].values, values) where !close(a, b) {
                    XCTFail("\(name): \(a) != \(b)")
                    break
                }
            }
            if let top = text["decode_top5"] as? [[Any]] {
                let decoded = encoder.decode(vectors[index], topK: 5)
                XCTAssertEqual(decoded.map(\.token), top.map { $0[0] as? String }, "\(name): decode")
                for (entry, want) in zip(decoded, top) {
                    XCTAssertTrue(close(entry.weight, try XCTUnwrap(want[1] as? Double)), "\(name): decode weight")
                }
            }
        }
        if let similarity {
            for i in 0..<similarity.count {
                for j in 0..<similarity[i].count {
                    let value = encoder.similarity(vectors[i], vectors[j])
                    XCTAssertTrue(close(value, similarity[i][j]), "\(label) similarity[\(i)][\(j)] \(value)")
                }
            }
        }
    }

    func testEveryFolderEqualsSentenceTransformers() throws {
        for name in ["bert-splade-max", "bert-splade-sum", "distilbert-splade-max"] {
            let golden = try golden(name)
            let encoder = try SparseEncoder(modelDirectory: resource("heads/\(name)"))
            XCTAssertEqual(encoder.dimension, golden["vocab_size"] as? Int, name)
            XCTAssertEqual(encoder.maxSequenceLength, golden["max_length"] as? Int, name)
            XCTAssertEqual(encoder.similarityFunction, .dot, name)
            XCTAssertNil(encoder.maxActiveDimensions)
            try check(
                encoder, texts: try XCTUnwrap(golden["texts"] as? [[String: Any]]),
                similarity: golden["similarity"] as? [[Double]], label: name)
        }
    }

    /// Edited copies of bert-splade-max: the layout of sentence-transformers 5 hub folders, cosine, max_active_dims,
    /// log1p_relu.
    func testFolderSettingsResolveAsSentenceTransformers() throws {
        let golden = try golden("bert-splade-max")
        let cases = try XCTUnwrap(golden["loading_cases"] as? [[String: Any]])
        XCTAssertEqual(cases.count, 4)
        for item in cases {
            let description = try XCTUnwrap(item["description"] as? String)
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("splade-\(UUID())")
            try FileManager.default.copyItem(at: resource("heads/bert-splade-max"), to: folder)
            defer { try? FileManager.default.removeItem(at: folder) }
            for (file, content) in try XCTUnwrap(item["replaced_files"] as? [String: Any]) {
                try JSONSerialization.data(withJSONObject: content).write(to: folder.appendingPathComponent(file))
            }
            for (file, keys) in try XCTUnwrap(item["changed_keys"] as? [String: [String: Any]]) {
                let url = folder.appendingPathComponent(file)
                var object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
                for (key, value) in keys { object[key] = value }
                try JSONSerialization.data(withJSONObject: object).write(to: url)
            }
            let encoder = try SparseEncoder(modelDirectory: folder)
            XCTAssertEqual(encoder.maxSequenceLength, item["max_length"] as? Int, description)
            XCTAssertEqual(
                encoder.similarityFunction,
                (item["similarity_fn_name"] as? String) == "cosine" ? .cosine : .dot, description)
            XCTAssertEqual(encoder.maxActiveDimensions, item["max_active_dims"] as? Int, description)
            try check(
                encoder, texts: try XCTUnwrap(item["texts"] as? [[String: Any]]),
                similarity: nil, label: description)
            if let similarity = item["similarity"] as? [[Double]], let texts = golden["texts"] as? [[String: Any]] {
                let vectors = try encoder.encode(
                    try texts.prefix(similarity.count).map { try XCTUnwrap($0["text"] as? String) })
                for i in 0..<similarity.count {
                    for j in 0..<similarity.count {
                        let value = encoder.similarity(vectors[i], vectors[j])
                        XCTAssertTrue(close(value, similarity[i][j]), "\(description) similarity[\(i)][\(j)] \(value)")
                    }
                }
            }
        }
    }

    /// The synchronous API's vectors (in an async function the async overload is chosen).
    static func synchronous(_ encoder: SparseEncoder, _ texts: [String]) throws -> [SparseEmbedding] {
        try encoder.encode(texts)
    }

    /// Concurrent async calls of one text each share forward passes and give the synchronous bits.
    func testConcurrentAsyncCallsGiveTheSyncVectors() async throws {
        var compute = ComputeOptions()
        compute.passTokenBudget = 100
        let encoder = try SparseEncoder(modelDirectory: resource("heads/distilbert-splade-max"), compute: compute)
        let texts = (0..<30).map { String(repeating: "word \($0) ", count: 1 + $0 % 11) }
        let reference = try Self.synchronous(encoder, texts)
        let vectors = try await withThrowingTaskGroup(of: (Int, SparseEmbedding).self) { group in
            for (index, text) in texts.enumerated() {
                group.addTask {
                    let vector = try await encoder.encode([text])
                    return (index, vector[0])
                }
            }
            var result = reference
            for try await (index, vector) in group { result[index] = vector }
            return result
        }
        XCTAssertEqual(vectors, reference)
    }

    /// Token ids from `tokenize` give the vectors of the texts, bit for bit; sequences the model cannot take throw.
    func testTokenIdsGiveTheVectorsOfTheTexts() async throws {
        let encoder = try SparseEncoder(modelDirectory: resource("heads/bert-splade-max"))
        let texts = ["word", String(repeating: "word ", count: 100), "the cat sat on the mat", "ünïcödé 東京"]
        let ids = try texts.map { try encoder.tokenize($0).ids }
        let fromIds = try await encoder.encode(tokenIds: ids)
        XCTAssertEqual(fromIds, try Self.synchronous(encoder, texts))
        XCTAssertEqual(fromIds.count, texts.count)
        let unknown = 1_000_000
        for (bad, phrase) in [
            ([ids[0], []], "token sequence 1 has 0 tokens"),
            ([Array(repeating: ids[0][1], count: 10_000)], "token sequence 0 has 10000 tokens"),
            ([[ids[0][0], unknown]], "outside the vocabulary"),
        ] {
            do {
                _ = try await encoder.encode(tokenIds: bad)
                XCTFail("\(phrase): no error")
            } catch {
                XCTAssertTrue("\(error)".contains(phrase), "\(phrase): \(error)")
            }
        }
    }

    func testTokenizeCountsTheTokensBeforeTheCut() throws {
        let encoder = try SparseEncoder(modelDirectory: resource("heads/bert-splade-max"))
        let word = try encoder.tokenize("word")
        let long = try encoder.tokenize(String(repeating: "word ", count: 100))
        let special = 2  // [CLS] and [SEP]
        XCTAssertEqual(long.ids, try encoder.tokenIds(String(repeating: "word ", count: 100)))
        XCTAssertEqual(long.ids.count, encoder.maxSequenceLength)
        XCTAssertEqual(long.untruncatedCount, special + 100 * (word.untruncatedCount - special))
        XCTAssertTrue(long.wasTruncated)
        XCTAssertFalse(word.wasTruncated)
    }

    func testEmptyInputWrongFoldersAndThreads() throws {
        let encoder = try SparseEncoder(modelDirectory: resource("heads/bert-splade-max"))
        XCTAssertEqual(try encoder.encode([String]()), [])
        let texts = (0..<20).map { String(repeating: "word \($0) ", count: 1 + $0 % 11) }
        var one = SparseEncoder.Options()
        one.threads = 1
        one.batchSize = 3
        var two = SparseEncoder.Options()
        two.threads = 2
        XCTAssertEqual(try encoder.encode(texts, options: one), try encoder.encode(texts, options: two))
        var keep = SparseEncoder.Options()
        keep.maxActiveDimensions = 0
        XCTAssertThrowsError(try encoder.encode(["a"], options: keep))
        for (folder, phrase) in [
            ("heads/bert-cross-encoder-st", "cross-encoder"), ("families/mpnet", "dense embedding model"),
            ("heads/bert-cross-encoder-hf", "not a SPLADE model"),
        ] {
            XCTAssertThrowsError(try SparseEncoder(modelDirectory: resource(folder)), folder) { error in
                XCTAssertTrue("\(error)".contains(phrase), "\(folder): \(error)")
            }
        }
        XCTAssertThrowsError(try SentenceEncoder(modelDirectory: resource("heads/bert-splade-max"))) { error in
            XCTAssertTrue("\(error)".contains("SPLADE"), "\(error)")
        }
    }
}
