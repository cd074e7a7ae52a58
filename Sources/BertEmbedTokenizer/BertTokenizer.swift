// The tokenizer: Hugging Face's BertTokenizerFast (tokenizers' BERT pipeline) in pure Swift.
import Foundation

/// A BERT WordPiece tokenizer giving the same ids, type ids and offsets as Hugging Face's `tokenizers`.
///
/// Loads from a model folder. When the folder has `tokenizer.json` it defines the pipeline (as
/// `tokenizers.Tokenizer.from_file` and transformers' fast tokenizers use it); otherwise `vocab.txt` with
/// `tokenizer_config.json` (`do_lower_case`, `strip_accents`, `tokenize_chinese_chars`, special tokens) does, as in
/// transformers' `BertTokenizer`. `tokenizer_config.json` also gives `modelMaxLength`. Both routes give the same ids
/// for the same settings. Immutable and `Sendable`: share one instance between threads.
package struct BertTokenizer: Sendable {
    let pipeline: TokenizationPipeline
    let template: TemplateProcessing?
    let decoder: WordPieceDecoder
    /// Token string by id: added tokens over the vocabulary.
    let tokenStrings: [String?]

    /// The maximum sequence length of the model (`model_max_length`), nil when the files set none.
    package let modelMaxLength: Int?
    /// Id of the classification token (`[CLS]`), first of every encoding.
    package let clsTokenId: Int
    /// Id of the separator token (`[SEP]`), after each text.
    package let sepTokenId: Int
    /// Id of the padding token (`[PAD]`).
    package let padTokenId: Int
    /// Id of the unknown token (`[UNK]`).
    package let unkTokenId: Int
    /// The number of entries of the WordPiece vocabulary (the model's embedding rows; Hugging Face's `vocab_size`).
    package var vocabularySize: Int { pipeline.model.count }

    /// Loads the tokenizer of the model folder `directory`.
    /// - Throws: `TokenizerError` when the files are missing, unreadable, not UTF-8, not valid JSON, lack the
    ///   unknown/CLS/SEP/padding token, or ask for a component this BERT tokenizer does not implement.
    package init(directory: URL) throws {
        try self.init(directory: directory, lowercasingFirst: false)
    }

    /// Loads the tokenizer of `directory`; with `lowercasingFirst`, tokenizers' `Lowercase` normalizer runs before
    /// the folder's, as sentence-transformers 6 sets it up for `do_lower_case` (see `BertNormalizer.lowercasingFirst`).
    package init(directory: URL, lowercasingFirst: Bool) throws {
        var definition: TokenizerDefinition
        if FileManager.default.fileExists(atPath: directory.appendingPathComponent("tokenizer.json").path) {
            definition = try .fromTokenizerJSON(directory: directory)
        } else if FileManager.default.fileExists(atPath: directory.appendingPathComponent("vocab.txt").path) {
            definition = try .fromVocabularyFile(directory: directory)
        } else {
            throw TokenizerError.missingFiles(directory: directory.path)
        }
        if lowercasingFirst { definition.normalizer = definition.normalizer.lowercasingFirst }
        try self.init(definition: definition)
    }

    /// A tokenizer from a parsed definition (checks that the tokens it needs exist).
    package init(definition: TokenizerDefinition) throws {
        let path = definition.vocabularyPath
        guard let unknownId = definition.vocabulary[definition.unknownToken] else {
            throw TokenizerError.missingToken(path: path, token: definition.unknownToken, role: "unknown")
        }
        func id(_ token: String, _ role: String) throws -> Int {
            guard let id = definition.id(of: token) else {
                throw TokenizerError.missingToken(path: path, token: token, role: role)
            }
            return id
        }
        let model = WordPiece(
            vocabulary: definition.vocabulary, unknownId: unknownId,
            continuingSubwordPrefix: definition.continuingSubwordPrefix,
            maxInputCharsPerWord: definition.maxInputCharsPerWord)
        pipeline = TokenizationPipeline(
            normalizer: definition.normalizer, model: model,
            added: AddedVocabulary(definition.addedTokens))
        var strings = model.tokens
        for token in definition.addedTokens where token.id >= 0 {
            if token.id >= strings.count { strings += Array(repeating: nil, count: token.id + 1 - strings.count) }
            strings[token.id] = token.content
        }
        tokenStrings = strings
        template = definition.template
        decoder = definition.decoder
        modelMaxLength = definition.modelMaxLength
        unkTokenId = model.unknownId
        clsTokenId = try id(definition.clsToken, "CLS")
        sepTokenId = try id(definition.sepToken, "SEP")
        padTokenId = try id(definition.padToken, "padding")
    }

    /// The token string of `id` (an added token's text, or the vocabulary entry); nil for an unknown id.
    package func token(for id: Int) -> String? {
        id >= 0 && id < tokenStrings.count ? tokenStrings[id] : nil
    }

    /// The id of the token string `token` (no tokenization: `"##ing"` is looked up as it is); nil when absent.
    package func id(for token: String) -> Int? {
        pipeline.added.tokens.first { $0.content.utf8.elementsEqual(token.utf8) }?.id ?? pipeline.model.id(for: token)
    }

    /// The ids and offsets of `text` through the fast (ASCII-aware) path, without special tokens (for tests).
    package func fastTokens(_ text: String) -> [Int] {
        var sink = OffsetSink()
        pipeline.run(text, into: &sink)
        return zip(sink.ids, sink.offsets).flatMap { [$0, $1.lowerBound, $1.upperBound] }
    }

    /// The ids and offsets of `text` through the general path only, the reference of the fast path (for tests).
    package func generalTokens(_ text: String) -> [Int] {
        var sink = OffsetSink()
        pipeline.runGeneral(text, into: &sink)
        return zip(sink.ids, sink.offsets).flatMap { [$0, $1.lowerBound, $1.upperBound] }
    }

    /// The tokens of one text before post-processing, with offsets.
    func tokens(of text: String) -> Encoding {
        var sink = OffsetSink()
        pipeline.run(text, into: &sink)
        return Encoding(
            ids: sink.ids, typeIds: [], attentionMask: [], tokens: sink.ids.map { token(for: $0) ?? "" },
            offsets: sink.offsets)
    }

    /// Encodes one text, or a pair, into model inputs.
    /// - Parameters:
    ///   - text: the (first) text.
    ///   - pair: a second text: the result is `[CLS] text [SEP] pair [SEP]` with type ids 0 then 1.
    ///   - addSpecialTokens: add `[CLS]`/`[SEP]` (true for model inputs).
    ///   - maxLength: the maximum number of tokens, special tokens included; nil for no truncation.
    ///   - truncation: which text loses tokens when there are too many (Hugging Face's strategies).
    /// - Returns: ids, type ids, attention mask (all 1), token strings and offsets, unpadded.
    package func encode(
        _ text: String, pair: String? = nil, addSpecialTokens: Bool = true, maxLength: Int? = nil,
        truncation: TruncationStrategy = .longestFirst
    ) -> Encoding {
        var sequences = [tokens(of: text)]
        if let pair { sequences.append(tokens(of: pair)) }
        if let maxLength {
            let added = addSpecialTokens ? (template?.addedCount(pair: pair != nil) ?? 0) : 0
            let lengths = Truncation.lengths(
                first: sequences[0].ids.count, second: pair == nil ? nil : sequences[1].ids.count,
                maxLength: maxLength, addedTokens: added, strategy: truncation)
            sequences[0] = Self.prefix(sequences[0], lengths.first)
            if let second = lengths.second { sequences[1] = Self.prefix(sequences[1], second) }
        }
        guard let template else {
            let all = sequences.enumerated().map { index, part in
                Encoding(
                    ids: part.ids, typeIds: Array(repeating: index, count: part.ids.count),
                    attentionMask: Array(repeating: 1, count: part.ids.count), tokens: part.tokens,
                    offsets: part.offsets)
            }
            return all.dropFirst().reduce(all[0]) { a, b in
                Encoding(
                    ids: a.ids + b.ids, typeIds: a.typeIds + b.typeIds,
                    attentionMask: a.attentionMask + b.attentionMask,
                    tokens: a.tokens + b.tokens, offsets: a.offsets + b.offsets)
            }
        }
        return template.apply(sequences, addSpecialTokens: addSpecialTokens)
    }

    /// The first `count` tokens of `part`.
    static func prefix(_ part: Encoding, _ count: Int) -> Encoding {
        guard count < part.ids.count else { return part }
        return Encoding(
            ids: Array(part.ids.prefix(count)), typeIds: [], attentionMask: [],
            tokens: Array(part.tokens.prefix(count)), offsets: Array(part.offsets.prefix(count)))
    }

    /// Encodes a batch of texts (or of pairs: `pairs[i]` goes with `texts[i]`) and pads them.
    /// - Parameters: as `encode`, plus `padding`: `.longest` pads to the longest encoding of the batch,
    ///   `.fixed(n)` to `n` tokens (longer ones are kept whole), `.none` leaves them.
    /// - Returns: one encoding per text, in order; padding tokens have id `padTokenId`, type id 0, mask 0.
    /// - Precondition: `pairs` is nil or has as many elements as `texts`.
    package func encodeBatch(
        _ texts: [String], pairs: [String]? = nil, addSpecialTokens: Bool = true, maxLength: Int? = nil,
        truncation: TruncationStrategy = .longestFirst, padding: PaddingStrategy = .longest
    ) -> [Encoding] {
        precondition(pairs == nil || pairs?.count == texts.count, "pairs must have one element per text")
        var encodings = texts.indices.map {
            encode(
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

    /// The ids of one text with `[CLS]`/`[SEP]`, truncated to `maxLength` tokens (special tokens included), as
    /// `encode(text, maxLength:).ids` but faster: no token strings and no offsets.
    package func encodeIds(_ text: String, maxLength: Int? = nil) -> [Int] {
        var sink = IdSink()
        sink.ids.reserveCapacity(text.utf8.count / 3 + 4)
        pipeline.run(text, into: &sink)
        guard let template else {
            if let maxLength, sink.ids.count > maxLength { return Array(sink.ids.prefix(maxLength)) }
            return sink.ids
        }
        var content = sink.ids
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

    /// Turns ids back into text with the WordPiece decoder (as Hugging Face's `decode`): pieces joined, `##` removed,
    /// spaces before punctuation cleaned up. Ids outside the vocabulary are skipped.
    /// - Parameter skipSpecialTokens: leave out `[CLS]`, `[SEP]`, `[PAD]` and the other special tokens.
    package func decode(_ ids: [Int], skipSpecialTokens: Bool = true) -> String {
        let tokens = ids.compactMap { id -> String? in
            if skipSpecialTokens && pipeline.added.specialIds.contains(id) { return nil }
            return token(for: id)
        }
        return decoder.decode(tokens)
    }
}
