// Reads the goldens written by Scripts/make_tokenizer_goldens.py (Hugging Face tokenizers 0.23.3).
import BertEmbedTokenizer
import Foundation
import XCTest
import _BertEmbedTestSupport

/// One input of cases.json.
struct GoldenInput: Decodable {
    enum CodingKeys: String, CodingKey {
        case text, pair
        case maxLength = "max_length"
        case strategy, special
    }
    var text: String
    var pair: String?
    var maxLength: Int?
    var strategy: String?
    var special: Bool?

    var truncation: TruncationStrategy {
        switch strategy {
        case "only_first": return .onlyFirst
        case "only_second": return .onlySecond
        default: return .longestFirst
        }
    }
}

/// One padded batch of cases.json.
struct GoldenBatchInput: Decodable {
    enum CodingKeys: String, CodingKey {
        case texts, pairs
        case maxLength = "max_length"
        case padding
    }
    var texts: [String]
    var pairs: [String]?
    var maxLength: Int?
    var padding: PaddingValue

    enum PaddingValue: Decodable {
        case longest
        case fixed(Int)
        init(from decoder: Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let length = try? container.decode(Int.self) { self = .fixed(length) } else { self = .longest }
        }
    }
}

struct GoldenInputs: Decodable {
    enum CodingKeys: String, CodingKey {
        case cases, batches
        case sweepChunk = "sweep_chunk"
    }
    var cases: [GoldenInput]
    var batches: [GoldenBatchInput]
    var sweepChunk: Int
}

/// The expected encoding of one case (offsets flat: start, end, start, end, ...).
struct GoldenEncoding: Decodable {
    enum CodingKeys: String, CodingKey {
        case ids, offsets
        case typeIds = "type_ids"
        case attentionMask = "attention_mask"
        case tokens
        case hfError = "hf_error"
    }
    var ids: [Int]
    var offsets: [Int]
    var typeIds: [Int]?
    var attentionMask: [Int]?
    var tokens: [String]?
    var hfError: String?

    var ranges: [Range<Int>] { stride(from: 0, to: offsets.count - 1, by: 2).map { offsets[$0]..<offsets[$0 + 1] } }
    func typeIds(count: Int) -> [Int] { typeIds ?? Array(repeating: 0, count: count) }
}

struct GoldenDecode: Decodable {
    var ids: [Int]
    var skip: Bool
    var text: String
}

struct GoldenSweep: Decodable {
    var chunk: Int
    var digests: String
}

struct GoldenFile: Decodable {
    var cases: [GoldenEncoding]
    var decode: [GoldenDecode]
    var batches: [[GoldenEncoding]]
    var sweep: GoldenSweep
}

enum Goldens {
    static let configurations = ["uncased", "cased", "variant", "cased_strip", "mpnet", "bpe", "unigram"]

    static func inputs() throws -> GoldenInputs {
        try JSONDecoder().decode(GoldenInputs.self, from: Data(contentsOf: resource("tokenizer/cases.json")))
    }

    static func file(_ configuration: String) throws -> GoldenFile {
        try JSONDecoder().decode(
            GoldenFile.self, from: Data(contentsOf: resource("tokenizer/golden_\(configuration).json")))
    }

    static func tokenizer(_ configuration: String) throws -> Tokenizer {
        try Tokenizer(directory: resource("tokenizer/\(configuration)"))
    }

    /// The text of sweep chunk `start`, as the script builds it: every code point at a word start, inside a word, alone.
    static func sweepText(start: Int, chunk: Int) -> String {
        var parts: [String] = []
        for value in start..<start + chunk {
            guard let scalar = Unicode.Scalar(UInt32(value)) else { continue }
            let c = String(Character(scalar))
            parts.append("\(c)x\(c) \(c)")
        }
        return parts.joined(separator: " ")
    }

    /// FNV-1a 64 of "ids|s:e,...", as the script's `digest`.
    static func digest(_ encoding: Encoding) -> String {
        let text =
            encoding.ids.map(String.init).joined(separator: ",") + "|"
            + encoding.offsets.map { "\($0.lowerBound):\($0.upperBound)" }.joined(separator: ",")
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
