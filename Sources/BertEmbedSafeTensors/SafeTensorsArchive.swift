// A checkpoint folder's tensors: `model.safetensors`, or the shards of `model.safetensors.index.json`
// (the layout transformers' `save_pretrained` writes and `from_pretrained` reads).
import BertEmbedJSON
import Foundation

/// All tensors of a checkpoint, from one safetensors file or several shards, looked up by name.
///
/// For a sharded checkpoint the index's `weight_map` is authoritative: it names every tensor and its
/// shard; each shard is opened and validated once; shard names must be plain file names inside the folder
/// (no "/", "\\", "." or ".."), so an index cannot reach outside the folder. Tensors a shard holds beyond
/// the map are not part of the archive. Immutable, Sendable.
package final class SafeTensorsArchive: Sendable {
    /// The files, in the order first named (one for an unsharded checkpoint).
    package let files: [SafeTensorsFile]
    /// The file errors name for lookups: the single file, or the index.
    package let path: String
    private let fileByTensor: [String: Int]

    /// The single-file checkpoint name.
    package static let singleFileName = "model.safetensors"
    /// The sharded checkpoint index name.
    package static let indexFileName = "model.safetensors.index.json"

    /// Opens `directory/model.safetensors`, else the shards listed by `directory/model.safetensors.index.json`
    /// (the order transformers tries them in).
    /// - Throws: `SafeTensorsError.noWeights` when neither exists, or any error of the files and index.
    package convenience init(directory: URL) throws {
        let single = directory.appendingPathComponent(Self.singleFileName)
        let index = directory.appendingPathComponent(Self.indexFileName)
        if FileManager.default.fileExists(atPath: single.path) {
            self.init(file: try SafeTensorsFile(contentsOf: single))
        } else if FileManager.default.fileExists(atPath: index.path) {
            try self.init(index: index)
        } else {
            throw SafeTensorsError.noWeights(directory: directory.path)
        }
    }

    /// An archive of one file.
    package init(file: SafeTensorsFile) {
        self.files = [file]
        self.path = file.path
        var map: [String: Int] = [:]
        for name in file.tensorNames { map[name] = 0 }
        self.fileByTensor = map
    }

    /// Opens the shards listed by the index file at `index` (they live in the index's folder).
    /// - Throws: `.invalidIndex`, `.unsafeShardName`, `.missingShard`, `.tensorMissingFromShard`, or a shard's error.
    package init(index: URL) throws {
        let indexPath = index.path
        let weightMap = try Self.readWeightMap(index)
        let folder = index.deletingLastPathComponent()
        var files: [SafeTensorsFile] = []
        var fileByShard: [String: Int] = [:]
        var fileByTensor: [String: Int] = [:]
        for (tensor, shard) in weightMap {
            let fileIndex: Int
            if let known = fileByShard[shard] {
                fileIndex = known
            } else {
                guard Self.isPlainFileName(shard) else {
                    throw SafeTensorsError.unsafeShardName(file: indexPath, shard: shard)
                }
                let url = folder.appendingPathComponent(shard)
                guard FileManager.default.fileExists(atPath: url.path) else {
                    throw SafeTensorsError.missingShard(file: indexPath, shard: shard)
                }
                files.append(try SafeTensorsFile(contentsOf: url))
                fileIndex = files.count - 1
                fileByShard[shard] = fileIndex
            }
            guard files[fileIndex].contains(tensor) else {
                throw SafeTensorsError.tensorMissingFromShard(file: indexPath, tensor: tensor, shard: shard)
            }
            fileByTensor[tensor] = fileIndex
        }
        self.files = files
        self.path = indexPath
        self.fileByTensor = fileByTensor
    }

    /// Every tensor name, sorted.
    package var tensorNames: [String] { fileByTensor.keys.sorted() }

    /// True if the archive holds tensor `name`.
    package func contains(_ name: String) -> Bool { fileByTensor[name] != nil }

    /// The file holding tensor `name`.
    /// - Throws: `.tensorNotFound` naming the archive's file.
    package func file(containing name: String) throws -> SafeTensorsFile {
        guard let i = fileByTensor[name] else { throw SafeTensorsError.tensorNotFound(file: path, tensor: name) }
        return files[i]
    }

    /// The dtype, shape and location of tensor `name`.
    package func info(_ name: String) throws -> TensorInfo { try file(containing: name).info(name) }

    /// Tensor `name` as Float32 (see `SafeTensorsFile.floats(_:)`).
    package func floats(_ name: String) throws -> [Float] { try file(containing: name).floats(name) }

    /// Tensor `name`'s bytes as stored, valid while this archive lives (see `SafeTensorsFile.storedBytes(_:)`).
    package func storedBytes(_ name: String) throws -> UnsafeRawBufferPointer {
        try file(containing: name).storedBytes(name)
    }

    /// Tensor `name`'s bytes in a map of their own (see `SafeTensorsFile.separateMapping(of:)`).
    package func separateMapping(of name: String) throws -> MappedBytes? {
        try file(containing: name).separateMapping(of: name)
    }

    /// True for a shard name that stays inside the index's folder: one non-empty path component.
    static func isPlainFileName(_ name: String) -> Bool {
        !name.isEmpty && name != "." && name != ".." && !name.contains("/") && !name.contains("\\")
            && !name.utf8.contains(0)
    }

    /// The `weight_map` of an index file, in file order: (tensor, shard) pairs.
    static func readWeightMap(_ index: URL) throws -> [(String, String)] {
        let invalidIndex = { (error: JSONFileError) in
            SafeTensorsError.invalidIndex(file: error.path, reason: error.keyedReason)
        }
        return try JSONFileError.converting(invalidIndex) {
            let map = try JSONNode.readObject(index).required("weight_map").object()
            if let repeated = map.members.firstDuplicateKey { throw map.error(repeated, "the tensor appears twice") }
            return try map.members.map { member in
                (member.key, try JSONNode(value: member.value, path: map.path, key: map.keyPath(member.key)).string())
            }
        }
    }
}
