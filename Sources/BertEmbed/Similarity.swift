// Similarity helpers over embeddings: cosine, dot product, similarity matrices, top-k semantic search.

/// A similarity function between two embeddings (sentence-transformers' `similarity_fn_name`).
public enum SimilarityFunction: String, Sendable, CaseIterable {
    /// Cosine similarity: dot product of the unit vectors.
    case cosine
    /// Dot product.
    case dot
    /// Negative Euclidean distance.
    case euclidean
    /// Negative Manhattan distance.
    case manhattan

    init(configName: String?) throws {
        switch configName {
        case nil, "cosine": self = .cosine
        case "dot", "dot_product": self = .dot
        case "euclidean": self = .euclidean
        case "manhattan": self = .manhattan
        case let other?:
            throw EmbeddingError.invalidModelFolder(
                file: "config_sentence_transformers.json", reason: "unknown similarity_fn_name '\(other)'")
        }
    }

    /// The similarity of `a` and `b` (same length; extra elements of the longer are ignored).
    public func callAsFunction(_ a: [Float], _ b: [Float]) -> Float {
        switch self {
        case .cosine: return Similarity.cosine(a, b)
        case .dot: return Similarity.dot(a, b)
        case .euclidean:
            var sum: Float = 0
            for (x, y) in zip(a, b) { sum += (x - y) * (x - y) }
            return -sum.squareRoot()
        case .manhattan:
            var sum: Float = 0
            for (x, y) in zip(a, b) { sum += abs(x - y) }
            return -sum
        }
    }
}

/// One search result: the corpus index and its score.
public struct SearchHit: Sendable, Equatable {
    /// Index into the corpus embeddings.
    public var corpusIndex: Int
    /// The similarity score (higher is more similar).
    public var score: Float
}

/// Similarity helpers over embeddings.
public enum Similarity {
    /// The dot product of `a` and `b`.
    public static func dot(_ a: [Float], _ b: [Float]) -> Float {
        var sum: Float = 0
        for (x, y) in zip(a, b) { sum += x * y }
        return sum
    }

    /// The cosine similarity of `a` and `b` (0 when either is the zero vector).
    public static func cosine(_ a: [Float], _ b: [Float]) -> Float {
        let denominator = (dot(a, a) * dot(b, b)).squareRoot()
        return denominator > 0 ? dot(a, b) / denominator : 0
    }

    /// The matrix of `function(rows[i], columns[j])`: rows.count arrays of columns.count scores.
    public static func matrix(
        _ rows: [[Float]], _ columns: [[Float]], function: SimilarityFunction = .cosine
    ) -> [[Float]] {
        rows.map { row in columns.map { function(row, $0) } }
    }

    /// The `topK` most similar corpus embeddings for each query, best first (ties: lower corpus index first).
    public static func search(
        queries: [[Float]], corpus: [[Float]], topK: Int = 10, function: SimilarityFunction = .cosine
    ) -> [[SearchHit]] {
        queries.map { query in
            let scored = corpus.enumerated().map {
                SearchHit(corpusIndex: $0.offset, score: function(query, $0.element))
            }
            let sorted = scored.sorted {
                $0.score > $1.score || ($0.score == $1.score && $0.corpusIndex < $1.corpusIndex)
            }
            return Array(sorted.prefix(max(0, topK)))
        }
    }
}
