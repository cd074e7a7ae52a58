// A speed check of the ByteLevel pre-tokenizer + BPE model, run by hand (not a timed test): it prints load time and
// MB/s, and skips unless BERT_EMBED_BPE_BENCH names a text file (one paragraph per line).
// BERT_EMBED_BPE_TOKENIZER may name a byte-level BPE tokenizer.json (default: the small fixture).
//   BERT_EMBED_BPE_BENCH=/tmp/corpus.txt swift test -c release --filter BPEThroughputTests
import BertEmbedJSON
import BertEmbedTokenizer
import Foundation
import XCTest
import _BertEmbedTestSupport

final class BPEThroughputTests: XCTestCase {
    /// Prints the load time of the model and, for three rounds over the file, the throughput of pre-tokenizing and
    /// tokenizing every line (the first round fills the word cache).
    func testThroughput() throws {
        let environment = ProcessInfo.processInfo.environment
        guard let corpusPath = environment["BERT_EMBED_BPE_BENCH"] else {
            throw XCTSkip("set BERT_EMBED_BPE_BENCH to a text file to measure ByteLevel + BPE throughput")
        }
        let tokenizerURL =
            environment["BERT_EMBED_BPE_TOKENIZER"].map { URL(fileURLWithPath: $0) }
            ?? resource("tokenizer-bpe/tokenizer.json")
        let loadStart = Date()
        let file = try JSONNode.readObject(tokenizerURL)
        let model = try BPEModel(json: file.required("model").object())
        let loadTime = Date().timeIntervalSince(loadStart)
        let lines = try String(contentsOfFile: corpusPath, encoding: .utf8).split(separator: "\n").map(String.init)
        let bytes = lines.reduce(0) { $0 + $1.utf8.count }
        let preTokenizer = ByteLevelPreTokenizer(addPrefixSpace: false)
        print("BPE load (JSON read + model): \(String(format: "%.3f", loadTime)) s, \(model.tokenCount) tokens")
        for round in 1...3 {
            let start = Date()
            var tokens = 0
            for line in lines {
                for word in preTokenizer.split(NormalizedText(line)) {
                    tokens += try model.tokenize(word.scalars).count
                }
            }
            let seconds = Date().timeIntervalSince(start)
            print(
                "round \(round): \(tokens) tokens, \(String(format: "%.2f", Double(bytes) / seconds / 1e6)) MB/s "
                    + "(ByteLevel + BPE, one thread)")
            var preTokenized = 0
            let splitStart = Date()
            for line in lines { preTokenized += preTokenizer.split(NormalizedText(line)).count }
            let splitSeconds = Date().timeIntervalSince(splitStart)
            print(
                "round \(round): ByteLevel alone \(String(format: "%.2f", Double(bytes) / splitSeconds / 1e6)) MB/s"
                    + " (\(preTokenized) words)")
        }
    }
}
