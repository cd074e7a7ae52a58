// Helpers of the safetensors tests: the fixtures' expected values (written by Scripts/make_safetensors_fixtures.py).
import BertEmbedSafeTensors
import Foundation
import XCTest
import _BertEmbedTestSupport

/// The enum case name of an error ("sizeMismatch"), to compare against the fixtures' manifest.
func caseName(_ error: Error) -> String {
    Mirror(reflecting: error).children.first?.label ?? String(describing: error)
}

/// Bytes from a lowercase hex string.
func bytes(hex: String) -> [UInt8] {
    var result: [UInt8] = []
    var index = hex.startIndex
    while index < hex.endIndex {
        let next = hex.index(index, offsetBy: 2)
        result.append(UInt8(hex[index..<next], radix: 16)!)
        index = next
    }
    return result
}

/// A JSON fixture file as Foundation objects.
func loadJSON(_ relativePath: String) throws -> [String: Any] {
    let data = try Data(contentsOf: resource(relativePath))
    return try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
}

/// One tensor's expected values as the fixture script wrote them.
struct ExpectedTensor {
    let dtype: String
    let shape: [Int]
    let offsets: [Int]
    let bytes: [UInt8]
    /// Float32 bit patterns as torch converts them; nil for dtypes that do not convert.
    let floatBits: [UInt32]?

    init(_ json: Any) throws {
        let entry = try XCTUnwrap(json as? [String: Any])
        dtype = try XCTUnwrap(entry["dtype"] as? String)
        shape = try XCTUnwrap(entry["shape"] as? [Int])
        offsets = try XCTUnwrap(entry["data_offsets"] as? [Int])
        bytes = BertEmbedSafeTensorsTests.bytes(hex: try XCTUnwrap(entry["bytes_hex"] as? String))
        floatBits = (entry["float32_bits"] as? [NSNumber])?.map { $0.uint32Value }
    }
}

/// Asserts that `actual` equals the expected Float32 bit patterns exactly (tolerance: none, F16/BF16 widening is
/// exact), except that any NaN matches any NaN: torch widens an F16 NaN to 0x7FFFFFFF, we keep the payload.
func assertBitsEqual(
    _ actual: [Float], _ expected: [UInt32], _ name: String, file: StaticString = #filePath, line: UInt = #line
) {
    XCTAssertEqual(actual.count, expected.count, "\(name): element count", file: file, line: line)
    for (i, (a, e)) in zip(actual, expected).enumerated() {
        let expectedValue = Float(bitPattern: e)
        if expectedValue.isNaN {
            XCTAssertTrue(a.isNaN, "\(name)[\(i)]: expected NaN, got \(a)", file: file, line: line)
        } else {
            XCTAssertEqual(a.bitPattern, e, "\(name)[\(i)]: \(a) != \(expectedValue)", file: file, line: line)
        }
    }
}
