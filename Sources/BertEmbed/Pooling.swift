// Pooling strategies: how one sentence vector is made from BERT's per-token hidden states.

/// How token vectors are reduced to one vector. Padding never enters: only a sentence's real tokens are pooled.
public enum TokenPooling: String, Sendable, Hashable, CaseIterable {
    /// The first token's (`[CLS]`) vector.
    case cls
    /// Element-wise maximum over the tokens.
    case max
    /// Mean over the tokens.
    case mean
    /// Sum over the tokens divided by the square root of their count.
    case meanSqrtLen
    /// Mean weighted by position: token i (1-based, `[CLS]` is 1) has weight i.
    case weightedMean
    /// The last token's vector (`[SEP]` for BERT inputs).
    case lastToken
}

/// How several hidden layers are combined per token before pooling.
public enum LayerCombination: String, Sendable, Hashable {
    /// Layers side by side, in the order given (width: layers x hidden size).
    case concat
    /// Element-wise sum.
    case sum
    /// Element-wise mean.
    case mean
}

/// A pooling strategy: which hidden layers, how they are combined, and how tokens are pooled.
///
/// Layer indices follow transformers' `hidden_states`: 0 is the embedding layer's output, 1...N the encoder
/// layers; negative indices count from the end (-1 is the last layer, -2 the second to last).
/// Several token poolings are concatenated in the order given (sentence-transformers' order for its own modes).
public struct Pooling: Sendable, Hashable, CustomStringConvertible {
    enum Source: Sendable, Hashable {
        case layers([Int], LayerCombination, [TokenPooling])
        case poolerOutput
    }

    let source: Source

    /// Hidden layers to read, combined, then pooled by each of `tokens` (results concatenated).
    public init(layers: [Int], combination: LayerCombination = .concat, tokens: [TokenPooling]) {
        source = .layers(layers, combination, tokens)
    }

    /// Token poolings of the last layer, concatenated (sentence-transformers' Pooling module).
    public init(tokens: [TokenPooling]) {
        self.init(layers: [-1], tokens: tokens)
    }

    private init(source: Source) {
        self.source = source
    }

    /// The raw hidden state of `[CLS]` in the last layer.
    public static let cls = Pooling(tokens: [.cls])
    /// BERT's pooled output: dense + tanh on `[CLS]` (a next-sentence-prediction head, not a token pooling).
    public static let pooler = Pooling(source: .poolerOutput)
    /// Mean of the last layer's token vectors (what sentence-transformers models are trained for).
    public static let mean = Pooling(tokens: [.mean])
    /// Element-wise maximum of the last layer's token vectors.
    public static let max = Pooling(tokens: [.max])
    /// Sum of the last layer's token vectors divided by the square root of the token count.
    public static let meanSqrtLen = Pooling(tokens: [.meanSqrtLen])
    /// Position-weighted mean of the last layer's token vectors.
    public static let weightedMean = Pooling(tokens: [.weightedMean])
    /// The last token's vector in the last layer.
    public static let lastToken = Pooling(tokens: [.lastToken])
    /// Mean over tokens of the last four layers concatenated (layers -1, -2, -3, -4 in that order): the
    /// feature-extraction choice of the BERT paper.
    public static let lastFourConcat = Pooling(layers: [-1, -2, -3, -4], combination: .concat, tokens: [.mean])
    /// Mean over tokens of the sum of the last four layers.
    public static let lastFourSum = Pooling(layers: [-1, -2, -3, -4], combination: .sum, tokens: [.mean])
    /// Mean over tokens of the second-to-last layer (bert-as-service's default).
    public static let secondToLastMean = Pooling(layers: [-2], tokens: [.mean])

    /// The command-line names: cls, pooler, mean, max, mean-sqrt-len, weighted-mean, last-token, last4-concat,
    /// last4-sum, second-to-last-mean.
    package static let named: [(name: String, pooling: Pooling)] = [
        ("cls", .cls), ("pooler", .pooler), ("mean", .mean), ("max", .max), ("mean-sqrt-len", .meanSqrtLen),
        ("weighted-mean", .weightedMean), ("last-token", .lastToken), ("last4-concat", .lastFourConcat),
        ("last4-sum", .lastFourSum), ("second-to-last-mean", .secondToLastMean),
    ]

    /// The strategy of a command-line name (see `named`), or nil.
    package init?(name: String) {
        guard let entry = Pooling.named.first(where: { $0.name == name }) else { return nil }
        self = entry.pooling
    }

    /// The output width for a model of `hiddenSize` and `hiddenLayers` encoder layers.
    func dimension(hiddenSize: Int) -> Int {
        switch source {
        case .poolerOutput: return hiddenSize
        case .layers(let layers, let combination, let tokens):
            return (combination == .concat ? layers.count : 1) * hiddenSize * tokens.count
        }
    }

    /// The command-line name of a named strategy, else a summary of layers, combination and token poolings.
    public var description: String {
        if let entry = Pooling.named.first(where: { $0.pooling == self }) { return entry.name }
        switch source {
        case .poolerOutput: return "pooler"
        case .layers(let layers, let combination, let tokens):
            return "layers \(layers) \(combination.rawValue), tokens \(tokens.map(\.rawValue).joined(separator: "+"))"
        }
    }
}
