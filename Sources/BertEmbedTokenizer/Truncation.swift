// Ports tokenizers' utils::truncation::truncate_encodings (stride 0, from the right) and how Tokenizer::post_process
// subtracts the special tokens from the maximum length.

/// The lengths to which one or two token sequences are cut, as Hugging Face computes them.
package enum Truncation {
    /// The lengths `(first, second)` after truncating sequences of `first` and `second` tokens (second nil for a
    /// single text) so the final encoding, with `addedTokens` special tokens, has at most `maxLength` tokens.
    ///
    /// Hugging Face's corner cases, kept: when `maxLength` is below the number of special tokens nothing is cut;
    /// when it equals it, both sequences become empty. Where Hugging Face raises an error (`onlyFirst`/`onlySecond`
    /// when that sequence is too short, `onlySecond` without a second text) nothing is cut, as transformers' Python
    /// tokenizers did (they logged the error and returned the input unchanged).
    package static func lengths(
        first: Int, second: Int?, maxLength: Int, addedTokens: Int,
        strategy: TruncationStrategy
    ) -> (first: Int, second: Int?) {
        let unchanged = (first, second)
        guard maxLength >= addedTokens else { return unchanged }
        let limit = maxLength - addedTokens
        if limit == 0 { return (0, second.map { _ in 0 }) }
        let total = first + (second ?? 0)
        guard total > limit else { return unchanged }
        let toRemove = total - limit
        switch strategy {
        case .longestFirst:
            guard let second else { return (first - toRemove, nil) }
            var n1 = first, n2 = second
            let swapped = n1 > n2
            if swapped { swap(&n1, &n2) }
            // n1 is now the shorter one.
            n2 = n1 > limit ? n1 : max(n1, limit - n1)
            if n1 + n2 > limit {
                n1 = limit / 2
                n2 = n1 + limit % 2
            }
            if swapped { swap(&n1, &n2) }
            return (min(first, n1), min(second, n2))
        case .onlyFirst:
            guard first > toRemove else { return unchanged }
            return (first - toRemove, second)
        case .onlySecond:
            guard let second, second > toRemove else { return unchanged }
            return (first, second - toRemove)
        }
    }
}
