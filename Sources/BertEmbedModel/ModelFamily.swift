// The BERT-like architectures one encoder implementation runs. transformers' RobertaModel, XLMRobertaModel,
// CamembertModel, DistilBertModel and MPNetModel compute BertLayer's arithmetic; what differs is in their embeddings
// (where position ids start, whether token types exist), their weight names, and MPNet's relative attention bias
// (MPNetRelativePositionBias.swift). This file states those differences; the layers are written once.

/// A model family, by the `model_type` of its config.json.
package enum ModelFamily: String, Sendable, CaseIterable {
    /// BertModel (also the body of paraphrase-multilingual-MiniLM, multilingual-e5 and LaBSE, whatever their
    /// tokenizer).
    case bert
    /// RobertaModel.
    case roberta
    /// XLMRobertaModel: RoBERTa's arithmetic.
    case xlmRoberta = "xlm-roberta"
    /// CamembertModel: RoBERTa's arithmetic.
    case camembert
    /// DistilBertModel: its own config keys and weight names, no token types, no pooler.
    case distilbert
    /// MPNetModel: RoBERTa's positions, no token types, a relative position bias in every layer's attention.
    case mpnet

    /// The `model_type` values accepted, for messages.
    package static var supportedNames: String { allCases.map(\.rawValue).sorted().joined(separator: ", ") }

    /// transformers' `base_model_prefix`: task checkpoints (`...ForMaskedLM`, `...ForSequenceClassification`) keep
    /// the encoder's weights under it (XLM-R and CamemBERT use RoBERTa's).
    package var basePrefix: String {
        switch self {
        case .bert: return "bert"
        case .roberta, .xlmRoberta, .camembert: return "roberta"
        case .distilbert: return "distilbert"
        case .mpnet: return "mpnet"
        }
    }

    /// The padding index position ids count from (`RobertaEmbeddings.create_position_ids_from_input_ids`: a token
    /// gets padding index + the number of non-padding tokens up to it, a padding token the padding index itself),
    /// for a model whose config says `padTokenId`; nil where positions are 0, 1, 2, ... (BERT, DistilBERT). MPNet
    /// hard-codes 1.
    package func positionPaddingIndex(padTokenId: Int) -> Int? {
        switch self {
        case .bert, .distilbert: return nil
        case .roberta, .xlmRoberta, .camembert: return padTokenId
        case .mpnet: return 1
        }
    }

    /// Whether the embeddings add a token-type row (BERT, and RoBERTa's single row); DistilBERT and MPNet have none.
    package var hasTokenTypes: Bool { self != .distilbert && self != .mpnet }

    /// The checkpoint spelling of a canonical tensor name (BertModel's, as in `WeightNames`): DistilBERT's
    /// `transformer.layer.N.attention.q_lin`, MPNet's `encoder.layer.N.attention.attn.q`, ...; others unchanged.
    package func checkpointName(_ canonical: String) -> String {
        let renames: [(canonical: String, checkpoint: String)]
        switch self {
        case .distilbert:
            renames = [
                ("attention.self.query.", "attention.q_lin."), ("attention.self.key.", "attention.k_lin."),
                ("attention.self.value.", "attention.v_lin."), ("attention.output.dense.", "attention.out_lin."),
                ("attention.output.LayerNorm.", "sa_layer_norm."), ("intermediate.dense.", "ffn.lin1."),
                ("output.dense.", "ffn.lin2."), ("output.LayerNorm.", "output_layer_norm."),
            ]
        case .mpnet:
            renames = [
                ("attention.self.query.", "attention.attn.q."), ("attention.self.key.", "attention.attn.k."),
                ("attention.self.value.", "attention.attn.v."), ("attention.output.dense.", "attention.attn.o."),
                ("attention.output.LayerNorm.", "attention.LayerNorm."),
            ]
        case .bert, .roberta, .xlmRoberta, .camembert:
            return canonical
        }
        // "encoder.layer.N.<rest>": the first rename whose canonical form starts <rest> applies.
        let layerPrefix = "encoder.layer."
        guard canonical.hasPrefix(layerPrefix) else { return canonical }
        let afterPrefix = canonical.dropFirst(layerPrefix.count)
        guard let dot = afterPrefix.firstIndex(of: ".") else { return canonical }
        let index = afterPrefix[..<dot], rest = afterPrefix[afterPrefix.index(after: dot)...]
        let renamed = renames.first { rest.hasPrefix($0.canonical) }.map {
            $0.checkpoint + rest.dropFirst($0.canonical.count)
        }
        let layer = self == .distilbert ? "transformer.layer." : layerPrefix
        return layer + index + "." + (renamed ?? String(rest))
    }
}
