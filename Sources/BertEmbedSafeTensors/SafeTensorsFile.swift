// One .safetensors file, memory-mapped and validated at open; tensors read as Float32 or raw bytes on demand.
import Foundation

/// A validated, memory-mapped safetensors file.
///
/// Opening maps the file and validates the whole header (see `SafeTensorsError` for every rule); no tensor
/// data is read until asked for, so opening takes microseconds whatever the file size. Immutable, Sendable.
///
/// ```swift
/// let file = try SafeTensorsFile(contentsOf: url)
/// let weight = try file.floats("pooler.dense.weight")   // [Float], row-major
/// ```
package final class SafeTensorsFile: Sendable {
    /// The path given at open (or the name given for in-memory bytes); errors name it.
    package let path: String
    /// Every tensor, in the order of their data in the file.
    package let tensors: [TensorInfo]
    /// The header's `__metadata__` (empty when absent).
    package let metadata: [String: String]
    private let bytes: MappedBytes
    private let dataStart: Int
    private let indexByName: [String: Int]

    /// Maps and validates the file at `url`.
    /// - Throws: `SafeTensorsError` naming the file and what is wrong with it.
    package convenience init(contentsOf url: URL) throws {
        let path = url.path
        try self.init(storage: MappedBytes(mapping: path), path: path)
    }

    /// Maps and validates the file at `url` (same as `init(contentsOf:)`).
    package static func open(_ url: URL) throws -> SafeTensorsFile { try SafeTensorsFile(contentsOf: url) }

    /// Validates a copy of in-memory file `bytes`; `name` stands for the file in errors.
    package convenience init(bytes: [UInt8], name: String) throws {
        let storage = bytes.withUnsafeBytes { MappedBytes(copying: $0) }
        try self.init(storage: storage, path: name)
    }

    private init(storage: MappedBytes, path: String) throws {
        let header = try SafeTensorsHeader(bytes: storage.buffer, file: path)
        self.path = path
        self.bytes = storage
        self.dataStart = 8 + header.headerLength
        self.tensors = header.tensors
        self.metadata = header.metadata
        var index: [String: Int] = [:]
        for (i, tensor) in header.tensors.enumerated() { index[tensor.name] = i }
        self.indexByName = index
    }

    /// The tensor names, in the order of their data in the file.
    package var tensorNames: [String] { tensors.map(\.name) }

    /// True if the file holds a tensor named `name`.
    package func contains(_ name: String) -> Bool { indexByName[name] != nil }

    /// The dtype, shape and location of tensor `name`.
    /// - Throws: `SafeTensorsError.tensorNotFound`.
    package func info(_ name: String) throws -> TensorInfo {
        guard let i = indexByName[name] else { throw SafeTensorsError.tensorNotFound(file: path, tensor: name) }
        return tensors[i]
    }

    /// Tensor `name` as Float32, row-major, `info(name).elementCount` values. F32 is copied; F16 and BF16
    /// are widened exactly.
    /// - Throws: `.tensorNotFound`, or `.notFloat` for any other dtype (integers, F64, 8-bit floats...).
    package func floats(_ name: String) throws -> [Float] {
        let tensor = try info(name)
        guard tensor.dtype.isFloatConvertible else {
            throw SafeTensorsError.notFloat(file: path, tensor: name, dtype: tensor.dtype)
        }
        let count = tensor.elementCount
        let source = bytes.base + dataStart + tensor.byteRange.lowerBound
        return [Float](unsafeUninitializedCapacity: count) { output, initialized in
            if let out = output.baseAddress {
                FloatConversion.convert(source, dtype: tensor.dtype, count: count, into: out)
            }
            initialized = count
        }
    }

    /// Calls `body` with tensor `name`'s bytes as stored (little-endian, any alignment), valid only during the call.
    /// - Throws: `.tensorNotFound`, or what `body` throws.
    package func withRawBytes<R>(_ name: String, _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R {
        try withExtendedLifetime(self) { try body(try storedBytes(name)) }
    }

    /// Tensor `name`'s bytes as stored (little-endian, any alignment), in the file's own memory: valid while this
    /// file object lives (for readers that pack weights straight from the map instead of copying them first).
    /// - Throws: `.tensorNotFound`.
    package func storedBytes(_ name: String) throws -> UnsafeRawBufferPointer {
        let tensor = try info(name)
        return UnsafeRawBufferPointer(
            start: bytes.base + dataStart + tensor.byteRange.lowerBound, count: tensor.byteRange.count)
    }

    /// Tensor `name`'s bytes as stored, in a read-only map of their own that lives as long as the returned object,
    /// however long this file object does: for a tensor used in place after loading (the word embeddings), whose
    /// pages the OS then reads only when touched. Nil for a file made from in-memory bytes.
    /// - Throws: `.tensorNotFound`, or `.unreadableFile` when the system refuses the map.
    package func separateMapping(of name: String) throws -> MappedBytes? {
        let tensor = try info(name)
        return try bytes.mapping(
            of: (dataStart + tensor.byteRange.lowerBound)..<(dataStart + tensor.byteRange.upperBound))
    }

    /// A copy of tensor `name`'s bytes as stored (little-endian).
    /// - Throws: `.tensorNotFound`.
    package func rawBytes(_ name: String) throws -> [UInt8] {
        try withRawBytes(name) { [UInt8]($0) }
    }
}
