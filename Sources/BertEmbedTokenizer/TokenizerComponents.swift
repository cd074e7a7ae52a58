// The stages a tokenizer.json combines, as tokenizers defines them: normalizers rewrite text (alignments following),
// pre-tokenizers split it into words, a model turns each word into tokens, decoders turn tokens back into text.
// Each component is a small type of its own conforming to one of these protocols, picked by what the file says
// (TokenizerJSONFile.swift); the pipeline (TokenizerPipeline.swift) runs them in order.

/// A normalizer (tokenizers' `Normalizer`): rewrites a piece of text in place.
package protocol TextNormalizer: Sendable {
    /// Normalizes `text`, keeping its alignments (see `NormalizedText`).
    func normalize(_ text: inout NormalizedText)
}

/// A pre-tokenizer (tokenizers' `PreTokenizer`): splits a normalized piece into the words the model tokenizes one
/// by one. Empty words are dropped by the pipeline.
package protocol PreTokenizer: Sendable {
    /// The words of `text`, in order.
    func split(_ text: NormalizedText) -> [NormalizedText]
}

/// A pre-tokenizer whose words are pieces of one rewritten text (BertPreTokenizer, Whitespace, WhitespaceSplit,
/// Metaspace, ByteLevel): the pipeline tokenizes the ranges in place instead of copying every word out, with the
/// same tokens and offsets (a word's offsets come from the alignments of its scalars either way).
package protocol RangePreTokenizer: PreTokenizer {
    /// Rewrites `text` as the pre-tokenizer does and returns its words as ascending ranges of its scalars (empty
    /// ranges allowed, dropped by the pipeline).
    func wordRanges(_ text: inout NormalizedText) -> [Range<Int>]
}

extension RangePreTokenizer {
    /// The words of `text`: the slices of `wordRanges`.
    package func split(_ text: NormalizedText) -> [NormalizedText] {
        var text = text
        return wordRanges(&text).filter { !$0.isEmpty }.map { text.slice($0) }
    }
}

/// A token the model made of one word: its id, its text, and the scalars of the word's normalized text it covers.
package struct ModelToken: Sendable, Equatable {
    /// The id.
    package var id: Int
    /// The token's text (the vocabulary entry, or the word's own text for an unknown token).
    package var value: String
    /// The normalized scalars of the word it covers.
    package var range: Range<Int>

    /// A token.
    package init(id: Int, value: String, range: Range<Int>) {
        self.id = id
        self.value = value
        self.range = range
    }
}

/// A tokenization model (tokenizers' `Model`: WordPiece, Unigram, BPE).
package protocol TokenizationModel: Sendable {
    /// The tokens of one word (the normalized scalars of one pre-tokenized piece, valid during the call only).
    /// - Throws: `TokenizerError.unknownToken` when the word needs an unknown token and the model has none.
    func tokenize(_ word: UnsafeBufferPointer<Unicode.Scalar>) throws -> [ModelToken]
    /// The id of a vocabulary entry.
    func id(for token: String) -> Int?
    /// The vocabulary entry of an id.
    func token(for id: Int) -> String?
    /// The number of ids (the model's embedding rows come from the largest id + 1).
    var vocabularySize: Int { get }
}

extension TokenizationModel {
    /// The tokens of one word.
    /// - Throws: as `tokenize(_:)` on a buffer.
    package func tokenize(_ word: [Unicode.Scalar]) throws -> [ModelToken] {
        try word.withUnsafeBufferPointer { try tokenize($0) }
    }
}

/// A decoder (tokenizers' `Decoder`): rewrites the token strings of an encoding, in order, into the pieces of text
/// that, concatenated, are the decoded text.
package protocol TokenDecoder: Sendable {
    /// The decoded pieces of `tokens`.
    func decode(_ tokens: [String]) -> [String]
}
