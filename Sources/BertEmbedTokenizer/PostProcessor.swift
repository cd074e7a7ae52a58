// Ports tokenizers' post-processors (processors/): where the special tokens go and which type ids the parts get
// (TemplateProcessing, BertProcessing, RobertaProcessing), the offset trimming of byte-level tokenizers
// (RobertaProcessing's and ByteLevel's `trim_offsets`, pre_tokenizers/byte_level.rs `process_offsets`), and a
// Sequence of them.

/// What the tokenizer does to the token sequences of one text or a pair after the model.
package indirect enum PostProcessor: Sendable {
    /// TemplateProcessing (BertProcessing is the template `[CLS] $A [SEP] $B:1 [SEP]:1`).
    case template(TemplateProcessing)
    /// RobertaProcessing: `<s> A </s>` and `<s> A </s></s> B </s>`, every type id 0 (also without special tokens),
    /// offsets trimmed first when `trimOffsets`.
    case roberta(TemplateProcessing, trimOffsets: Bool, addPrefixSpace: Bool)
    /// The ByteLevel post-processor: offsets trimmed when `trimOffsets`, nothing added.
    case byteLevel(trimOffsets: Bool, addPrefixSpace: Bool)
    /// Several, in order.
    case sequence([PostProcessor])

    /// RobertaProcessing's template for `cls` and `sep` (token, id).
    package static func roberta(
        cls: (String, Int), sep: (String, Int), trimOffsets: Bool, addPrefixSpace: Bool
    )
        -> PostProcessor
    {
        let c = TemplateProcessing.Piece.special(ids: [cls.1], tokens: [cls.0], typeId: 0)
        let s = TemplateProcessing.Piece.special(ids: [sep.1], tokens: [sep.0], typeId: 0)
        let template = TemplateProcessing(
            single: [c, .sequence(index: 0, typeId: 0), s],
            pair: [c, .sequence(index: 0, typeId: 0), s, s, .sequence(index: 1, typeId: 0), s])
        return .roberta(template, trimOffsets: trimOffsets, addPrefixSpace: addPrefixSpace)
    }

    /// The template that places the special tokens, if any (the last one of a sequence).
    package var template: TemplateProcessing? {
        switch self {
        case .template(let template), .roberta(let template, _, _): return template
        case .byteLevel: return nil
        case .sequence(let processors): return processors.compactMap(\.template).last
        }
    }

    /// The number of special tokens added to one text (`pair` false) or a pair.
    package func addedCount(pair: Bool) -> Int { template?.addedCount(pair: pair) ?? 0 }

    /// The final encoding of `sequences` (one or two, before special tokens): offsets trimmed where asked, special
    /// tokens placed when `addSpecialTokens` (without them the sequences keep the template's order and type ids).
    package func process(_ sequences: [Encoding], addSpecialTokens: Bool) -> Encoding {
        var parts = sequences
        trimOffsets(&parts)
        guard let template else { return Self.concatenate(parts) }
        var result = template.apply(parts, addSpecialTokens: addSpecialTokens)
        if case .roberta = self { result.typeIds = Array(repeating: 0, count: result.ids.count) }
        return result
    }

    /// Trims the offsets of each sequence as the byte-level processors in this chain ask.
    private func trimOffsets(_ parts: inout [Encoding]) {
        switch self {
        case .template: break
        case .roberta(_, let trim, let addPrefixSpace), .byteLevel(let trim, let addPrefixSpace):
            guard trim else { return }
            for index in parts.indices {
                parts[index].offsets = ByteLevelOffsetTrimming.trim(
                    tokens: parts[index].tokens, offsets: parts[index].offsets, addPrefixSpace: addPrefixSpace)
            }
        case .sequence(let processors):
            for processor in processors { processor.trimOffsets(&parts) }
        }
    }

    /// Sequences joined as they are (no template).
    static func concatenate(_ parts: [Encoding]) -> Encoding {
        var result = Encoding(ids: [], typeIds: [], attentionMask: [], tokens: [], offsets: [])
        for (index, part) in parts.enumerated() {
            result.ids += part.ids
            result.typeIds += Array(repeating: index, count: part.ids.count)
            result.attentionMask += Array(repeating: 1, count: part.ids.count)
            result.tokens += part.tokens
            result.offsets += part.offsets
        }
        return result
    }
}
