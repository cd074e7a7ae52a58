// Texts longer than the model's positions as overlapping windows (`LongTextHandling.slidingWindowMean`): the windows'
// token ids, and the mean of their vectors.

/// Sliding windows over the tokens of long texts.
enum LongTextWindows {
    /// The windows of each text: the special tokens before a text (`[CLS]`) + prompt + a slice of the text's tokens
    /// + the special tokens after it (`[SEP]`), as the tokenizer's post-processor places them; slices starting every
    /// `stride` tokens until one reaches the end. One array of windows per text, in text order.
    /// - Throws: `EmbeddingError.invalidOption` for a size outside 3...positions, a size that leaves no room after
    ///   the prompt, a stride outside 1...(the window's room for text), or a tokenizer whose post-processor does not
    ///   hold a text once.
    static func tokenIds(
        _ texts: [String], size: Int, stride: Int, inputs: EncoderInputs, options: EncodeOptions
    ) throws -> [[[Int]]] {
        guard size >= 3 && size <= inputs.positions else {
            throw EmbeddingError.invalidOption("window size must be in 3...\(inputs.positions), got \(size)")
        }
        let tokenizer = inputs.tokenizer
        guard let specials = tokenizer.singleTextSpecials else {
            throw EmbeddingError.invalidOption(
                "sliding windows need a tokenizer whose post-processor template holds the text once; this tokenizer's "
                    + "single template does not")
        }
        // Special tokens + prompt tokens: the prompt's own encoding without the specials after it.
        let head = Array(try tokenizer.encodeIds(try inputs.prompt(options).text).dropLast(specials.after.count))
        let room = size - head.count - specials.after.count
        guard room >= 1 else {
            throw EmbeddingError.invalidOption("window size \(size) leaves no room for text after the prompt")
        }
        guard stride >= 1 && stride <= room else {
            throw EmbeddingError.invalidOption("window stride must be in 1...\(room), got \(stride)")
        }
        return try texts.map { text in
            let ids = Array(
                try tokenizer.encodeIds(text).dropFirst(specials.before.count).dropLast(specials.after.count))
            var windows: [[Int]] = []
            var start = 0
            repeat {
                let end = min(start + room, ids.count)
                windows.append(head + ids[start..<end] + specials.after)
                if end == ids.count { break }
                start += stride
            } while true
            return windows
        }
    }

    /// `options` with its progress counted in texts (as `EncodeOptions.progress` says) over `texts` texts, for an
    /// encode of their windows: windows done scaled to the texts.
    static func progressInTexts(_ options: EncodeOptions, texts: Int) -> EncodeOptions {
        guard let progress = options.progress else { return options }
        var scaled = options
        scaled.progress = { done, total in progress(total > 0 ? done * texts / total : texts, texts) }
        return scaled
    }

    /// The element-wise mean of one text's window vectors, scaled to unit length when `normalize`.
    static func mean(_ vectors: ArraySlice<[Float]>, normalize: Bool) -> [Float] {
        var mean = [Float](repeating: 0, count: vectors.first?.count ?? 0)
        for vector in vectors {
            for d in mean.indices { mean[d] += vector[d] }
        }
        for d in mean.indices { mean[d] /= Float(vectors.count) }
        if normalize { normalizeL2(&mean) }
        return mean
    }
}
