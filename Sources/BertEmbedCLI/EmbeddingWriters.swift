// Writers of embeddings for `bert-embed embed`: JSON lines, NumPy .npy (float32, int8, uint8) and CSV.
import BertEmbed

/// An output format of `bert-embed embed`.
enum EmbeddingFormat: String, CaseIterable {
    /// One JSON array of floats per line.
    case jsonl
    /// A NumPy float32 array of shape (texts, dimension), format version 1.0.
    case npy
    /// One comma-separated row of floats per text, no header.
    case csv
}

/// The bytes of `embeddings` (rows of `dimension` values; for binary precisions, of packed bytes) in `format`.
///
/// Floats are written in the shortest form that reads back to the same float32 (`Float.description`). JSON and CSV
/// have no NaN or infinity, so a non-finite value is an error naming the text (`firstIndex` is the 0-based input
/// index of the first row).
func encodeEmbeddings(
    _ embeddings: QuantizedEmbeddings, dimension: Int, format: EmbeddingFormat, firstIndex: Int = 0
) throws -> [UInt8] {
    guard format == .npy else { return try textRows(embeddings, format: format, firstIndex: firstIndex) }
    let (rows, columns) = npyShape(embeddings, dimension: dimension)
    return npyHeader(rows: rows, columns: columns, descr: npyDescr(embeddings)) + npyData(embeddings)
}

/// The .npy shape of `embeddings`: (rows, columns), columns `dimension` for floats, else the packed row length.
func npyShape(_ embeddings: QuantizedEmbeddings, dimension: Int) -> (rows: Int, columns: Int) {
    switch embeddings {
    case .float32(let rows): return (rows.count, dimension)
    case .int8(let rows): return (rows.count, rows.first?.count ?? 0)
    case .uint8(let rows): return (rows.count, rows.first?.count ?? 0)
    }
}

/// The .npy dtype of `embeddings`: little-endian float32, int8 or uint8.
func npyDescr(_ embeddings: QuantizedEmbeddings) -> String {
    switch embeddings {
    case .float32: return "<f4"
    case .int8: return "|i1"
    case .uint8: return "|u1"
    }
}

/// JSON lines or CSV rows of `embeddings`; a non-finite float is an error naming its text.
private func textRows(_ embeddings: QuantizedEmbeddings, format: EmbeddingFormat, firstIndex: Int) throws -> [UInt8] {
    guard case .float32(let vectors) = embeddings else {
        return textRows((embeddings.integerRows ?? []).map { $0.map(String.init) }, format: format)
    }
    for (index, vector) in vectors.enumerated() {
        if let bad = vector.first(where: { !$0.isFinite }) {
            throw CLIError(
                "text \(firstIndex + index + 1): the embedding holds \(bad), which \(format.rawValue) cannot represent (use --format npy)"
            )
        }
    }
    return textRows(vectors.map { $0.map(\.description) }, format: format)
}

/// JSON lines (`[a,b,...]`) or CSV rows (`a,b,...`) of already formatted numbers.
private func textRows(_ rows: [[String]], format: EmbeddingFormat) -> [UInt8] {
    var text = ""
    for row in rows {
        let values = row.joined(separator: ",")
        text += format == .jsonl ? "[" + values + "]\n" : values + "\n"
    }
    return Array(text.utf8)
}

/// The header of a version 1.0 .npy file for a C-order array of `descr` (little-endian float32 by default) of shape (rows, columns):
/// magic `\x93NUMPY`, version 1 0, the header length (UInt16 little-endian), then the dictionary padded with spaces
/// and ended by `\n` so that the data starts at a multiple of 64 bytes.
func npyHeader(rows: Int, columns: Int, descr: String = "<f4") -> [UInt8] {
    var dictionary = "{'descr': '\(descr)', 'fortran_order': False, 'shape': (\(rows), \(columns)), }"
    let prefix = 10  // magic (6) + version (2) + header length (2)
    let unpadded = prefix + dictionary.utf8.count + 1
    dictionary += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
    let length = dictionary.utf8.count
    return [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(length & 0xFF), UInt8(length >> 8)] + Array(dictionary.utf8)
}

/// The values of `embeddings`, row after row (floats little-endian).
func npyData(_ embeddings: QuantizedEmbeddings) -> [UInt8] {
    switch embeddings {
    case .float32(let vectors): return npyData(vectors)
    case .int8(let rows): return rows.flatMap { $0.map { UInt8(bitPattern: $0) } }
    case .uint8(let rows): return rows.flatMap { $0 }
    }
}

/// The float32 values of `vectors`, row after row, little-endian.
func npyData(_ vectors: [[Float]]) -> [UInt8] {
    var bytes: [UInt8] = []
    bytes.reserveCapacity(vectors.reduce(0) { $0 + $1.count } * 4)
    for vector in vectors {
        for value in vector {
            let bits = value.bitPattern  // bytes taken by shifting: little-endian on any host
            bytes += [UInt8(bits & 0xFF), UInt8((bits >> 8) & 0xFF), UInt8((bits >> 16) & 0xFF), UInt8(bits >> 24)]
        }
    }
    return bytes
}
