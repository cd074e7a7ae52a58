// TEMPORARY STUB (ASCII-only basic WordPiece) until the Hugging Face-exact tokenizer lands; same public names.
import Foundation

/// A BERT WordPiece tokenizer loaded from a model folder.
public struct BertTokenizer: Sendable {
    let vocab: [String: Int]
    /// Id of `[CLS]`.
    public let clsTokenId: Int
    /// Id of `[SEP]`.
    public let sepTokenId: Int
    /// Id of `[UNK]`.
    public let unkTokenId: Int
    /// Id of `[PAD]`.
    public let padTokenId: Int
    /// `model_max_length` from tokenizer_config.json, if any.
    public let modelMaxLength: Int?
    let lowercase: Bool

    /// Loads vocab.txt from `directory`.
    public init(directory: URL) throws {
        let text = try String(contentsOf: directory.appendingPathComponent("vocab.txt"), encoding: .utf8)
        var vocab: [String: Int] = [:]
        for (i, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() where !line.isEmpty {
            vocab[String(line)] = i
        }
        self.vocab = vocab
        clsTokenId = vocab["[CLS]"] ?? 101
        sepTokenId = vocab["[SEP]"] ?? 102
        unkTokenId = vocab["[UNK]"] ?? 100
        padTokenId = vocab["[PAD]"] ?? 0
        modelMaxLength = 512
        lowercase = true
    }

    /// Token ids with [CLS] and [SEP], truncated to `maxLength` tokens in all.
    public func encodeIds(_ text: String, maxLength: Int? = nil) -> [Int] {
        var words: [String] = []
        var current = ""
        for ch in (lowercase ? text.lowercased() : text).unicodeScalars {
            if ch.properties.isWhitespace {
                if !current.isEmpty { words.append(current); current = "" }
            } else if (ch.isASCII && !ch.properties.isAlphabetic && !("0"..."9").contains(ch)) {
                if !current.isEmpty { words.append(current); current = "" }
                words.append(String(ch))
            } else {
                current.unicodeScalars.append(ch)
            }
        }
        if !current.isEmpty { words.append(current) }
        var ids = [clsTokenId]
        for word in words {
            let chars = Array(word)
            var start = 0
            var pieces: [Int] = []
            while start < chars.count {
                var end = chars.count
                var found: Int?
                while start < end {
                    let piece = (start > 0 ? "##" : "") + String(chars[start..<end])
                    if let id = vocab[piece] { found = id; break }
                    end -= 1
                }
                guard let id = found else { pieces = [unkTokenId]; break }
                pieces.append(id)
                start = end
            }
            ids += pieces
        }
        if let maxLength, ids.count > maxLength - 1 { ids = Array(ids.prefix(max(1, maxLength - 1))) }
        return ids + [sepTokenId]
    }
}
