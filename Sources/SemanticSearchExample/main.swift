// An example of the library in an app: an in-memory semantic index over a few documents, queried by meaning.
//
//   swift run -c release semantic-search-example ~/.cache/bert-embed/all-MiniLM-L6-v2 "How do I bake bread?"
import BertEmbed
import Foundation

/// Documents and their embeddings, kept in memory; answers queries with the most similar documents.
struct InMemoryIndex {
    let encoder: SentenceEncoder
    private(set) var documents: [String] = []
    private(set) var vectors: [[Float]] = []

    init(encoder: SentenceEncoder) {
        self.encoder = encoder
    }

    /// Embeds and stores `texts`.
    mutating func add(_ texts: [String]) throws {
        vectors += try encoder.encode(texts)
        documents += texts
    }

    /// The `k` documents closest to `query`, best first, with their scores.
    func query(_ query: String, k: Int = 3) throws -> [(score: Float, document: String)] {
        let queryVector = try encoder.encode(query)
        let hits = Similarity.search(
            queries: [queryVector], corpus: vectors, topK: k, function: encoder.similarityFunction)
        return hits[0].map { ($0.score, documents[$0.corpusIndex]) }
    }
}

let arguments = CommandLine.arguments.dropFirst()
guard let modelPath = arguments.first else {
    print("usage: semantic-search-example MODEL_DIR [QUERY ...]")
    exit(2)
}
do {
    var index = InMemoryIndex(encoder: try SentenceEncoder(modelDirectory: URL(fileURLWithPath: modelPath)))
    try index.add([
        "Knead the dough for ten minutes, then let it rise for an hour before baking.",
        "The central bank raised interest rates to fight inflation.",
        "Back up your files before upgrading the operating system.",
        "The football team won the championship after a penalty shootout.",
        "Regular exercise lowers the risk of heart disease.",
        "Heavy rain is expected tonight with possible flooding.",
    ])
    let queries = arguments.count > 1 ? Array(arguments.dropFirst()) : ["How do I make bread?", "Will it storm today?"]
    for query in queries {
        print("query: \(query)")
        for (score, document) in try index.query(query) {
            print("  \(String(format: "%.4f", score))  \(document)")
        }
    }
} catch {
    print("error: \(error)")
    exit(1)
}
