// Ports transformers' DistilBertConfig (models/distilbert/configuration_distilbert.py): DistilBERT's own config.json
// keys, read into the shared `BertConfig` (dim = hidden size, n_layers, n_heads, hidden_dim = intermediate size,
// activation). It has no token types, no layer_norm_eps (1e-12 in the code) and positions from 0.
import BertEmbedJSON

extension BertConfig {
    /// Reads DistilBertConfig's keys over its defaults (those of DistilBERT-base, the same sizes as BERT-base).
    mutating func decodeDistilBert(_ json: JSONObject) throws {
        typeVocabSize = 0
        try Self.size(json, "vocab_size", &vocabSize)
        try Self.size(json, "dim", &hiddenSize)
        try Self.size(json, "n_layers", &numHiddenLayers)
        try Self.size(json, "n_heads", &numAttentionHeads)
        try Self.size(json, "hidden_dim", &intermediateSize)
        try Self.size(json, "max_position_embeddings", &maxPositionEmbeddings)
        if let activation = try Self.activation(json, "activation") { hiddenAct = activation }
        if let id = try json.int("pad_token_id") { padTokenId = id }
        sinusoidalPositions = try json.bool("sinusoidal_pos_embds") ?? false
    }
}
