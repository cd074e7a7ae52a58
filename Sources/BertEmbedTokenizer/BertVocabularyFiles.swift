// Loads the classic BERT files: vocab.txt (one token per line, id = line number) and tokenizer_config.json,
// as transformers' BertTokenizer builds its backend from them.
import BertEmbedJSON
import Foundation

extension TokenizerDefinition {
    /// Reads `vocab.txt` and, when present, `tokenizer_config.json` from `directory`.
    ///
    /// Lines are split as Rust's `WordPiece::read_file` does (on `\n`, dropping a trailing `\r`, then trailing
    /// whitespace); a repeated token keeps its last line number.
    package static func fromVocabularyFile(directory: URL) throws -> TokenizerDefinition {
        try TokenizerError.readingJSON { try readVocabularyFiles(directory: directory) }
    }

    private static func readVocabularyFiles(directory: URL) throws -> TokenizerDefinition {
        let vocabURL = directory.appendingPathComponent("vocab.txt")
        let vocabulary = try readVocabulary(vocabURL)
        let configURL = directory.appendingPathComponent("tokenizer_config.json")
        let config = FileManager.default.fileExists(atPath: configURL.path) ? try JSONNode.readObject(configURL) : nil
        var names = ["unk": "[UNK]", "cls": "[CLS]", "sep": "[SEP]", "pad": "[PAD]", "mask": "[MASK]"]
        var normalizer = BertNormalizer()
        var modelMaxLength: Int?
        var passesTokenTypeIds: Bool? = true  // vocab.txt alone: transformers' BertTokenizer
        if let config {
            normalizer = BertNormalizer(
                cleanText: true, handleChineseChars: try config.bool("tokenize_chinese_chars") ?? true,
                stripAccents: try config.bool("strip_accents"), lowercase: try config.bool("do_lower_case") ?? true)
            for role in Array(names.keys) {
                let key = role + "_token"
                if let name = try tokenName(config, key: key) { names[role] = name }
            }
            modelMaxLength = try Self.modelMaxLength(config)
            passesTokenTypeIds = try Self.passesTokenTypeIds(config) ?? true
        }
        let unknown = names["unk"] ?? "[UNK]"
        guard let unknownId = vocabulary[unknown] else {
            throw TokenizerError.missingToken(path: vocabURL.path, token: unknown, role: "unknown")
        }
        var definition = TokenizerDefinition(
            model: WordPiece(
                vocabulary: vocabulary, unknownId: unknownId, continuingSubwordPrefix: "##", maxInputCharsPerWord: 100))
        definition.path = vocabURL.path
        definition.normalizer = normalizer
        definition.preTokenizer = BertPreTokenizer()
        definition.decoder = WordPieceDecoder()
        definition.modelMaxLength = modelMaxLength
        definition.passesTokenTypeIds = passesTokenTypeIds
        definition.clsToken = names["cls"] ?? "[CLS]"
        definition.sepToken = names["sep"] ?? "[SEP]"
        definition.padToken = names["pad"] ?? "[PAD]"
        // The special tokens are added tokens: matched verbatim in the text, dropped by decode(skipSpecialTokens:).
        var added: [AddedToken] = []
        for role in ["pad", "unk", "cls", "sep", "mask"] {
            if let name = names[role], let id = vocabulary[name] {
                added.append(AddedToken(content: name, id: id, special: true))
            }
        }
        if let decoderTable = try config?.object("added_tokens_decoder") {
            for key in decoderTable.keys {
                guard let id = Int(key) else { throw decoderTable.error(key, "expected a token id as the key") }
                let token = try addedToken(try decoderTable.required(key).object(), id: id)
                if !added.contains(where: { $0.content.utf8.elementsEqual(token.content.utf8) }) { added.append(token) }
            }
        }
        definition.addedTokens = added
        guard let cls = vocabulary[definition.clsToken] else {
            throw TokenizerError.missingToken(path: vocabURL.path, token: definition.clsToken, role: "CLS")
        }
        guard let sep = vocabulary[definition.sepToken] else {
            throw TokenizerError.missingToken(path: vocabURL.path, token: definition.sepToken, role: "SEP")
        }
        definition.postProcessor = .template(.bert(cls: (definition.clsToken, cls), sep: (definition.sepToken, sep)))
        return definition
    }

    /// The token -> id map of a vocab.txt file. Lines are cut at each 0x0A byte; an ASCII line (nearly all of them)
    /// becomes a String without a validating pass, and only a non-ASCII line's trailing whitespace needs the Unicode
    /// property (looked up directly, so reading vocab.txt does not build the BMP character table).
    static func readVocabulary(_ url: URL) throws -> Vocabulary {
        let data = try JSONNode.readBytes(url)
        var vocabulary = Vocabulary()
        try data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            let bytes = raw.bindMemory(to: UInt8.self)
            var lineNumber = 0
            var start = 0
            while start < bytes.count {
                var end = start
                var ascii = true
                while end < bytes.count && bytes[end] != 0x0A {
                    ascii = ascii && bytes[end] < 0x80
                    end += 1
                }
                var stop = end
                if stop > start && bytes[stop - 1] == 0x0D { stop -= 1 }
                let token: String
                if ascii {
                    while stop > start, BertCharacterClass.slowIsWhitespace(Unicode.Scalar(bytes[stop - 1])) {
                        stop -= 1
                    }
                    token = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<stop]), as: UTF8.self)
                } else {
                    guard
                        let text = String(validating: UnsafeBufferPointer(rebasing: bytes[start..<stop]), as: UTF8.self)
                    else {
                        throw TokenizerError.invalidUTF8(path: url.path, line: lineNumber + 1)
                    }
                    var scalars = text.unicodeScalars[...]
                    while let last = scalars.last, BertCharacterClass.slowIsWhitespace(last) {
                        scalars = scalars.dropLast()
                    }
                    token = String(String.UnicodeScalarView(scalars))
                }
                vocabulary.set(token, lineNumber)
                lineNumber += 1
                start = end + 1
            }
        }
        guard !vocabulary.isEmpty else {
            throw TokenizerError.invalidValue(path: url.path, key: "vocabulary", reason: "the file is empty")
        }
        return vocabulary
    }

    /// An added token from a JSON entry (`content`, `special`, `single_word`, `lstrip`, `rstrip`, `normalized`;
    /// absent flags false, as in tokenizer_config.json's `added_tokens_decoder`).
    static func addedToken(_ entry: JSONObject, id: Int) throws -> AddedToken {
        AddedToken(
            content: try entry.required("content").string(), id: id, special: try entry.bool("special") ?? false,
            singleWord: try entry.bool("single_word") ?? false, lstrip: try entry.bool("lstrip") ?? false,
            rstrip: try entry.bool("rstrip") ?? false, normalized: try entry.bool("normalized") ?? false)
    }
}
