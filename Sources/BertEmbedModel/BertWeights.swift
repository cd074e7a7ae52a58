// The one scoped, shape-checked weight lookup of the model target (as candle's VarBuilder: a prefix path,
// every lookup checked against the shape the config implies, errors naming the key and both shapes).
import BertEmbedKernels
import BertEmbedSafeTensors
import Foundation

/// Every tensor of a model folder, looked up by name through scopes, each lookup shape-checked.
///
/// Names are canonical BertModel names; `WeightNames` maps them to the spellings a checkpoint of the family may use.
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
    /// The model family whose weight names the checkpoint uses.
    package let family: ModelFamily
    private let lock = NSLock()
    private var missing: [String] = []
    private var used: Set<String> = []

    /// The largest zero placeholder returned for a missing tensor (64 Mi floats).
    package static let maximumPlaceholderElements = 1 << 26

    /// Tensors given directly (tests).
    package init(tensors: [String: (shape: [Int], data: [Float])], family: ModelFamily = .bert) {
        self.family = family
        for (name, tensor) in tensors {
            precondition(tensor.data.count == tensor.shape.reduce(1, *), "tensor \(name): data count != shape")
        }
        self.source = .tensors(tensors)
    }

    /// The tensors of an opened checkpoint.
    package init(archive: SafeTensorsArchive, family: ModelFamily = .bert) {
        self.family = family
        self.source = .archive(archive)
    }

    /// Opens `model.safetensors` (or the shards of `model.safetensors.index.json`) in `directory`.
    /// - Throws: `SafeTensorsError` naming the file and what is wrong with it.
    package convenience init(directory: URL, family: ModelFamily = .bert) throws {
        self.init(archive: try SafeTensorsArchive(directory: directory), family: family)
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

    /// A checkpoint tensor found for a canonical name: its spelling, shape, a reader of its values as [Float], and
    /// its stored bytes when they already are Float32 in native byte order (F32 on a little-endian machine).
    private struct Found {
        let name: String
        let shape: [Int]
        let read: () throws -> [Float]
        let stored: UnsafeRawPointer?
    }

    /// The first spelling of canonical `name` present, or nil.
    private func find(_ name: String) -> Found? {
        for candidate in WeightNames.candidates(for: name, family: family) {
            switch source {
            case .archive(let archive):
                guard let info = try? archive.info(candidate) else { continue }
                var stored: UnsafeRawPointer? = nil  // nil: read through the conversion (and its errors)
                #if _endian(little)
                if info.dtype == .f32 { stored = try? archive.storedBytes(candidate).baseAddress }
                #endif
                return Found(
                    name: candidate, shape: info.shape, read: { try archive.floats(candidate) }, stored: stored)
            case .tensors(let tensors):
                guard let tensor = tensors[candidate] else { continue }
                return Found(name: candidate, shape: tensor.shape, read: { tensor.data }, stored: nil)
            }
        }
        return nil
    }

    /// The tensor behind canonical `name`, checked to have `shape`; nil when the checkpoint lacks it (then the name
    /// is recorded as missing and the caller reads zeros).
    /// - Throws: `.shapeMismatch`, or `.missingTensors` when the zeros would exceed `maximumPlaceholderElements`.
    private func resolve(_ name: String, shape: [Int]) throws -> Found? {
        precondition(shape.allSatisfy { $0 >= 0 }, "lookup of \(name) with a negative dimension \(shape)")
        guard let found = find(name) else {
            let (count, overflow) = Self.elementCount(shape)
            let names: [String] = lock.withLock {
                let spelled = family.checkpointName(name)
                if !missing.contains(spelled) { missing.append(spelled) }
                return missing
            }
            guard !overflow, count <= Self.maximumPlaceholderElements else {
                throw BertModelError.missingTensors(names: names)
            }
            return nil
        }
        guard found.shape == shape else {
            throw BertModelError.shapeMismatch(name: found.name, expected: shape, actual: found.shape)
        }
        return found
    }

    private static func elementCount(_ shape: [Int]) -> (count: Int, overflow: Bool) {
        shape.reduce((1, false)) { acc, dim in
            let (product, o) = acc.0.multipliedReportingOverflow(by: dim)
            return (product, acc.1 || o)
        }
    }

    /// Runs `get` (a read of `found`), mapping its error to `.unreadableTensor`, and records `found` as used.
    private func use<T>(_ found: Found, _ get: () throws -> T) throws -> T {
        let value: T
        do { value = try get() } catch {
            throw BertModelError.unreadableTensor(name: found.name, reason: "\(error)")
        }
        _ = lock.withLock { used.insert(found.name) }
        return value
    }

    /// The values of `found` (recorded as used), or zeros of `shape` for a missing tensor.
    private func values(_ found: Found?, shape: [Int]) throws -> [Float] {
        guard let found else { return [Float](repeating: 0, count: Self.elementCount(shape).count) }
        return try use(found, found.read)
    }

    func lookup(_ name: String, shape: [Int]) throws -> [Float] {
        try values(try resolve(name, shape: shape), shape: shape)
    }

    /// Canonical tensor `name`, checked to have `shape`, as a table read in place: the checkpoint's bytes in a map
    /// of their own when they are F32 in native byte order and 4-byte aligned, else a copy (see `WeightTable`).
    func table(_ name: String, shape: [Int]) throws -> WeightTable {
        let found = try resolve(name, shape: shape)
        if let found, let stored = found.stored, Int(bitPattern: stored) % MemoryLayout<Float>.alignment == 0,
            case .archive(let archive) = source,
            let mapped = try use(found, { try archive.separateMapping(of: found.name) })
        {
            return .mapped(mapped)
        }
        let values = try values(found, shape: shape)
        return .copied(
            WeightBuffer(count: values.count) { target in
                values.withUnsafeBufferPointer {
                    if let from = $0.baseAddress { target.initialize(from: from, count: $0.count) }
                }
            })
    }

    /// Calls `body` with the values of canonical tensors `requests` (each checked to have its shape), in order, as
    /// row-major Float32 in native byte order at any alignment: the checkpoint's mapped bytes themselves for F32 on a
    /// little-endian machine (no copy), else a temporary copy (converted F16/BF16, tensors given directly, or zeros
    /// for a missing tensor, as `lookup`). The pointers are valid only during the call.
    func withTensors<R>(
        _ requests: [(name: String, shape: [Int])], _ body: ([UnsafeRawPointer]) throws -> R
    ) throws -> R {
        var pointers: [UnsafeRawPointer] = []
        var copies: [UnsafeMutableRawPointer] = []
        defer { for copy in copies { copy.deallocate() } }
        for (name, shape) in requests {
            let found = try resolve(name, shape: shape)
            if let found, let stored = found.stored {
                pointers.append(try use(found) { stored })
                continue
            }
            let values = try values(found, shape: shape)
            let copy = UnsafeMutableRawPointer.allocate(byteCount: max(1, values.count * 4), alignment: 16)
            copies.append(copy)
            values.withUnsafeBytes { if let from = $0.baseAddress { copy.copyMemory(from: from, byteCount: $0.count) } }
            pointers.append(UnsafeRawPointer(copy))
        }
        return try withExtendedLifetime(self) { try body(pointers) }
    }

    /// Whether the checkpoint has canonical tensor `name` under any spelling of `WeightNames`
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
        WeightScope(weights: weights, prefix: fullName(name))
    }

    /// The tensor `prefix.name` as Float32, checked to have `shape`.
    /// - Throws: `BertModelError.shapeMismatch` (full name, both shapes) or `.unreadableTensor`; a missing
    ///   tensor is recorded for `BertWeights.checkComplete()` and read as zeros.
    package func tensor(_ name: String, shape: [Int]) throws -> [Float] {
        try weights.lookup(fullName(name), shape: shape)
    }

    /// Whether the checkpoint has `prefix.name` (for optional tensors). Records nothing.
    package func hasTensor(_ name: String) -> Bool { weights.hasTensor(fullName(name)) }

    /// The table `prefix.name`, checked to have `shape`, read in place at run time (see `WeightTable`).
    /// - Throws: as `tensor(_:shape:)`.
    package func table(_ name: String, shape: [Int]) throws -> WeightTable {
        try weights.table(fullName(name), shape: shape)
    }

    /// The dense layers `names` (each `name.weight` (outFeatures, inFeatures) and `name.bias` (outFeatures)) stacked
    /// along the output features into one packed layer of `names.count * outFeatures` outputs (one name: that layer;
    /// three: the fused q|k|v projection). F32 weights are packed straight from the checkpoint's mapped bytes, on
    /// `context`'s threads.
    /// - Throws: as `tensor(_:shape:)`.
    package func linear(
        _ names: [String], outFeatures: Int, inFeatures: Int, context: ComputeContext
    ) throws -> PackedLinear {
        try linear(
            names.map { (weight: $0 + ".weight", bias: $0 + ".bias") }, outFeatures: outFeatures,
            inFeatures: inFeatures, context: context)
    }

    /// The dense layers whose weight and bias are named apart (`prefix.weight` (outFeatures, inFeatures) and
    /// `prefix.bias` (outFeatures) each), stacked along the output features as `linear(_:outFeatures:inFeatures:
    /// context:)` stacks them: for a decoder whose weight is tied to another tensor (the word embeddings).
    /// - Throws: as `tensor(_:shape:)`.
    package func linear(
        _ parts: [(weight: String, bias: String)], outFeatures: Int, inFeatures: Int, context: ComputeContext
    ) throws -> PackedLinear {
        let requests = parts.flatMap { part in
            [(fullName(part.weight), [outFeatures, inFeatures]), (fullName(part.bias), [outFeatures])]
        }
        return try weights.withTensors(requests) { pointers in
            let weightRows = stride(from: 0, to: pointers.count, by: 2).map { (pointers[$0], outFeatures) }
            var bias: [Float] = []
            bias.reserveCapacity(parts.count * outFeatures)
            for biasValues in stride(from: 1, to: pointers.count, by: 2).map({ pointers[$0] }) {
                bias += (0..<outFeatures).map { biasValues.loadUnaligned(fromByteOffset: 4 * $0, as: Float.self) }
            }
            return PackedLinear(
                rows: WeightRows(blocks: weightRows, inFeatures: inFeatures), bias: bias, context: context)
        }
    }

    private func fullName(_ name: String) -> String { prefix.isEmpty ? name : prefix + "." + name }
}
