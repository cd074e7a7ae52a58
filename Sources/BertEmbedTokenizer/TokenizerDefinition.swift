// Everything a tokenizer folder defines, whichever file it came from (vocab.txt + tokenizer_config.json, or
// tokenizer.json): the components, the added tokens, and the names of the special tokens the API exposes.
import BertEmbedJSON
import Foundation

/// A WordPiece vocabulary: (token, id) entries, distinct byte-wise. Tokens are never plain `String` keys of a
/// `Dictionary`, whose String equality is canonical equivalence ("é" == "e\u{301}") and would merge entries.
package struct Vocabulary: Sendable {
    /// The entries.
    package private(set) var entries: [(token: String, id: Int)] = []
    private var indexByBytes: [TokenBytes: Int] = [:]

    /// A token as a dictionary key compared and hashed by its UTF-8 bytes (no copy of them: most tokens are small
    /// strings stored inline).
    private struct TokenBytes: Hashable, Sendable {
        var token: String

        static func == (a: TokenBytes, b: TokenBytes) -> Bool { a.token.utf8.elementsEqual(b.token.utf8) }

        func hash(into hasher: inout Hasher) {
            var token = token
            token.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
        }
    }

    /// An empty vocabulary.
    package init() {}

    /// Sets the id of `token`; a byte-identical token already present gets the new id (the later entry wins).
    package mutating func set(_ token: String, _ id: Int) {
        let key = TokenBytes(token: token)
        if let index = indexByBytes[key] {
            entries[index].id = id
        } else {
            indexByBytes[key] = entries.count
            entries.append((token, id))
        }
    }

    /// The id of the byte-identical `token`.
    package subscript(token: String) -> Int? {
        indexByBytes[TokenBytes(token: token)].map { entries[$0].id }
    }

    /// Makes room for `count` entries.
    package mutating func reserveCapacity(_ count: Int) {
        entries.reserveCapacity(count)
        indexByBytes.reserveCapacity(count)
    }

    /// Whether there are no entries.
    package var isEmpty: Bool { entries.isEmpty }
}

/// The parsed contents of a tokenizer folder.
package struct TokenizerDefinition: Sendable {
    /// The file the definition came from (for messages).
    package var path = ""
    /// The model.
    package var model: any TokenizationModel
    /// The normalizer, if any.
    package var normalizer: (any TextNormalizer)?
    /// The pre-tokenizer, if any.
    package var preTokenizer: (any PreTokenizer)?
    /// Tokens matched before the model, with their final ids.
    package var addedTokens: [AddedToken] = []
    /// The post-processor; nil adds no special tokens.
    package var postProcessor: PostProcessor?
    /// The decoder, if any (without one, decoding joins the tokens with spaces).
    package var decoder: (any TokenDecoder)?
    /// Names of the special tokens the API exposes: the first and last special tokens of the single template when
    /// there is one, else the files' `cls_token`/`sep_token`.
    package var clsToken = "[CLS]", sepToken = "[SEP]", padToken = "[PAD]"
    /// `model_max_length` of tokenizer_config.json, when set to a real limit.
    package var modelMaxLength: Int? = nil
    /// Whether transformers' tokenizer class for the files hands the model `token_type_ids` (nil: the files do not
    /// say; see `passesTokenTypeIds(_:)`).
    package var passesTokenTypeIds: Bool? = nil

    /// A definition around `model`.
    package init(model: any TokenizationModel) {
        self.model = model
    }

    /// The id of `token` as the tokenizer would emit it (added tokens first, then the vocabulary).
    package func id(of token: String) -> Int? {
        addedTokens.first { $0.content.utf8.elementsEqual(token.utf8) }?.id ?? model.id(for: token)
    }

    /// Reads the special-token setting `key` of `file`, either a string or an object with `content` (older files).
    package static func tokenName(_ file: JSONObject, key: String) throws -> String? {
        guard let node = file[key] else { return nil }
        if case .string(let string) = node.value { return string }
        if case .object = node.value, let content = try? node.object().string("content") { return content }
        throw node.wrongKind("a token string")
    }

    /// Reads `model_max_length` (nil when absent, null, or the "no limit" value 1e30 transformers writes).
    package static func modelMaxLength(_ config: JSONObject) throws -> Int? {
        guard let node = config["model_max_length"] else { return nil }
        guard case .number(let literal) = node.value, let number = literal.double, number >= 0 else {
            throw node.wrongKind("a non-negative number")
        }
        return number < 1e15 ? Int(number) : nil
    }

    /// Whether the model gets `token_type_ids` from transformers' tokenizer for `config` (tokenizer_config.json):
    /// its `model_input_names` when set, else whether its `tokenizer_class` lists them (transformers 5: the base
    /// class's inputs are `input_ids` and `attention_mask`; BertTokenizer adds `token_type_ids`; a BERT folder whose
    /// class is the generic "PreTrainedTokenizerFast", or an XLM-R tokenizer on a BERT body, passes none), nil
    /// when it names neither (transformers then picks the tokenizer of the model's `model_type`).
    /// - Throws: `JSONFileError` for a malformed value.
    package static func passesTokenTypeIds(_ config: JSONObject) throws -> Bool? {
        if let names = try config.strings("model_input_names") { return names.contains("token_type_ids") }
        guard var name = try config.string("tokenizer_class") else { return nil }
        if name.hasSuffix("Fast") { name.removeLast(4) }
        return ["BertTokenizer", "ElectraTokenizer", "ConvBertTokenizer", "MobileBertTokenizer"].contains(name)
    }

    /// The special-token names of tokenizer_config.json beside a tokenizer.json (cls, sep, pad), its
    /// `model_max_length`, and whether the model gets token type ids.
    mutating func readTokenizerConfig(directory: URL) throws {
        let url = directory.appendingPathComponent("tokenizer_config.json")
        guard FileManager.default.fileExists(atPath: url.path) else { return }
        let config = try JSONNode.readObject(url)
        modelMaxLength = try Self.modelMaxLength(config)
        passesTokenTypeIds = try Self.passesTokenTypeIds(config)
        if let name = try Self.tokenName(config, key: "cls_token") { clsToken = name }
        if let name = try Self.tokenName(config, key: "sep_token") { sepToken = name }
        if let name = try Self.tokenName(config, key: "pad_token") { padToken = name }
    }
}
