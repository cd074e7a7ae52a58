// Everything a tokenizer folder defines, whichever file it came from (vocab.txt + tokenizer_config.json, or tokenizer.json).
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

/// The parsed contents of a tokenizer folder, before the lookup tables are built.
package struct TokenizerDefinition {
    /// Token -> id of the WordPiece model.
    package var vocabulary = Vocabulary()
    /// The file the vocabulary came from (for messages).
    package var vocabularyPath = ""
    /// The unknown token of the model.
    package var unknownToken = "[UNK]"
    /// The continuation prefix of the model.
    package var continuingSubwordPrefix = "##"
    /// Longer words (in scalars) become the unknown token.
    package var maxInputCharsPerWord = 100
    /// The normalizer options.
    package var normalizer = BertNormalizer()
    /// Tokens matched verbatim in the raw text.
    package var addedTokens: [AddedToken] = []
    /// The post-processor; nil adds no special tokens.
    package var template: TemplateProcessing? = nil
    /// The decoder.
    package var decoder = WordPieceDecoder()
    /// Names of the special tokens the API exposes.
    package var clsToken = "[CLS]", sepToken = "[SEP]", padToken = "[PAD]"
    /// `model_max_length` of tokenizer_config.json, when set to a real limit.
    package var modelMaxLength: Int? = nil

    /// An empty definition (BERT defaults).
    package init() {}

    /// The id of `token` as the tokenizer would emit it (added tokens first, then the vocabulary).
    package func id(of token: String) -> Int? {
        addedTokens.first { $0.content.utf8.elementsEqual(token.utf8) }?.id ?? vocabulary[token]
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
}
