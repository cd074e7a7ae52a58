// A throughput measurement of Precompiled -> Metaspace -> Unigram, run by hand (not a timed test): it skips unless
// BERT_EMBED_UNIGRAM_BENCH_TOKENIZER names a tokenizer.json (Precompiled first in its normalizer, Metaspace, Unigram)
// and BERT_EMBED_UNIGRAM_BENCH_CORPUS a text file (one input per line).
import BertEmbedJSON
import BertEmbedTokenizer
import Foundation
import XCTest

final class UnigramThroughputTests: XCTestCase {
    /// Prints the load time of the three components and MB/s over the corpus (best of 3 rounds, one thread), after
    /// each stage.
    func testThroughput() throws {
        let environment = ProcessInfo.processInfo.environment
        guard let tokenizerPath = environment["BERT_EMBED_UNIGRAM_BENCH_TOKENIZER"],
            let corpusPath = environment["BERT_EMBED_UNIGRAM_BENCH_CORPUS"]
        else {
            throw XCTSkip("set BERT_EMBED_UNIGRAM_BENCH_TOKENIZER and BERT_EMBED_UNIGRAM_BENCH_CORPUS to measure")
        }
        var start = Date()
        let file = try JSONNode.readObject(URL(fileURLWithPath: tokenizerPath))
        let parsed = Date().timeIntervalSince(start)
        start = Date()
        let normalizerObject = try XCTUnwrap(try file.object("normalizer"))
        let precompiled =
            try normalizerObject.string("type") == "Sequence"
            ? try XCTUnwrap(try normalizerObject.objects("normalizers")?.first) : normalizerObject
        let normalizer = try PrecompiledNormalizer(json: precompiled)
        let preTokenizer = try MetaspacePreTokenizer(json: try XCTUnwrap(try file.object("pre_tokenizer")))
        let model = try UnigramModel(json: try XCTUnwrap(try file.object("model")))
        let built = Date().timeIntervalSince(start)
        print(
            "unigram bench: JSON parsed in \(Int(parsed * 1000)) ms, components built in \(Int(built * 1000)) ms "
                + "(\(model.vocabularySize) pieces)")

        let lines = try String(contentsOfFile: corpusPath, encoding: .utf8).split(separator: "\n").map(String.init)
        let bytes = lines.reduce(0) { $0 + $1.utf8.count }
        // Best of 3 rounds of: normalizing only, normalizing and pre-tokenizing, the three components.
        var best = [Double](repeating: .infinity, count: 3)
        var tokenCount = 0
        for _ in 0..<3 {
            for stage in 0..<3 {
                tokenCount = 0
                let begin = Date()
                for line in lines {
                    var text = NormalizedText(line)
                    normalizer.normalize(&text)
                    guard stage > 0 else { continue }
                    for word in preTokenizer.split(text) where !word.isEmpty && stage == 2 {
                        tokenCount += try model.tokenize(word.scalars).count
                    }
                }
                best[stage] = min(best[stage], Date().timeIntervalSince(begin))
            }
        }
        // A digest of every token (id and original offsets) to compare with tokenizers on the same corpus: FNV-1a 64
        // of "id:start-end," per token and "\n" per line.
        var digest: UInt64 = 0xcbf2_9ce4_8422_2325
        func feed(_ text: String) {
            for byte in text.utf8 { digest = (digest ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        }
        for line in lines {
            var text = NormalizedText(line)
            normalizer.normalize(&text)
            for word in preTokenizer.split(text) where !word.isEmpty {
                for token in try model.tokenize(word.scalars) {
                    let original = word.originalRange(of: token.range) ?? token.range
                    let start = word.originalStart + original.lowerBound, end = word.originalStart + original.upperBound
                    feed("\(token.id):\(start)-\(end),")
                }
            }
            feed("\n")
        }
        print("unigram bench: digest of ids and offsets \(String(digest, radix: 16))")
        let rates = best.map { String(format: "%.2f", Double(bytes) / $0 / 1e6) }
        print(
            "unigram bench: \(lines.count) lines, \(bytes) bytes, \(tokenCount) tokens; MB/s (best of 3): normalize "
                + "\(rates[0]), + pre-tokenize \(rates[1]), + model \(rates[2])")
    }
}
