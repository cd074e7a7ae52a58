// Ports the tokenizer.json form of tokenizers' BPE model (models/bpe/serialization.rs `BPEVisitor`, model.rs
// `convert_merges_to_hashmap`): which keys it reads, their defaults, and the two forms of `merges`.
import BertEmbedJSON

extension BPEModel {
    /// The model of a tokenizer.json `model` object, as tokenizers reads it:
    /// - `type`: absent (files before 2021), null or "BPE";
    /// - `vocab` (required): an object of token -> id;
    /// - `merges` (required): either all strings "left right" (split at U+0020 into exactly two parts; lines starting
    ///   with `#version` skipped) or all pairs `["left", "right"]`; rank = position in the list;
    /// - `unk_token`, `continuing_subword_prefix`, `end_of_word_suffix`: a string or null; `fuse_unk`,
    ///   `byte_fallback`, `ignore_merges`: a boolean or null; `dropout`: a number in [0, 1] or null;
    /// - any other key is ignored.
    /// - Throws: `TokenizerError.invalidValue` naming the key for a missing or malformed value, or a merge whose
    ///   tokens are not in the vocabulary; `TokenizerError.unsupported` for a dropout other than 0 (random merges).
    package init(json: JSONObject) throws(TokenizerError) {
        let parsed:
            (options: Options, dropout: Double?, vocabulary: [(token: String, id: Int)], merges: [(String, String)])
        do {
            parsed = try Self.read(json)
        } catch {
            throw TokenizerError(error)
        }
        if let dropout = parsed.dropout, dropout != 0 {
            throw .unsupported(path: json.path, feature: "BPE dropout \(dropout) (\(json.keyPath("dropout")))")
        }
        try self.init(
            vocabulary: parsed.vocabulary, merges: parsed.merges,
            options: parsed.options, path: json.path, key: json.keyPath("merges"))
    }

    /// The values of a `model` object, checked for kind.
    private static func read(
        _ json: JSONObject
    ) throws(JSONFileError) -> (
        options: Options, dropout: Double?, vocabulary: [(token: String, id: Int)], merges: [(String, String)]
    ) {
        if let type = try json.string("type"), type != "BPE" {
            throw json.error("type", "expected \"BPE\", found \"\(type)\"")
        }
        let dropout = try json.double("dropout")
        if let dropout, !(0...1).contains(dropout) { throw json.error("dropout", "must be between 0 and 1") }
        let options = Options(
            unknownToken: try json.string("unk_token"),
            continuingSubwordPrefix: try json.string("continuing_subword_prefix"),
            endOfWordSuffix: try json.string("end_of_word_suffix"),
            fuseUnknown: try json.bool("fuse_unk") ?? false,
            byteFallback: try json.bool("byte_fallback") ?? false,
            ignoreMerges: try json.bool("ignore_merges") ?? false)
        let vocabObject = try json.required("vocab").object()
        var vocabulary: [(token: String, id: Int)] = []
        vocabulary.reserveCapacity(vocabObject.members.count)
        for member in vocabObject.members {
            guard case .number(let number) = member.value, let id = number.integralValue, id >= 0, id < 1 << 31 else {
                throw json.error("vocab", "token '\(member.key)' has no valid id")
            }
            vocabulary.append((member.key, id))
        }
        let pairs = try merges(json.required("merges").array())
        return (options, dropout, vocabulary, pairs)
    }

    /// The merge pairs of a `merges` list: all strings (legacy) or all pairs of strings (serde's untagged
    /// `MergeType`: a mix of both is an error).
    static func merges(_ items: [JSONNode]) throws(JSONFileError) -> [(String, String)] {
        var merges: [(String, String)] = []
        merges.reserveCapacity(items.count)
        if items.allSatisfy({ $0.value.stringValue != nil }) {
            for item in items {
                let line = try item.string()
                if line.utf8.starts(with: "#version".utf8) { continue }
                let parts = line.utf8.split(separator: UInt8(ascii: " "), omittingEmptySubsequences: false)
                guard parts.count == 2 else {
                    throw item.error("expected two tokens separated by one space (merge \(merges.count + 1))")
                }
                merges.append((String(decoding: parts[0], as: UTF8.self), String(decoding: parts[1], as: UTF8.self)))
            }
            return merges
        }
        for item in items {
            let pair = try item.array()
            guard pair.count == 2 else {
                throw item.error("expected a pair [left, right] (all merges strings, or all pairs)")
            }
            merges.append((try pair[0].string(), try pair[1].string()))
        }
        return merges
    }
}
