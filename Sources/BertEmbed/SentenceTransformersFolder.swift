// Reads a sentence-transformers model folder: modules.json, the Pooling, Dense and Normalize modules, and the
// sentence_bert_config.json / config_sentence_transformers.json settings (ports SentenceTransformer._load_sbert_model).
import BertEmbedJSON
import BertEmbedTokenizer
import Foundation

/// What a model folder says about the pipeline around the BERT encoder. (Package-visible for the CLI's
/// `tokenize`, which shows the tokens as the encoder gets them.)
package struct SentenceTransformersFolder: Sendable {
    /// The folder holding the Hugging Face files (config.json, weights, tokenizer): the Transformer module's path.
    package var transformerDirectory: URL
    /// The pooling the folder's Pooling module describes; nil for a plain BERT folder.
    var pooling: Pooling?
    /// sentence-transformers' `include_prompt` (false: prompt tokens are left out of mean/max/weighted pooling).
    var includePrompt = true
    /// The folders of the Dense modules after pooling, in order (read when the encoder is loaded).
    var denseDirectories: [URL] = []
    /// Whether a Normalize module ends the pipeline.
    var normalize = false
    /// `max_seq_length` of sentence_bert_config.json.
    var maxSequenceLength: Int?
    /// `do_lower_case` of sentence_bert_config.json: lowercase inside the tokenizer, after special tokens are split
    /// off (sentence-transformers 6 prepends tokenizers' `Lowercase` normalizer; `str.lower()` before 6).
    package var lowercaseInput = false
    /// `prompts` of config_sentence_transformers.json.
    package var prompts: [String: String] = [:]
    /// `default_prompt_name` of config_sentence_transformers.json: one of `prompts`.
    package var defaultPromptName: String?
    /// `similarity_fn_name` of config_sentence_transformers.json.
    var similarityFunctionName: String?

    /// Reads the folder (a sentence-transformers folder, or a plain BERT folder with none of these settings).
    /// - Throws: `EmbeddingError` naming the file and the problem.
    package init(directory: URL) throws {
        transformerDirectory = directory
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory), isDirectory.boolValue
        else {
            throw EmbeddingError.invalidModelFolder(file: directory.path, reason: "no such folder")
        }
        let modulesURL = directory.appendingPathComponent("modules.json")
        guard FileManager.default.fileExists(atPath: modulesURL.path) else { return }
        try EmbeddingError.readingJSON {
            _ = try ModelLoading.sentenceTransformersSettings(directory, expected: "SentenceTransformer")
            try readModules(JSONNode.read(modulesURL).array(), directory: directory, modulesPath: modulesURL.path)
            try readSentenceTransformersConfig(directory.appendingPathComponent("config_sentence_transformers.json"))
        }
    }

    private mutating func readModules(_ modules: [JSONNode], directory: URL, modulesPath: String) throws {
        func fail(_ reason: String) -> EmbeddingError { .invalidModelFolder(file: modulesPath, reason: reason) }
        var sawTransformer = false
        for node in modules {
            let module = try node.object()
            let type = try module.required("type").string()
            let path = try module.string("path") ?? ""
            guard !path.split(separator: "/").contains(".."), !path.hasPrefix("/") else {
                throw module.error("path", "'\(path)' leaves the model folder")
            }
            let moduleURL = path.isEmpty ? directory : directory.appendingPathComponent(path)
            switch type.split(separator: ".").last.map(String.init) ?? type {
            case "Transformer":
                guard !sawTransformer else { throw fail("more than one Transformer module") }
                sawTransformer = true
                transformerDirectory = moduleURL
                try readSentenceBertConfig(moduleURL.appendingPathComponent("sentence_bert_config.json"))
            case "Pooling":
                try readPooling(moduleURL.appendingPathComponent("config.json"))
            case "Dense":
                guard pooling != nil else { throw fail("a Dense module before the Pooling module") }
                denseDirectories.append(moduleURL)
            case "Normalize":
                normalize = true
            default:
                throw EmbeddingError.unsupportedModule(file: modulesPath, type: type)
            }
        }
        guard sawTransformer else { throw fail("no Transformer module") }
        guard pooling != nil else { throw fail("no Pooling module") }
    }

    /// The tokenizer as the encoder uses it: the Transformer module's files, with the folder's `do_lower_case`.
    /// - Throws: `EmbeddingError.invalidModelFolder` naming the folder and the tokenizer's error.
    package func loadTokenizer() throws -> Tokenizer {
        do {
            return try Tokenizer(directory: transformerDirectory, lowercasingFirst: lowercaseInput)
        } catch {
            throw EmbeddingError.invalidModelFolder(file: transformerDirectory.path, reason: "tokenizer: \(error)")
        }
    }

    /// The text to prepend to each input: `prompt` if given, else the folder's prompt called `promptName`, else its
    /// default prompt, else none ("").
    /// - Throws: `EmbeddingError.invalidOption` when the folder has no prompt called `promptName`.
    package func promptText(prompt: String?, promptName: String?) throws -> String {
        if let prompt { return prompt }
        guard let name = promptName ?? defaultPromptName else { return "" }
        guard let text = prompts[name] else {
            throw EmbeddingError.invalidOption(
                "no prompt named '\(name)' (the folder has: \(prompts.keys.sorted().joined(separator: ", ")))")
        }
        return text
    }

    private mutating func readSentenceBertConfig(_ url: URL) throws {
        guard FileManager.default.fileExists(atPath: url.path) else { return }
        let json = try JSONNode.readObject(url)
        if let length = try json.int("max_seq_length") {
            guard length > 0 else { throw json.error("max_seq_length", "must be a positive integer, found \(length)") }
            maxSequenceLength = length
        }
        lowercaseInput = try json.bool("do_lower_case") ?? false
    }

    private mutating func readPooling(_ url: URL) throws {
        let json = try JSONNode.readObject(url)
        // sentence-transformers' order of concatenation.
        let keys: [(String, TokenPooling)] = [
            ("pooling_mode_cls_token", .cls), ("pooling_mode_max_tokens", .max), ("pooling_mode_mean_tokens", .mean),
            ("pooling_mode_mean_sqrt_len_tokens", .meanSqrtLen), ("pooling_mode_weightedmean_tokens", .weightedMean),
            ("pooling_mode_lasttoken", .lastToken),
        ]
        var modes: [TokenPooling] = []
        if let value = json["pooling_mode"] {
            // sentence-transformers 6: one mode name, or a list concatenated in the order given.
            let names: [String: TokenPooling] = [
                "cls": .cls, "max": .max, "mean": .mean, "mean_sqrt_len_tokens": .meanSqrtLen,
                "weightedmean": .weightedMean, "lasttoken": .lastToken,
            ]
            let list: [String]
            if case .string(let name) = value.value {
                list = [name]
            } else {
                guard case .array = value.value, let strings = try? json.strings("pooling_mode") else {
                    throw value.wrongKind("a mode name or a list of mode names")
                }
                list = strings
            }
            for name in list {
                guard let mode = names[name] else {
                    throw value.error(
                        "unsupported pooling mode '\(name)' (supported: \(names.keys.sorted().joined(separator: ", ")))"
                    )
                }
                modes.append(mode)
            }
        } else {
            for (key, mode) in keys where try json.bool(key) == true { modes.append(mode) }
        }
        for key in json.keys where key.hasPrefix("pooling_mode_") && !keys.contains(where: { $0.0 == key }) {
            if try json.bool(key) == true { throw json.error(key, "unsupported pooling mode") }
        }
        guard !modes.isEmpty else {
            throw EmbeddingError.invalidModelFolder(file: url.path, reason: "no pooling mode is enabled")
        }
        includePrompt = try json.bool("include_prompt") ?? true
        pooling = Pooling(tokens: modes)
    }

    private mutating func readSentenceTransformersConfig(_ url: URL) throws {
        guard FileManager.default.fileExists(atPath: url.path) else { return }
        let json = try JSONNode.readObject(url)
        if let map = try json.object("prompts") {
            for name in map.keys { prompts[name] = try map.required(name).string() }
        }
        if let name = try json.string("default_prompt_name") {
            guard prompts[name] != nil else {
                throw json.error("default_prompt_name", "'\(name)' is not one of the prompts")
            }
            defaultPromptName = name
        }
        similarityFunctionName = try json.string("similarity_fn_name")
    }
}

extension EmbeddingError {
    /// Runs `body`, reporting a `JSONFileError` as `.invalidModelFolder` naming the file (and the key).
    static func readingJSON<R>(_ body: () throws -> R) throws -> R {
        try JSONFileError.converting({ EmbeddingError.invalidModelFolder(file: $0.path, reason: $0.keyedReason) }, body)
    }
}
