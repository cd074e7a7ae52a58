// CrossEncoder against sentence-transformers 6.2.0's CrossEncoder on tiny seeded cross-encoders of every family
// (Resources/heads/, Scripts/make_head_models.py): token ids, segment ids, scores with every activation, softmax,
// rank with ties, and what the folder's files decide (max length, activation, segment ids) on edited copies.
// Tolerance: abs 1e-5 + rel 1e-4 (the goldens ran as one padded batch; single inputs differ by up to 2.4e-6).
import BertEmbed
import Foundation
import XCTest
import _BertEmbedTestSupport

final class CrossEncoderGoldenTests: XCTestCase {
    static let folders = [
        "bert-cross-encoder-hf", "bert-cross-encoder-st", "bert-cross-encoder-3labels", "roberta-cross-encoder",
        "xlm-roberta-cross-encoder", "distilbert-cross-encoder", "mpnet-cross-encoder",
    ]

    func golden(_ name: String) throws -> [String: Any] {
        let data = try Data(contentsOf: resource("heads/goldens/\(name).json"))
        return try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    /// A golden float or list of floats as [Float].
    func floats(_ value: Any?) throws -> [Float] {
        if let number = value as? NSNumber { return [number.floatValue] }
        return try XCTUnwrap(value as? [NSNumber], "\(String(describing: value))").map(\.floatValue)
    }

    func assertScores(_ actual: [Float], _ expected: [Float], _ message: String, line: UInt = #line) {
        XCTAssertEqual(actual.count, expected.count, message, line: line)
        for (a, e) in zip(actual, expected) where !(abs(a - e) <= 1e-5 + 1e-4 * abs(e)) {
            XCTFail("\(message): \(actual) != \(expected)", line: line)
            return
        }
    }

    func testEveryFamilyEqualsSentenceTransformers() throws {
        for name in Self.folders {
            let golden = try golden(name)
            let encoder = try CrossEncoder(modelDirectory: resource("heads/\(name)"))
            let labels = try XCTUnwrap(golden["num_labels"] as? Int)
            XCTAssertEqual(encoder.labelCount, labels, name)
            XCTAssertEqual(encoder.maxSequenceLength, golden["max_length"] as? Int, name)
            let activationName = try XCTUnwrap(golden["activation"] as? String)
            XCTAssertEqual(
                encoder.activation.rawValue, (activationName.split(separator: ".").last ?? "").lowercased(), name)
            let pairs = try XCTUnwrap(golden["pairs"] as? [[String: Any]])
            let texts = try pairs.map {
                (try XCTUnwrap($0["query"] as? String), try XCTUnwrap($0["document"] as? String))
            }
            for (index, pair) in pairs.enumerated() {
                let input = try encoder.modelInput(query: texts[index].0, document: texts[index].1)
                // The counts from ids alone (the query once) against the full pair encode (modelInput) where it is
                // not cut, and the cut at the limit where it is.
                let documents = [texts[index].1, "", texts[index].0 + " " + texts[index].1]
                let counts = try encoder.tokenCounts(query: texts[index].0, documents: documents)
                XCTAssertEqual(counts.count, documents.count)
                for (document, count) in zip(documents, counts) {
                    let whole = try encoder.modelInput(query: texts[index].0, document: document).ids.count
                    XCTAssertEqual(
                        whole, min(count, encoder.maxSequenceLength), "\(name) pair \(index): count of '\(document)'")
                }
                XCTAssertEqual(input.ids, pair["input_ids"] as? [Int], "\(name) pair \(index): ids")
                let count = try encoder.tokenCount(query: texts[index].0, document: texts[index].1)
                XCTAssertGreaterThanOrEqual(count, input.ids.count, "\(name) pair \(index)")
                if input.ids.count < encoder.maxSequenceLength {
                    XCTAssertEqual(count, input.ids.count, "\(name) pair \(index): a pair under the limit is whole")
                }
                if (golden["feeds_token_type_ids"] as? Bool) == true {
                    XCTAssertEqual(input.typeIds, pair["token_type_ids"] as? [Int], "\(name) pair \(index): type ids")
                } else {
                    XCTAssertEqual(Set(input.typeIds), [0], "\(name) pair \(index): no segment ids")
                }
            }
            // One call over every pair, in batches of 4 (length-sorted): scores as predict gives them.
            var options = CrossEncoder.Options()
            options.batchSize = 4
            let scores = try encoder.predict(texts, options: options)
            options.activation = .identity
            let logits = try encoder.predict(texts, options: options)
            for (index, pair) in pairs.enumerated() {
                assertScores(scores[index], try floats(pair["scores"]), "\(name) pair \(index): scores")
                assertScores(logits[index], try floats(pair["logits"]), "\(name) pair \(index): logits")
            }
            if labels > 1 {
                options.activation = nil
                options.applySoftmax = true
                let softmax = try encoder.predict(texts, options: options)
                options.activation = .sigmoid
                let sigmoidSoftmax = try encoder.predict(texts, options: options)
                for (index, pair) in pairs.enumerated() {
                    assertScores(softmax[index], try floats(pair["softmax"]), "\(name) pair \(index): softmax")
                    assertScores(
                        sigmoidSoftmax[index], try floats(pair["sigmoid_softmax"]),
                        "\(name) pair \(index): sigmoid then softmax")
                }
                XCTAssertThrowsError(try encoder.rank(query: "q", documents: ["d"])) { error in
                    XCTAssertTrue("\(error)".contains("one-label"), "\(error)")
                }
                continue
            }
            // Softmax changes nothing with one label.
            options = CrossEncoder.Options()
            options.applySoftmax = true
            XCTAssertEqual(try encoder.predict(texts, options: options), scores, name)
            let rank = try XCTUnwrap(golden["rank"] as? [String: Any])
            let query = try XCTUnwrap(rank["query"] as? String)
            let documents = try XCTUnwrap(rank["documents"] as? [String])
            for (key, topK) in [("all", nil), ("top_3", 3)] as [(String, Int?)] {
                let expected = try XCTUnwrap(rank[key] as? [[String: Any]])
                let ranked = try encoder.rank(query: query, documents: documents, topK: topK)
                XCTAssertEqual(ranked.map(\.index), expected.map { $0["corpus_id"] as? Int }, "\(name) rank \(key)")
                for (hit, want) in zip(ranked, expected) {
                    assertScores([hit.score], try floats(want["score"]), "\(name) rank \(key)")
                }
            }
        }
    }

    /// What the files decide, on edited copies of the -hf and -st folders: max length, activation, segment ids.
    func testFolderSettingsResolveAsSentenceTransformers() throws {
        let golden = try golden("bert-cross-encoder-hf")
        let pairs = try XCTUnwrap(golden["pairs"] as? [[String: Any]])
        let texts = try [0, 1, 2, 11].map {
            (try XCTUnwrap(pairs[$0]["query"] as? String), try XCTUnwrap(pairs[$0]["document"] as? String))
        }
        let cases = try XCTUnwrap(golden["loading_cases"] as? [[String: Any]])
        XCTAssertGreaterThan(cases.count, 10)
        for item in cases {
            let description = try XCTUnwrap(item["description"] as? String)
            let folder = try copyFolder(try XCTUnwrap(item["folder"] as? String))
            defer { try? FileManager.default.removeItem(at: folder) }
            for edit in try XCTUnwrap(item["edits"] as? [[String: Any]]) {
                try applyEdit(edit, in: folder)
            }
            let encoder = try CrossEncoder(modelDirectory: folder)
            let activationName = try XCTUnwrap(item["activation"] as? String)
            XCTAssertEqual(
                encoder.activation.rawValue, (activationName.split(separator: ".").last ?? "").lowercased(),
                description)
            let scores = try encoder.predict(texts).map { $0[0] }
            guard item["error"] is NSNull else {
                // sentence-transformers fails here (a max length over the position table); the table caps it.
                XCTAssertEqual(encoder.maxSequenceLength, 64, description)
                XCTAssertEqual(scores.count, 4)
                continue
            }
            XCTAssertEqual(encoder.maxSequenceLength, item["max_length"] as? Int, description)
            let ids = try XCTUnwrap(item["input_ids"] as? [[Int]])
            for (index, text) in texts.enumerated() {
                let input = try encoder.modelInput(query: text.0, document: text.1)
                XCTAssertEqual(input.ids, ids[index], "\(description): pair \(index)")
                if (item["feeds_token_type_ids"] as? Bool) == false { XCTAssertEqual(Set(input.typeIds), [0]) }
            }
            assertScores(scores, try floats(item["scores"]), description)
        }
    }

    func testTokenCountIsThePairBeforeTheCut() throws {
        let encoder = try CrossEncoder(modelDirectory: resource("heads/bert-cross-encoder-hf"))
        let long = String(repeating: "word ", count: 100)
        // [CLS] word [SEP] word [SEP]: three special tokens and the word's tokens twice.
        let pair = try encoder.tokenCount(query: "word", document: "word")
        let word = (pair - 3) / 2
        XCTAssertEqual(pair, 3 + 2 * word)
        XCTAssertEqual(try encoder.tokenCount(query: "word", document: long), 3 + 101 * word)
        XCTAssertEqual(try encoder.modelInput(query: "word", document: long).ids.count, encoder.maxSequenceLength)
    }

    func testEmptyInputsAndWrongFolders() throws {
        let encoder = try CrossEncoder(modelDirectory: resource("heads/bert-cross-encoder-hf"))
        XCTAssertEqual(try encoder.predict([]), [])
        XCTAssertEqual(try encoder.rank(query: "q", documents: []), [])
        XCTAssertEqual(try encoder.scores(query: "", documents: [""]).count, 1)
        XCTAssertThrowsError(try encoder.rank(query: "q", documents: ["d"], topK: 0))
        var options = CrossEncoder.Options()
        options.batchSize = 0
        XCTAssertThrowsError(try encoder.predict([("q", "d")], options: options))
        // An embedding model is not a reranker, and the other way round; each error says what the folder is.
        for (folder, phrase) in [
            ("tiny-bert", "not a cross-encoder"), ("families/roberta", "load it with SentenceEncoder"),
            ("heads/bert-splade-max", "SPLADE"),
        ] {
            XCTAssertThrowsError(try CrossEncoder(modelDirectory: resource(folder)), folder) { error in
                XCTAssertTrue("\(error)".contains(phrase), "\(folder): \(error)")
            }
        }
        XCTAssertThrowsError(try SentenceEncoder(modelDirectory: resource("heads/bert-cross-encoder-st"))) { error in
            XCTAssertTrue("\(error)".contains("cross-encoder"), "\(error)")
        }
        XCTAssertThrowsError(try SentenceEncoder(modelDirectory: resource("heads/bert-cross-encoder-hf"))) { error in
            XCTAssertTrue("\(error)".contains("CrossEncoder"), "\(error)")
        }
    }

    /// The synchronous API's scores (in an async function the async overload is chosen).
    static func synchronous(
        _ encoder: CrossEncoder, _ pairs: [(String, String)], batchSize: Int = 32, threads: Int? = nil
    ) throws -> [[Float]] {
        var options = CrossEncoder.Options()
        options.batchSize = batchSize
        options.threads = threads
        return try encoder.predict(pairs, options: options)
    }

    /// The synchronous API's ranking.
    static func synchronousRank(
        _ encoder: CrossEncoder, _ query: String, _ documents: [String], topK: Int
    ) throws -> [CrossEncoder.RankedDocument] {
        try encoder.rank(query: query, documents: documents, topK: topK)
    }

    /// Synchronous calls of any batch size and thread count, and concurrent async calls of one pair each (sharing
    /// forward passes), give the same bits.
    func testConcurrentCallsAndThreadsGiveTheSameScores() async throws {
        var compute = ComputeOptions()
        compute.passTokenBudget = 120
        let encoder = try CrossEncoder(modelDirectory: resource("heads/roberta-cross-encoder"), compute: compute)
        let pairs = (0..<40).map { ("query \($0 % 7)", String(repeating: "document word \($0) ", count: 1 + $0 % 9)) }
        let reference = try Self.synchronous(encoder, pairs, threads: 1)
        for batchSize in [1, 7, 32] {
            XCTAssertEqual(try Self.synchronous(encoder, pairs, batchSize: batchSize, threads: 2), reference)
        }
        let scores = try await withThrowingTaskGroup(of: (Int, [Float]).self) { group in
            for (index, pair) in pairs.enumerated() {
                group.addTask {
                    let score = try await encoder.predict([pair])
                    return (index, score[0])
                }
            }
            var result = [[Float]](repeating: [], count: pairs.count)
            for try await (index, score) in group { result[index] = score }
            return result
        }
        XCTAssertEqual(scores, reference)
        let ranked = try await encoder.rank(query: pairs[0].0, documents: pairs.map(\.1), topK: 5)
        let expected = try Self.synchronousRank(encoder, pairs[0].0, pairs.map(\.1), topK: 5)
        XCTAssertEqual(ranked, expected)
    }

    /// A copy of `Resources/heads/name` in a temporary folder.
    func copyFolder(_ name: String) throws -> URL {
        let target = FileManager.default.temporaryDirectory.appendingPathComponent("cross-encoder-\(UUID())")
        try FileManager.default.copyItem(at: resource("heads/\(name)"), to: target)
        return target
    }

    /// Sets (or with the value "<deleted>", removes) one top-level key of a JSON file of `folder`.
    func applyEdit(_ edit: [String: Any], in folder: URL) throws {
        let url = folder.appendingPathComponent(try XCTUnwrap(edit["file"] as? String))
        var object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        let key = try XCTUnwrap(edit["key"] as? String)
        if (edit["value"] as? String) == "<deleted>" {
            object.removeValue(forKey: key)
        } else {
            object[key] = edit["value"] ?? NSNull()
        }
        try JSONSerialization.data(withJSONObject: object).write(to: url)
    }
}
