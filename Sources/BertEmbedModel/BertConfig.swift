// INTERFACE STUB: config.json of a Hugging Face BERT model (ports transformers' BertConfig).
// The loader work replaces the body (lenient decoding with HF defaults, validation) and keeps these names.
import Foundation
import BertEmbedKernels

/// The configuration of a BERT encoder, from a model folder's `config.json`.
package struct BertConfig: Sendable, Equatable {
    package var vocabSize: Int = 30522
    package var hiddenSize: Int = 768
    package var numHiddenLayers: Int = 12
    package var numAttentionHeads: Int = 12
    package var intermediateSize: Int = 3072
    /// `hidden_act`, mapped to a kernel activation.
    package var hiddenAct: Activation = .gelu
    package var maxPositionEmbeddings: Int = 512
    package var typeVocabSize: Int = 2
    package var layerNormEps: Float = 1e-12
    package var padTokenId: Int = 0

    /// Head width: hiddenSize / numAttentionHeads.
    package var headDim: Int { hiddenSize / numAttentionHeads }

    /// Hugging Face's defaults for every key (BERT-base).
    package init() {}

    /// Decodes `config.json` at `url`.
    package init(contentsOf url: URL) throws {
        let data = try Data(contentsOf: url)
        guard let json = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw BertModelError.invalidConfig(file: url.path, reason: "not a JSON object")
        }
        func int(_ key: String, _ value: inout Int) { if let v = json[key] as? Int { value = v } }
        int("vocab_size", &vocabSize)
        int("hidden_size", &hiddenSize)
        int("num_hidden_layers", &numHiddenLayers)
        int("num_attention_heads", &numAttentionHeads)
        int("intermediate_size", &intermediateSize)
        int("max_position_embeddings", &maxPositionEmbeddings)
        int("type_vocab_size", &typeVocabSize)
        int("pad_token_id", &padTokenId)
        if let eps = json["layer_norm_eps"] as? Double { layerNormEps = Float(eps) }
        switch json["hidden_act"] as? String ?? "gelu" {
        case "gelu": hiddenAct = .gelu
        case "gelu_new", "gelu_pytorch_tanh": hiddenAct = .geluTanh
        case "relu": hiddenAct = .relu
        case let other: throw BertModelError.invalidConfig(file: url.path, reason: "unsupported hidden_act '\(other)'")
        }
    }
}
