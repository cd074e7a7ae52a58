// Ports sentence-transformers' models.Dense: a linear layer with an activation after pooling (e.g. 2_Dense/).
import BertEmbedKernels
import BertEmbedModel
import Foundation

/// A dense layer from a sentence-transformers `Dense` module folder: `config.json` (`in_features`,
/// `out_features`, `bias`, `activation_function`) and `model.safetensors` (`linear.weight` (out, in), `linear.bias`).
struct DenseModule: Sendable {
    let linear: PackedLinear
    let activation: Activation

    init(directory: URL) throws {
        let configURL = directory.appendingPathComponent("config.json")
        guard let json = try readJSON(configURL) as? [String: Any] else {
            throw EmbeddingError.invalidModelFolder(file: configURL.path, reason: "expected a JSON object")
        }
        guard let inFeatures = json["in_features"] as? Int, let outFeatures = json["out_features"] as? Int,
            inFeatures > 0, outFeatures > 0
        else {
            throw EmbeddingError.invalidModelFolder(
                file: configURL.path, reason: "in_features and out_features must be positive integers")
        }
        let activationName = json["activation_function"] as? String ?? "torch.nn.modules.activation.Tanh"
        switch activationName.split(separator: ".").last.map(String.init) ?? "" {
        case "Tanh": activation = .tanh
        case "Identity": activation = .identity
        case "ReLU": activation = .relu
        case "GELU": activation = .gelu
        default:
            throw EmbeddingError.invalidModelFolder(
                file: configURL.path, reason: "unsupported activation_function '\(activationName)' (Tanh, Identity, ReLU, GELU)")
        }
        let hasBias = json["bias"] as? Bool ?? true
        guard FileManager.default.fileExists(atPath: directory.appendingPathComponent("model.safetensors").path) else {
            throw EmbeddingError.invalidModelFolder(
                file: directory.appendingPathComponent("model.safetensors").path,
                reason: "missing (only safetensors weights are supported; convert pytorch_model.bin with safetensors)")
        }
        do {
            let weights = try BertWeights(directory: directory)
            let weight = try weights.root.tensor("linear.weight", shape: [outFeatures, inFeatures])
            let bias = hasBias ? try weights.root.tensor("linear.bias", shape: [outFeatures])
                : [Float](repeating: 0, count: outFeatures)
            try weights.checkComplete()
            linear = PackedLinear(weight: weight, bias: bias, outFeatures: outFeatures, inFeatures: inFeatures)
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
                linear.apply(x.baseAddress!, rows: rows, output: y.baseAddress!, activation: activation, context: context)
            }
        }
        return output
    }
}
