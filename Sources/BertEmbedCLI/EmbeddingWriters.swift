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
/// have no NaN or infinity, so a non-finite value is an error naming the text.
func encodeEmbeddings(_ embeddings: QuantizedEmbeddings, dimension: Int, format: EmbeddingFormat) throws -> [UInt8] {
    switch (embeddings, format) {
    case (.float32(let vectors), .npy):
        return npyHeader(rows: vectors.count, columns: dimension) + npyData(vectors)
    case (.int8(let rows), .npy):
        return npyHeader(rows: rows.count, columns: rows.first?.count ?? 0, descr: "|i1")
            + rows.flatMap { $0.map { UInt8(bitPattern: $0) } }
    case (.uint8(let rows), .npy):
        return npyHeader(rows: rows.count, columns: rows.first?.count ?? 0, descr: "|u1") + rows.flatMap { $0 }
    case (.float32(let vectors), _):
        for (index, vector) in vectors.enumerated() {
            if let bad = vector.first(where: { !$0.isFinite }) {
                throw CLIError("text \(index + 1): the embedding holds \(bad), which \(format.rawValue) cannot represent (use --format npy)")
            }
        }
        return textRows(vectors.map { $0.map(\.description) }, format: format)
    case (_, _):
        return textRows(embeddings.integerRows.map { $0.map(String.init) }, format: format)
    }
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
