// Reads the goldens written by Scripts/make_component_goldens.py (Hugging Face tokenizers 0.23.3) under
// Resources/tokenizer/components/, and loads their configurations as whole tokenizer.json files.
import BertEmbedTokenizer
import Foundation
import XCTest
import _BertEmbedTestSupport

/// normalizers.json: normalizer configurations with per-scalar offsets, and Replace decoders.
struct NormalizerGoldens: Decodable {
    enum CodingKeys: String, CodingKey {
        case model, texts, configs
        case replaceDecoders = "replace_decoders"
    }
    /// One text through one normalizer.
    struct Case: Decodable {
        var text: Int
        var normalized: String
        var offsets: [Int]
        var encoding: String
    }
    /// A normalizer (its tokenizer.json object as JSON text) and its cases.
    struct Config: Decodable {
        var name: String
        var normalizer: String
        var cases: [Case]
    }
    /// Replace decoders (JSON text) and what each makes of every token of `tokens`.
    struct Decoders: Decodable {
        struct Case: Decodable {
            var decoder: String
            var decoded: [String]
        }
        var tokens: [String]
        var cases: [Case]
    }
    var model: String
    var texts: [String]
    var configs: [Config]
    var replaceDecoders: Decoders
}

/// pretokenizers.json: pre-tokenizer configurations (optionally after a normalizer) and loading cases.
struct PreTokenizerGoldens: Decodable {
    enum CodingKeys: String, CodingKey {
        case model, texts, configs, json
        case jsonProbe = "json_probe"
    }
    /// One text: piece offsets (flat), piece strings when a normalizer changed them, encoding digest.
    struct Case: Decodable {
        var text: Int
        var pieces: [Int]
        var strings: [String]?
        var encoding: String
    }
    /// A pre-tokenizer (and normalizer) as JSON text, and its cases.
    struct Config: Decodable {
        var name: String
        var normalizer: String?
        var preTokenizer: String
        var cases: [Case]
        enum CodingKeys: String, CodingKey {
            case name, normalizer, cases
            case preTokenizer = "pre_tokenizer"
        }
    }
    /// A pre-tokenizer object and whether tokenizers loads it (then the pieces of `jsonProbe`).
    struct Loading: Decodable {
        var preTokenizer: String
        var loads: Bool
        var pieces: [Int]?
        var error: String?
        enum CodingKeys: String, CodingKey {
            case loads, pieces, error
            case preTokenizer = "pre_tokenizer"
        }
    }
    var model: String
    var texts: [String]
    var configs: [Config]
    var json: [Loading]
    var jsonProbe: String
}

/// sweeps.json: every code point through the normalizers, the Punctuation and Digits classes, regex sweeps.
struct SweepGoldens: Decodable {
    /// One normalization form.
    struct Form: Decodable {
        enum CodingKeys: String, CodingKey {
            case changed, results, recomposed, contexts
            case hangulDigest = "hangul_digest"
        }
        var changed: [Int]
        var results: [String]
        var recomposed: [String]?
        var contexts: [String: [String]]
        var hangulDigest: String
    }
    /// A regular expression and the digests of its Isolated split over every code point.
    struct Split: Decodable {
        var regex: String
        var digests: [String]
    }
    var chunk: Int
    var forms: [String: Form]
    var classes: [String: [Int]]
    var split: [Split]
}

/// Helpers shared by the component golden tests.
enum ComponentGoldens {
    /// The decoded golden file `name`.
    static func read<T: Decodable>(_ name: String, as type: T.Type) throws -> T {
        try JSONDecoder().decode(type, from: Data(contentsOf: resource("tokenizer/components/" + name)))
    }

    /// Writes a tokenizer.json of these components into a fresh temporary folder and loads it with the package's
    /// loader; `body` gets the parsed definition. The folder is removed afterwards.
    static func withDefinition<R>(
        model: String, normalizer: String? = nil, preTokenizer: String? = nil,
        _ body: (TokenizerDefinition) throws -> R
    ) throws -> R {
        let text = """
            {"version": "1.0", "truncation": null, "padding": null, "added_tokens": [],
             "normalizer": \(normalizer ?? "null"), "pre_tokenizer": \(preTokenizer ?? "null"),
             "post_processor": null, "decoder": null, "model": \(model)}
            """
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "component-goldens-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try Data(text.utf8).write(to: directory.appendingPathComponent("tokenizer.json"))
        return try body(try TokenizerDefinition.fromTokenizerJSON(directory: directory))
    }

    /// FNV-1a (64 bits) of the UTF-8 of `text`, as the script computes it, in 16 hexadecimal digits.
    static func digest(_ text: String) -> String {
        let value = text.utf8.reduce(0xcbf2_9ce4_8422_2325 as UInt64) { ($0 ^ UInt64($1)) &* 0x0000_0100_0000_01b3 }
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }

    /// The digest of an encoding as the script writes it: "ids|s0,e0,s1,e1...".
    static func digest(_ encoding: Encoding) -> String {
        digest(
            encoding.ids.map(String.init).joined(separator: ",") + "|"
                + encoding.offsets.map { "\($0.lowerBound),\($0.upperBound)" }.joined(separator: ","))
    }

    /// The original offsets of each scalar of `text`, flat.
    static func flatOffsets(_ text: NormalizedText) -> [Int] {
        text.alignments.flatMap { [text.originalStart + $0.lowerBound, text.originalStart + $0.upperBound] }
    }

    /// The code points of flat inclusive ranges [first, last, first, last, ...].
    static func codePoints(_ ranges: [Int]) -> Set<UInt32> {
        var result = Set<UInt32>()
        for index in stride(from: 0, to: ranges.count - 1, by: 2) {
            for value in ranges[index]...ranges[index + 1] { result.insert(UInt32(value)) }
        }
        return result
    }

    /// The text of one chunk of a sweep: every code point (surrogates skipped) from `start`, written by `piece`.
    static func sweepText(start: Int, count: Int, _ piece: (Unicode.Scalar) -> String) -> String {
        var text = ""
        for value in start..<min(start + count, 0x110000) {
            guard let scalar = Unicode.Scalar(UInt32(value)) else { continue }
            text += piece(scalar)
        }
        return text
    }

    /// "HEX rest" lines keyed by code point, the rest as scalars (a result may start with a combining mark, which
    /// would join the space into one Character).
    static func keyed(_ lines: [String]) -> [UInt32: [Unicode.Scalar]] {
        var result: [UInt32: [Unicode.Scalar]] = [:]
        for line in lines {
            let scalars = Array(line.unicodeScalars)
            guard let space = scalars.firstIndex(of: " "),
                let value = UInt32(String(String.UnicodeScalarView(scalars[..<space])), radix: 16)
            else { continue }
            result[value] = Array(scalars[(space + 1)...])
        }
        return result
    }
}
