// Which files of a Hub repository a model needs: what `SentenceTransformersFolder` and the tokenizer read, and
// nothing else (a repository often also holds ONNX, OpenVINO and PyTorch copies of the weights, several times the
// size of the safetensors one).
import BertEmbedJSON
import Foundation

enum HubFileSelection {
    /// Files fetched first, because they name others: modules.json (the module folders) and the safetensors index
    /// (the weight shards).
    static let guideFiles = ["modules.json", "model.safetensors.index.json"]

    /// Files at the repository's top level that a model may read.
    static let topLevelFiles: Set<String> = [
        "config.json", "config_sentence_transformers.json", "modules.json", "sentence_bert_config.json",
        "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "added_tokens.json", "vocab.txt",
        "vocab.json", "merges.txt", "model.safetensors", "model.safetensors.index.json",
    ]

    /// Extensions of the files kept from a module folder (configs, vocabularies, safetensors weights).
    static let moduleExtensions: Set<String> = ["json", "txt", "safetensors"]

    /// The files of `files` a model needs, given the guide files fetched so far (`guides`: path -> local file; with
    /// none yet, the answer is the top-level set, a first estimate of the size).
    /// - Throws: `EmbeddingError.download` when the repository has no safetensors weights, or a guide file is not
    ///   what it should be.
    static func modelFiles(repository: String, files: [HubFile], guides: [String: URL]) throws -> [HubFile] {
        let paths = Set(files.map(\.path))
        guard paths.contains("model.safetensors") || paths.contains("model.safetensors.index.json") else {
            let weights = files.map(\.path).filter {
                !$0.contains("/") && ($0.hasSuffix(".bin") || $0.hasSuffix(".h5") || $0.hasSuffix(".onnx"))
            }
            throw EmbeddingError.download(
                repository: repository,
                reason: "the repository has no safetensors weights (model.safetensors or its index)"
                    + (weights.isEmpty
                        ? ""
                        : "; it has \(weights.joined(separator: ", ")), which this library does "
                            + "not read: convert them with safetensors' torch.save_file, or pick a repository that has it")
            )
        }
        var wanted = topLevelFiles
        var folders: [String] = []
        if let modules = guides["modules.json"] {
            folders = try moduleFolders(modules, repository: repository)
        }
        if let index = guides["model.safetensors.index.json"] {
            wanted.formUnion(try shards(index, repository: repository))
        }
        return files.filter { file in
            if wanted.contains(file.path) { return true }
            return folders.contains { folder in
                file.path.hasPrefix(folder + "/")
                    && moduleExtensions.contains((file.path as NSString).pathExtension.lowercased())
            }
        }
    }

    /// The module folders modules.json names ("1_Pooling", "2_Dense"; the root module, path "", is the top level).
    static func moduleFolders(_ file: URL, repository: String) throws -> [String] {
        let modules = try json(file, repository: repository, name: "modules.json")
        guard case .array(let items) = modules else {
            throw EmbeddingError.download(repository: repository, reason: "modules.json: not a list of modules")
        }
        return items.compactMap { $0.objectMembers?.value("path")?.stringValue }.filter {
            !$0.isEmpty && HubCache.isSafeRelativePath($0)
        }
    }

    /// The shard files a safetensors index maps weights to.
    static func shards(_ file: URL, repository: String) throws -> Set<String> {
        let index = try json(file, repository: repository, name: "model.safetensors.index.json")
        guard let map = index.objectMembers?.value("weight_map")?.objectMembers else {
            throw EmbeddingError.download(
                repository: repository, reason: "model.safetensors.index.json: no weight_map object")
        }
        return Set(map.compactMap { $0.value.stringValue }.filter { HubCache.isSafeRelativePath($0) })
    }

    private static func json(_ file: URL, repository: String, name: String) throws -> JSONValue {
        guard let data = FileManager.default.contents(atPath: file.path),
            let value = try? JSONParser.parse(Array(data))
        else { throw EmbeddingError.download(repository: repository, reason: "\(name): not readable JSON") }
        return value
    }
}
