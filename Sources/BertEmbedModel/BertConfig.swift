// Ports transformers' BertConfig (models/bert/configuration_bert.py), and the configs of the families that share its
// encoder (RobertaConfig, XLMRobertaConfig, CamembertConfig and MPNetConfig use BERT's keys; DistilBertConfig has its
// own, DistilBertConfig.swift): config.json with Hugging Face's defaults for its `model_type`.
//
// Decoding is lenient where transformers is: absent keys take the family's class defaults, unknown keys are
// ignored, a repeated key keeps its last value (as Python's json does), integers may be written as
// integral floats (12.0). It is strict about what the encoder could not honour, naming the file and key:
// non-positive or absurd sizes, hidden_size not divisible by num_attention_heads, an activation outside
// `supportedActivations`, position_embedding_type other than "absolute", is_decoder true (causal attention),
// a model_type it does not run (accepting one would give wrong vectors silently), and values of the wrong JSON type.
import BertEmbedJSON
import BertEmbedKernels
import BertEmbedSafeTensors
import Foundation

/// The configuration of a BERT-like encoder, from a model folder's `config.json`.
package struct BertConfig: Sendable, Equatable {
    /// `model_type`: the family (absent: BERT).
    package var family: ModelFamily = .bert
    /// `vocab_size`: rows of the word embedding table.
    package var vocabSize: Int = 30522
    /// `hidden_size`: width of every hidden state.
    package var hiddenSize: Int = 768
    /// `num_hidden_layers`: number of encoder layers.
    package var numHiddenLayers: Int = 12
    /// `num_attention_heads`: divides `hiddenSize`.
    package var numAttentionHeads: Int = 12
    /// `intermediate_size`: width of the feed-forward layer.
    package var intermediateSize: Int = 3072
    /// `hidden_act`, mapped to a kernel activation.
    package var hiddenAct: Activation = .gelu
    /// `max_position_embeddings`: longest sequence (rows of the position table).
    package var maxPositionEmbeddings: Int = 512
    /// `type_vocab_size`: rows of the token type table (0 for the families without one).
    package var typeVocabSize: Int = 2
    /// `layer_norm_eps`: epsilon of every LayerNorm.
    package var layerNormEps: Float = 1e-12
    /// `pad_token_id` (null in the file keeps the default). BERT never uses it (padding is never computed); RoBERTa's
    /// positions count from it (`positionPaddingIndex`).
    package var padTokenId: Int = 0
    /// `relative_attention_num_buckets` (MPNet): rows of the relative position bias table; nil for other families.
    package var relativeAttentionBuckets: Int? = nil
    /// `sinusoidal_pos_embds` (DistilBERT): a checkpoint without a position table gets the sinusoids transformers
    /// initializes it with.
    package var sinusoidalPositions = false
    /// Output labels of a classification head: the entries of `id2label`, else `num_labels`, else 2 (as
    /// transformers' PretrainedConfig).
    package var numLabels: Int = 2
    /// `architectures`: the model classes the checkpoint was saved from (e.g. "BertForSequenceClassification").
    package var architectures: [String] = []

    /// Head width: hiddenSize / numAttentionHeads.
    package var headDim: Int { hiddenSize / numAttentionHeads }

    /// The padding index position ids count from (see `ModelFamily.positionPaddingIndex`), nil for 0, 1, 2, ...
    package var positionPaddingIndex: Int? { family.positionPaddingIndex(padTokenId: padTokenId) }

    /// The longest sequence the position table covers: its rows, less those up to the padding index where
    /// positions start after it (RoBERTa's 514 rows take 512 tokens).
    package var maxSequenceLength: Int {
        // Overflow-safe for any padding index a config.json holds (init refuses results below 1).
        guard let padding = positionPaddingIndex else { return maxPositionEmbeddings }
        let (after, overflow) = maxPositionEmbeddings.subtractingReportingOverflow(padding)
        return overflow ? Int.min : after &- 1
    }

    /// `hidden_act` values accepted: the names of transformers' ACT2FN whose function a kernel activation computes
    /// (checked against ACT2FN's values by a golden): the erf GELU, the tanh-approximated GELU in its five
    /// spellings, ReLU, tanh and the identity. Others ("quick_gelu", "silu", "gelu_10", ...) are rejected.
    package static let supportedActivations: [String: Activation] = [
        "gelu": .gelu, "gelu_python": .gelu,
        "gelu_new": .geluTanh, "gelu_pytorch_tanh": .geluTanh, "gelu_python_tanh": .geluTanh,
        "gelu_fast": .geluTanh, "gelu_accurate": .geluTanh,
        "relu": .relu, "tanh": .tanh, "linear": .identity,
    ]

    /// Largest value accepted for any size key: far above any BERT (vocabularies reach 250k), low enough
    /// that sizes multiply without overflow and a corrupt config cannot ask for absurd allocations.
    package static let maximumSize = 1 << 20

    /// Hugging Face's defaults for every key of `family`'s config class (BERT-base's for BERT).
    package init(family: ModelFamily = .bert) {
        self.family = family
        switch family {
        case .bert, .distilbert:
            break
        case .roberta, .xlmRoberta, .camembert:
            vocabSize = family == .roberta ? 50265 : 30522
            padTokenId = 1
        case .mpnet:
            vocabSize = 30527
            typeVocabSize = 0
            padTokenId = 1
            relativeAttentionBuckets = 32
        }
    }

    /// Decodes `config.json` at `url`.
    /// - Throws: `BertModelError.invalidConfig` naming the file and the key.
    package init(contentsOf url: URL) throws {
        try self.init(json: try BertModelError.readingJSON { try JSONNode.readObject(url) })
    }

    /// Decodes the bytes of a `config.json`; `file` names it in errors.
    /// - Throws: `BertModelError.invalidConfig` naming the file and the key.
    package init(jsonBytes: [UInt8], file: String) throws {
        let root: JSONValue
        do { root = try JSONParser.parse(jsonBytes) } catch {
            throw BertModelError.invalidConfig(file: file, reason: "not valid JSON: \(error)")
        }
        try self.init(json: try BertModelError.readingJSON { try JSONNode(value: root, path: file, key: "").object() })
    }

    /// Decodes the top-level object of a `config.json`.
    /// - Throws: `BertModelError.invalidConfig` naming the file and the key.
    init(json: JSONObject) throws {
        try BertModelError.readingJSON { try decode(json) }
    }

    private mutating func decode(_ json: JSONObject) throws {
        let modelType = try json.string("model_type") ?? "bert"
        guard let family = ModelFamily(rawValue: modelType) else {
            throw json.error(
                "model_type", "'\(modelType)' is not supported (supported: \(ModelFamily.supportedNames))")
        }
        self = BertConfig(family: family)
        if family == .distilbert {
            try decodeDistilBert(json)
        } else {
            try decodeBertKeys(json)
        }
        try decodeTaskKeys(json)
        guard hiddenSize % numAttentionHeads == 0 else {
            throw json.error(
                family == .distilbert ? "dim" : "hidden_size",
                "\(hiddenSize) is not divisible by the number of attention heads \(numAttentionHeads)")
        }
        if let padding = positionPaddingIndex {
            guard padding >= 0, maxSequenceLength >= 1 else {
                throw json.error(
                    "max_position_embeddings",
                    "\(maxPositionEmbeddings) rows leave no position after the padding index \(padding) "
                        + "(positions count from it)")
            }
        }
        if try json.bool("is_decoder") == true {
            throw json.error("is_decoder", "true: causal (decoder) models are not supported")
        }
    }

    /// A size key: an integer in 1...maximumSize.
    static func size(_ json: JSONObject, _ key: String, _ value: inout Int) throws {
        guard let int = try json.int(key) else { return }
        guard int > 0, int <= maximumSize else {
            throw json.error(key, "must be between 1 and \(maximumSize), found \(int)")
        }
        value = int
    }

    /// An activation key: one of `supportedActivations`.
    static func activation(_ json: JSONObject, _ key: String) throws -> Activation? {
        guard let name = try json.string(key) else { return nil }
        guard let activation = supportedActivations[name] else {
            let known = supportedActivations.keys.sorted().joined(separator: ", ")
            throw json.error(key, "'\(name)' is not supported (supported: \(known))")
        }
        return activation
    }

    /// The keys every family shares from PretrainedConfig about the task: `architectures`, `id2label`,
    /// `num_labels`.
    private mutating func decodeTaskKeys(_ json: JSONObject) throws {
        architectures = try json.strings("architectures") ?? []
        if let labels = try json.object("id2label") {
            guard !labels.keys.isEmpty else { throw json.error("id2label", "is empty: a classifier needs a label") }
            numLabels = labels.keys.count
        } else if let count = try json.int("num_labels") {
            guard count > 0, count <= Self.maximumSize else {
                throw json.error("num_labels", "must be between 1 and \(Self.maximumSize), found \(count)")
            }
            numLabels = count
        }
    }

    /// BertConfig's keys (also RoBERTa's, XLM-R's, CamemBERT's and MPNet's).
    private mutating func decodeBertKeys(_ json: JSONObject) throws {
        try Self.size(json, "vocab_size", &vocabSize)
        try Self.size(json, "hidden_size", &hiddenSize)
        try Self.size(json, "num_hidden_layers", &numHiddenLayers)
        try Self.size(json, "num_attention_heads", &numAttentionHeads)
        try Self.size(json, "intermediate_size", &intermediateSize)
        try Self.size(json, "max_position_embeddings", &maxPositionEmbeddings)
        if family.hasTokenTypes { try Self.size(json, "type_vocab_size", &typeVocabSize) }
        if family == .mpnet, var buckets = relativeAttentionBuckets {
            try Self.size(json, "relative_attention_num_buckets", &buckets)
            relativeAttentionBuckets = buckets
        }
        if let activation = try Self.activation(json, "hidden_act") { hiddenAct = activation }
        if let eps = try json.double("layer_norm_eps") {
            guard eps > 0, Float(eps) > 0, Float(eps).isFinite else {
                throw json.error("layer_norm_eps", "must be positive and representable in Float32, found \(eps)")
            }
            layerNormEps = Float(eps)
        }
        if let id = try json.int("pad_token_id") { padTokenId = id }
        if let type = try json.string("position_embedding_type"), type != "absolute" {
            throw json.error("position_embedding_type", "'\(type)' is not supported (only 'absolute')")
        }
    }
}
