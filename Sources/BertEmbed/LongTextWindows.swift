// Texts longer than the model's positions as overlapping windows (`LongTextHandling.slidingWindowMean`): the windows'
// token ids, and the mean of their vectors.

/// Sliding windows over the tokens of long texts.
enum LongTextWindows {
    /// The windows of each text: `[CLS]` + prompt + a slice of the text's tokens + `[SEP]`, slices starting every
    /// `stride` tokens until one reaches the end. One array of windows per text, in text order.
    /// - Throws: `EmbeddingError.invalidOption` for a size outside 3...positions, a size that leaves no room after
    ///   the prompt, or a stride outside 1...(the window's room for text).
    static func tokenIds(
        _ texts: [String], size: Int, stride: Int, inputs: EncoderInputs, options: EncodeOptions
    ) throws -> [[[Int]]] {
        guard size >= 3 && size <= inputs.positions else {
            throw EmbeddingError.invalidOption("window size must be in 3...\(inputs.positions), got \(size)")
        }
        let tokenizer = inputs.tokenizer
        // [CLS] + prompt tokens: the prompt's own encoding without its [SEP].
        let head = Array(try tokenizer.encodeIds(try inputs.prompt(options).text).dropLast())
        let room = size - head.count - 1
        guard room >= 1 else {
            throw EmbeddingError.invalidOption("window size \(size) leaves no room for text after the prompt")
        }
        guard stride >= 1 && stride <= room else {
            throw EmbeddingError.invalidOption("window stride must be in 1...\(room), got \(stride)")
        }
        let sep = tokenizer.sepTokenId
        return try texts.map { text in
            let ids = Array(try tokenizer.encodeIds(text).dropFirst().dropLast())
            var windows: [[Int]] = []
            var start = 0
            repeat {
                let end = min(start + room, ids.count)
                windows.append(head + ids[start..<end] + [sep])
                if end == ids.count { break }
                start += stride
            } while true
            return windows
        }
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
