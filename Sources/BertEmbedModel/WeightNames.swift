// The one table of tensor names: how checkpoints in the wild spell the tensors of transformers' models.
//
// Canonical names are those of `BertModel.state_dict()` (what sentence-transformers saves for BERT), e.g.
// "encoder.layer.0.attention.output.LayerNorm.weight"; `ModelFamily.checkpointName` gives a family's own spelling
// (DistilBERT's "transformer.layer.0.sa_layer_norm.weight", MPNet's "encoder.layer.0.attention.LayerNorm.weight").
// A checkpoint may also carry:
// - the family's prefix ("bert.", "roberta.", "distilbert.", "mpnet."): task models (...ForMaskedLM,
//   ...ForSequenceClassification) wrap the encoder in an attribute of that name;
// - "LayerNorm.gamma" / "LayerNorm.beta" for "LayerNorm.weight" / "LayerNorm.bias": checkpoints converted
//   from the original TensorFlow BERT and old pytorch-pretrained-bert ones (transformers renames them at load).
// A name is tried in every combination, the family's plain spelling first; the first present wins, and any
// other spelling also present stays unused (listed by `BertWeights.unusedTensorNames`).

/// Maps a canonical tensor name to the names to try in a checkpoint of a family, in order.
package enum WeightNames {
    /// Legacy spellings of name endings: (canonical ending, legacy ending).
    package static let legacySuffixes: [(canonical: String, legacy: String)] = [
        ("LayerNorm.weight", "LayerNorm.gamma"),
        ("LayerNorm.bias", "LayerNorm.beta"),
    ]

    /// The names to try for canonical `name` in a checkpoint of `family`, in order: the family's spelling without
    /// and with its prefix, then the legacy spellings the same way.
    package static func candidates(for name: String, family: ModelFamily = .bert) -> [String] {
        let spelled = family.checkpointName(name)
        var spellings = [spelled]
        for (canonical, legacy) in legacySuffixes where spelled.hasSuffix(canonical) {
            spellings.append(String(spelled.dropLast(canonical.count)) + legacy)
        }
        let prefixes = ["", family.basePrefix + "."]
        return spellings.flatMap { spelling in prefixes.map { $0 + spelling } }
    }
}
