// Ports sentence-transformers' models.Dense: a linear layer with an activation after pooling (e.g. 2_Dense/).
import BertEmbedJSON
import BertEmbedKernels
import BertEmbedModel
import Foundation

/// A dense layer from a sentence-transformers `Dense` module folder: `config.json` (`in_features`,
/// `out_features`, `bias`, `activation_function`) and `model.safetensors` (`linear.weight` (out, in), `linear.bias`).
struct DenseModule: Sendable {
    let linear: PackedLinear
    let activation: Activation
    /// The module's config.json, named in errors about its shape.
    let configPath: String

    /// Reads the module in `directory`, its weight packed for `context`'s GEMM kernel.
    /// - Throws: `EmbeddingError.invalidModelFolder` naming the file and the problem.
    init(directory: URL, context: ComputeContext) throws {
        let configURL = directory.appendingPathComponent("config.json")
        configPath = configURL.path
        let (inFeatures, outFeatures, activation, hasBias) = try EmbeddingError.readingJSON {
            let json = try JSONNode.readObject(configURL)
            let inFeatures = try json.required("in_features").int(),
                outFeatures = try json.required("out_features").int()
            for (key, value) in [("in_features", inFeatures), ("out_features", outFeatures)]
            where value < 1 || value > 1 << 20 {
                throw json.error(key, "must be between 1 and \(1 << 20), found \(value)")
            }
            let name = try json.string("activation_function") ?? "torch.nn.modules.activation.Tanh"
            let activations: [String: Activation] = [
                "Tanh": .tanh, "Identity": .identity, "ReLU": .relu, "GELU": .gelu,
            ]
            guard let activation = activations[name.split(separator: ".").last.map(String.init) ?? ""] else {
                throw json.error("activation_function", "unsupported '\(name)' (Tanh, Identity, ReLU, GELU)")
            }
            return (inFeatures, outFeatures, activation, try json.bool("bias") ?? true)
        }
        self.activation = activation
        let weightsURL = directory.appendingPathComponent("model.safetensors")
        guard FileManager.default.fileExists(atPath: weightsURL.path) else {
            throw EmbeddingError.invalidModelFolder(
                file: weightsURL.path,
                reason: "missing (only safetensors weights are supported; convert pytorch_model.bin with safetensors)")
        }
        do {
            let weights = try BertWeights(directory: directory)
            let weight = try weights.root.tensor("linear.weight", shape: [outFeatures, inFeatures])
            let bias =
                hasBias
                ? try weights.root.tensor("linear.bias", shape: [outFeatures])
                : [Float](repeating: 0, count: outFeatures)
            try weights.checkComplete()
            linear = PackedLinear(
                weight: weight, bias: bias, outFeatures: outFeatures, inFeatures: inFeatures, context: context)
        } catch let error as BertModelError {
            throw EmbeddingError.invalidModelFolder(file: directory.path, reason: error.description)
        }
    }

    /// input (rows, in) -> (rows, out).
    func callAsFunction(_ input: [Float], rows: Int, context: ComputeContext) -> [Float] {
        var output = [Float](repeating: 0, count: rows * linear.outFeatures)
        guard rows > 0 else { return output }
        input.withUnsafeBufferPointer { x in
            output.withUnsafeMutableBufferPointer { y in
                linear.apply(
                    x.baseAddress!, rows: rows, output: y.baseAddress!, activation: activation, context: context)
            }
        }
        return output
    }
}
