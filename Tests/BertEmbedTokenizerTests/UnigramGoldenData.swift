// Reads the goldens written by Scripts/make_unigram_goldens.py (Hugging Face tokenizers 0.23.3) and the XLM-R-style
// fixture beside them (Resources/tokenizer-unigram/).
import BertEmbedJSON
import BertEmbedTokenizer
import Foundation
import XCTest
import _BertEmbedTestSupport

/// One Precompiled normalization: the text, its normalized form and each normalized scalar's original offsets.
struct PrecompiledGolden: Decodable {
    var text: String
    var normalized: String
    var offsets: [Int]
}

/// Digests (chunks of 256 code points) of normalizing `prefix + c + suffix` for every BMP code point c.
struct PrecompiledSweep: Decodable {
    var prefix: String
    var suffix: String
    var digests: [String]
}

/// One Metaspace pre-tokenization: settings, input ("|" cuts it first), pieces with offsets, per-scalar offsets.
struct MetaspaceGolden: Decodable {
    enum CodingKeys: String, CodingKey {
        case scheme, split, replacement, text, pieces, offsets
        case pieceOffsets = "piece_offsets"
    }
    var scheme: String
    var split: Bool
    var replacement: String
    var text: String
    var pieces: [String]
    var pieceOffsets: [Int]
    var offsets: [Int]
}

/// A vocabulary entry written as `[piece, score]`.
struct PieceScore: Decodable {
    var piece: String
    var score: Double

    init(from decoder: Decoder) throws {
        var container = try decoder.unkeyedContainer()
        piece = try container.decode(String.self)
        score = try container.decode(Double.self)
    }
}

/// A Unigram model and the encodings of texts through it alone (no normalizer, no pre-tokenizer).
struct UnigramGolden: Decodable {
    enum CodingKeys: String, CodingKey {
        case name, vocab, cases
        case unkId = "unk_id"
        case byteFallback = "byte_fallback"
    }
    /// One text: ids, tokens and offsets, or tokenizers' error.
    struct Case: Decodable {
        var text: String
        var ids: [Int]?
        var tokens: [String]?
        var offsets: [Int]?
        var error: String?
    }
    var name: String
    var vocab: [PieceScore]?
    var unkId: Int?
    var byteFallback: Bool
    var cases: [Case]
}

/// Precompiled -> Metaspace -> Unigram on the fixture, without added tokens or post-processing.
struct ChainGolden: Decodable {
    var text: String
    var ids: [Int]
    var tokens: [String]
    var offsets: [Int]
}

/// A decoder chain (tokenizer.json objects, as JSON text), its input tokens and the decoded text.
struct DecoderGolden: Decodable {
    var decoders: String
    var tokens: [String]
    var text: String
}

/// A component object of tokenizer.json, whether tokenizers loads it, and what the loaded component does.
struct JSONGolden: Decodable {
    enum CodingKeys: String, CodingKey {
        case component, json, loads, ids, options, decoded, normalized
        case vocabSize = "vocab_size"
    }
    /// Metaspace settings as tokenizers reports them.
    struct Options: Decodable {
        enum CodingKeys: String, CodingKey {
            case replacement, split
            case prependScheme = "prepend_scheme"
        }
        var replacement: String
        var prependScheme: String
        var split: Bool
    }
    var component: String
    var json: String
    var loads: Bool
    var vocabSize: Int?
    var ids: [Int]?
    var options: Options?
    var decoded: String?
    var normalized: String?
}

/// Score literals and the IEEE bits (hex) of the Double tokenizers reads from each (nil: it refuses the file), and a
/// digest of the fixture's scores as tokenizers holds them.
struct FloatGoldens: Decodable {
    enum CodingKeys: String, CodingKey {
        case literals
        case fixtureDigest = "fixture_digest"
    }
    var literals: [[String?]]
    var fixtureDigest: String
}

/// All of goldens.json.
struct UnigramGoldens: Decodable {
    enum CodingKeys: String, CodingKey {
        case tokenizers, precompiled, metaspace, unigram, chain, decoders, json, floats
        case precompiledSweeps = "precompiled_sweeps"
        case precompiledSupplementary = "precompiled_supplementary"
    }
    var tokenizers: String
    var precompiled: [PrecompiledGolden]
    var precompiledSweeps: [PrecompiledSweep]
    var precompiledSupplementary: [String]
    var metaspace: [MetaspaceGolden]
    var unigram: [UnigramGolden]
    var chain: [ChainGolden]
    var decoders: [DecoderGolden]
    var json: [JSONGolden]
    var floats: FloatGoldens
}

/// The goldens and the fixture's components, read once.
enum UnigramFixture {
    /// The fixture's folder.
    static let directory = resource("tokenizer-unigram")

    /// goldens.json.
    static let goldens: UnigramGoldens = {
        do {
            let data = try Data(contentsOf: directory.appendingPathComponent("goldens.json"))
            return try JSONDecoder().decode(UnigramGoldens.self, from: data)
        } catch {
            preconditionFailure("Resources/tokenizer-unigram/goldens.json is unreadable: \(error)")
        }
    }()

    /// The fixture's tokenizer.json as an object.
    static func tokenizerJSON() throws -> JSONObject {
        try JSONNode.readObject(directory.appendingPathComponent("tokenizer.json"))
    }

    /// The base64 charsmap of the fixture (its normalizer's first step).
    static func charsmapBase64() throws -> String {
        let normalizers = try XCTUnwrap(try tokenizerJSON().object("normalizer")?.objects("normalizers"))
        return try XCTUnwrap(try normalizers[0].string("precompiled_charsmap"))
    }

    /// The fixture's Precompiled normalizer, read from its JSON object.
    static func normalizer() throws -> PrecompiledNormalizer {
        let normalizers = try XCTUnwrap(try tokenizerJSON().object("normalizer")?.objects("normalizers"))
        return try PrecompiledNormalizer(json: normalizers[0])
    }

    /// The fixture's Unigram model.
    static func model() throws -> UnigramModel {
        try UnigramModel(json: try XCTUnwrap(try tokenizerJSON().object("model")))
    }

    /// The fixture's Metaspace pre-tokenizer.
    static func preTokenizer() throws -> MetaspacePreTokenizer {
        try MetaspacePreTokenizer(json: try XCTUnwrap(try tokenizerJSON().object("pre_tokenizer")))
    }

    /// A JSON object parsed from `text` (named `key` in messages).
    static func object(_ text: String, key: String = "case") throws -> JSONObject {
        try JSONNode(value: try JSONParser.parse(Array(text.utf8)), path: "goldens.json", key: key).object()
    }

    /// Flat [s0, e0, s1, e1, ...] offsets as ranges.
    static func ranges(_ flat: [Int]) -> [Range<Int>] {
        stride(from: 0, to: flat.count - 1, by: 2).map { flat[$0]..<flat[$0 + 1] }
    }

    /// FNV-1a 64 of the UTF-8 of `text`, as the golden script computes it.
    static func fnv1a64(_ text: String) -> UInt64 {
        text.utf8.reduce(0xcbf2_9ce4_8422_2325) { ($0 ^ UInt64($1)) &* 0x0000_0100_0000_01b3 }
    }

    /// The original offsets, in the whole input, of each scalar of `text`.
    static func originalOffsets(_ text: NormalizedText) -> [Range<Int>] {
        text.alignments.map { (text.originalStart + $0.lowerBound)..<(text.originalStart + $0.upperBound) }
    }
}
