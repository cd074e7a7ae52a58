// Ports the small pre-tokenizers of tokenizers (pre_tokenizers/sequence.rs, whitespace.rs): each splits a
// NormalizedText into words the way tokenizers' pre-tokenizer of the same name does.

/// `Sequence`: each pre-tokenizer splits the words of the one before.
package struct SequencePreTokenizer: PreTokenizer {
    /// The pre-tokenizers.
    package let preTokenizers: [any PreTokenizer]
    /// Runs `preTokenizers` in order.
    package init(_ preTokenizers: [any PreTokenizer]) { self.preTokenizers = preTokenizers }
    /// The words after every stage.
    package func split(_ text: NormalizedText) -> [NormalizedText] {
        preTokenizers.reduce([text]) { words, stage in words.flatMap { stage.split($0) }.filter { !$0.isEmpty } }
    }
}

/// `WhitespaceSplit`: words between runs of White_Space.
package struct WhitespaceSplitPreTokenizer: RangePreTokenizer {
    /// The pre-tokenizer.
    package init() {}
    /// Splits at whitespace, dropping it.
    package func wordRanges(_ text: inout NormalizedText) -> [Range<Int>] {
        var words: [Range<Int>] = []
        var start = 0
        for (index, scalar) in text.scalars.enumerated() where WhiteSpace.contains(scalar) {
            if start < index { words.append(start..<index) }
            start = index + 1
        }
        if start < text.scalars.count { words.append(start..<text.scalars.count) }
        return words
    }
}

/// `Whitespace`: the matches of `\w+|[^\w\s]+` (Rust regex, Unicode classes): runs of word characters and runs of
/// other non-space characters; whitespace is dropped.
package struct WhitespacePreTokenizer: RangePreTokenizer {
    /// The pre-tokenizer.
    package init() {}
    /// The runs of `text`.
    package func wordRanges(_ text: inout NormalizedText) -> [Range<Int>] {
        var runs: [Range<Int>] = []
        var start = 0
        func kind(_ scalar: Unicode.Scalar) -> Int {
            WhiteSpace.contains(scalar) ? 0 : AddedTokenSplitter.isWordCharacter(scalar) ? 1 : 2
        }
        while start < text.scalars.count {
            let k = kind(text.scalars[start])
            var end = start + 1
            while end < text.scalars.count && kind(text.scalars[end]) == k { end += 1 }
            if k != 0 { runs.append(start..<end) }
            start = end
        }
        return runs
    }
}
