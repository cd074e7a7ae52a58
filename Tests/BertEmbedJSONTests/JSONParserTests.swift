// The strict JSON parser: what it keeps (duplicates, literals), what it rejects, and that it never traps.
import BertEmbedJSON
import XCTest

final class JSONParserTests: XCTestCase {
    func parse(_ text: String) throws -> JSONValue { try JSONParser.parse(Array(text.utf8)) }

    func testValuesAndDuplicatesAreKept() throws {
        let value = try parse(#" {"a": [1, -2.5e3, true, false, null], "a": "x\u00e9\ud83d\ude00\n", "b": {}} "#)
        let members = try XCTUnwrap(value.objectMembers)
        XCTAssertEqual(members.map(\.key), ["a", "a", "b"])
        XCTAssertEqual(members.firstDuplicateKey, "a")
        XCTAssertEqual(members.value("a"), .string("xé😀\n"))
        guard case .array(let items) = members[0].value, case .number(let one) = items[0],
            case .number(let big) = items[1]
        else {
            return XCTFail("\(members[0].value)")
        }
        XCTAssertEqual(one.exactInt, 1)
        XCTAssertTrue(one.isIntegerLiteral)
        XCTAssertFalse(big.isIntegerLiteral)
        XCTAssertEqual(big.integralValue, -2500)
        XCTAssertEqual(items[2], .bool(true))
        XCTAssertEqual(items[4], .null)
    }

    func testNumbers() throws {
        func number(_ text: String) throws -> JSONNumber {
            guard case .number(let n) = try parse(text) else { throw XCTSkip("not a number") }
            return n
        }
        XCTAssertEqual(try number("12.0").integralValue, 12)
        XCTAssertNil(try number("12.5").integralValue)
        XCTAssertNil(try number("99999999999999999999").exactInt)
        XCTAssertTrue(try number("-3").isNegativeInteger)
        XCTAssertFalse(try number("-0").isNegativeInteger)
        XCTAssertNil(try number("1e400").double)
    }

    func testInvalidDocumentsThrowWithAnOffset() {
        let bad = [
            "", "{", "[1,]", "{\"a\" 1}", "{\"a\":1,}", "01", "1.", "-", "1e", "tru", "\"abc", "\"\u{01}\"",
            "\"\\x\"", "\"\\ud800\"", "\"\\udc00\"", "\"\\u12\"", "{} x", "NaN", "[1 2]", "{1:2}",
        ]
        for text in bad {
            XCTAssertThrowsError(try parse(text), text) { error in
                XCTAssertTrue(error is JSONSyntaxError, text)
                XCTAssertTrue("\(error)".hasPrefix("at byte "), "\(error)")
            }
        }
        XCTAssertThrowsError(try JSONParser.parse([0x22, 0xFF, 0x22]))  // invalid UTF-8 inside a string
    }

    func testNestingIsBounded() throws {
        let ok =
            String(repeating: "[", count: JSONParser.maximumDepth)
            + String(repeating: "]", count: JSONParser.maximumDepth)
        XCTAssertNoThrow(try parse(ok))
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        XCTAssertThrowsError(try parse(deep)) { error in
            XCTAssertTrue("\(error)".contains("nesting deeper"), "\(error)")
        }
    }
}
