// Ports transformers' BertConfig (models/bert/configuration_bert.py): config.json with Hugging Face's defaults.
//
// Decoding is lenient where transformers is: absent keys take BertConfig's defaults, unknown keys are
// ignored, a repeated key keeps its last value (as Python's json does), integers may be written as
// integral floats (12.0). It is strict about what the encoder could not honour, naming the file and key:
// non-positive or absurd sizes, hidden_size not divisible by num_attention_heads, an activation outside
// `supportedActivations`, position_embedding_type other than "absolute", is_decoder true (causal attention),
// model_type other than "bert" (RoBERTa, DistilBERT, ... differ in position ids or weight names, so
// accepting them would give wrong vectors silently), and values of the wrong JSON type.
import BertEmbedJSON
import BertEmbedKernels
import BertEmbedSafeTensors
import Foundation

/// The configuration of a BERT encoder, from a model folder's `config.json`.
package struct BertConfig: Sendable, Equatable {
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
    /// `type_vocab_size`: rows of the token type table.
    package var typeVocabSize: Int = 2
    /// `layer_norm_eps`: epsilon of every LayerNorm.
    package var layerNormEps: Float = 1e-12
    /// `pad_token_id` (null in the file keeps 0; it never changes the encoder's output, padding is masked).
    package var padTokenId: Int = 0

    /// Head width: hiddenSize / numAttentionHeads.
    package var headDim: Int { hiddenSize / numAttentionHeads }

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

    /// Hugging Face's defaults for every key (BERT-base).
    package init() {}

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
        func size(_ key: String, _ value: inout Int) throws {
            guard let int = try json.int(key) else { return }
            guard int > 0, int <= Self.maximumSize else {
                throw json.error(key, "must be between 1 and \(Self.maximumSize), found \(int)")
            }
            value = int
        }
        func string(_ key: String) throws -> String? { try json.string(key) }
        func fail(_ key: String, _ reason: String) -> JSONFileError { json.error(key, reason) }

        if let modelType = try string("model_type"), modelType != "bert" {
            throw fail(
                "model_type",
                "'\(modelType)' is not supported (only 'bert': other families differ in weights or position ids)")
        }
        try size("vocab_size", &vocabSize)
        try size("hidden_size", &hiddenSize)
        try size("num_hidden_layers", &numHiddenLayers)
        try size("num_attention_heads", &numAttentionHeads)
        try size("intermediate_size", &intermediateSize)
        try size("max_position_embeddings", &maxPositionEmbeddings)
        try size("type_vocab_size", &typeVocabSize)
        guard hiddenSize % numAttentionHeads == 0 else {
            throw fail("hidden_size", "\(hiddenSize) is not divisible by num_attention_heads \(numAttentionHeads)")
        }
        if let act = try string("hidden_act") {
            guard let activation = Self.supportedActivations[act] else {
                let known = Self.supportedActivations.keys.sorted().joined(separator: ", ")
                throw fail("hidden_act", "'\(act)' is not supported (supported: \(known))")
            }
            hiddenAct = activation
        }
        if let eps = try json.double("layer_norm_eps") {
            guard eps > 0, Float(eps) > 0, Float(eps).isFinite else {
                throw fail("layer_norm_eps", "must be positive and representable in Float32, found \(eps)")
            }
            layerNormEps = Float(eps)
        }
        if let id = try json.int("pad_token_id") { padTokenId = id }
        if let type = try string("position_embedding_type"), type != "absolute" {
            throw fail("position_embedding_type", "'\(type)' is not supported (only 'absolute')")
        }
        if try json.bool("is_decoder") == true {
            throw fail("is_decoder", "true: causal (decoder) BERT is not supported")
        }
    }
}
