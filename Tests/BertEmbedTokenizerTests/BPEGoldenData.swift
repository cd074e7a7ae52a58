// Reads the byte-level BPE fixture and goldens written by Scripts/make_bpe_goldens.py (tokenizers 0.23.3) under
// Resources/tokenizer-bpe/.
import BertEmbedJSON
import BertEmbedTokenizer
import XCTest
import _BertEmbedTestSupport

/// Helpers shared by the byte-level BPE tests.
enum BPEGolden {
    /// The top-level value of golden file `name`.
    static func read(_ name: String) throws -> JSONNode {
        try JSONNode.read(resource("tokenizer-bpe/" + name))
    }

    /// A JSON object parsed from `text` (for hand-written component configurations).
    static func object(_ text: String) throws -> JSONObject {
        try JSONNode(value: JSONParser.parse(Array(text.utf8)), path: "test.json", key: "").object()
    }

    /// The fixture's `model` object.
    static func fixtureModel() throws -> JSONObject {
        try read("tokenizer.json").object().required("model").object()
    }

    /// The scalars of `text`.
    static func scalars(_ text: String) -> [Unicode.Scalar] { Array(text.unicodeScalars) }

    /// The scalar range of a token given by tokenizers as byte offsets `start..<end` into `word`'s UTF-8: from the
    /// scalar holding its first byte to the one holding its last, offsets past the word kept on its last scalar
    /// (what tokenizers' `convert_offsets` makes of them).
    static func scalarRange(bytes start: Int, _ end: Int, in word: [Unicode.Scalar]) -> Range<Int> {
        var owner: [Int] = []
        for (index, scalar) in word.enumerated() {
            owner += Array(repeating: index, count: String(scalar).utf8.count)
        }
        let last = owner.count - 1
        return owner[min(start, last)]..<(owner[min(end - 1, last)] + 1)
    }

    /// A list of integers.
    static func ints(_ node: JSONNode) throws -> [Int] { try node.array().map { try $0.int() } }

    /// Flat offsets [s0, e0, s1, e1, ...] as ranges.
    static func ranges(_ flat: [Int]) -> [Range<Int>] {
        stride(from: 0, to: flat.count - 1, by: 2).map { flat[$0]..<flat[$0 + 1] }
    }

    /// The fixture's vocabulary and legacy merges as lists (for building variants).
    static func fixtureVocabularyAndMerges() throws -> (
        vocabulary: [(token: String, id: Int)], merges: [(String, String)]
    ) {
        let model = try fixtureModel()
        let vocabulary = try model.required("vocab").object().members.map { member in
            (token: member.key, id: try JSONNode(value: member.value, path: "", key: member.key).int())
        }
        let merges = try model.required("merges").array().map { node -> (String, String) in
            let parts = try node.string().utf8.split(separator: UInt8(ascii: " "), omittingEmptySubsequences: false)
            return (String(decoding: parts[0], as: UTF8.self), String(decoding: parts[1], as: UTF8.self))
        }
        return (vocabulary, merges)
    }
}
