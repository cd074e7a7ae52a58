// Loads a Hugging Face tokenizer.json holding a BERT pipeline: WordPiece model, BertNormalizer, BertPreTokenizer,
// TemplateProcessing or BertProcessing, WordPiece decoder, added tokens.
import BertEmbedJSON
import Foundation

extension TokenizerDefinition {
    /// Reads `tokenizer.json` from `directory`, and `tokenizer_config.json` beside it (when present) for
    /// `model_max_length` and the names of the CLS/SEP/padding tokens. Its `truncation` and `padding` sections are
    /// ignored: the API takes them per call.
    package static func fromTokenizerJSON(directory: URL) throws -> TokenizerDefinition {
        let file = try JSONFile(url: directory.appendingPathComponent("tokenizer.json"))
        var definition = TokenizerDefinition()
        definition.vocabularyPath = file.path
        guard let model = try file.object(file.object, "model", name: "model") else {
            throw TokenizerError.invalidValue(path: file.path, key: "model", reason: "missing")
        }
        let modelType = try file.string(model, "type", name: "model.type") ?? "WordPiece"
        guard modelType == "WordPiece" else { throw TokenizerError.unsupported(path: file.path, feature: "model type \(modelType)") }
        guard let vocab = try file.object(model, "vocab", name: "model.vocab") else {
            throw TokenizerError.invalidValue(path: file.path, key: "model.vocab", reason: "missing")
        }
        definition.vocabulary.reserveCapacity(vocab.count)
        for member in vocab {
            guard case .number(let number) = member.value, let id = number.integralValue, id >= 0, id < 1 << 31 else {
                throw TokenizerError.invalidValue(path: file.path, key: "model.vocab", reason: "token '\(member.key)' has no valid id")
            }
            definition.vocabulary.set(member.key, id)
        }
        guard !definition.vocabulary.isEmpty else {
            throw TokenizerError.invalidValue(path: file.path, key: "model.vocab", reason: "the vocabulary is empty")
        }
        definition.unknownToken = try file.string(model, "unk_token", name: "model.unk_token") ?? "[UNK]"
        definition.continuingSubwordPrefix = try file.string(model, "continuing_subword_prefix", name: "model.continuing_subword_prefix") ?? "##"
        definition.maxInputCharsPerWord = try file.int(model, "max_input_chars_per_word", name: "model.max_input_chars_per_word") ?? 100

        if let normalizer = try file.object(file.object, "normalizer", name: "normalizer") {
            let type = try file.string(normalizer, "type", name: "normalizer.type") ?? ""
            guard type == "BertNormalizer" else { throw TokenizerError.unsupported(path: file.path, feature: "normalizer \(type)") }
            definition.normalizer = BertNormalizer(
                cleanText: try file.bool(normalizer, "clean_text", name: "normalizer.clean_text") ?? true,
                handleChineseChars: try file.bool(normalizer, "handle_chinese_chars", name: "normalizer.handle_chinese_chars") ?? true,
                stripAccents: try file.bool(normalizer, "strip_accents", name: "normalizer.strip_accents"),
                lowercase: try file.bool(normalizer, "lowercase", name: "normalizer.lowercase") ?? true)
        } else {
            definition.normalizer = BertNormalizer(cleanText: false, handleChineseChars: false, stripAccents: false, lowercase: false)
        }
        let preTokenizer = try file.object(file.object, "pre_tokenizer", name: "pre_tokenizer")
        let preType = try preTokenizer.flatMap { try file.string($0, "type", name: "pre_tokenizer.type") } ?? "none"
        guard preType == "BertPreTokenizer" else { throw TokenizerError.unsupported(path: file.path, feature: "pre-tokenizer \(preType)") }

        if let entries = try file.objects(file.object, "added_tokens", name: "added_tokens") {
            for (index, entry) in entries.enumerated() {
                let key = "added_tokens[\(index)]"
                guard let id = try file.int(entry, "id", name: key + ".id") else {
                    throw TokenizerError.invalidValue(path: file.path, key: key + ".id", reason: "missing")
                }
                definition.addedTokens.append(try addedToken(entry, id: id, file: file, key: key))
            }
        }
        if let decoder = try file.object(file.object, "decoder", name: "decoder") {
            let type = try file.string(decoder, "type", name: "decoder.type") ?? ""
            guard type == "WordPiece" else { throw TokenizerError.unsupported(path: file.path, feature: "decoder \(type)") }
            definition.decoder = WordPieceDecoder(
                prefix: try file.string(decoder, "prefix", name: "decoder.prefix") ?? "##",
                cleanup: try file.bool(decoder, "cleanup", name: "decoder.cleanup") ?? true)
        } else {
            definition.decoder = WordPieceDecoder(enabled: false)
        }

        let configURL = directory.appendingPathComponent("tokenizer_config.json")
        if FileManager.default.fileExists(atPath: configURL.path) {
            let config = try JSONFile(url: configURL)
            definition.modelMaxLength = try modelMaxLength(config)
            if let name = try tokenName(config, key: "cls_token") { definition.clsToken = name }
            if let name = try tokenName(config, key: "sep_token") { definition.sepToken = name }
            if let name = try tokenName(config, key: "pad_token") { definition.padToken = name }
        }
        if let processor = try file.object(file.object, "post_processor", name: "post_processor") {
            definition.template = try template(processor, file: file, definition: &definition)
        }
        return definition
    }

    /// The post-processor of tokenizer.json as a template (TemplateProcessing or BertProcessing).
    static func template(_ processor: [JSONMember], file: JSONFile, definition: inout TokenizerDefinition) throws -> TemplateProcessing {
        let type = try file.string(processor, "type", name: "post_processor.type") ?? ""
        if type == "BertProcessing" {
            func pair(_ key: String) throws -> (String, Int) {
                guard case .array(let list) = JSONFile.value(processor, key), list.count == 2, case .string(let token) = list[0],
                      case .number(let number) = list[1], let id = number.integralValue else {
                    throw TokenizerError.invalidValue(path: file.path, key: "post_processor.\(key)", reason: "expected [token, id]")
                }
                return (token, id)
            }
            let cls = try pair("cls"), sep = try pair("sep")
            definition.clsToken = cls.0
            definition.sepToken = sep.0
            return .bert(cls: cls, sep: sep)
        }
        guard type == "TemplateProcessing" else { throw TokenizerError.unsupported(path: file.path, feature: "post-processor \(type)") }
        let specials = try file.object(processor, "special_tokens", name: "post_processor.special_tokens") ?? []
        func pieces(_ key: String) throws -> [TemplateProcessing.Piece] {
            guard let list = try file.objects(processor, key, name: "post_processor.\(key)") else {
                throw TokenizerError.invalidValue(path: file.path, key: "post_processor.\(key)", reason: "expected a list of pieces")
            }
            return try list.enumerated().map { index, entry in
                let name = "post_processor.\(key)[\(index)]"
                if let sequence = JSONFile.value(entry, "Sequence")?.objectMembers {
                    let which = try file.string(sequence, "id", name: name + ".id")
                    guard which == "A" || which == "B" else {
                        throw TokenizerError.invalidValue(path: file.path, key: name + ".id", reason: "expected A or B")
                    }
                    return .sequence(index: which == "A" ? 0 : 1, typeId: try file.int(sequence, "type_id", name: name + ".type_id") ?? 0)
                }
                guard let special = JSONFile.value(entry, "SpecialToken")?.objectMembers,
                      let tokenName = try file.string(special, "id", name: name + ".id"),
                      let definitionEntry = JSONFile.value(specials, tokenName)?.objectMembers,
                      case .array(let idValues) = JSONFile.value(definitionEntry, "ids"),
                      case .array(let tokenValues) = JSONFile.value(definitionEntry, "tokens") else {
                    throw TokenizerError.invalidValue(path: file.path, key: name, reason: "expected a Sequence or a SpecialToken listed in special_tokens")
                }
                let ids = idValues.compactMap { value -> Int? in
                    if case .number(let number) = value { return number.integralValue }
                    return nil
                }
                let tokens = tokenValues.compactMap(\.stringValue)
                guard ids.count == idValues.count, tokens.count == tokenValues.count, ids.count == tokens.count else {
                    throw TokenizerError.invalidValue(
                        path: file.path, key: "post_processor.special_tokens.\(tokenName)",
                        reason: "expected as many integer ids as token strings")
                }
                return .special(ids: ids, tokens: tokens, typeId: try file.int(special, "type_id", name: name + ".type_id") ?? 0)
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
