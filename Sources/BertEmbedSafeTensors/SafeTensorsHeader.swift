// Parses and validates the safetensors header, mirroring the Rust crate's `read_metadata` and `Metadata::validate`.
//
// Layout: 8-byte little-endian header length N, N bytes of UTF-8 JSON, then the data buffer.
// Rules (the reference's, plus duplicate-name detection that serde's map silently skips):
// - N <= 100_000_000 and 8 + N <= file size.
// - The header is UTF-8 and one JSON object (whitespace padding allowed, nothing else after it).
// - `__metadata__` is null or an object of strings. Every other member is a tensor entry with
//   `dtype` (known string), `shape` (non-negative integer literals), `data_offsets` (exactly two
//   non-negative integer literals); other keys are ignored, as serde does; repeated keys are errors.
// - end >= start, end <= buffer size, end - start == elements x bits / 8 (overflow-checked, whole bytes).
// - Sorted by offsets, the tensors tile the buffer exactly: the first starts at 0, each starts where the
//   previous ended, the last ends at the end of the file. So overlaps, gaps and trailing bytes are errors.
import BertEmbedJSON

/// Where one tensor's bytes are in a safetensors file, and how to read them.
package struct TensorInfo: Sendable, Equatable {
    /// The tensor's name in the header.
    package let name: String
    /// The element type.
    package let dtype: SafeTensorsDType
    /// The dimensions, outermost first (row-major, as PyTorch stores them). `[]` is a scalar.
    package let shape: [Int]
    /// The bytes of the tensor within the data buffer (`data_offsets`; the buffer starts after the header).
    package let byteRange: Range<Int>

    /// The number of elements: the product of `shape` (1 for a scalar). Checked at load not to overflow.
    package var elementCount: Int { shape.reduce(1, *) }
}

/// The validated header of one file.
struct SafeTensorsHeader {
    /// The length N of the JSON header; the data buffer starts at byte 8 + N.
    let headerLength: Int
    /// Every tensor, in offset order.
    let tensors: [TensorInfo]
    /// `__metadata__`, empty when absent.
    let metadata: [String: String]

    /// The reference implementation's limit on N.
    static let maximumHeaderLength = 100_000_000

    /// Parses the whole file `bytes`; `file` names it in errors.
    init(bytes: UnsafeRawBufferPointer, file: String) throws {
        guard bytes.count >= 8 else { throw SafeTensorsError.fileTooShort(file: file, size: bytes.count) }
        var n: UInt64 = 0
        for i in (0..<8).reversed() { n = n << 8 | UInt64(bytes[i]) }  // little-endian, whatever the host
        guard n <= UInt64(Self.maximumHeaderLength) else {
            throw SafeTensorsError.headerTooLarge(file: file, headerLength: n)
        }
        let length = Int(n)
        guard length <= bytes.count - 8 else {
            throw SafeTensorsError.headerBeyondFile(file: file, headerLength: n, fileSize: bytes.count)
        }
        let json = UnsafeRawBufferPointer(rebasing: bytes[8..<(8 + length)])
        if let bad = Self.firstInvalidUTF8(json) { throw SafeTensorsError.headerNotUTF8(file: file, byteOffset: bad) }
        let root: JSONValue
        do { root = try JSONParser.parse(json) } catch let error as JSONSyntaxError {
            throw SafeTensorsError.headerNotJSON(file: file, reason: error.description + " of the header")
        }
        guard let members = root.objectMembers else {
            throw SafeTensorsError.headerNotObject(file: file, found: root.kindDescription)
        }
        let bufferSize = bytes.count - 8 - length
        var tensors: [TensorInfo] = []
        var metadata: [String: String] = [:]
        var seen = Set<String>()
        for member in members {
            guard seen.insert(member.key).inserted else {
                throw SafeTensorsError.duplicateTensor(file: file, tensor: member.key)
            }
            if member.key == "__metadata__" {
                metadata = try Self.metadata(member.value, file: file)
            } else {
                tensors.append(try Self.entry(member, bufferSize: bufferSize, file: file))
            }
        }
        tensors.sort {
            ($0.byteRange.lowerBound, $0.byteRange.upperBound) < ($1.byteRange.lowerBound, $1.byteRange.upperBound)
        }
        var covered = 0
        var previous: String?
        for tensor in tensors {
            if tensor.byteRange.lowerBound < covered {
                throw SafeTensorsError.overlappingTensors(file: file, tensor: tensor.name, other: previous ?? "")
            }
            if tensor.byteRange.lowerBound > covered {
                throw SafeTensorsError.uncoveredBytes(
                    file: file, range: covered..<tensor.byteRange.lowerBound, before: tensor.name)
            }
            covered = tensor.byteRange.upperBound
            previous = tensor.name
        }
        if covered != bufferSize {
            throw SafeTensorsError.uncoveredBytes(file: file, range: covered..<bufferSize, before: nil)
        }
        self.headerLength = length
        self.tensors = tensors
        self.metadata = metadata
    }

    /// The byte offset of the first invalid UTF-8 sequence, or nil if `bytes` is valid UTF-8.
    static func firstInvalidUTF8(_ bytes: UnsafeRawBufferPointer) -> Int? {
        var iterator = bytes.makeIterator()
        var decoder = UTF8()
        var offset = 0
        var consumed = 0
        while true {
            // Count the bytes each scalar takes to report the offset of the bad one.
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar):
                offset += UTF8.width(scalar)
                consumed = offset
            case .emptyInput: return nil
            case .error: return consumed
            }
        }
    }

    static func metadata(_ value: JSONValue, file: String) throws -> [String: String] {
        if value == .null { return [:] }
        guard let members = value.objectMembers else {
            throw SafeTensorsError.invalidMetadata(file: file, reason: "it is \(value.kindDescription), not an object")
        }
        var result: [String: String] = [:]
        for member in members {
            guard let string = member.value.stringValue else {
                throw SafeTensorsError.invalidMetadata(
                    file: file, reason: "'\(member.key)' is \(member.value.kindDescription), not a string")
            }
            guard result.updateValue(string, forKey: member.key) == nil else {
                throw SafeTensorsError.invalidMetadata(file: file, reason: "key '\(member.key)' appears twice")
            }
        }
        return result
    }

    static func entry(_ member: JSONMember, bufferSize: Int, file: String) throws -> TensorInfo {
        let name = member.key
        guard let fields = member.value.objectMembers else {
            throw SafeTensorsError.invalidEntry(
                file: file, tensor: name, reason: "entry is \(member.value.kindDescription), not an object")
        }
        if let repeated = fields.firstDuplicateKey {
            throw SafeTensorsError.invalidEntry(file: file, tensor: name, reason: "key '\(repeated)' appears twice")
        }
        func field(_ key: String) throws -> JSONValue {
            guard let value = fields.value(key) else {
                throw SafeTensorsError.missingKey(file: file, tensor: name, key: key)
            }
            return value
        }
        // dtype
        let dtypeValue = try field("dtype")
        guard let dtypeName = dtypeValue.stringValue else {
            throw SafeTensorsError.wrongType(
                file: file, tensor: name, key: "dtype", expected: "a string", found: dtypeValue.kindDescription)
        }
        guard let dtype = SafeTensorsDType(rawValue: dtypeName) else {
            throw SafeTensorsError.unknownDType(file: file, tensor: name, dtype: dtypeName)
        }
        // shape
        let shapeValue = try field("shape")
        let shapeExpectation = "a list of non-negative integers"
        guard case .array(let dims) = shapeValue else {
            throw SafeTensorsError.wrongType(
                file: file, tensor: name, key: "shape", expected: shapeExpectation, found: shapeValue.kindDescription)
        }
        var literals: [JSONNumber] = []
        for dim in dims {
            guard case .number(let number) = dim, number.isIntegerLiteral else {
                throw SafeTensorsError.wrongType(
                    file: file, tensor: name, key: "shape", expected: shapeExpectation, found: dim.kindDescription)
            }
            literals.append(number)
        }
        let written = "[" + literals.map(\.literal).joined(separator: ", ") + "]"
        if literals.contains(where: \.isNegativeInteger) {
            throw SafeTensorsError.negativeDimension(file: file, tensor: name, shape: written)
        }
        var shape: [Int] = []
        var elements = 1
        for number in literals {
            guard let dim = number.exactInt else {
                throw SafeTensorsError.shapeOverflow(file: file, tensor: name, shape: written)
            }
            let (product, overflow) = elements.multipliedReportingOverflow(by: dim)
            guard !overflow else { throw SafeTensorsError.shapeOverflow(file: file, tensor: name, shape: written) }
            elements = product
            shape.append(dim)
        }
        let (bits, bitsOverflow) = elements.multipliedReportingOverflow(by: dtype.bitSize)
        guard !bitsOverflow else { throw SafeTensorsError.shapeOverflow(file: file, tensor: name, shape: written) }
        guard bits % 8 == 0 else {
            throw SafeTensorsError.partialByte(file: file, tensor: name, dtype: dtype, elementCount: elements)
        }
        // data_offsets
        let offsetsValue = try field("data_offsets")
        let offsetsExpectation = "a list of two non-negative integers [start, end]"
        guard case .array(let ends) = offsetsValue, ends.count == 2,
            case .number(let startNumber) = ends[0], let start = startNumber.exactInt, start >= 0,
            case .number(let endNumber) = ends[1], let end = endNumber.exactInt, end >= 0
        else {
            var found = offsetsValue.kindDescription
            if case .array(let items) = offsetsValue {
                found = "[" + items.map(\.kindDescription).joined(separator: ", ") + "]"
            }
            throw SafeTensorsError.wrongType(
                file: file, tensor: name, key: "data_offsets", expected: offsetsExpectation, found: found)
        }
        guard start <= end else {
            throw SafeTensorsError.reversedOffsets(file: file, tensor: name, start: start, end: end)
        }
        guard end <= bufferSize else {
            throw SafeTensorsError.offsetsOutsideBuffer(file: file, tensor: name, end: end, bufferSize: bufferSize)
        }
        guard end - start == bits / 8 else {
            throw SafeTensorsError.sizeMismatch(
                file: file, tensor: name, expectedBytes: bits / 8, actualBytes: end - start)
        }
        return TensorInfo(name: name, dtype: dtype, shape: shape, byteRange: start..<end)
    }
}
