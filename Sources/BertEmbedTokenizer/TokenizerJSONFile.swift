// Loads a Hugging Face tokenizer.json: each component the file names, by its `type`, from the small types that port
// tokenizers' components; a component this package does not implement is refused with an error naming it, never
// skipped.
import BertEmbedJSON
import Foundation

extension TokenizerDefinition {
    /// Reads `tokenizer.json` from `directory`, and `tokenizer_config.json` beside it (when present) for
    /// `model_max_length` and the names of the CLS/SEP/padding tokens. Its `truncation` and `padding` sections are
    /// ignored: the API takes them per call (as transformers and sentence-transformers do).
    package static func fromTokenizerJSON(directory: URL) throws -> TokenizerDefinition {
        try TokenizerError.readingJSON { try readTokenizerJSON(directory: directory) }
    }

    private static func readTokenizerJSON(directory: URL) throws -> TokenizerDefinition {
        let file = try JSONNode.readObject(directory.appendingPathComponent("tokenizer.json"))
        // tokenizers refuses a key it does not know at the top level (a misspelled "post_processor" would otherwise
        // leave a tokenizer without special tokens, silently).
        let known: Set = [
            "version", "truncation", "padding", "added_tokens", "normalizer", "pre_tokenizer", "model",
            "post_processor", "decoder",
        ]
        if let unknown = file.keys.first(where: { !known.contains($0) }) {
            throw file.error(
                unknown, "unknown key (tokenizers refuses it too; known: \(known.sorted().joined(separator: ", ")))")
        }
        var definition = TokenizerDefinition(model: try model(try file.required("model").object()))
        definition.path = file.path
        definition.normalizer = try file.object("normalizer").map(normalizer)
        definition.preTokenizer = try file.object("pre_tokenizer").map(preTokenizer)
        definition.decoder = try file.object("decoder").map(decoder)
        definition.addedTokens = try addedTokens(try file.objects("added_tokens") ?? [], model: definition.model)
        try definition.readTokenizerConfig(directory: directory)
        if let processor = try file.object("post_processor") {
            definition.postProcessor = try postProcessor(processor)
            // The API's CLS and SEP: the first and last special tokens of the single template.
            var specialTokens: [String] = []
            for piece in definition.postProcessor?.template?.single ?? [] {
                if case .special(_, let tokens, _) = piece { specialTokens += tokens }
            }
            if let first = specialTokens.first, let last = specialTokens.last {
                definition.clsToken = first
                definition.sepToken = last
            }
        }
        return definition
    }

    /// The added tokens of tokenizer.json, with tokenizers' ids: a token in the model's vocabulary keeps that id,
    /// others take the next ids after the vocabulary (the file's `id` is only a hint).
    static func addedTokens(_ entries: [JSONObject], model: any TokenizationModel) throws -> [AddedToken] {
        var tokens: [AddedToken] = []
        for entry in entries {
            var token = try addedToken(entry, id: try entry.required("id").int())
            if let id = model.id(for: token.content) {
                token.id = id
            } else if let existing = tokens.first(where: { $0.content.utf8.elementsEqual(token.content.utf8) }) {
                token.id = existing.id
            } else {
                token.id = max(model.vocabularySize, (tokens.map(\.id).max() ?? -1) + 1)
            }
            if !token.content.isEmpty { tokens.append(token) }
        }
        return tokens
    }

    /// The model of tokenizer.json (`type` WordPiece; without a type, guessed from the fields as tokenizers does).
    static func model(_ json: JSONObject) throws -> any TokenizationModel {
        let type =
            try json.string("type")
            ?? (json["merges"] != nil
                ? "BPE"
                : json["vocab"].map { node in
                    if case .array = node.value { return "Unigram" }
                    return "WordPiece"
                } ?? "WordPiece")
        switch type {
        case "WordPiece": return try wordPiece(json)
        case "BPE": return try BPEModel(json: json)
        case "Unigram": return try UnigramModel(json: json)
        default: throw TokenizerError.unsupported(path: json.path, feature: "model \(type)")
        }
    }

    /// A WordPiece model (`vocab`, `unk_token`, `continuing_subword_prefix`, `max_input_chars_per_word`).
    static func wordPiece(_ model: JSONObject) throws -> WordPiece {
        let vocab = try model.required("vocab").object()
        var vocabulary = Vocabulary()
        vocabulary.reserveCapacity(vocab.members.count)
        for member in vocab.members {
            guard case .number(let number) = member.value, let id = number.integralValue, id >= 0, id < 1 << 31 else {
                throw model.error("vocab", "token '\(member.key)' has no valid id")
            }
            vocabulary.set(member.key, id)
        }
        guard !vocabulary.isEmpty else { throw model.error("vocab", "the vocabulary is empty") }
        let unknown = try model.string("unk_token") ?? "[UNK]"
        guard let unknownId = vocabulary[unknown] else {
            throw TokenizerError.missingToken(path: model.path, token: unknown, role: "unknown")
        }
        return WordPiece(
            vocabulary: vocabulary, unknownId: unknownId,
            continuingSubwordPrefix: try model.string("continuing_subword_prefix") ?? "##",
            maxInputCharsPerWord: try model.int("max_input_chars_per_word") ?? 100)
    }

    /// A normalizer of tokenizer.json, by its `type`.
    static func normalizer(_ json: JSONObject) throws -> any TextNormalizer {
        let type = try json.required("type").string()
        switch type {
        case "BertNormalizer":
            return BertNormalizer(
                cleanText: try json.bool("clean_text") ?? true,
                handleChineseChars: try json.bool("handle_chinese_chars") ?? true,
                stripAccents: try json.bool("strip_accents"), lowercase: try json.bool("lowercase") ?? true)
        case "Sequence":
            return SequenceNormalizer(try json.required("normalizers").array().map { try normalizer(try $0.object()) })
        case "Lowercase": return LowercaseNormalizer()
        case "Strip":
            return StripNormalizer(
                left: try json.bool("strip_left") ?? true, right: try json.bool("strip_right") ?? true)
        case "StripAccents": return StripAccentsNormalizer()
        case "NFD": return NFDNormalizer()
        case "NFC": return NFCNormalizer()
        case "NFKC": return NFKCNormalizer()
        case "NFKD": return NFKDNormalizer()
        case "Replace":
            return ReplaceNormalizer(
                pattern: try TextPattern(json: try json.required("pattern")),
                content: try json.required("content").string())
        case "Prepend": return PrependNormalizer(try json.required("prepend").string())
        case "Precompiled": return try PrecompiledNormalizer(json: json)
        default: throw TokenizerError.unsupported(path: json.path, feature: "\(json.key) \(type)")
        }
    }

    /// A pre-tokenizer of tokenizer.json, by its `type`.
    static func preTokenizer(_ json: JSONObject) throws -> any PreTokenizer {
        let type = try json.required("type").string()
        switch type {
        case "BertPreTokenizer": return BertPreTokenizer()
        case "Sequence":
            return SequencePreTokenizer(
                try json.required("pretokenizers").array().map { try preTokenizer(try $0.object()) })
        case "WhitespaceSplit": return WhitespaceSplitPreTokenizer()
        case "Whitespace": return WhitespacePreTokenizer()
        case "ByteLevel": return try ByteLevelPreTokenizer(json: json)
        case "Metaspace": return try MetaspacePreTokenizer(json: json)
        case "Split": return try SplitPreTokenizer(json: json)
        case "Punctuation": return try PunctuationPreTokenizer(json: json)
        case "Digits": return try DigitsPreTokenizer(json: json)
        default: throw TokenizerError.unsupported(path: json.path, feature: "\(json.key) \(type)")
        }
    }

    /// A decoder of tokenizer.json, by its `type`.
    static func decoder(_ json: JSONObject) throws -> any TokenDecoder {
        let type = try json.required("type").string()
        switch type {
        case "WordPiece":
            return WordPieceDecoder(
                prefix: try json.string("prefix") ?? "##", cleanup: try json.bool("cleanup") ?? true)
        case "Sequence":
            return SequenceDecoder(try json.required("decoders").array().map { try decoder(try $0.object()) })
        case "ByteLevel": return try ByteLevelDecoder(json: json)
        case "Metaspace": return try MetaspaceDecoder(json: json)
        case "ByteFallback": return try ByteFallbackDecoder(json: json)
        case "Fuse": return try FuseDecoder(json: json)
        case "Strip": return try StripDecoder(json: json)
        case "Replace": return try ReplaceDecoder(json: json)
        default: throw TokenizerError.unsupported(path: json.path, feature: "\(json.key) \(type)")
        }
    }

    /// The post-processor of tokenizer.json (TemplateProcessing, BertProcessing, RobertaProcessing, ByteLevel,
    /// Sequence).
    static func postProcessor(_ processor: JSONObject) throws -> PostProcessor {
        let type = try processor.required("type").string()
        func pair(_ key: String) throws -> (String, Int) {
            let list = try processor.required(key).array()
            guard list.count == 2 else { throw processor.error(key, "expected [token, id]") }
            return (try list[0].string(), try list[1].int())
        }
        switch type {
        case "BertProcessing":
            return .template(.bert(cls: try pair("cls"), sep: try pair("sep")))
        case "RobertaProcessing":
            return .roberta(
                cls: try pair("cls"), sep: try pair("sep"), trimOffsets: try processor.bool("trim_offsets") ?? true,
                addPrefixSpace: try processor.bool("add_prefix_space") ?? true)
        case "ByteLevel":
            return .byteLevel(
                trimOffsets: try processor.bool("trim_offsets") ?? true,
                addPrefixSpace: try processor.bool("add_prefix_space") ?? true)
        case "Sequence":
            return .sequence(try processor.required("processors").array().map { try postProcessor(try $0.object()) })
        case "TemplateProcessing":
            return .template(try template(processor))
        default:
            throw TokenizerError.unsupported(path: processor.path, feature: "post-processor \(type)")
        }
    }

    /// A TemplateProcessing post-processor (`single`, `pair`, `special_tokens`).
    static func template(_ processor: JSONObject) throws -> TemplateProcessing {
        let specials = try processor.object("special_tokens")
        func pieces(_ key: String) throws -> [TemplateProcessing.Piece] {
            try processor.required(key).array().map { node in
                let entry = try node.object()
                if let sequence = try entry.object("Sequence") {
                    let which = try sequence.string("id")
                    guard which == "A" || which == "B" else { throw sequence.error("id", "expected A or B") }
                    return .sequence(index: which == "A" ? 0 : 1, typeId: try sequence.int("type_id") ?? 0)
                }
                guard let special = try entry.object("SpecialToken"), let tokenName = try special.string("id") else {
                    throw node.error("expected a Sequence or a SpecialToken")
                }
                guard let definition = try specials?.object(tokenName) else {
                    throw special.error("id", "'\(tokenName)' is not listed in post_processor.special_tokens")
                }
                let ids = try definition.required("ids").array().map { try $0.int() }
                let tokens = try definition.required("tokens").array().map { try $0.string() }
                guard ids.count == tokens.count else {
                    throw definition.error(
                        "ids", "expected as many ids as tokens (\(tokens.count)), found \(ids.count)")
                }
                return .special(ids: ids, tokens: tokens, typeId: try special.int("type_id") ?? 0)
            }
        }
        return TemplateProcessing(single: try pieces("single"), pair: try pieces("pair"))
    }
}
