// The arithmetic of an encoder's dense layers, chosen at load (CTranslate2 calls the same choice `compute_type`).
import BertEmbedKernels

/// How an encoder stores and computes its dense layers, chosen at load with `ComputeOptions.computeType`.
///
/// The dense layers (attention's projections, the feed-forward layers, the pooler and `Dense` modules) hold almost
/// all of a model's weights and work. Everything else (embeddings, LayerNorm, softmax, attention's products of
/// activations, pooling) computes in float32 whatever the type.
///
/// - ``float32``: the checkpoint's weights; vectors equal to sentence-transformers' within float32 rounding.
/// - ``bfloat16``: weights rounded once to bfloat16 (half the memory of float32), sums in float32. Where the CPU has
///   AMX-BF16 (Intel Sapphire Rapids and later, Linux) the products run on the tile instructions (`tdpbf16ps`), each
///   input split into two bfloat16 (its rounding and the rounded remainder: 16 significant bits); elsewhere (or with
///   `BERT_EMBED_AMX=0`) the weights are widened back to float32 and the products are float32. Measured on 1,011 real
///   paragraphs against sentence-transformers in float32: cosine at least 0.9998 either way (0.99987 for
///   all-mpnet-base-v2 on AMX, 0.99998 for all-MiniLM-L6-v2).
/// - ``int8``: weights quantized once to symmetric int8 in blocks of 16 along each row, each block with a float32
///   scale (1.25 bytes per weight, 31 % of float32). On x86-64 with AVX2 + FMA the products are integers: each
///   layer's inputs are quantized per token to int16 with one float32 scale, each block's 16 products summed exactly
///   in int32, the sums scaled and added in float32 (a micro-kernel generated at run time, with `vpdpwssd` where the
///   CPU has AVX-VNNI or AVX512-VNNI). Elsewhere (or with code
///   generation off) the weights are widened back to float32 in L1 and the arithmetic is float32. Measured on 1,011
///   texts against sentence-transformers in float32: cosine at least 0.9996 (all-MiniLM-L6-v2) and 0.998
///   (all-mpnet-base-v2; 0.9995 without one synthetic 3,000-character text), mean 0.9999. On an AVX2 CPU (AMD EPYC)
///   batches encode 1.2-1.5x as fast as in float32, a single query about 2x (1 or 2 threads).
///
/// Output vectors are float32 with every type; `Precision` (the output precision of `quantize`) applies afterwards.
public struct ComputeType: Sendable, Hashable, CustomStringConvertible {
    /// float32 weights and arithmetic (the default).
    public static let float32 = ComputeType(name: "float32", weightFormat: .float32)
    /// bfloat16 weights, float32 sums (AMX tile products where the CPU has AMX-BF16): half the weight memory.
    public static let bfloat16 = ComputeType(name: "bfloat16", weightFormat: .bfloat16)
    /// int8 weights in blocks of 16 with float32 scales (31 % of float32's weight memory), integer products with
    /// int16 inputs where the CPU has AVX2 + FMA.
    public static let int8 = ComputeType(name: "int8", weightFormat: .int8)
    /// Every compute type, in order of precision.
    public static let allCases: [ComputeType] = [.float32, .bfloat16, .int8]

    /// The name: "float32", "bfloat16" or "int8".
    public let name: String
    /// How the dense layers store their weights.
    let weightFormat: WeightFormat

    private init(name: String, weightFormat: WeightFormat) {
        self.name = name
        self.weightFormat = weightFormat
    }

    /// The compute type called `name` ("float32", "bfloat16", "int8"), or nil for any other name.
    public init?(name: String) {
        guard let type = Self.allCases.first(where: { $0.name == name }) else { return nil }
        self = type
    }

    /// The name.
    public var description: String { name }
}
