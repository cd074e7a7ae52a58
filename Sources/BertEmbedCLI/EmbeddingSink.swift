// Where `bert-embed embed` puts embeddings as chunks of texts are encoded: written at once where the format and
// precision allow it (JSON lines and CSV of float32 or binary rows), so memory stays bounded for any input;
// kept until the end where they must be (.npy states the row count in its header; int8/uint8 take their ranges
// from all the embeddings).
import BertEmbed

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Receives embeddings chunk by chunk, in input order, and writes them to standard output or a file.
/// The file is opened at the first write, so an error before any output leaves an existing file untouched.
struct EmbeddingSink {
    let format: EmbeddingFormat
    let precision: Precision
    let dimension: Int
    /// nil: standard output.
    let outputPath: String?
    private var writer: BufferedWriter?
    private var rows = 0
    private var kept: [[Float]] = []  // int8 / uint8: quantized at the end
    private var npyBody: [UInt8] = []  // .npy: written after the header at the end
    private var npyType = "<f4", npyColumns: Int

    init(format: EmbeddingFormat, precision: Precision, dimension: Int, outputPath: String?) {
        self.format = format
        self.precision = precision
        self.dimension = dimension
        self.outputPath = outputPath
        npyColumns = dimension
    }

    /// Whether rows are written as they come (else they are kept until `finish`).
    var streams: Bool { format != .npy && !needsAllRows }

    private var needsAllRows: Bool { precision == .int8 || precision == .uint8 }

    /// Takes the embeddings of the next texts.
    mutating func append(_ vectors: [[Float]]) throws {
        defer { rows += vectors.count }
        if needsAllRows {
            kept += vectors
            return
        }
        let quantized = try Similarity.quantize(vectors, precision: precision)
        guard format == .npy else {
            return try write(encodeEmbeddings(quantized, dimension: dimension, format: format, firstIndex: rows))
        }
        npyBody += npyData(quantized)
        if !vectors.isEmpty {
            (npyType, npyColumns) = (npyDescr(quantized), npyShape(quantized, dimension: dimension).columns)
        }
    }

    /// Writes what was kept and closes the output.
    mutating func finish() throws {
        if needsAllRows {
            let quantized = try Similarity.quantize(kept, precision: precision)
            try write(encodeEmbeddings(quantized, dimension: dimension, format: format))
        } else if format == .npy {
            if rows == 0 && precision != .float32 {
                npyType = precision == .binary ? "|i1" : "|u1"
                npyColumns = 0
            }
            try write(npyHeader(rows: rows, columns: npyColumns, descr: npyType) + npyBody)
        }
        try write([])  // opens the output even when there was nothing to write
        guard var writer else { return }
        let flushed = (try? writer.flush()) != nil
        self.writer = nil
        if let outputPath {
            guard close(writer.fd) == 0, flushed else {
                throw CLIError("cannot write \(outputPath): \(String(cString: strerror(errno)))")
            }
        } else if !flushed {
            throw CLIError("cannot write to standard output")
        }
    }

    /// Appends `bytes` to the output, opening it first if needed, and passes them on.
    private mutating func write(_ bytes: [UInt8]) throws {
        if writer == nil {
            guard let outputPath else {
                writer = BufferedWriter(fd: 1)
                return try write(bytes)
            }
            let fd = open(outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            guard fd >= 0 else { throw CLIError("cannot write \(outputPath): \(String(cString: strerror(errno)))") }
            writer = BufferedWriter(fd: fd)
        }
        writer?.write(bytes: bytes)
        guard (try? writer?.flush()) != nil else {
            throw CLIError(
                outputPath.map { "cannot write \($0): \(String(cString: strerror(errno)))" }
                    ?? "cannot write to standard output")
        }
    }
}
