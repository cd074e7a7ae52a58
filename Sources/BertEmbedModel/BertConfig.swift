// Ports transformers' BertConfig (models/bert/configuration_bert.py): config.json with Hugging Face's defaults.
//
// Decoding is lenient where transformers is: absent keys take BertConfig's defaults, unknown keys are
// ignored, a repeated key keeps its last value (as Python's json does), integers may be written as
// integral floats (12.0). It is strict about what the encoder could not honour, naming the file and key:
// non-positive or absurd sizes, hidden_size not divisible by num_attention_heads, an activation outside
// `supportedActivations`, position_embedding_type other than "absolute", is_decoder true (causal attention),
// model_type other than "bert" (RoBERTa, DistilBERT, ... differ in position ids or weight names, so
// accepting them would give wrong vectors silently), and values of the wrong JSON type.
import Foundation
import BertEmbedJSON
import BertEmbedKernels
import BertEmbedSafeTensors

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

    /// `hidden_act` values accepted, as transformers' ACT2FN defines them: the erf GELU ("gelu", "gelu_python"),
    /// the tanh-approximated GELU (all the same formula 0.5x(1+tanh(sqrt(2/pi)(x+0.044715x^3))), up to the
    /// precision of the constant), and ReLU. Others ("quick_gelu", "silu", "gelu_10", ...) are rejected.
    package static let supportedActivations: [String: Activation] = [
        "gelu": .gelu, "gelu_python": .gelu,
        "gelu_new": .geluTanh, "gelu_pytorch_tanh": .geluTanh, "gelu_python_tanh": .geluTanh,
        "gelu_fast": .geluTanh, "gelu_accurate": .geluTanh,
        "relu": .relu,
    ]

    /// Largest value accepted for any size key: far above any BERT (vocabularies reach 250k), low enough
    /// that sizes multiply without overflow and a corrupt config cannot ask for absurd allocations.
    package static let maximumSize = 1 << 20

    /// Hugging Face's defaults for every key (BERT-base).
    package init() {}

    /// Decodes `config.json` at `url`.
    /// - Throws: `BertModelError.invalidConfig` naming the file and the key.
    package init(contentsOf url: URL) throws {
        let data: Data
        do { data = try Data(contentsOf: url) } catch {
            throw BertModelError.invalidConfig(file: url.path, reason: "cannot read the file (\(error.localizedDescription))")
        }
        try self.init(jsonBytes: [UInt8](data), file: url.path)
    }

    /// Decodes the bytes of a `config.json`; `file` names it in errors.
    /// - Throws: `BertModelError.invalidConfig` naming the file and the key.
    package init(jsonBytes: [UInt8], file: String) throws {
        func fail(_ reason: String) -> BertModelError { .invalidConfig(file: file, reason: reason) }
        let root: JSONValue
        do { root = try JSONParser.parse(jsonBytes) } catch let error as JSONSyntaxError {
            throw fail("not valid JSON: \(error)")
        }
        guard let json = root.objectMembers else { throw fail("the file is \(root.kindDescription), not a JSON object") }

        func size(_ key: String, _ value: inout Int) throws {
            guard let raw = json.value(key) else { return }
            guard case .number(let number) = raw, let int = number.integralValue else {
                throw fail("'\(key)' must be an integer, found \(raw.kindDescription)")
            }
            guard int > 0, int <= Self.maximumSize else {
                throw fail("'\(key)' must be between 1 and \(Self.maximumSize), found \(int)")
            }
            value = int
        }
        func string(_ key: String) throws -> String? {
            guard let raw = json.value(key), raw != .null else { return nil }
            guard let s = raw.stringValue else { throw fail("'\(key)' must be a string, found \(raw.kindDescription)") }
            return s
        }

        if let modelType = try string("model_type"), modelType != "bert" {
            throw fail("model_type '\(modelType)' is not supported (only 'bert': other families differ in weights or position ids)")
        }
        try size("vocab_size", &vocabSize)
        try size("hidden_size", &hiddenSize)
        try size("num_hidden_layers", &numHiddenLayers)
        try size("num_attention_heads", &numAttentionHeads)
        try size("intermediate_size", &intermediateSize)
        try size("max_position_embeddings", &maxPositionEmbeddings)
        try size("type_vocab_size", &typeVocabSize)
        guard hiddenSize % numAttentionHeads == 0 else {
            throw fail("'hidden_size' \(hiddenSize) is not divisible by 'num_attention_heads' \(numAttentionHeads)")
        }
        if let act = try string("hidden_act") {
            guard let activation = Self.supportedActivations[act] else {
                let known = Self.supportedActivations.keys.sorted().joined(separator: ", ")
                throw fail("'hidden_act' '\(act)' is not supported (supported: \(known))")
            }
            hiddenAct = activation
        }
        if let raw = json.value("layer_norm_eps") {
            guard case .number(let number) = raw, let eps = number.double else {
                throw fail("'layer_norm_eps' must be a number, found \(raw.kindDescription)")
            }
            guard eps > 0, Float(eps) > 0, Float(eps).isFinite else {
                throw fail("'layer_norm_eps' must be positive and representable in Float32, found \(number.literal)")
            }
            layerNormEps = Float(eps)
        }
        if let raw = json.value("pad_token_id"), raw != .null {
            guard case .number(let number) = raw, let id = number.integralValue else {
                throw fail("'pad_token_id' must be an integer or null, found \(raw.kindDescription)")
            }
            padTokenId = id
        }
        if let type = try string("position_embedding_type"), type != "absolute" {
            throw fail("'position_embedding_type' '\(type)' is not supported (only 'absolute')")
        }
        if let raw = json.value("is_decoder") {
            guard case .bool(let isDecoder) = raw else {
                throw fail("'is_decoder' must be true or false, found \(raw.kindDescription)")
            }
            if isDecoder { throw fail("'is_decoder' is true: causal (decoder) BERT is not supported") }
        }
    }
}
