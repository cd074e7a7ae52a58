// Loads a Hugging Face tokenizer.json holding a BERT pipeline: WordPiece model, BertNormalizer, BertPreTokenizer,
// TemplateProcessing or BertProcessing, WordPiece decoder, added tokens.
import BertEmbedJSON
import Foundation

extension TokenizerDefinition {
    /// Reads `tokenizer.json` from `directory`, and `tokenizer_config.json` beside it (when present) for
    /// `model_max_length` and the names of the CLS/SEP/padding tokens. Its `truncation` and `padding` sections are
    /// ignored: the API takes them per call.
    package static func fromTokenizerJSON(directory: URL) throws -> TokenizerDefinition {
        try TokenizerError.readingJSON { try readTokenizerJSON(directory: directory) }
    }

    private static func readTokenizerJSON(directory: URL) throws -> TokenizerDefinition {
        let file = try JSONNode.readObject(directory.appendingPathComponent("tokenizer.json"))
        var definition = TokenizerDefinition()
        definition.vocabularyPath = file.path
        let model = try file.required("model").object()
        let modelType = try model.string("type") ?? "WordPiece"
        guard modelType == "WordPiece" else {
            throw TokenizerError.unsupported(path: file.path, feature: "model type \(modelType)")
        }
        let vocab = try model.required("vocab").object()
        definition.vocabulary.reserveCapacity(vocab.members.count)
        for member in vocab.members {
            guard case .number(let number) = member.value, let id = number.integralValue, id >= 0, id < 1 << 31 else {
                throw model.error("vocab", "token '\(member.key)' has no valid id")
            }
            definition.vocabulary.set(member.key, id)
        }
        guard !definition.vocabulary.isEmpty else { throw model.error("vocab", "the vocabulary is empty") }
        definition.unknownToken = try model.string("unk_token") ?? "[UNK]"
        definition.continuingSubwordPrefix = try model.string("continuing_subword_prefix") ?? "##"
        definition.maxInputCharsPerWord = try model.int("max_input_chars_per_word") ?? 100

        if let normalizer = try file.object("normalizer") {
            let type = try normalizer.string("type") ?? ""
            guard type == "BertNormalizer" else {
                throw TokenizerError.unsupported(path: file.path, feature: "normalizer \(type)")
            }
            definition.normalizer = BertNormalizer(
                cleanText: try normalizer.bool("clean_text") ?? true,
                handleChineseChars: try normalizer.bool("handle_chinese_chars") ?? true,
                stripAccents: try normalizer.bool("strip_accents"),
                lowercase: try normalizer.bool("lowercase") ?? true)
        } else {
            definition.normalizer = BertNormalizer(
                cleanText: false, handleChineseChars: false, stripAccents: false, lowercase: false)
        }
        let preType = try file.object("pre_tokenizer")?.string("type") ?? "none"
        guard preType == "BertPreTokenizer" else {
            throw TokenizerError.unsupported(path: file.path, feature: "pre-tokenizer \(preType)")
        }

        for entry in try file.objects("added_tokens") ?? [] {
            definition.addedTokens.append(try addedToken(entry, id: try entry.required("id").int()))
        }
        if let decoder = try file.object("decoder") {
            let type = try decoder.string("type") ?? ""
            guard type == "WordPiece" else {
                throw TokenizerError.unsupported(path: file.path, feature: "decoder \(type)")
            }
            definition.decoder = WordPieceDecoder(
                prefix: try decoder.string("prefix") ?? "##", cleanup: try decoder.bool("cleanup") ?? true)
        } else {
            definition.decoder = WordPieceDecoder(enabled: false)
        }

        let configURL = directory.appendingPathComponent("tokenizer_config.json")
        if FileManager.default.fileExists(atPath: configURL.path) {
            let config = try JSONNode.readObject(configURL)
            definition.modelMaxLength = try modelMaxLength(config)
            if let name = try tokenName(config, key: "cls_token") { definition.clsToken = name }
            if let name = try tokenName(config, key: "sep_token") { definition.sepToken = name }
            if let name = try tokenName(config, key: "pad_token") { definition.padToken = name }
        }
        if let processor = try file.object("post_processor") {
            definition.template = try template(processor, definition: &definition)
        }
        return definition
    }

    /// The post-processor of tokenizer.json as a template (TemplateProcessing or BertProcessing).
    static func template(_ processor: JSONObject, definition: inout TokenizerDefinition) throws -> TemplateProcessing {
        let type = try processor.string("type") ?? ""
        if type == "BertProcessing" {
            func pair(_ key: String) throws -> (String, Int) {
                let list = try processor.required(key).array()
                guard list.count == 2 else { throw processor.error(key, "expected [token, id]") }
                return (try list[0].string(), try list[1].int())
            }
            let cls = try pair("cls"), sep = try pair("sep")
            definition.clsToken = cls.0
            definition.sepToken = sep.0
            return .bert(cls: cls, sep: sep)
        }
        guard type == "TemplateProcessing" else {
            throw TokenizerError.unsupported(path: processor.path, feature: "post-processor \(type)")
        }
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
        let template = TemplateProcessing(single: try pieces("single"), pair: try pieces("pair"))
        // The API's CLS and SEP: the first and last special tokens of the single template.
        var specialTokens: [String] = []
        for piece in template.single { if case .special(_, let tokens, _) = piece { specialTokens += tokens } }
        if let first = specialTokens.first, let last = specialTokens.last {
            definition.clsToken = first
            definition.sepToken = last
        }
        return template
    }
}
