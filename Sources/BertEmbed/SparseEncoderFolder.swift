// Reads a SPLADE folder as sentence-transformers 6's SparseEncoder does (sparse_encoder/model.py,
// sparse_encoder/modules/splade_pooling.py): modules.json with an MLM Transformer and a SpladePooling module (the
// module paths of sentence-transformers 5 and 6), or a plain `*ForMaskedLM` folder (then max pooling).
import BertEmbedJSON
import BertEmbedModel
import Foundation

/// What a SPLADE folder says around its encoder and MLM head.
struct SparseEncoderFolder: Sendable {
    /// The folder holding config.json, the weights and the tokenizer.
    var transformerDirectory: URL
    /// SpladePooling's `pooling_strategy`.
    var pooling = MaskedLMHead.Pooling.max
    /// SpladePooling's `activation_function`.
    var weightFunction = MaskedLMHead.WeightFunction.relu
    /// SpladePooling's `embedding_dimension` (`word_embedding_dimension` in older folders), nil when unset.
    var dimension: Int?
    /// `max_seq_length` of an older sentence_bert_config.json: used as given.
    var maxSequenceLength: Int?
    /// `do_lower_case` of sentence_bert_config.json.
    var lowercaseInput = false
    /// `similarity_fn_name` (nil: dot product).
    var similarityFunctionName: String?
    /// `max_active_dims`: keep only the largest this many weights of each vector.
    var maxActiveDimensions: Int?
    /// Whether modules.json was read (else the folder is a plain Hugging Face one).
    var hasModules = false

    /// Whether `directory` is a sparse encoder's folder: config_sentence_transformers.json says SparseEncoder, or
    /// modules.json has a SpladePooling module. (A plain `*ForMaskedLM` folder is not recognized here: it is one
    /// only when loaded as `SparseEncoder`.)
    static func isSparseEncoder(_ directory: URL) -> Bool {
        let settings = directory.appendingPathComponent("config_sentence_transformers.json")
        if let type = try? JSONNode.readObject(settings).string("model_type") { return type == "SparseEncoder" }
        guard let modules = try? JSONNode.read(directory.appendingPathComponent("modules.json")).array() else {
            return false
        }
        return modules.contains { module in
            (try? module.object().string("type"))??.hasSuffix("SpladePooling") == true
        }
    }

    /// Reads `directory`.
    /// - Throws: `EmbeddingError.invalidModelFolder` naming the file, also for a folder that is a dense embedding
    ///   model or a cross-encoder; `.unsupportedModule` for another module type.
    init(directory: URL) throws {
        transformerDirectory = directory
        try ModelLoading.requireFolder(directory)
        try EmbeddingError.readingJSON {
            if let settings = try ModelLoading.sentenceTransformersSettings(directory, expected: "SparseEncoder") {
                similarityFunctionName = try settings.string("similarity_fn_name")
                if let count = try settings.int("max_active_dims") {
                    guard count > 0 else { throw settings.error("max_active_dims", "must be positive, found \(count)") }
                    maxActiveDimensions = count
                }
                if let name = try settings.string("default_prompt_name"),
                    let prompt = try settings.object("prompts")?.string(name), !prompt.isEmpty
                {
                    throw settings.error("default_prompt_name", "'\(name)': default prompts are not supported here")
                }
            }
            let modulesURL = directory.appendingPathComponent("modules.json")
            if FileManager.default.fileExists(atPath: modulesURL.path) {
                hasModules = true
                try readModules(JSONNode.read(modulesURL).array(), directory: directory, modulesPath: modulesURL.path)
            }
        }
    }

    private mutating func readModules(_ modules: [JSONNode], directory: URL, modulesPath: String) throws {
        var transformer: URL?
        var sawPooling = false
        for node in modules {
            let module = try node.object()
            let type = try module.required("type").string()
            let path = try module.string("path") ?? ""
            guard !path.split(separator: "/").contains(".."), !path.hasPrefix("/") else {
                throw module.error("path", "'\(path)' leaves the model folder")
            }
            let moduleURL = path.isEmpty ? directory : directory.appendingPathComponent(path)
            let name = type.split(separator: ".").last.map(String.init) ?? type
            switch name {
            case "Transformer", "MLMTransformer":
                guard transformer == nil, !sawPooling else {
                    throw EmbeddingError.invalidModelFolder(
                        file: modulesPath, reason: "expected one Transformer module, then SpladePooling")
                }
                transformer = moduleURL
            case "SpladePooling":
                guard transformer != nil, !sawPooling else {
                    throw EmbeddingError.invalidModelFolder(
                        file: modulesPath, reason: "expected one Transformer module, then SpladePooling")
                }
                sawPooling = true
                try readPooling(moduleURL.appendingPathComponent("config.json"))
            case "Pooling", "Normalize", "Dense":
                throw EmbeddingError.invalidModelFolder(
                    file: modulesPath,
                    reason: "has a \(name) module: a dense embedding model, not a sparse one; load it with "
                        + "SentenceEncoder")
            default:
                throw EmbeddingError.unsupportedModule(file: modulesPath, type: type)
            }
        }
        guard let transformer, sawPooling else {
            throw EmbeddingError.invalidModelFolder(
                file: modulesPath, reason: "a sparse encoder needs a Transformer module and a SpladePooling module")
        }
        transformerDirectory = transformer
        let bertConfigURL = transformer.appendingPathComponent("sentence_bert_config.json")
        guard FileManager.default.fileExists(atPath: bertConfigURL.path) else { return }
        let json = try JSONNode.readObject(bertConfigURL)
        if let task = try json.string("transformer_task"), task != "fill-mask" {
            throw json.error("transformer_task", "is '\(task)': a SPLADE model's is 'fill-mask'")
        }
        if let length = try json.int("max_seq_length") {
            guard length > 0 else { throw json.error("max_seq_length", "must be a positive integer, found \(length)") }
            maxSequenceLength = length
        }
        lowercaseInput = try json.bool("do_lower_case") ?? false
    }

    private mutating func readPooling(_ url: URL) throws {
        guard FileManager.default.fileExists(atPath: url.path) else { return }  // all defaults
        let json = try JSONNode.readObject(url)
        if let name = try json.string("pooling_strategy") {
            guard let value = MaskedLMHead.Pooling(rawValue: name) else {
                throw json.error("pooling_strategy", "'\(name)' is not supported (max, sum)")
            }
            pooling = value
        }
        if let name = try json.string("activation_function") {
            guard let value = MaskedLMHead.WeightFunction(rawValue: name) else {
                throw json.error("activation_function", "'\(name)' is not supported (relu, log1p_relu)")
            }
            weightFunction = value
        }
        dimension = try json.int("embedding_dimension") ?? json.int("word_embedding_dimension")
    }
}
