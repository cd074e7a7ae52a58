// One broken file per rule (Resources/safetensors/broken/, listed in manifest.json with the error each must raise).
import BertEmbedSafeTensors
import Foundation
import XCTest
import _BertEmbedTestSupport

final class SafeTensorsBrokenFileTests: XCTestCase {
    func testEveryBrokenFileIsRejectedWithItsOwnError() throws {
        let manifest = try loadJSON("safetensors/broken/manifest.json")
        let folder = resource("safetensors/broken")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter {
            $0.hasSuffix(".safetensors")
        }
        XCTAssertEqual(Set(files.map { String($0.dropLast(".safetensors".count)) }), Set(manifest.keys))
        XCTAssertGreaterThanOrEqual(manifest.count, 30)
        for (name, entry) in manifest {
            let entry = try XCTUnwrap(entry as? [String: Any])
            let expectedCase = try XCTUnwrap(entry["error"] as? String)
            let url = folder.appendingPathComponent(name + ".safetensors")
            XCTAssertThrowsError(try SafeTensorsFile(contentsOf: url), name) { error in
                XCTAssertTrue(error is SafeTensorsError, "\(name): \(type(of: error))")
                XCTAssertEqual(caseName(error), expectedCase, "\(name): \(error)")
                let message = "\(error)"
                XCTAssertTrue(
                    message.hasPrefix(url.path + ": "), "\(name): message must start with the file: \(message)")
                if let tensor = entry["tensor"] as? String {
                    XCTAssertTrue(
                        message.contains("'\(tensor)'"), "\(name): message must name tensor \(tensor): \(message)")
                }
            }
            // The same bytes in memory fail the same way.
            let data = [UInt8](try Data(contentsOf: url))
            XCTAssertThrowsError(try SafeTensorsFile(bytes: data, name: "mem"), name) { error in
                XCTAssertEqual(caseName(error), expectedCase, "\(name) in memory: \(error)")
            }
        }
    }

    /// Every rule except duplicate names is also a rejection by the Python reference (whose serde map keeps one of
    /// two duplicated names silently); the manifest records what the reference said.
    func testReferenceRejectsTheSameFilesExceptDuplicates() throws {
        let manifest = try loadJSON("safetensors/broken/manifest.json")
        for (name, entry) in manifest {
            let reference = try XCTUnwrap((entry as? [String: Any])?["reference"] as? String)
            if name == "duplicate-tensor" {
                XCTAssertEqual(reference, "accepts")
            } else {
                XCTAssertTrue(reference.hasPrefix("rejects"), "\(name): \(reference)")
            }
        }
    }

    func testSpecificValuesInMessages() throws {
        let url = resource("safetensors/broken/size-mismatch.safetensors")
        XCTAssertThrowsError(try SafeTensorsFile(contentsOf: url)) { error in
            XCTAssertEqual(
                error as? SafeTensorsError,
                .sizeMismatch(file: url.path, tensor: "t", expectedBytes: 12, actualBytes: 8))
        }
        let gap = resource("safetensors/broken/gap.safetensors")
        XCTAssertThrowsError(try SafeTensorsFile(contentsOf: gap)) { error in
            XCTAssertEqual(error as? SafeTensorsError, .uncoveredBytes(file: gap.path, range: 4..<6, before: "u"))
        }
        let trailing = resource("safetensors/broken/trailing-bytes.safetensors")
        XCTAssertThrowsError(try SafeTensorsFile(contentsOf: trailing)) { error in
            XCTAssertEqual(error as? SafeTensorsError, .uncoveredBytes(file: trailing.path, range: 8..<12, before: nil))
        }
        let large = resource("safetensors/broken/header-too-large.safetensors")
        XCTAssertThrowsError(try SafeTensorsFile(contentsOf: large)) { error in
            XCTAssertEqual(error as? SafeTensorsError, .headerTooLarge(file: large.path, headerLength: 1 << 40))
        }
    }
}
