// Everything that can be wrong with a safetensors file or a sharded checkpoint, each naming the file and tensor.

/// Why a safetensors file, or a sharded checkpoint's index, cannot be read.
/// Every case names the file (`file`, a path) and, where one is involved, the tensor; `description` is a
/// sentence a user can act on.
package enum SafeTensorsError: Error, CustomStringConvertible, Equatable, Sendable {
    // The file itself.
    /// The file cannot be opened, is not a regular file, or cannot be mapped.
    case unreadableFile(file: String, reason: String)
    /// The file has fewer than the 8 bytes of the header length.
    case fileTooShort(file: String, size: Int)
    /// The declared header length exceeds the 100 MB limit of the reference implementation.
    case headerTooLarge(file: String, headerLength: UInt64)
    /// The declared header length runs past the end of the file.
    case headerBeyondFile(file: String, headerLength: UInt64, fileSize: Int)

    // The JSON header.
    /// The header is not valid UTF-8 (first bad byte, counted from the start of the header).
    case headerNotUTF8(file: String, byteOffset: Int)
    /// The header is not valid JSON.
    case headerNotJSON(file: String, reason: String)
    /// The header is valid JSON but not an object.
    case headerNotObject(file: String, found: String)
    /// Two header entries have the same tensor name.
    case duplicateTensor(file: String, tensor: String)
    /// `__metadata__` is neither null nor an object of strings.
    case invalidMetadata(file: String, reason: String)
    /// A tensor entry is not an object, or repeats a key.
    case invalidEntry(file: String, tensor: String, reason: String)
    /// A tensor entry lacks `dtype`, `shape` or `data_offsets`.
    case missingKey(file: String, tensor: String, key: String)
    /// A tensor entry's key has a value of the wrong type.
    case wrongType(file: String, tensor: String, key: String, expected: String, found: String)
    /// The dtype is not one of the format's dtypes.
    case unknownDType(file: String, tensor: String, dtype: String)
    /// A dimension of the shape is negative.
    case negativeDimension(file: String, tensor: String, shape: String)
    /// The element count or byte size of the shape overflows.
    case shapeOverflow(file: String, tensor: String, shape: String)
    /// A sub-byte dtype (F4, F6) whose elements do not end on a byte boundary.
    case partialByte(file: String, tensor: String, dtype: SafeTensorsDType, elementCount: Int)

    // The data buffer.
    /// `data_offsets` has its end before its start.
    case reversedOffsets(file: String, tensor: String, start: Int, end: Int)
    /// `data_offsets` ends past the data buffer.
    case offsetsOutsideBuffer(file: String, tensor: String, end: Int, bufferSize: Int)
    /// `data_offsets` spans another byte count than shape x dtype size.
    case sizeMismatch(file: String, tensor: String, expectedBytes: Int, actualBytes: Int)
    /// Two tensors share bytes.
    case overlappingTensors(file: String, tensor: String, other: String)
    /// Bytes of the data buffer belong to no tensor (a gap, or trailing bytes when `before` is nil).
    case uncoveredBytes(file: String, range: Range<Int>, before: String?)

    // Reading.
    /// No tensor of that name.
    case tensorNotFound(file: String, tensor: String)
    /// The tensor's dtype does not convert to Float32.
    case notFloat(file: String, tensor: String, dtype: SafeTensorsDType)

    // Checkpoint folders and shards.
    /// The folder has neither `model.safetensors` nor `model.safetensors.index.json`.
    case noWeights(directory: String)
    /// `model.safetensors.index.json` is unreadable or malformed.
    case invalidIndex(file: String, reason: String)
    /// A shard name in the index is not a plain file name (e.g. "../x", "/etc/x", "a/b").
    case unsafeShardName(file: String, shard: String)
    /// A shard named in the index does not exist.
    case missingShard(file: String, shard: String)
    /// The index maps a tensor to a shard that does not hold it.
    case tensorMissingFromShard(file: String, tensor: String, shard: String)

    /// A sentence naming the file (and tensor) and what is wrong.
    package var description: String {
        switch self {
        case .unreadableFile(let file, let reason): return "\(file): cannot read the file: \(reason)"
        case .fileTooShort(let file, let size):
            return "\(file): not a safetensors file: \(size) bytes, shorter than the 8-byte header length"
        case .headerTooLarge(let file, let n):
            return "\(file): header length \(n) exceeds the 100000000-byte limit (corrupt or not a safetensors file)"
        case .headerBeyondFile(let file, let n, let size):
            return "\(file): header length \(n) runs past the end of the \(size)-byte file (truncated or corrupt)"
        case .headerNotUTF8(let file, let offset):
            return "\(file): header is not valid UTF-8 (at header byte \(offset))"
        case .headerNotJSON(let file, let reason): return "\(file): header is not valid JSON: \(reason)"
        case .headerNotObject(let file, let found): return "\(file): header is \(found), expected a JSON object"
        case .duplicateTensor(let file, let tensor): return "\(file): tensor '\(tensor)' appears twice in the header"
        case .invalidMetadata(let file, let reason): return "\(file): invalid __metadata__: \(reason)"
        case .invalidEntry(let file, let tensor, let reason): return "\(file): tensor '\(tensor)': \(reason)"
        case .missingKey(let file, let tensor, let key): return "\(file): tensor '\(tensor)': missing key '\(key)'"
        case .wrongType(let file, let tensor, let key, let expected, let found):
            return "\(file): tensor '\(tensor)': '\(key)' must be \(expected), found \(found)"
        case .unknownDType(let file, let tensor, let dtype):
            let known = SafeTensorsDType.allCases.map(\.rawValue).joined(separator: ", ")
            return "\(file): tensor '\(tensor)': unknown dtype '\(dtype)' (known: \(known))"
        case .negativeDimension(let file, let tensor, let shape):
            return "\(file): tensor '\(tensor)': shape \(shape) has a negative dimension"
        case .shapeOverflow(let file, let tensor, let shape):
            return "\(file): tensor '\(tensor)': shape \(shape) has more elements or bytes than can be addressed"
        case .partialByte(let file, let tensor, let dtype, let count):
            return "\(file): tensor '\(tensor)': \(count) elements of \(dtype.rawValue) do not end on a byte boundary"
        case .reversedOffsets(let file, let tensor, let start, let end):
            return "\(file): tensor '\(tensor)': data_offsets [\(start), \(end)] end before they start"
        case .offsetsOutsideBuffer(let file, let tensor, let end, let size):
            return "\(file): tensor '\(tensor)': data_offsets end at \(end), past the \(size)-byte data buffer"
        case .sizeMismatch(let file, let tensor, let expected, let actual):
            return "\(file): tensor '\(tensor)': shape and dtype need \(expected) bytes, data_offsets span \(actual)"
        case .overlappingTensors(let file, let tensor, let other):
            return "\(file): tensor '\(tensor)' overlaps tensor '\(other)' in the data buffer"
        case .uncoveredBytes(let file, let range, let before):
            let place = before.map { "before tensor '\($0)'" } ?? "at the end of the file"
            return "\(file): data buffer bytes \(range.lowerBound)..<\(range.upperBound) (\(place)) belong to no tensor"
        case .tensorNotFound(let file, let tensor): return "\(file): no tensor named '\(tensor)'"
        case .notFloat(let file, let tensor, let dtype):
            return "\(file): tensor '\(tensor)' has dtype \(dtype.rawValue), which does not convert to Float32 "
                + "(supported: F32, F16, BF16)"
        case .noWeights(let directory):
            return "\(directory): no model.safetensors or model.safetensors.index.json in this folder"
        case .invalidIndex(let file, let reason): return "\(file): invalid checkpoint index: \(reason)"
        case .unsafeShardName(let file, let shard):
            return "\(file): shard name '\(shard)' is not a plain file name in the checkpoint folder"
        case .missingShard(let file, let shard): return "\(file): shard '\(shard)' named in the index does not exist"
        case .tensorMissingFromShard(let file, let tensor, let shard):
            return "\(file): the index puts tensor '\(tensor)' in shard '\(shard)', which does not hold it"
        }
    }
}
