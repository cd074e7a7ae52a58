// Writers of embeddings for `bert-embed embed`: JSON lines, NumPy .npy (float32) and CSV.

/// An output format of `bert-embed embed`.
enum EmbeddingFormat: String, CaseIterable {
    /// One JSON array of floats per line.
    case jsonl
    /// A NumPy float32 array of shape (texts, dimension), format version 1.0.
    case npy
    /// One comma-separated row of floats per text, no header.
    case csv
}

/// The bytes of `vectors` (each of `dimension` floats) in `format`.
///
/// Floats are written in the shortest form that reads back to the same float32 (`Float.description`). JSON and CSV
/// have no NaN or infinity, so a non-finite value is an error naming the text.
func encodeEmbeddings(_ vectors: [[Float]], dimension: Int, format: EmbeddingFormat) throws -> [UInt8] {
    switch format {
    case .npy:
        return npyHeader(rows: vectors.count, columns: dimension) + npyData(vectors)
    case .jsonl, .csv:
        var text = ""
        for (index, vector) in vectors.enumerated() {
            if let bad = vector.first(where: { !$0.isFinite }) {
                throw CLIError("text \(index + 1): the embedding holds \(bad), which \(format.rawValue) cannot represent (use --format npy)")
            }
            let values = vector.map(\.description).joined(separator: ",")
            text += format == .jsonl ? "[" + values + "]\n" : values + "\n"
        }
        return Array(text.utf8)
    }
}

/// The header of a version 1.0 .npy file for a little-endian float32 C-order array of shape (rows, columns):
/// magic `\x93NUMPY`, version 1 0, the header length (UInt16 little-endian), then the dictionary padded with spaces
/// and ended by `\n` so that the data starts at a multiple of 64 bytes.
func npyHeader(rows: Int, columns: Int) -> [UInt8] {
    var dictionary = "{'descr': '<f4', 'fortran_order': False, 'shape': (\(rows), \(columns)), }"
    let prefix = 10  // magic (6) + version (2) + header length (2)
    let unpadded = prefix + dictionary.utf8.count + 1
    dictionary += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
    let length = dictionary.utf8.count
    return [0x93] + Array("NUMPY".utf8) + [1, 0, UInt8(length & 0xFF), UInt8(length >> 8)] + Array(dictionary.utf8)
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
