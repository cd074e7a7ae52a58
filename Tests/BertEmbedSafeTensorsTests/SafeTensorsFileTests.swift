// Valid files written by the pinned Python safetensors: every dtype, metadata, unaligned offsets, in-memory input.
import BertEmbedSafeTensors
import Foundation
import XCTest
import _BertEmbedTestSupport

final class SafeTensorsFileTests: XCTestCase {
    func checkAgainstExpected(_ fileName: String) throws {
        let url = resource("safetensors/\(fileName)")
        let file = try SafeTensorsFile(contentsOf: url)
        let expectedFile = try XCTUnwrap(try loadJSON("safetensors/expected.json")[fileName] as? [String: Any])
        let expected = try XCTUnwrap(expectedFile["tensors"] as? [String: Any])
        XCTAssertEqual(Set(file.tensorNames), Set(expected.keys))
        XCTAssertEqual(file.metadata, expectedFile["metadata"] as? [String: String])
        for (name, json) in expected {
            let want = try ExpectedTensor(json)
            let info = try file.info(name)
            XCTAssertEqual(info.name, name)
            XCTAssertEqual(info.dtype.rawValue, want.dtype, name)
            XCTAssertEqual(info.shape, want.shape, name)
            XCTAssertEqual(info.byteRange, want.offsets[0]..<want.offsets[1], name)
            XCTAssertEqual(info.elementCount, want.shape.reduce(1, *), name)
            XCTAssertEqual(try file.rawBytes(name), want.bytes, name)
            if let bits = want.floatBits {
                XCTAssertTrue(info.dtype.isFloatConvertible, name)
                assertBitsEqual(try file.floats(name), bits, name)
            } else {
                XCTAssertFalse(info.dtype.isFloatConvertible, name)
                XCTAssertThrowsError(try file.floats(name), name) { error in
                    XCTAssertEqual(
                        error as? SafeTensorsError, .notFloat(file: url.path, tensor: name, dtype: info.dtype))
                    XCTAssertTrue("\(error)".contains(url.path) && "\(error)".contains(name), "\(error)")
                }
            }
        }
        // Offsets tile the buffer in order.
        XCTAssertEqual(
            file.tensors.map(\.byteRange.lowerBound), [0] + file.tensors.dropLast().map(\.byteRange.upperBound))
    }

    func testEveryDTypeMatchesPython() throws {
        try checkAgainstExpected("dtypes.safetensors")
        let file = try SafeTensorsFile.open(resource("safetensors/dtypes.safetensors"))
        let dtypes = Set(file.tensors.map(\.dtype))
        for dtype: SafeTensorsDType in [
            .f32, .f16, .bf16, .f64, .i64, .i32, .i16, .i8, .u8, .u16, .u32, .u64, .bool, .f8E4M3, .f8E5M2,
        ] {
            XCTAssertTrue(dtypes.contains(dtype), "fixture lacks \(dtype)")
        }
        XCTAssertEqual(try file.info("scalar").shape, [])
        XCTAssertEqual(try file.floats("scalar").count, 1)
        XCTAssertEqual(try file.info("empty").shape, [0, 3])
        XCTAssertEqual(try file.floats("empty"), [])
    }

    func testUnalignedOffsetsReadCorrectly() throws {
        try checkAgainstExpected("unaligned.safetensors")
        let file = try SafeTensorsFile(contentsOf: resource("safetensors/unaligned.safetensors"))
        XCTAssertNotEqual(try file.info("b_f32").byteRange.lowerBound % 4, 0, "fixture must be unaligned")
    }

    func testInMemoryBytesEqualMappedFile() throws {
        let url = resource("safetensors/dtypes.safetensors")
        let mapped = try SafeTensorsFile(contentsOf: url)
        let memory = try SafeTensorsFile(bytes: [UInt8](try Data(contentsOf: url)), name: "in-memory")
        XCTAssertEqual(memory.tensors, mapped.tensors)
        XCTAssertEqual(memory.path, "in-memory")
        for tensor in mapped.tensors {
            XCTAssertEqual(try memory.rawBytes(tensor.name), try mapped.rawBytes(tensor.name))
        }
    }

    func testMissingTensorAndFileErrorsNameTheFile() throws {
        let url = resource("safetensors/dtypes.safetensors")
        let file = try SafeTensorsFile(contentsOf: url)
        XCTAssertFalse(file.contains("nope"))
        XCTAssertThrowsError(try file.floats("nope")) { error in
            XCTAssertEqual(error as? SafeTensorsError, .tensorNotFound(file: url.path, tensor: "nope"))
        }
        let absent = resource("safetensors/does-not-exist.safetensors")
        XCTAssertThrowsError(try SafeTensorsFile(contentsOf: absent)) { error in
            XCTAssertEqual(caseName(error), "unreadableFile")
            XCTAssertTrue("\(error)".contains(absent.path), "\(error)")
        }
        let folder = resource("safetensors/sharded")
        XCTAssertThrowsError(try SafeTensorsFile(contentsOf: folder)) { error in
            XCTAssertEqual(error as? SafeTensorsError, .unreadableFile(file: folder.path, reason: "not a regular file"))
        }
    }

    func testWithRawBytesGivesTheStoredBytes() throws {
        let file = try SafeTensorsFile(contentsOf: resource("safetensors/dtypes.safetensors"))
        let count = try file.withRawBytes("i64") { $0.count }
        XCTAssertEqual(count, try file.info("i64").elementCount * 8)
        let first = try file.withRawBytes("i64") { $0.loadUnaligned(fromByteOffset: 8, as: Int64.self) }
        XCTAssertEqual(Int64(littleEndian: first), -3)
    }

    /// A tensor's separate map holds its stored bytes (at any offset, empty tensors included) and outlives the file
    /// object; a file made from in-memory bytes has none.
    func testSeparateMappingOutlivesTheFile() throws {
        var mappings: [(name: String, bytes: [UInt8], mapping: MappedBytes)] = []
        for fixture in ["dtypes.safetensors", "unaligned.safetensors"] {
            let file = try SafeTensorsFile(contentsOf: resource("safetensors/\(fixture)"))
            for tensor in file.tensors {
                let mapping = try XCTUnwrap(try file.separateMapping(of: tensor.name))
                mappings.append((tensor.name, try file.rawBytes(tensor.name), mapping))
            }
        }
        for (name, bytes, mapping) in mappings {  // every file object is gone by now
            XCTAssertEqual(Array(UnsafeRawBufferPointer(start: mapping.base, count: mapping.count)), bytes, name)
        }
        let url = resource("safetensors/dtypes.safetensors")
        let memory = try SafeTensorsFile(bytes: [UInt8](try Data(contentsOf: url)), name: "in-memory")
        XCTAssertNil(try memory.separateMapping(of: "f32"))
        XCTAssertThrowsError(try memory.separateMapping(of: "nope"))
    }
}
