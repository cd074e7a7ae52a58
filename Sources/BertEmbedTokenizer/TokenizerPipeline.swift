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
    /// The pre-tokenizer when its words are ranges of one rewritten text.
    let rangeSplitter: (any RangePreTokenizer)?

    /// A pipeline of these components.
    package init(
        addedTokens: [AddedToken], normalizer: (any TextNormalizer)?, preTokenizer: (any PreTokenizer)?,
        model: any TokenizationModel
    ) {
        added = AddedTokenSplitter(tokens: addedTokens, normalizer: normalizer)
        self.normalizer = normalizer
        self.preTokenizer = preTokenizer
        self.model = model
        rangeSplitter = preTokenizer as? any RangePreTokenizer
    }

    /// The tokens of `text` before post-processing, in order: ids, texts (an added token's includes the whitespace
    /// it stripped) and offsets in Unicode scalars of `text`.
    /// - Throws: `TokenizerError.unknownToken` when the model needs an unknown token it does not have.
    package func encode(_ text: String) throws -> Encoding {
        var result = Encoding(ids: [], typeIds: [], attentionMask: [], tokens: [], offsets: [])
        try walk(text) { id, value, piece, range in
            let original = piece.originalRange(of: range) ?? range
            result.ids.append(id)
            result.tokens.append(value())
            result.offsets.append(
                (piece.originalStart + original.lowerBound)..<(piece.originalStart + original.upperBound))
        }
        result.typeIds = Array(repeating: 0, count: result.ids.count)
        result.attentionMask = Array(repeating: 1, count: result.ids.count)
        return result
    }

    /// The ids of `text` before post-processing (as `encode(text).ids`, without token texts and offsets).
    /// - Throws: as `encode`.
    package func encodeIds(_ text: String) throws -> [Int] {
        var ids: [Int] = []
        ids.reserveCapacity(text.utf8.count / 4 + 4)
        try walk(text) { id, _, _, _ in ids.append(id) }
        return ids
    }

    /// Runs the stages over `text`, calling `emit` with each token in order: its id, its text (computed on
    /// demand), the piece it was made from and the normalized scalars of that piece it covers.
    private func walk(
        _ text: String, emit: (Int, () -> String, NormalizedText, Range<Int>) -> Void
    ) throws {
        for (piece, token) in added.split(NormalizedText(text), inNormalizedText: false) {
            if let token {
                emit(token.id, { piece.string }, piece, 0..<piece.scalars.count)
                continue
            }
            var normalized = piece
            normalizer?.normalize(&normalized)
            for (part, token) in added.split(normalized, inNormalizedText: true) {
                if let token {
                    emit(token.id, { part.string }, part, 0..<part.scalars.count)
                    continue
                }
                guard let rangeSplitter else {
                    for word in preTokenizer?.split(part) ?? [part] where !word.isEmpty {
                        for modelToken in try model.tokenize(word.scalars) {
                            emit(modelToken.id, { modelToken.value }, word, modelToken.range)
                        }
                    }
                    continue
                }
                // The words as ranges of the rewritten part: no copy per word.
                var text = part
                let words = rangeSplitter.wordRanges(&text)
                try text.scalars.withUnsafeBufferPointer { scalars in
                    for word in words where !word.isEmpty {
                        for modelToken in try model.tokenize(UnsafeBufferPointer(rebasing: scalars[word])) {
                            let range = modelToken.range
                            if range.isEmpty {  // offsets of an empty range are the word's own business
                                emit(modelToken.id, { modelToken.value }, text.slice(word), range)
                            } else {
                                let start = word.lowerBound + range.lowerBound
                                emit(modelToken.id, { modelToken.value }, text, start..<(start + range.count))
                            }
                        }
                    }
                }
            }
        }
    }
}
