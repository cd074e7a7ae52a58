// Models by name: `SentenceEncoder(pretrained: "sentence-transformers/all-MiniLM-L6-v2")` and the same for the heads,
// through the Hugging Face cache that Python's huggingface_hub shares (HubCache.swift), filled from the Hub when a
// file is missing (HubDownload.swift).
import Foundation

/// The Hugging Face Hub, as a source of model folders.
public enum HuggingFaceHub {
    /// The local folder of `repository` at `revision`, with the files a model needs: from the Hugging Face cache,
    /// fetched from the Hub first where it lacks them (unless `options.offline`). The folder is the cache's
    /// `snapshots/COMMIT`, shared with Python's huggingface_hub.
    ///
    /// - Parameters:
    ///   - repository: "ORG/NAME", for example "sentence-transformers/all-MiniLM-L6-v2".
    ///   - revision: a branch, a tag or a commit hash (default "main").
    ///   - options: the cache, the Hub, the token, offline mode, progress (default: from the environment).
    /// - Throws: `EmbeddingError.download` naming the repository and what failed (not found, refused, cut short,
    ///   corrupt, not writable, unreachable with nothing cached), `EmbeddingError.invalidModelFolder` when offline and
    ///   the cache lacks it.
    public static func snapshot(
        _ repository: String, revision: String = "main", options: HubOptions = HubOptions()
    ) throws -> URL {
        try HubDownload.snapshot(repository, revision: revision, options: options)
    }
}

extension SentenceEncoder {
    /// Loads a model by its Hugging Face repository id:
    /// `try SentenceEncoder(pretrained: "sentence-transformers/all-MiniLM-L6-v2")`. The files come from the Hugging
    /// Face cache (shared with Python), downloaded from the Hub first where missing (see `HuggingFaceHub`).
    ///
    /// - Parameters:
    ///   - repository: "ORG/NAME".
    ///   - revision: a branch, a tag or a commit hash (default "main").
    ///   - hub: the cache, the Hub, the token, offline mode, progress (default: from the environment, as Python's
    ///     huggingface_hub reads it).
    ///   - pooling: as `init(modelDirectory:pooling:compute:)`.
    ///   - compute: as `init(modelDirectory:pooling:compute:)`.
    /// - Throws: what `HuggingFaceHub.snapshot(_:revision:options:)` throws, or what loading the folder throws.
    public convenience init(
        pretrained repository: String, revision: String = "main", hub: HubOptions = HubOptions(),
        pooling: Pooling? = nil, compute: ComputeOptions = ComputeOptions()
    ) throws {
        let folder = try HuggingFaceHub.snapshot(repository, revision: revision, options: hub)
        try self.init(modelDirectory: folder, pooling: pooling, compute: compute)
    }
}

extension CrossEncoder {
    /// Loads a cross-encoder by its Hugging Face repository id, for example "cross-encoder/ms-marco-MiniLM-L-6-v2"
    /// (see `SentenceEncoder.init(pretrained:revision:hub:pooling:compute:)`).
    ///
    /// - Parameters:
    ///   - repository: "ORG/NAME".
    ///   - revision: a branch, a tag or a commit hash (default "main").
    ///   - hub: the cache, the Hub, the token, offline mode, progress (default: from the environment).
    ///   - compute: as `init(modelDirectory:compute:)`.
    /// - Throws: what `HuggingFaceHub.snapshot(_:revision:options:)` throws, or what loading the folder throws.
    public convenience init(
        pretrained repository: String, revision: String = "main", hub: HubOptions = HubOptions(),
        compute: ComputeOptions = ComputeOptions()
    ) throws {
        let folder = try HuggingFaceHub.snapshot(repository, revision: revision, options: hub)
        try self.init(modelDirectory: folder, compute: compute)
    }
}

extension SparseEncoder {
    /// Loads a SPLADE model by its Hugging Face repository id, for example "naver/splade-v3" (see
    /// `SentenceEncoder.init(pretrained:revision:hub:pooling:compute:)`).
    ///
    /// - Parameters:
    ///   - repository: "ORG/NAME".
    ///   - revision: a branch, a tag or a commit hash (default "main").
    ///   - hub: the cache, the Hub, the token, offline mode, progress (default: from the environment).
    ///   - compute: as `init(modelDirectory:compute:)`.
    /// - Throws: what `HuggingFaceHub.snapshot(_:revision:options:)` throws, or what loading the folder throws.
    public convenience init(
        pretrained repository: String, revision: String = "main", hub: HubOptions = HubOptions(),
        compute: ComputeOptions = ComputeOptions()
    ) throws {
        let folder = try HuggingFaceHub.snapshot(repository, revision: revision, options: hub)
        try self.init(modelDirectory: folder, compute: compute)
    }
}
