// Computes a `Pooling` over one sequence's rows (ports sentence-transformers' Pooling.forward, mask-exact).
import BertEmbedModel

extension Pooling {
    /// The hidden-state indices (0...layerCount) this strategy reads, and whether it needs the pooler output.
    func request(layerCount: Int) throws -> BertOutputRequest {
        switch source {
        case .poolerOutput: return BertOutputRequest(hiddenStates: [], pooler: true)
        case .layers(let layers, _, _):
            return BertOutputRequest(
                hiddenStates: Set(try layers.map { try Pooling.resolve($0, layerCount: layerCount) }))
        }
    }

    /// A layer index, negative counting from the end, as an index into 0...layerCount.
    static func resolve(_ layer: Int, layerCount: Int) throws -> Int {
        let index = layer < 0 ? layerCount + 1 + layer : layer
        guard index >= 0 && index <= layerCount else {
            throw EmbeddingError.invalidOption(
                "pooling reads layer \(layer), but the model has hidden states 0...\(layerCount) (or -\(layerCount + 1)...-1)"
            )
        }
        return index
    }

    /// The pooled vector of sequence `s` of `output`.
    ///
    /// - Parameter firstPooledToken: tokens before this row of the sequence are excluded from pooling
    ///   (sentence-transformers' `include_prompt: false`): `cls` then reads the first token after the prompt,
    ///   as sentence-transformers 6 takes the first unmasked position.
    func pool(_ output: BertBatchOutput, sequence s: Int, layerCount: Int, firstPooledToken: Int = 0) throws -> [Float]
    {
        let h = output.hiddenSize
        switch source {
        case .poolerOutput:
            return Array(output.pooled[(s * h)..<((s + 1) * h)])
        case .layers(let layers, let combination, let tokens):
            let indices = try layers.map { try Pooling.resolve($0, layerCount: layerCount) }
            let length = output.sequences[s].count
            let width = combination == .concat ? indices.count * h : h
            // Combined token vectors (length, width).
            var combined = [Float](repeating: 0, count: length * width)
            for (k, layer) in indices.enumerated() {
                let rows = output.hiddenState(layer: layer, sequence: s)
                var source = rows.startIndex
                for t in 0..<length {
                    let base = t * width + (combination == .concat ? k * h : 0)
                    for c in 0..<h {
                        combined[base + c] += rows[source + c]
                    }
                    source += h
                }
            }
            if combination == .mean && indices.count > 1 {
                let scale = 1 / Float(indices.count)
                for i in combined.indices { combined[i] *= scale }
            }
            var result: [Float] = []
            result.reserveCapacity(width * tokens.count)
            for mode in tokens {
                result += TokenPooling.apply(
                    mode, combined, length: length, width: width, first: Swift.min(firstPooledToken, length))
            }
            return result
        }
    }
}

extension TokenPooling {
    /// Pools `tokens` (length, width) row-major over rows first..<length, as sentence-transformers' Pooling does
    /// with the rows before `first` masked out: `cls` reads row `first` (row 0 when every row is masked, torch's
    /// argmax of an all-zero mask), `lastToken` the last row (zeros when every row is masked), `max` gives -inf
    /// when every row is masked, and the means divide by at least 1e-9.
    static func apply(_ mode: TokenPooling, _ tokens: [Float], length: Int, width: Int, first: Int) -> [Float] {
        var out = [Float](repeating: 0, count: width)
        let count = length - first
        switch mode {
        case .cls:
            let row = first < length ? first : 0
            if length > 0 { out = Array(tokens[(row * width)..<((row + 1) * width)]) }
        case .lastToken:
            if count > 0 { out = Array(tokens[((length - 1) * width)..<(length * width)]) }
        case .max:
            // sentence-transformers fills masked positions with -inf before the maximum.
            out = [Float](repeating: -.infinity, count: width)
            for t in first..<length {
                for c in 0..<width { out[c] = Swift.max(out[c], tokens[t * width + c]) }
            }
        case .mean, .meanSqrtLen:
            for t in first..<length {
                for c in 0..<width { out[c] += tokens[t * width + c] }
            }
            // The reference divides by clamp(count, min: 1e-9).
            let clamped = Swift.max(Float(count), 1e-9)
            let divisor = mode == .mean ? clamped : clamped.squareRoot()
            for c in 0..<width { out[c] /= divisor }
        case .weightedMean:
            var weightSum: Float = 0
            for t in first..<length {
                let weight = Float(t + 1)
                weightSum += weight
                for c in 0..<width { out[c] += weight * tokens[t * width + c] }
            }
            let divisor = Swift.max(weightSum, 1e-9)
            for c in 0..<width { out[c] /= divisor }
        }
        return out
    }
}
