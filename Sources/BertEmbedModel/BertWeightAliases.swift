// The one table of tensor-name aliases: how checkpoints in the wild spell the names of transformers' BertModel.
//
// Canonical names are those of `BertModel.state_dict()` (what sentence-transformers saves), e.g.
// "encoder.layer.0.attention.output.LayerNorm.weight". A checkpoint may instead carry:
// - a "bert." prefix: task models (BertForMaskedLM, BertForPreTraining, BertForSequenceClassification, ...)
//   wrap BertModel in a `bert` attribute;
// - "LayerNorm.gamma" / "LayerNorm.beta" for "LayerNorm.weight" / "LayerNorm.bias": checkpoints converted
//   from the original TensorFlow BERT and old pytorch-pretrained-bert ones (transformers renames them at load).
// A canonical name is tried as every combination, canonical spellings first; the first present wins, and any
// other spelling also present stays unused (listed by `BertWeights.unusedTensorNames`).

/// Maps a canonical BertModel tensor name to the names to try in a checkpoint, in order.
package enum BertWeightAliases {
    /// Prefixes before the BertModel names, in the order tried.
    package static let prefixes = ["", "bert."]

    /// Legacy spellings of name endings: (canonical ending, legacy ending).
    package static let legacySuffixes: [(canonical: String, legacy: String)] = [
        ("LayerNorm.weight", "LayerNorm.gamma"),
        ("LayerNorm.bias", "LayerNorm.beta"),
    ]

    /// The names to try for canonical `name`, in order: every prefix with the canonical spelling, then every
    /// prefix with the legacy spelling (when `name` has a legacy form).
    package static func candidates(for name: String) -> [String] {
        var spellings = [name]
        for (canonical, legacy) in legacySuffixes where name.hasSuffix(canonical) {
            spellings.append(String(name.dropLast(canonical.count)) + legacy)
        }
        return spellings.flatMap { spelling in prefixes.map { $0 + spelling } }
    }
}
