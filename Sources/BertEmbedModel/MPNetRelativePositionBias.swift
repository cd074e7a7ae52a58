// Ports transformers' MPNetEncoder.compute_position_bias and relative_position_bucket (modeling_mpnet.py): one bias
// per head and distance between key and query, computed once for all layers and added to the scaled attention scores
// before the softmax. Positions are the tokens' indices in their sequence (padding never changes them here).
import BertEmbedKernels

/// MPNet's relative position bias: table (buckets, heads) as `encoder.relative_attention_bias.weight` stores it,
/// expanded at load into an `AttentionBias` by distance, for every distance a sequence of the model can have.
package struct MPNetRelativePositionBias: Sendable {
    /// The bias by head and distance (key - query) in -(maxSequenceLength - 1) ... maxSequenceLength - 1.
    let attentionBias: AttentionBias

    /// Reads the table from `scope` (the encoder's), sized by `config.relativeAttentionBuckets`.
    init(config: BertConfig, scope: WeightScope) throws {
        let heads = config.numAttentionHeads, buckets = config.relativeAttentionBuckets ?? 32
        let table = try scope.tensor("relative_attention_bias.weight", shape: [buckets, heads])
        let maxDistance = config.maxSequenceLength - 1, width = 2 * maxDistance + 1
        var values = [Float](repeating: 0, count: heads * width)
        for distance in -maxDistance...maxDistance {
            let bucket = Self.bucket(distance)
            guard bucket < buckets else { continue }  // a table smaller than the 32 buckets transformers indexes
            for head in 0..<heads { values[head * width + distance + maxDistance] = table[bucket * heads + head] }
        }
        attentionBias = AttentionBias(heads: heads, maxDistance: maxDistance, values: values)
    }

    /// `relative_position_bucket(key - query)` with transformers' arguments (32 buckets, whatever the config says,
    /// and max_distance 128): 16 buckets per direction, +16 when the key comes after the query; distances 0-7 are
    /// their own bucket, larger ones 8 + floor(2 log2(distance / 8)), at most 15. transformers computes the log in
    /// float32; the integer form here equals it at every distance (the MPNet goldens reach distance 199).
    package static func bucket(_ relativePosition: Int) -> Int {
        let after = relativePosition > 0 ? 16 : 0
        let n = abs(relativePosition)
        guard n >= 8 else { return after + n }
        // floor(2 log2(n / 8)) = floor(log2(n^2)) - 6.
        let log2Square = Int.bitWidth - 1 - (n * n).leadingZeroBitCount
        return after + min(15, 8 + log2Square - 6)
    }
}
