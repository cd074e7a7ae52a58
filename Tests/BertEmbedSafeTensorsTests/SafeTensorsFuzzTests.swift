// Seeded mutation fuzzing: valid files mutated at random must load or throw SafeTensorsError, never trap.
// (The same mutators cover more ground under libFuzzer: Scripts/fuzz.sh safetensors.)
import BertEmbedSafeTensors
import Foundation
import XCTest
import _BertEmbedTestSupport

final class SafeTensorsFuzzTests: XCTestCase {
    static let seeds = [
        "dtypes.safetensors", "unaligned.safetensors", "sharded/model-00001-of-00002.safetensors",
        "bert-prefixed/model.safetensors",
    ]
    static let interestingNumbers = [
        "0", "1", "-1", "3", "8", "2147483648", "4294967296", "9007199254740993",
        "4611686018427387904", "9223372036854775807", "9223372036854775808",
        "18446744073709551616", "1.5", "1e3", "-0", "\"8\"", "null", "[]",
    ]

    func testMutatedFilesLoadOrThrowNeverTrap() throws {
        var rng = SplitMix64(seed: 0x5AFE_7E45)
        let originals = try Self.seeds.map { [UInt8](try Data(contentsOf: resource("safetensors/" + $0))) }
        var outcomes: [String: Int] = [:]
        let cases = 20_000
        for _ in 0..<cases {
            var bytes = originals[Int.random(in: 0..<originals.count, using: &rng)]
            let rounds = Int.random(in: 1...3, using: &rng)
            for _ in 0..<rounds { Self.mutate(&bytes, using: &rng) }
            outcomes[Self.exercise(bytes), default: 0] += 1
        }
        print("fuzz outcomes over \(cases) cases:", outcomes.sorted { $0.key < $1.key })
        XCTAssertGreaterThan(outcomes["loaded", default: 0], 100, "mutations must not all be fatal")
        XCTAssertGreaterThan(outcomes.count, 12, "mutations must reach many different rules")
    }

    /// Parses `bytes` and reads every tensor; returns "loaded" or the error's case name.
    static func exercise(_ bytes: [UInt8]) -> String {
        do {
            let file = try SafeTensorsFile(bytes: bytes, name: "fuzz")
            var covered = 0
            for tensor in file.tensors {
                let raw = try file.rawBytes(tensor.name)
                XCTAssertEqual(raw.count, tensor.byteRange.count)
                covered += raw.count
                if tensor.dtype.isFloatConvertible {
                    XCTAssertEqual(try file.floats(tensor.name).count, tensor.elementCount)
                } else {
                    XCTAssertThrowsError(try file.floats(tensor.name))
                }
            }
            XCTAssertLessThanOrEqual(covered, bytes.count)
            return "loaded"
        } catch let error as SafeTensorsError {
            XCTAssertTrue("\(error)".hasPrefix("fuzz: "), "\(error)")
            return caseName(error)
        } catch {
            XCTFail("unexpected error type \(type(of: error)): \(error)")
            return "other"
        }
    }

    /// One random mutation: byte flips, a new header length, truncation, appended bytes, or an edit of the header
    /// JSON (character insert/delete, a number replaced by an extreme one, a span duplicated) with the header length
    /// fixed up so that validation goes past the JSON.
    static func mutate(_ bytes: inout [UInt8], using rng: inout SplitMix64) {
        let headerLength =
            bytes.count >= 8
            ? Int(
                bytes[0..<8].enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
                    & 0xFFFF_FFFF) : 0
        let headerEnd = min(bytes.count, 8 + headerLength)
        switch Int.random(in: 0..<9, using: &rng) {
        case 0:  // flip bytes anywhere
            guard !bytes.isEmpty else { return }
            for _ in 0..<Int.random(in: 1...8, using: &rng) {
                bytes[Int.random(in: 0..<bytes.count, using: &rng)] ^= UInt8.random(in: 1...255, using: &rng)
            }
        case 1:  // new header length
            let n: UInt64 = [
                0, 1, UInt64(headerLength) &+ 1, UInt64(headerLength) &- 1,
                UInt64.random(in: 0...200_000_000, using: &rng), .max,
                UInt64(bytes.count),
            ][Int.random(in: 0..<7, using: &rng)]
            if bytes.count >= 8 { for i in 0..<8 { bytes[i] = UInt8(truncatingIfNeeded: n >> (8 * UInt64(i))) } }
        case 2:  // truncate
            bytes.removeLast(Int.random(in: 0...bytes.count, using: &rng))
        case 3:  // append
            bytes += (0..<Int.random(in: 1...16, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
        default:  // edit the header JSON, then fix the length
            guard headerEnd > 8 else { return }
            var header = Array(bytes[8..<headerEnd])
            let tail = Array(bytes[headerEnd...])
            editHeader(&header, using: &rng)
            let n = UInt64(header.count)
            bytes = (0..<8).map { UInt8(truncatingIfNeeded: n >> (8 * UInt64($0))) } + header + tail
        }
    }

    static func editHeader(_ header: inout [UInt8], using rng: inout SplitMix64) {
        let position = Int.random(in: 0..<max(header.count, 1), using: &rng)
        switch Int.random(in: 0..<5, using: &rng) {
        case 0 where !header.isEmpty: header.remove(at: position)
        case 1:
            header.insert(
                Array("{}[]\",:-0123456789eE. \\u".utf8).randomElement(using: &rng)!, at: min(position, header.count))
        case 2:  // replace the number starting nearest after `position` with an extreme one
            let digits = UInt8(ascii: "0")...UInt8(ascii: "9")
            guard let start = header[position...].firstIndex(where: { digits.contains($0) }) else { return }
            let end = header[start...].firstIndex(where: { !digits.contains($0) }) ?? header.count
            header.replaceSubrange(start..<end, with: Array(interestingNumbers.randomElement(using: &rng)!.utf8))
        case 3 where header.count > 2:  // duplicate a span
            let start = Int.random(in: 0..<header.count, using: &rng)
            let end = min(header.count, start + Int.random(in: 1...80, using: &rng))
            header.insert(contentsOf: header[start..<end], at: Int.random(in: 0...header.count, using: &rng))
        default:  // swap two bytes
            guard header.count > 1 else { return }
            header.swapAt(position, Int.random(in: 0..<header.count, using: &rng))
        }
    }
}
