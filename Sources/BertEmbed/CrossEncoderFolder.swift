// Reads a cross-encoder folder as sentence-transformers 6's CrossEncoder does (cross_encoder/model.py,
// base/modules/transformer.py): a plain Hugging Face `*ForSequenceClassification` folder, or one saved by
// `CrossEncoder.save` (modules.json with a single Transformer module, config_sentence_transformers.json).
import BertEmbedJSON
import BertEmbedModel
import Foundation

/// What a cross-encoder folder says around its encoder and classification head.
struct CrossEncoderFolder: Sendable {
    /// The folder holding config.json, the weights and the tokenizer.
    var transformerDirectory: URL
    /// `activation_fn` as the folder names it (nil: the default for the label count).
    var activationName: String?
    /// `max_seq_length` of an older sentence_bert_config.json: used as given, not capped by the position table.
    var maxSequenceLength: Int?
    /// `do_lower_case` of sentence_bert_config.json.
    var lowercaseInput = false

    /// Reads `directory`.
    /// - Throws: `EmbeddingError.invalidModelFolder` naming the file, including for a folder that is an embedding
    ///   model (a Pooling module, `model_type` SentenceTransformer or SparseEncoder) rather than a cross-encoder.
    init(directory: URL) throws {
        transformerDirectory = directory
        try ModelLoading.requireFolder(directory)
        try EmbeddingError.readingJSON {
            if let settings = try ModelLoading.sentenceTransformersSettings(directory, expected: "CrossEncoder") {
                activationName = try settings.string("activation_fn")
            }
            let modulesURL = directory.appendingPathComponent("modules.json")
            if FileManager.default.fileExists(atPath: modulesURL.path) {
                try readModules(JSONNode.read(modulesURL).array(), directory: directory, modulesPath: modulesURL.path)
            }
            // Older folders keep the activation in config.json.
            if activationName == nil {
                let config = try JSONNode.readObject(transformerDirectory.appendingPathComponent("config.json"))
                if let settings = try config.object("sentence_transformers") {
                    activationName = try settings.string("activation_fn")
                }
                if activationName == nil {
                    activationName = try config.string("sbert_ce_default_activation_function")
                }
            }
        }
    }

    private mutating func readModules(_ modules: [JSONNode], directory: URL, modulesPath: String) throws {
        var transformer: URL?
        for node in modules {
            let module = try node.object()
            let type = try module.required("type").string()
            let path = try module.string("path") ?? ""
            guard !path.split(separator: "/").contains(".."), !path.hasPrefix("/") else {
                throw module.error("path", "'\(path)' leaves the model folder")
            }
            switch type.split(separator: ".").last.map(String.init) ?? type {
            case "Transformer", "CrossEncoder":
                guard transformer == nil else {
                    throw EmbeddingError.invalidModelFolder(
                        file: modulesPath, reason: "more than one Transformer module")
                }
                transformer = path.isEmpty ? directory : directory.appendingPathComponent(path)
            case "Pooling", "Normalize", "Dense":
                throw EmbeddingError.invalidModelFolder(
                    file: modulesPath,
                    reason: "has a \(type.split(separator: ".").last ?? "") module: an embedding model, not a "
                        + "cross-encoder; load it with SentenceEncoder")
            case "SpladePooling", "MLMTransformer":
                throw EmbeddingError.invalidModelFolder(
                    file: modulesPath, reason: "has a \(type) module: a sparse (SPLADE) encoder, not a cross-encoder")
            default:
                throw EmbeddingError.unsupportedModule(file: modulesPath, type: type)
            }
        }
        guard let transformer else {
            throw EmbeddingError.invalidModelFolder(file: modulesPath, reason: "no Transformer module")
        }
        transformerDirectory = transformer
        let bertConfigURL = transformer.appendingPathComponent("sentence_bert_config.json")
        guard FileManager.default.fileExists(atPath: bertConfigURL.path) else { return }
        let json = try JSONNode.readObject(bertConfigURL)
        if let task = try json.string("transformer_task"), task != "sequence-classification" {
            throw json.error("transformer_task", "is '\(task)': not a cross-encoder ('sequence-classification')")
        }
        if let length = try json.int("max_seq_length") {
            guard length > 0 else { throw json.error("max_seq_length", "must be a positive integer, found \(length)") }
            maxSequenceLength = length
        }
        lowercaseInput = try json.bool("do_lower_case") ?? false
    }

    /// The activation applied to the logits: the folder's `activation_fn`, else sigmoid for one label and identity
    /// for several (sentence-transformers' `get_default_activation_fn`). As sentence-transformers, a class path not
    /// under `torch.` is not trusted and the default applies.
    /// - Throws: `EmbeddingError.invalidModelFolder` for a torch activation this package does not compute.
    func activation(labels: Int) throws -> CrossEncoder.Activation {
        let fallback: CrossEncoder.Activation = labels == 1 ? .sigmoid : .identity
        guard let name = activationName, name.hasPrefix("torch.") else { return fallback }
        switch name.split(separator: ".").last.map(String.init) ?? name {
        case "Sigmoid": return .sigmoid
        case "Identity": return .identity
        case "Tanh": return .tanh
        default:
            throw EmbeddingError.invalidModelFolder(
                file: transformerDirectory.path,
                reason: "activation_fn '\(name)' is not supported (supported: torch.nn.Sigmoid, torch.nn.Identity, "
                    + "torch.nn.Tanh)")
        }
    }
}
