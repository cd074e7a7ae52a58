// Generated programs read back by LLVM's disassembler (the toolchain's clang assembles their bytes, llvm-objdump
// lists them): the tests' independent check of the package's own x86 encoder.
import Foundation
import XCTest
import _BertEmbedTestSupport

/// `code` as LLVM disassembles it: one line per instruction, mnemonic and operands separated by single spaces,
/// without addresses, alignment NOPs or jump targets (the programs' loops differ in length).
/// With `aarch64` the bytes are read as AArch64 instructions (little-endian words; dot products and i8mm enabled).
func disassembly(_ code: [UInt8], aarch64: Bool = false) throws -> [String] {
    guard let clang = executable("clang"), let objdump = executable("llvm-objdump") else {
        throw XCTSkip("no clang or llvm-objdump on PATH (the Swift toolchain has both): the programs are not read")
    }
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("jit-listing-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let source = directory.appendingPathComponent("program.s"),
        object = directory.appendingPathComponent("program.o")
    let listing = directory.appendingPathComponent("listing.txt")
    if aarch64 {  // .inst, not .byte: bytes would be listed as data
        let words = stride(from: 0, to: code.count, by: 4).map { i in
            "0x" + String((0..<4).reduce(UInt32(0)) { $0 | UInt32(code[i + $1]) << (8 * $1) }, radix: 16)
        }
        try (".text\n.inst " + words.joined(separator: ", ") + "\n").write(
            to: source, atomically: true, encoding: .utf8)
    } else {
        let bytes = code.map { "0x" + String($0, radix: 16) }
        try (".text\n.byte " + bytes.joined(separator: ", ") + "\n").write(
            to: source, atomically: true, encoding: .utf8)
    }
    let target = ["--target=" + (aarch64 ? "aarch64-linux-gnu" : "x86_64-linux-gnu")]
    try runTool(clang, target + ["-c", "-x", "assembler", source.path, "-o", object.path], output: nil)
    let features = aarch64 ? ["--mattr=+dotprod,+i8mm"] : []
    try runTool(objdump, ["-d", "--no-show-raw-insn"] + features + [object.path], output: listing)
    let text = try String(contentsOf: listing, encoding: .utf8)
    var lines: [String] = []
    for line in text.split(separator: "\n") {
        guard let colon = line.firstIndex(of: ":") else { continue }
        let address = line[..<colon].trimmingCharacters(in: .whitespaces)
        guard !address.isEmpty, address.allSatisfy(\.isHexDigit) else { continue }
        var words = line[line.index(after: colon)...].split(whereSeparator: \.isWhitespace).map(String.init)
        guard let mnemonic = words.first, !mnemonic.hasPrefix("nop") else { continue }
        if mnemonic.hasPrefix("j") { words = [mnemonic] }
        if mnemonic == "{vex}" && words.count > 1 { words = ["{vex} " + words[1]] + words.dropFirst(2) }
        lines.append(words.joined(separator: " "))
    }
    XCTAssertFalse(lines.isEmpty, text)
    return lines
}

func executable(_ name: String) -> URL? {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
    return path.split(separator: ":").map { URL(fileURLWithPath: String($0)).appendingPathComponent(name) }
        .first { FileManager.default.isExecutableFile(atPath: $0.path) }
}

func runTool(_ executable: URL, _ arguments: [String], output: URL?) throws {
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    if let output {
        let created = FileManager.default.createFile(atPath: output.path, contents: nil)
        XCTAssertTrue(created, "cannot create \(output.path)")
        process.standardOutput = try FileHandle(forWritingTo: output)
    }
    try launch(process)
    process.waitUntilExit()
    XCTAssertEqual(process.terminationStatus, 0, "\(executable.lastPathComponent) \(arguments)")
}
