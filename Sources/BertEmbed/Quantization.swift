// Embedding quantization with sentence-transformers' exact formulas (util/quantization.py, quantize_embeddings).

/// The precision of stored embeddings.
public enum Precision: String, Sendable, CaseIterable {
    /// Unchanged 32-bit floats.
    case float32
    /// 8-bit signed buckets per dimension: floor((x - min) / ((max - min) / 255)) clipped to 0...255, minus 128.
    case int8
    /// 8-bit unsigned buckets per dimension: floor((x - min) / ((max - min) / 255)) clipped to 0...255.
    case uint8
    /// One bit per dimension (x > 0), packed 8 to a byte, most significant bit first, minus 128 as Int8.
    case binary
    /// One bit per dimension (x > 0), packed 8 to a byte, most significant bit first.
    case ubinary
}

/// Quantized embeddings: one row per input embedding.
public enum QuantizedEmbeddings: Sendable, Equatable {
    /// `float32` rows.
    case float32([[Float]])
    /// `int8` or `binary` rows.
    case int8([[Int8]])
    /// `uint8` or `ubinary` rows.
    case uint8([[UInt8]])

    /// The rows as integers; nil for `.float32`.
    package var integerRows: [[Int]]? {
        switch self {
        case .float32: return nil
        case .int8(let rows): return rows.map { $0.map(Int.init) }
        case .uint8(let rows): return rows.map { $0.map(Int.init) }
        }
    }
}

extension Similarity {
    /// Quantizes `embeddings` (all of one length) to `precision`, as sentence-transformers' `quantize_embeddings`.
    ///
    /// - Parameters:
    ///   - embeddings: the vectors, all of one length.
    ///   - precision: the precision to quantize to.
    ///   - ranges: per-dimension minimum and maximum for `int8`/`uint8`; nil computes them from `embeddings`
    ///     (then at least two embeddings are needed, as in sentence-transformers).
    /// - Throws: `EmbeddingError.invalidOption` for rows of different lengths, ranges of the wrong length, or int8
    ///   ranges asked of a single embedding.
    public static func quantize(
        _ embeddings: [[Float]], precision: Precision, ranges: (minimum: [Float], maximum: [Float])? = nil
    ) throws -> QuantizedEmbeddings {
        let dimension = embeddings.first?.count ?? 0
        guard embeddings.allSatisfy({ $0.count == dimension }) else {
            throw EmbeddingError.invalidOption("embeddings to quantize must all have the same length")
        }
        switch precision {
        case .float32:
            return .float32(embeddings)
        case .int8, .uint8:
            let (starts, ends) = try quantizationRanges(
                embeddings, dimension: dimension, ranges: ranges, precision: precision)
            let steps = zip(starts, ends).map { (start, end) -> Float in
                let step = (end - start) / 255
                return step == 0 ? 1 : step
            }
            let buckets = embeddings.map { row in
                row.indices.map { d -> Float in
                    let value = ((row[d] - starts[d]) / steps[d]).rounded(.down)
                    return value.isNaN ? 0 : Swift.min(Swift.max(value, 0), 255)
                }
            }
            if precision == .uint8 { return .uint8(buckets.map { $0.map { UInt8($0) } }) }
            return .int8(buckets.map { $0.map { Int8(Int($0) - 128) } })
        case .binary, .ubinary:
            let packed = embeddings.map { row -> [UInt8] in
                var bytes = [UInt8](repeating: 0, count: (row.count + 7) / 8)
                for (d, value) in row.enumerated() where value > 0 { bytes[d / 8] |= 0x80 >> UInt8(d % 8) }
                return bytes
            }
            if precision == .ubinary { return .uint8(packed) }
            return .int8(packed.map { $0.map { Int8(truncatingIfNeeded: Int($0) - 128) } })
        }
    }

    private static func quantizationRanges(
        _ embeddings: [[Float]], dimension: Int, ranges: (minimum: [Float], maximum: [Float])?, precision: Precision
    ) throws -> ([Float], [Float]) {
        if let ranges {
            guard ranges.minimum.count == dimension, ranges.maximum.count == dimension else {
                throw EmbeddingError.invalidOption(
                    "quantization ranges have \(ranges.minimum.count) and \(ranges.maximum.count) values for \(dimension) dimensions"
                )
            }
            return (ranges.minimum, ranges.maximum)
        }
        guard embeddings.count >= 2 else {
            throw EmbeddingError.invalidOption(
                "cannot compute \(precision.rawValue) quantization ranges from \(embeddings.isEmpty ? "no" : "a single") "
                    + "embedding: pass ranges")
        }
        var minimum = embeddings[0], maximum = embeddings[0]
        for row in embeddings.dropFirst() {
            for d in 0..<dimension {
                minimum[d] = Swift.min(minimum[d], row[d])
                maximum[d] = Swift.max(maximum[d], row[d])
            }
        }
        return (minimum, maximum)
    }
}
