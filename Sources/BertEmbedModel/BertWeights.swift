// The one scoped, shape-checked weight lookup of the model target (as candle's VarBuilder: a prefix path,
// every lookup checked against the shape the config implies, errors naming the key and both shapes).
import Foundation
import BertEmbedSafeTensors

/// Every tensor of a model folder, looked up by name through scopes, each lookup shape-checked.
///
/// Names are canonical BertModel names; `BertWeightAliases` maps them to the spellings a checkpoint may use.
/// A missing tensor does not throw at lookup: it is recorded and zeros of the asked shape are returned, so
/// that binding goes on and `checkComplete()` reports every missing tensor at once. (Zeros are returned up
/// to `maximumPlaceholderElements`; beyond that the lookup throws `.missingTensors` right away.)
/// Thread-safe: the bookkeeping is guarded by a lock.
package final class BertWeights: @unchecked Sendable, CustomDebugStringConvertible {
    private enum Source {
        case archive(SafeTensorsArchive)
        case tensors([String: (shape: [Int], data: [Float])])
    }

    private let source: Source
    private let lock = NSLock()
    private var missing: [String] = []
    private var used: Set<String> = []

    /// The largest zero placeholder returned for a missing tensor (64 Mi floats).
    package static let maximumPlaceholderElements = 1 << 26

    /// Tensors given directly (tests).
    package init(tensors: [String: (shape: [Int], data: [Float])]) {
        for (name, tensor) in tensors {
            precondition(tensor.data.count == tensor.shape.reduce(1, *), "tensor \(name): data count != shape")
        }
        self.source = .tensors(tensors)
    }

    /// The tensors of an opened checkpoint.
    package init(archive: SafeTensorsArchive) {
        self.source = .archive(archive)
    }

    /// Opens `model.safetensors` (or the shards of `model.safetensors.index.json`) in `directory`.
    /// - Throws: `SafeTensorsError` naming the file and what is wrong with it.
    package convenience init(directory: URL) throws {
        self.init(archive: try SafeTensorsArchive(directory: directory))
    }

    /// The scope of the whole checkpoint.
    package var root: WeightScope { WeightScope(weights: self, prefix: "") }

    /// Every tensor name in the checkpoint, sorted.
    package var tensorNames: [String] {
        switch source {
        case .archive(let archive): return archive.tensorNames
        case .tensors(let tensors): return tensors.keys.sorted()
        }
    }

    /// The checkpoint's tensors no lookup has used so far, sorted (after binding: the heads and buffers the
    /// encoder ignores, such as `cls.predictions.*` or `embeddings.position_ids`).
    package var unusedTensorNames: [String] {
        let used = lock.withLock { self.used }
        return tensorNames.filter { !used.contains($0) }
    }

    /// The canonical names looked up so far that the checkpoint lacks, in lookup order.
    package var missingTensorNames: [String] { lock.withLock { missing } }

    /// Counts of the checkpoint's tensors, and the unused and missing names.
    package var debugDescription: String {
        let unused = unusedTensorNames, missing = missingTensorNames
        return "BertWeights(\(tensorNames.count) tensors; unused \(unused.count): \(unused.joined(separator: ", ")); "
            + "missing \(missing.count): \(missing.joined(separator: ", ")))"
    }

    /// Shape and reader of the first spelling of canonical `name` present, or nil.
    private func find(_ name: String) -> (name: String, shape: [Int], read: () throws -> [Float])? {
        for candidate in BertWeightAliases.candidates(for: name) {
            switch source {
            case .archive(let archive):
                guard let info = try? archive.info(candidate) else { continue }
                return (candidate, info.shape, { try archive.floats(candidate) })
            case .tensors(let tensors):
                guard let tensor = tensors[candidate] else { continue }
                return (candidate, tensor.shape, { tensor.data })
            }
        }
        return nil
    }

    func lookup(_ name: String, shape: [Int]) throws -> [Float] {
        precondition(shape.allSatisfy { $0 >= 0 }, "lookup of \(name) with a negative dimension \(shape)")
        guard let found = find(name) else {
            let (count, overflow) = shape.reduce((1, false)) { acc, dim in
                let (product, o) = acc.0.multipliedReportingOverflow(by: dim)
                return (product, acc.1 || o)
            }
            let names: [String] = lock.withLock {
                if !missing.contains(name) { missing.append(name) }
                return missing
            }
            guard !overflow, count <= Self.maximumPlaceholderElements else {
                throw BertModelError.missingTensors(names: names)
            }
            return [Float](repeating: 0, count: count)
        }
        guard found.shape == shape else {
            throw BertModelError.shapeMismatch(name: found.name, expected: shape, actual: found.shape)
        }
        let data: [Float]
        do { data = try found.read() } catch {
            throw BertModelError.unreadableTensor(name: found.name, reason: "\(error)")
        }
        _ = lock.withLock { used.insert(found.name) }
        return data
    }

    /// Whether the checkpoint has canonical tensor `name` under any spelling of `BertWeightAliases`
    /// (for optional parts such as the pooler). Does not record the name as missing or used.
    package func hasTensor(_ name: String) -> Bool { find(name) != nil }

    /// Throws `.missingTensors` naming every tensor looked up so far that the checkpoint lacks.
    package func checkComplete() throws {
        let missing = missingTensorNames
        if !missing.isEmpty { throw BertModelError.missingTensors(names: missing) }
    }
}

/// A name prefix inside a checkpoint: `weights.root.scope("encoder.layer.3").tensor("output.dense.weight", shape: [h, i])`.
package struct WeightScope: Sendable {
    let weights: BertWeights
    /// The prefix, "" or ending without a dot.
    package let prefix: String

    /// The scope `prefix.name`.
    package func scope(_ name: String) -> WeightScope {
        WeightScope(weights: weights, prefix: prefix.isEmpty ? name : prefix + "." + name)
    }

    /// The tensor `prefix.name` as Float32, checked to have `shape`.
    /// - Throws: `BertModelError.shapeMismatch` (full name, both shapes) or `.unreadableTensor`; a missing
    ///   tensor is recorded for `BertWeights.checkComplete()` and read as zeros.
    package func tensor(_ name: String, shape: [Int]) throws -> [Float] {
        try weights.lookup(prefix.isEmpty ? name : prefix + "." + name, shape: shape)
    }
}
