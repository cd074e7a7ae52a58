// The tokenizer: Hugging Face's fast tokenizers (the `tokenizers` library) in pure Swift, loaded from a model folder.
import Foundation

/// A tokenizer giving the same ids, type ids and offsets as Hugging Face's `tokenizers`.
///
/// Loads from a model folder. When the folder has `tokenizer.json` it defines the pipeline, any combination of the
/// components this package implements (as `tokenizers.Tokenizer.from_file` and transformers' fast tokenizers use
/// it); otherwise `vocab.txt` with `tokenizer_config.json` (`do_lower_case`, `strip_accents`,
/// `tokenize_chinese_chars`, special tokens) defines a BERT WordPiece tokenizer, as transformers' `BertTokenizer`.
/// `tokenizer_config.json` also gives `modelMaxLength`. The plain BERT pipeline runs on a fast path of its own
/// (`BertFastPath`); every other pipeline on `TokenizerPipeline`. Immutable and `Sendable`: share one instance.
package struct Tokenizer: Sendable {
    /// How the text becomes tokens.
    enum Engine: Sendable {
        /// BertNormalizer + BertPreTokenizer + WordPiece with plain added tokens.
        case bert(BertFastPath)
        /// Anything else.
        case general(TokenizerPipeline)
    }

    let engine: Engine
    let postProcessor: PostProcessor?
    let decoder: (any TokenDecoder)?
    let model: any TokenizationModel
    /// Added tokens by id (they win over the model's vocabulary when decoding).
    let addedTokens: [Int: AddedToken]

    /// The maximum sequence length of the model (`model_max_length`), nil when the files set none.
    package let modelMaxLength: Int?
    /// Whether transformers' tokenizer for these files hands the model `token_type_ids` (nil: the files do not
    /// say, so the model's family decides; see `TokenizerDefinition.passesTokenTypeIds(_:)`). For pairs this
    /// decides whether the model sees segment ids 1 on the second text or zeros throughout.
    package let passesTokenTypeIds: Bool?
    /// Id of the classification token (`[CLS]`, `<s>`), first of every encoding.
    package let clsTokenId: Int
    /// Id of the separator token (`[SEP]`, `</s>`), after each text.
    package let sepTokenId: Int
    /// Id of the padding token.
    package let padTokenId: Int
    /// The number of ids of the model's vocabulary (the embedding rows it needs, added tokens aside).
    package var vocabularySize: Int { model.vocabularySize }

    /// Loads the tokenizer of the model folder `directory`; with `lowercasingFirst`, tokenizers' `Lowercase`
    /// normalizer runs before the folder's, as sentence-transformers 6 sets it up for `do_lower_case`.
    /// - Throws: `TokenizerError` when the files are missing, unreadable, not UTF-8, not valid JSON, lack a token
    ///   the tokenizer needs, or ask for a component this package does not implement.
    package init(directory: URL, lowercasingFirst: Bool = false) throws {
        var definition: TokenizerDefinition
        if FileManager.default.fileExists(atPath: directory.appendingPathComponent("tokenizer.json").path) {
            definition = try .fromTokenizerJSON(directory: directory)
        } else if FileManager.default.fileExists(atPath: directory.appendingPathComponent("vocab.txt").path) {
            definition = try .fromVocabularyFile(directory: directory)
        } else {
            throw TokenizerError.missingFiles(directory: directory.path)
        }
        if lowercasingFirst {
            if let bert = definition.normalizer as? BertNormalizer {
                definition.normalizer = bert.lowercasingFirst
            } else {
                definition.normalizer = SequenceNormalizer(
                    [LowercaseNormalizer()] + (definition.normalizer.map { [$0] } ?? []))
            }
        }
        try self.init(definition: definition)
    }

    /// A tokenizer from a parsed definition (checks that the tokens it needs exist).
    package init(definition: TokenizerDefinition) throws {
        func id(_ token: String, _ role: String) throws -> Int {
            guard let id = definition.id(of: token) else {
                throw TokenizerError.missingToken(path: definition.path, token: token, role: role)
            }
            return id
        }
        let normalizer =
            definition.normalizer
            ?? BertNormalizer(
                cleanText: false, handleChineseChars: false, stripAccents: false, lowercase: false)
        if let bert = normalizer as? BertNormalizer, definition.preTokenizer is BertPreTokenizer,
            let wordPiece = definition.model as? WordPiece, definition.addedTokens.allSatisfy(\.isPlain)
        {
            engine = .bert(
                BertFastPath(normalizer: bert, model: wordPiece, added: AddedVocabulary(definition.addedTokens)))
        } else {
            engine = .general(
                TokenizerPipeline(
                    addedTokens: definition.addedTokens, normalizer: definition.normalizer,
                    preTokenizer: definition.preTokenizer, model: definition.model))
        }
        model = definition.model
        postProcessor = definition.postProcessor
        decoder = definition.decoder
        addedTokens = Dictionary(definition.addedTokens.map { ($0.id, $0) }) { first, _ in first }
        modelMaxLength = definition.modelMaxLength
        passesTokenTypeIds = definition.passesTokenTypeIds
        clsTokenId = try id(definition.clsToken, "CLS")
        sepTokenId = try id(definition.sepToken, "SEP")
        // A tokenizer.json without tokenizer_config.json names no padding token: "[PAD]", else "<pad>" (RoBERTa's).
        padTokenId =
            try definition.id(of: definition.padToken) ?? definition.id(of: "<pad>")
            ?? id(definition.padToken, "padding")
    }

    /// The token string of `id` (an added token's text, or the vocabulary entry); nil for an unknown id.
    package func token(for id: Int) -> String? {
        addedTokens[id]?.content ?? model.token(for: id)
    }

    /// The id of the token string `token` (no tokenization: `"##ing"` is looked up as it is); nil when absent.
    package func id(for token: String) -> Int? {
        addedTokens.values.first { $0.content.utf8.elementsEqual(token.utf8) }?.id ?? model.id(for: token)
    }

    /// The ids and offsets of `text` through the BERT fast path, without special tokens (for tests; nil for a
    /// tokenizer that does not run it).
    package func fastTokens(_ text: String) -> [Int]? {
        guard case .bert(let pipeline) = engine else { return nil }
        var sink = OffsetSink()
        pipeline.run(text, into: &sink)
        return zip(sink.ids, sink.offsets).flatMap { [$0, $1.lowerBound, $1.upperBound] }
    }

    /// The ids and offsets of `text` through the BERT fast path's general branch only, its reference (for tests).
    package func generalTokens(_ text: String) -> [Int]? {
        guard case .bert(let pipeline) = engine else { return nil }
        var sink = OffsetSink()
        pipeline.runGeneral(text, into: &sink)
        return zip(sink.ids, sink.offsets).flatMap { [$0, $1.lowerBound, $1.upperBound] }
    }

    /// The tokens of one text before post-processing, with offsets.
    /// - Throws: `TokenizerError.unknownToken` when the model needs an unknown token it has none of.
    func tokens(of text: String) throws -> Encoding {
        switch engine {
        case .bert(let pipeline):
            var sink = OffsetSink()
            pipeline.run(text, into: &sink)
            return Encoding(
                ids: sink.ids, typeIds: Array(repeating: 0, count: sink.ids.count),
                attentionMask: Array(repeating: 1, count: sink.ids.count),
                tokens: sink.ids.map { token(for: $0) ?? "" },
                offsets: sink.offsets)
        case .general(let pipeline):
            return try pipeline.encode(text)
        }
    }

    /// Encodes one text, or a pair, into model inputs.
    /// - Parameters:
    ///   - text: the (first) text.
    ///   - pair: a second text, placed by the post-processor (`[CLS] text [SEP] pair [SEP]` with type ids 0 then 1
    ///     for BERT; `<s> text </s></s> pair </s>` for RoBERTa-style files).
    ///   - addSpecialTokens: add the post-processor's special tokens (true for model inputs).
    ///   - maxLength: the maximum number of tokens, special tokens included; nil for no truncation.
    ///   - truncation: which text loses tokens when there are too many (Hugging Face's strategies).
    /// - Returns: ids, type ids, attention mask (all 1), token strings and offsets, unpadded.
    /// - Throws: `TokenizerError.unknownToken` when the model needs an unknown token it has none of.
    package func encode(
        _ text: String, pair: String? = nil, addSpecialTokens: Bool = true, maxLength: Int? = nil,
        truncation: TruncationStrategy = .longestFirst
    ) throws -> Encoding {
        var sequences = [try tokens(of: text)]
        if let pair { sequences.append(try tokens(of: pair)) }
        if let maxLength {
            let added = addSpecialTokens ? (postProcessor?.addedCount(pair: pair != nil) ?? 0) : 0
            let lengths = Truncation.lengths(
                first: sequences[0].ids.count, second: pair == nil ? nil : sequences[1].ids.count,
                maxLength: maxLength, addedTokens: added, strategy: truncation)
            sequences[0] = Self.prefix(sequences[0], lengths.first)
            if let second = lengths.second { sequences[1] = Self.prefix(sequences[1], second) }
        }
        guard let postProcessor else { return PostProcessor.concatenate(sequences) }
        return postProcessor.process(sequences, addSpecialTokens: addSpecialTokens)
    }

    /// The first `count` tokens of `part`.
    static func prefix(_ part: Encoding, _ count: Int) -> Encoding {
        guard count < part.ids.count else { return part }
        return Encoding(
            ids: Array(part.ids.prefix(count)), typeIds: Array(part.typeIds.prefix(count)),
            attentionMask: Array(part.attentionMask.prefix(count)), tokens: Array(part.tokens.prefix(count)),
            offsets: Array(part.offsets.prefix(count)))
    }

    /// Encodes a batch of texts (or of pairs: `pairs[i]` goes with `texts[i]`) and pads them.
    /// - Parameters: as `encode`, plus `padding`: `.longest` pads to the longest encoding of the batch,
    ///   `.fixed(n)` to `n` tokens (longer ones are kept whole), `.none` leaves them.
    /// - Returns: one encoding per text, in order; padding tokens have id `padTokenId`, type id 0, mask 0.
    /// - Throws: as `encode`.
    /// - Precondition: `pairs` is nil or has as many elements as `texts`.
    package func encodeBatch(
        _ texts: [String], pairs: [String]? = nil, addSpecialTokens: Bool = true, maxLength: Int? = nil,
        truncation: TruncationStrategy = .longestFirst, padding: PaddingStrategy = .longest
    ) throws -> [Encoding] {
        precondition(pairs == nil || pairs?.count == texts.count, "pairs must have one element per text")
        var encodings = try texts.indices.map {
            try encode(
                texts[$0], pair: pairs?[$0], addSpecialTokens: addSpecialTokens, maxLength: maxLength,
                truncation: truncation)
        }
        let target: Int
        switch padding {
        case .none: return encodings
        case .longest: target = encodings.map(\.count).max() ?? 0
        case .fixed(let length): target = length
        }
        let padToken = token(for: padTokenId) ?? ""
        for index in encodings.indices { encodings[index].pad(to: target, id: padTokenId, token: padToken) }
        return encodings
    }

    /// The ids of one text with its special tokens, truncated to `maxLength` tokens (special tokens included), as
    /// `encode(text, maxLength:).ids` but faster: no token strings and no offsets.
    /// - Throws: as `encode`.
    package func encodeIds(_ text: String, maxLength: Int? = nil) throws -> [Int] {
        var content = try contentIds(text)
        guard let template = postProcessor?.template else {
            if let maxLength, content.count > maxLength { return Array(content.prefix(maxLength)) }
            return content
        }
        if let maxLength {
            let lengths = Truncation.lengths(
                first: content.count, second: nil, maxLength: maxLength,
                addedTokens: template.addedCount(pair: false), strategy: .longestFirst)
            if lengths.first < content.count { content.removeSubrange(lengths.first...) }
        }
        var ids: [Int] = []
        ids.reserveCapacity(content.count + 2)
        for piece in template.single {
            switch piece {
            case .sequence: ids += content
            case .special(let specialIds, _, _): ids += specialIds
            }
        }
        return ids
    }

    /// The ids of one text before post-processing (no special tokens, no truncation): `encode(text,
    /// addSpecialTokens: false).ids`, without token strings and offsets.
    /// - Throws: as `encode`.
    package func contentIds(_ text: String) throws -> [Int] {
        switch engine {
        case .bert(let pipeline):
            var sink = IdSink()
            sink.ids.reserveCapacity(text.utf8.count / 3 + 4)
            pipeline.run(text, into: &sink)
            return sink.ids
        case .general(let pipeline):
            return try pipeline.encodeIds(text)
        }
    }

    /// The special token ids the post-processor puts before and after one text (`[CLS]` and `[SEP]` for BERT, none
    /// without a template): `encodeIds(text)` is `before + the text's tokens + after`. Nil when the single-text
    /// template does not hold the text exactly once.
    package var singleTextSpecials: (before: [Int], after: [Int])? {
        guard let template = postProcessor?.template else { return ([], []) }
        let pieces = template.single
        let sequences = pieces.indices.filter { if case .sequence = pieces[$0] { return true } else { return false } }
        guard sequences.count == 1, let at = sequences.first else { return nil }
        func ids(_ part: ArraySlice<TemplateProcessing.Piece>) -> [Int] {
            part.flatMap { piece -> [Int] in
                if case .special(let ids, _, _) = piece { return ids }
                return []
            }
        }
        return (ids(pieces[..<at]), ids(pieces[(at + 1)...]))
    }

    /// The special tokens the post-processor adds to one text or to a pair: `encode(text, pair:).ids.count` before
    /// truncation is `contentIds(text).count + contentIds(pair).count + addedTokenCount(pair: true)`.
    package func addedTokenCount(pair: Bool) -> Int { postProcessor?.addedCount(pair: pair) ?? 0 }

    /// Turns ids back into text with the file's decoder, as Hugging Face's `decode` (without a decoder, tokens are
    /// joined with spaces). Ids outside the vocabulary are skipped.
    /// - Parameter skipSpecialTokens: leave out the special added tokens (`[CLS]`, `</s>`, `<pad>`, ...).
    package func decode(_ ids: [Int], skipSpecialTokens: Bool = true) -> String {
        let tokens = ids.compactMap { id -> String? in
            if skipSpecialTokens && addedTokens[id]?.special == true { return nil }
            return token(for: id)
        }
        guard let decoder else { return tokens.joined(separator: " ") }
        return decoder.decode(tokens).joined()
    }
}
