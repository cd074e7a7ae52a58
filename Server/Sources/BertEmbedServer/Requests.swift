// The request bodies of the routes, decoded strictly: a wrong type or a missing field is a 4xx naming it.

/// An input field that takes a text, a list of texts, a list of token ids, or a list of such lists (OpenAI's
/// `input`, text-embeddings-inference's `inputs`).
enum EmbeddingInput: Decodable {
    case texts([String], single: Bool)
    case tokenIds([[Int]])

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let text = try? container.decode(String.self) {
            self = .texts([text], single: true)
        } else if let texts = try? container.decode([String].self) {
            self = .texts(texts, single: false)
        } else if let ids = try? container.decode([Int].self) {
            self = .tokenIds([ids])
        } else if let batch = try? container.decode([[Int]].self) {
            self = .tokenIds(batch)
        } else {
            throw DecodingError.typeMismatch(
                String.self,
                .init(
                    codingPath: decoder.codingPath,
                    debugDescription: "expected a string, a list of strings, a list of token ids or a list of lists "
                        + "of token ids"))
        }
    }

    var count: Int {
        switch self {
        case .texts(let texts, _): return texts.count
        case .tokenIds(let ids): return ids.count
        }
    }
}

/// POST /v1/embeddings (OpenAI).
struct OpenAIEmbeddingRequest: Decodable {
    let input: EmbeddingInput
    let model: String?
    let encodingFormat: String?
    let dimensions: Int?
    let user: String?

    enum CodingKeys: String, CodingKey {
        case input, model, dimensions, user
        case encodingFormat = "encoding_format"
    }
}

/// POST /embed (text-embeddings-inference).
struct EmbedRequest: Decodable {
    let inputs: EmbeddingInput
    let normalize: Bool?
    let truncate: Bool?
    let truncationDirection: String?
    let promptName: String?
    let dimensions: Int?

    enum CodingKeys: String, CodingKey {
        case inputs, normalize, truncate, dimensions
        case truncationDirection = "truncation_direction"
        case promptName = "prompt_name"
    }
}

/// POST /embed_sparse (text-embeddings-inference).
struct EmbedSparseRequest: Decodable {
    let inputs: EmbeddingInput
    let truncate: Bool?
}

/// POST /rerank (text-embeddings-inference).
struct RerankRequest: Decodable {
    let query: String
    let texts: [String]
    let rawScores: Bool?
    let returnText: Bool?
    let truncate: Bool?

    enum CodingKeys: String, CodingKey {
        case query, texts, truncate
        case rawScores = "raw_scores"
        case returnText = "return_text"
    }
}

/// POST /tokenize (text-embeddings-inference).
struct TokenizeRequest: Decodable {
    let inputs: EmbeddingInput
    let addSpecialTokens: Bool?

    enum CodingKeys: String, CodingKey {
        case inputs
        case addSpecialTokens = "add_special_tokens"
    }
}
