// The general text -> tokens pipeline of tokenizers' Tokenizer::encode_single_sequence (tokenizer/mod.rs): added
// tokens split out of the raw text, each piece between them normalized and split again at the normalized added
// tokens, then pre-tokenized into words, each word through the model; every token with its offsets in the original
// text. Any combination of components a tokenizer.json names runs here; the plain BERT combination also has a faster
// path of its own (BertFastPath.swift).

/// The components of a tokenizer, run in tokenizers' order.
package struct TokenizerPipeline: Sendable {
    /// The added tokens.
    package let added: AddedTokenSplitter
    /// The normalizer, if any.
    package let normalizer: (any TextNormalizer)?
    /// The pre-tokenizer, if any (without one a piece is one word).
    package let preTokenizer: (any PreTokenizer)?
    /// The model.
    package let model: any TokenizationModel

    /// A pipeline of these components.
    package init(
        addedTokens: [AddedToken], normalizer: (any TextNormalizer)?, preTokenizer: (any PreTokenizer)?,
        model: any TokenizationModel
    ) {
        added = AddedTokenSplitter(tokens: addedTokens, normalizer: normalizer)
        self.normalizer = normalizer
        self.preTokenizer = preTokenizer
        self.model = model
    }

    /// The tokens of `text` before post-processing, in order: ids, texts (an added token's includes the whitespace
    /// it stripped) and offsets in Unicode scalars of `text`.
    /// - Throws: `TokenizerError.unknownToken` when the model needs an unknown token it does not have.
    package func encode(_ text: String) throws -> Encoding {
        var result = Encoding(ids: [], typeIds: [], attentionMask: [], tokens: [], offsets: [])
        func append(id: Int, value: String, piece: NormalizedText, range: Range<Int>) {
            let original = piece.originalRange(of: range) ?? range
            result.ids.append(id)
            result.tokens.append(value)
            result.offsets.append(
                (piece.originalStart + original.lowerBound)..<(piece.originalStart + original.upperBound))
        }
        for (piece, token) in added.split(NormalizedText(text), inNormalizedText: false) {
            if let token {
                append(id: token.id, value: piece.string, piece: piece, range: 0..<piece.scalars.count)
                continue
            }
            var normalized = piece
            normalizer?.normalize(&normalized)
            for (part, token) in added.split(normalized, inNormalizedText: true) {
                if let token {
                    append(id: token.id, value: part.string, piece: part, range: 0..<part.scalars.count)
                    continue
                }
                for word in preTokenizer?.split(part) ?? [part] where !word.isEmpty {
                    for modelToken in try model.tokenize(word.scalars) {
                        append(id: modelToken.id, value: modelToken.value, piece: word, range: modelToken.range)
                    }
                }
            }
        }
        result.typeIds = Array(repeating: 0, count: result.ids.count)
        result.attentionMask = Array(repeating: 1, count: result.ids.count)
        return result
    }
}
