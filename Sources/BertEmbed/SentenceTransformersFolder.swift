// Reads a sentence-transformers model folder: modules.json, the Pooling, Dense and Normalize modules, and the
// sentence_bert_config.json / config_sentence_transformers.json settings (ports SentenceTransformer._load_sbert_model).
import BertEmbedTokenizer
import Foundation

/// What a model folder says about the pipeline around the BERT encoder. (Package-visible for the CLI's
/// `tokenize`, which shows the tokens as the encoder gets them.)
package struct SentenceTransformersFolder {
    /// The folder holding the Hugging Face files (config.json, weights, tokenizer): the Transformer module's path.
    package var transformerDirectory: URL
    /// The pooling the folder's Pooling module describes; nil for a plain BERT folder.
    var pooling: Pooling?
    /// sentence-transformers' `include_prompt` (false: prompt tokens are left out of mean/max/weighted pooling).
    var includePrompt = true
    /// Dense modules after pooling, in order.
    var dense: [DenseModule] = []
    /// Whether a Normalize module ends the pipeline.
    var normalize = false
    /// `max_seq_length` of sentence_bert_config.json.
    var maxSequenceLength: Int?
    /// `do_lower_case` of sentence_bert_config.json: lowercase inside the tokenizer, after special tokens are split
    /// off (sentence-transformers 6 prepends tokenizers' `Lowercase` normalizer; `str.lower()` before 6).
    package var lowercaseInput = false
    /// `prompts` and `default_prompt_name` of config_sentence_transformers.json.
    package var prompts: [String: String] = [:]
    package var defaultPromptName: String?
    /// `similarity_fn_name` of config_sentence_transformers.json.
    var similarityFunctionName: String?

    /// Reads the folder (a sentence-transformers folder, or a plain BERT folder with none of these settings).
    /// - Throws: `EmbeddingError` naming the file and the problem.
    package init(directory: URL) throws {
        transformerDirectory = directory
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw EmbeddingError.invalidModelFolder(file: directory.path, reason: "no such folder")
        }
        let modulesURL = directory.appendingPathComponent("modules.json")
        guard FileManager.default.fileExists(atPath: modulesURL.path) else { return }
        guard let modules = try readJSON(modulesURL) as? [[String: Any]] else {
            throw EmbeddingError.invalidModelFolder(file: modulesURL.path, reason: "expected a JSON array of modules")
        }
        var sawTransformer = false
        for (index, module) in modules.enumerated() {
            guard let type = module["type"] as? String else {
                throw EmbeddingError.invalidModelFolder(file: modulesURL.path, reason: "module \(index) has no \"type\"")
            }
            let path = module["path"] as? String ?? ""
            guard !path.split(separator: "/").contains(".."), !path.hasPrefix("/") else {
                throw EmbeddingError.invalidModelFolder(
                    file: modulesURL.path, reason: "module \(index) path '\(path)' leaves the model folder")
            }
            let moduleURL = path.isEmpty ? directory : directory.appendingPathComponent(path)
            switch type.split(separator: ".").last.map(String.init) ?? type {
            case "Transformer":
                guard !sawTransformer else {
                    throw EmbeddingError.invalidModelFolder(file: modulesURL.path, reason: "more than one Transformer module")
                }
                sawTransformer = true
                transformerDirectory = moduleURL
                try readSentenceBertConfig(moduleURL)
            case "Pooling":
                try readPooling(moduleURL.appendingPathComponent("config.json"))
            case "Dense":
                guard pooling != nil else {
                    throw EmbeddingError.invalidModelFolder(file: modulesURL.path, reason: "a Dense module before the Pooling module")
                }
                dense.append(try DenseModule(directory: moduleURL))
            case "Normalize":
                normalize = true
            default:
                throw EmbeddingError.unsupportedModule(file: modulesURL.path, type: type)
            }
        }
        guard sawTransformer else {
            throw EmbeddingError.invalidModelFolder(file: modulesURL.path, reason: "no Transformer module")
        }
        guard pooling != nil else {
            throw EmbeddingError.invalidModelFolder(file: modulesURL.path, reason: "no Pooling module")
        }
        try readSentenceTransformersConfig(directory.appendingPathComponent("config_sentence_transformers.json"))
    }

    /// The tokenizer as the encoder uses it: the Transformer module's files, with the folder's `do_lower_case`.
    /// - Throws: `EmbeddingError.invalidModelFolder` naming the folder and the tokenizer's error.
    package func loadTokenizer() throws -> BertTokenizer {
        do {
            return try BertTokenizer(directory: transformerDirectory, lowercasingFirst: lowercaseInput)
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

    private mutating func readSentenceBertConfig(_ directory: URL) throws {
        let url = directory.appendingPathComponent("sentence_bert_config.json")
        guard FileManager.default.fileExists(atPath: url.path) else { return }
        guard let json = try readJSON(url) as? [String: Any] else {
            throw EmbeddingError.invalidModelFolder(file: url.path, reason: "expected a JSON object")
        }
        if let value = json["max_seq_length"], !(value is NSNull) {
            guard let length = value as? Int, length > 0 else {
                throw EmbeddingError.invalidModelFolder(file: url.path, reason: "max_seq_length must be a positive integer")
            }
            maxSequenceLength = length
        }
        if let value = json["do_lower_case"] {
            guard let flag = value as? Bool else {
                throw EmbeddingError.invalidModelFolder(file: url.path, reason: "do_lower_case must be true or false")
            }
            lowercaseInput = flag
        }
    }

    private mutating func readPooling(_ url: URL) throws {
        guard let json = try readJSON(url) as? [String: Any] else {
            throw EmbeddingError.invalidModelFolder(file: url.path, reason: "expected a JSON object")
        }
        // sentence-transformers' order of concatenation.
        let keys: [(String, TokenPooling)] = [
            ("pooling_mode_cls_token", .cls), ("pooling_mode_max_tokens", .max), ("pooling_mode_mean_tokens", .mean),
            ("pooling_mode_mean_sqrt_len_tokens", .meanSqrtLen), ("pooling_mode_weightedmean_tokens", .weightedMean),
            ("pooling_mode_lasttoken", .lastToken),
        ]
        var modes: [TokenPooling] = []
        if let value = json["pooling_mode"], !(value is NSNull) {
            // sentence-transformers 6: one mode name, or a list concatenated in the order given.
            let names: [String: TokenPooling] = [
                "cls": .cls, "max": .max, "mean": .mean, "mean_sqrt_len_tokens": .meanSqrtLen,
                "weightedmean": .weightedMean, "lasttoken": .lastToken,
            ]
            guard let list = value as? [String] ?? (value as? String).map({ [$0] }) else {
                throw EmbeddingError.invalidModelFolder(
                    file: url.path, reason: "pooling_mode must be a mode name or a list of mode names")
            }
            for name in list {
                guard let mode = names[name] else {
                    throw EmbeddingError.invalidModelFolder(
                        file: url.path,
                        reason: "unsupported pooling_mode '\(name)' (supported: \(names.keys.sorted().joined(separator: ", ")))")
                }
                modes.append(mode)
            }
        } else {
            for (key, mode) in keys {
                guard let value = json[key] else { continue }
                guard let flag = value as? Bool else {
                    throw EmbeddingError.invalidModelFolder(file: url.path, reason: "\(key) must be true or false")
                }
                if flag { modes.append(mode) }
            }
        }
        for key in json.keys where key.hasPrefix("pooling_mode_") && !keys.contains(where: { $0.0 == key }) {
            if json[key] as? Bool == true {
                throw EmbeddingError.invalidModelFolder(file: url.path, reason: "unsupported pooling mode \(key)")
            }
        }
        guard !modes.isEmpty else {
            throw EmbeddingError.invalidModelFolder(file: url.path, reason: "no pooling mode is enabled")
        }
        if let value = json["include_prompt"] {
            guard let include = value as? Bool else {
                throw EmbeddingError.invalidModelFolder(file: url.path, reason: "include_prompt must be true or false")
            }
            includePrompt = include
        }
        pooling = Pooling(tokens: modes)
    }

    private mutating func readSentenceTransformersConfig(_ url: URL) throws {
        guard FileManager.default.fileExists(atPath: url.path) else { return }
        guard let json = try readJSON(url) as? [String: Any] else {
            throw EmbeddingError.invalidModelFolder(file: url.path, reason: "expected a JSON object")
        }
        if let prompts = json["prompts"], !(prompts is NSNull) {
            guard let map = prompts as? [String: String] else {
                throw EmbeddingError.invalidModelFolder(file: url.path, reason: "prompts must map names to strings")
            }
            self.prompts = map
        }
        if let name = json["default_prompt_name"] as? String {
            guard prompts[name] != nil else {
                throw EmbeddingError.invalidModelFolder(
                    file: url.path, reason: "default_prompt_name '\(name)' is not one of the prompts")
            }
            defaultPromptName = name
        }
        similarityFunctionName = json["similarity_fn_name"] as? String
    }
}

/// Reads and parses a JSON file, with errors naming it.
func readJSON(_ url: URL) throws -> Any {
    let data: Data
    do {
        data = try Data(contentsOf: url)
    } catch {
        throw EmbeddingError.invalidModelFolder(file: url.path, reason: "cannot read the file")
    }
    do {
        return try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
    } catch {
        throw EmbeddingError.invalidModelFolder(file: url.path, reason: "not valid JSON")
    }
}
