// libFuzzer entry point for the strict JSON parser. Not part of the package build: Scripts/fuzz.sh
// compiles it with Sources/BertEmbedJSON/*.swift into the module BertEmbedJSON.
//
// `JSONParser.parse` must never trap, overflow the stack or hang, whatever the bytes. When it accepts them:
// - the value, written back as JSON (strings through `JSONWriter.appendString`, numbers as their literal, members in
//   order with duplicates), parses back to an equal value, and writing that gives the same bytes again;
// - every number literal matches the JSON grammar and `isIntegerLiteral` says whether it has no fraction/exponent;
//   the accessors (`exactInt`, `integralValue`, `double`, `kindDescription`) and the `JSONNode`/`JSONObject` layer
//   (`int()`, `string()`, `keys`, member lookup) do not trap;
// - the nesting is at most `JSONParser.maximumDepth`.
// `JSONWriter` itself has no writer for a whole `JSONValue` (only strings and integer lists), hence the small one
// here.
//
// With FUZZ_JSON_DUMP=FILE set, every input also appends a line "ACCEPTED|REJECTED HEX" to FILE for
// Scripts/fuzz/compare_json_with_python.py (acceptance compared with Python's strict json module).
import Foundation

/// Appends `value` as compact JSON.
func fuzzWrite(_ value: JSONValue, to output: inout [UInt8]) {
    switch value {
    case .null: output += Array("null".utf8)
    case .bool(let b): output += Array((b ? "true" : "false").utf8)
    case .number(let n): output += Array(n.literal.utf8)
    case .string(let s): JSONWriter.appendString(s, to: &output)
    case .array(let items):
        output.append(0x5B)
        for (i, item) in items.enumerated() {
            if i > 0 { output.append(0x2C) }
            fuzzWrite(item, to: &output)
        }
        output.append(0x5D)
    case .object(let members):
        output.append(0x7B)
        for (i, member) in members.enumerated() {
            if i > 0 { output.append(0x2C) }
            JSONWriter.appendString(member.key, to: &output)
            output.append(0x3A)
            fuzzWrite(member.value, to: &output)
        }
        output.append(0x7D)
    }
}

/// Whether `literal` is a JSON number (RFC 8259 grammar).
func isJSONNumber(_ literal: String) -> Bool {
    let b = Array(literal.utf8)
    var i = 0
    func digit(_ i: Int) -> Bool { i < b.count && b[i] >= 0x30 && b[i] <= 0x39 }
    if i < b.count && b[i] == 0x2D { i += 1 }
    guard digit(i) else { return false }
    if b[i] == 0x30 { i += 1 } else { while digit(i) { i += 1 } }
    if i < b.count && b[i] == 0x2E {
        i += 1
        guard digit(i) else { return false }
        while digit(i) { i += 1 }
    }
    if i < b.count && (b[i] == 0x65 || b[i] == 0x45) {
        i += 1
        if i < b.count && (b[i] == 0x2B || b[i] == 0x2D) { i += 1 }
        guard digit(i) else { return false }
        while digit(i) { i += 1 }
    }
    return i == b.count
}

/// Checks `value` (at nesting `depth`) and exercises the accessors of the file layer on it.
func fuzzVisit(_ value: JSONValue, depth: Int) {
    _ = value.kindDescription
    let node = JSONNode(value: value, path: "fuzz", key: depth == 0 ? "" : "k")
    _ = try? node.int()
    _ = try? node.double()
    _ = try? node.string()
    _ = try? node.bool()
    switch value {
    case .number(let n):
        precondition(isJSONNumber(n.literal), "number literal \(n.literal) is not JSON")
        let hasFractionOrExponent = n.literal.utf8.contains { $0 == 0x2E || $0 == 0x65 || $0 == 0x45 }
        precondition(n.isIntegerLiteral == !hasFractionOrExponent, "isIntegerLiteral wrong for \(n.literal)")
        if let exact = n.exactInt { precondition(String(exact) == n.literal || n.literal == "-0") }
        if let integral = n.integralValue, let d = n.double {
            precondition(Double(integral) == d || n.isIntegerLiteral, "integralValue \(integral) of \(n.literal)")
        }
        _ = n.isNegativeInteger
    case .array(let items):
        precondition(depth < JSONParser.maximumDepth, "a list at nesting \(depth + 1) accepted")
        _ = try? node.array()
        for item in items { fuzzVisit(item, depth: depth + 1) }
    case .object(let members):
        precondition(depth < JSONParser.maximumDepth, "an object at nesting \(depth + 1) accepted")
        if let object = try? node.object() {
            _ = object.keys
            for key in object.keys.prefix(8) {
                _ = object[key]
                _ = try? object.int(key)
                _ = try? object.strings(key)
                _ = try? object.objects(key)
            }
        }
        _ = members.firstDuplicateKey
        for member in members { fuzzVisit(member.value, depth: depth + 1) }
    case .null, .bool, .string: break
    }
}

private let jsonDumpPath = ProcessInfo.processInfo.environment["FUZZ_JSON_DUMP"]

/// libFuzzer's entry point: one input per call; returns 0 (a crash, trap or sanitizer report is the finding).
@_cdecl("LLVMFuzzerTestOneInput")
public func jsonParserFuzzTestOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let parsed = try? JSONParser.parse(bytes)
    // The raw-buffer entry point gives the same answer.
    let raw = bytes.withUnsafeBytes { try? JSONParser.parse($0) }
    precondition(raw == parsed, "parse([UInt8]) and parse(UnsafeRawBufferPointer) disagree")
    if let jsonDumpPath {
        let hex = bytes.map { String($0 >> 4, radix: 16) + String($0 & 15, radix: 16) }.joined()
        let line = Data(((parsed == nil ? "REJECTED " : "ACCEPTED ") + hex + "\n").utf8)
        if let handle = FileHandle(forWritingAtPath: jsonDumpPath) {
            handle.seekToEndOfFile()
            handle.write(line)
            handle.closeFile()
        } else {
            _ = FileManager.default.createFile(atPath: jsonDumpPath, contents: line)
        }
    }
    guard let value = parsed else { return 0 }
    fuzzVisit(value, depth: 0)
    var written: [UInt8] = []
    fuzzWrite(value, to: &written)
    let reparsed: JSONValue
    do {
        reparsed = try JSONParser.parse(written)
    } catch {
        fatalError("the written form of an accepted document does not parse (\(error)): \(written)")
    }
    precondition(
        reparsed == value, "the written form parses to another value: \(String(decoding: written, as: UTF8.self))")
    var again: [UInt8] = []
    fuzzWrite(reparsed, to: &again)
    precondition(again == written, "writing is not stable")
    return 0
}
