// INTERFACE STUB: the one scoped, shape-checked weight lookup of the model target.
// The loader work replaces the body (safetensors, sharding, alias table) and keeps these names.
import Foundation

/// Every tensor of a model folder, looked up by name through scopes, each lookup shape-checked.
package final class BertWeights: @unchecked Sendable {
    private var tensors: [String: (shape: [Int], data: [Float])]
    private var missing: [String] = []

    /// Tensors given directly (tests).
    package init(tensors: [String: (shape: [Int], data: [Float])]) {
        self.tensors = tensors
    }

    /// Opens `model.safetensors` (or the shards of `model.safetensors.index.json`) in `directory`.
    package convenience init(directory: URL) throws {
        // TEMPORARY minimal F32-only reader until the strict SafeTensors loader lands.
        let data = try Data(contentsOf: directory.appendingPathComponent("model.safetensors"))
        let n = data.prefix(8).enumerated().reduce(0) { $0 | Int($1.element) << (8 * $1.offset) }
        let header = try JSONSerialization.jsonObject(with: data.subdata(in: 8..<(8 + n))) as! [String: Any]
        var tensors: [String: (shape: [Int], data: [Float])] = [:]
        for (name, value) in header where name != "__metadata__" {
            let info = value as! [String: Any]
            guard info["dtype"] as? String == "F32" else { continue }
            let offsets = info["data_offsets"] as! [Int]
            let bytes = data.subdata(in: (8 + n + offsets[0])..<(8 + n + offsets[1]))
            let floats = bytes.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
            tensors[name] = (info["shape"] as! [Int], floats)
        }
        self.init(tensors: tensors)
    }

    /// The scope of the whole checkpoint.
    package var root: WeightScope { WeightScope(weights: self, prefix: "") }

    func lookup(_ name: String, shape: [Int]) throws -> [Float] {
        guard let tensor = tensors[name] else {
            missing.append(name)
            return [Float](repeating: 0, count: shape.reduce(1, *))
        }
        guard tensor.shape == shape else {
            throw BertModelError.shapeMismatch(name: name, expected: shape, actual: tensor.shape)
        }
        return tensor.data
    }

    /// Whether the checkpoint has a tensor of this name (after aliases).
    package func hasTensor(_ name: String) -> Bool { tensors[name] != nil }

    /// Throws `.missingTensors` naming every tensor looked up so far that the checkpoint lacks.
    package func checkComplete() throws {
        if !missing.isEmpty { throw BertModelError.missingTensors(names: missing) }
    }
}

/// A name prefix inside a checkpoint: `weights.root.scope("encoder.layer.3").tensor("output.dense.weight", shape: [h, i])`.
package struct WeightScope {
    let weights: BertWeights
    /// The prefix, "" or ending without a dot.
    package let prefix: String

    /// The scope `prefix.name`.
    package func scope(_ name: String) -> WeightScope {
        WeightScope(weights: weights, prefix: prefix.isEmpty ? name : prefix + "." + name)
    }

    /// The tensor `prefix.name` as Float32, checked to have `shape`.
    package func tensor(_ name: String, shape: [Int]) throws -> [Float] {
        try weights.lookup(prefix.isEmpty ? name : prefix + "." + name, shape: shape)
    }
}
