// The command-line tool's top level: its help lists the commands, an unknown command is a usage error.
import XCTest
import _BertEmbedTestSupport

final class CLIHelpTests: XCTestCase {
    func testHelpListsCommands() throws {
        let result = try runCLI(["--help"])
        XCTAssertEqual(result.status, 0)
        XCTAssertTrue(String(decoding: result.stdout, as: UTF8.self).contains("tokenize"))
    }

    func testUnknownCommandFails() throws {
        let result = try runCLI(["frobnicate"])
        XCTAssertEqual(result.status, 2)
        XCTAssertTrue(result.stderr.contains("unknown command"))
    }
}
