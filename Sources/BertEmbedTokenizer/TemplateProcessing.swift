// Ports tokenizers' processors::template::TemplateProcessing (and BertProcessing, one of its templates):
// where the special tokens go around one or two sequences, and which type id each part gets.

/// The post-processor: `[CLS] $A [SEP]` for one text, `[CLS] $A [SEP] $B [SEP]` with type ids 0/1 for a pair.
package struct TemplateProcessing: Sendable, Equatable {
    /// One element of a template.
    package enum Piece: Sendable, Equatable {
        /// The tokens of sequence A (0) or B (1), all with `typeId`.
        case sequence(index: Int, typeId: Int)
        /// A special token (ids and token strings) with `typeId`.
        case special(ids: [Int], tokens: [String], typeId: Int)
    }

    /// The template for a single text.
    package var single: [Piece]
    /// The template for a pair.
    package var pair: [Piece]

    /// A template from its pieces.
    package init(single: [Piece], pair: [Piece]) {
        self.single = single
        self.pair = pair
    }

    /// BERT's template with these `[CLS]` and `[SEP]` tokens.
    package static func bert(cls: (String, Int), sep: (String, Int)) -> TemplateProcessing {
        let c = Piece.special(ids: [cls.1], tokens: [cls.0], typeId: 0)
        return TemplateProcessing(
            single: [c, .sequence(index: 0, typeId: 0), .special(ids: [sep.1], tokens: [sep.0], typeId: 0)],
            pair: [
                c, .sequence(index: 0, typeId: 0), .special(ids: [sep.1], tokens: [sep.0], typeId: 0),
                .sequence(index: 1, typeId: 1), .special(ids: [sep.1], tokens: [sep.0], typeId: 1),
            ])
    }

    /// The number of special tokens the template adds for one text (`pair == false`) or two.
    package func addedCount(pair isPair: Bool) -> Int {
        (isPair ? pair : single).reduce(0) { total, piece in
            if case .special(let ids, _, _) = piece { return total + ids.count }
            return total
        }
    }

    /// Assembles the final encoding from the token sequences (`sequences.count` is 1 or 2).
    /// Without special tokens, the sequences keep the template's order and type ids, as in Hugging Face.
    package func apply(_ sequences: [Encoding], addSpecialTokens: Bool) -> Encoding {
        var result = Encoding(ids: [], typeIds: [], attentionMask: [], tokens: [], offsets: [])
        for piece in sequences.count == 2 ? pair : single {
            switch piece {
            case .sequence(let index, let typeId):
                guard index < sequences.count else { continue }
                let part = sequences[index]
                result.ids += part.ids
                result.typeIds += repeatElement(typeId, count: part.ids.count)
                result.attentionMask += repeatElement(1, count: part.ids.count)
                result.tokens += part.tokens
                result.offsets += part.offsets
            case .special(let ids, let tokens, let typeId):
                guard addSpecialTokens else { continue }
                result.ids += ids
                result.typeIds += repeatElement(typeId, count: ids.count)
                result.attentionMask += repeatElement(1, count: ids.count)
                result.tokens += tokens
                result.offsets += repeatElement(0..<0, count: ids.count)
            }
        }
        return result
    }
}
