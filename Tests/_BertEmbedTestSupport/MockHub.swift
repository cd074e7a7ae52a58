// A Hugging Face Hub on loopback for the download tests: Scripts/mock_hub.py (Python's standard library only), serving
// folders as repositories, with its request log and fault switches.
import Foundation
import XCTest

/// A running Scripts/mock_hub.py; stopped by `stop()` or when released.
public final class MockHub {
    /// http://127.0.0.1:PORT
    public let endpoint: URL
    /// The folder served: ORG/NAME/... per repository.
    public let repositories: URL
    private let process: Process

    /// Serves `repositories` (repository id -> a folder to copy as its files) with mock_hub.py's `arguments`
    /// (--private, --token, --cut-short, --corrupt, --slow, --listed-size). It exits when this process does.
    public init(repositories: [String: URL], arguments: [String] = []) throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("mock-hub-\(UUID())")
        for (id, folder) in repositories {
            let target = root.appendingPathComponent(id)
            try FileManager.default.createDirectory(
                at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            try FileManager.default.copyItem(at: folder.resolvingSymlinksInPath(), to: target)
        }
        self.repositories = root
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments =
            [
                "python3", repositoryRoot.appendingPathComponent("Scripts/mock_hub.py").path, "--repos", root.path,
                "--parent-pid", "\(ProcessInfo.processInfo.processIdentifier)",
            ] + arguments
        let output = Pipe()
        process.standardOutput = output
        try launch(process)
        // The first line is "port N" once it listens.
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let piece = output.fileHandleForReading.availableData
            guard !piece.isEmpty else { break }
            line.append(piece)
        }
        let text = String(decoding: line, as: UTF8.self)
        guard text.hasPrefix("port "), let port = Int(text.dropFirst(5).trimmingCharacters(in: .whitespacesAndNewlines))
        else {
            process.terminate()
            let message = "Scripts/mock_hub.py did not start (python3 missing, or arguments it refuses?): \(text)"
            // In CI a mock that does not start is a failure, not a reason to skip the download tests.
            if ProcessInfo.processInfo.environment["CI"] == "true" { XCTFail(message) }
            throw XCTSkip(message)
        }
        endpoint = URL(string: "http://127.0.0.1:\(port)")!
    }

    /// The requests served so far: method, path (with query), Range and Authorization headers, Host.
    public func log() throws -> [[String: String]] {
        let data = try Data(contentsOf: endpoint.appendingPathComponent("_log"))
        let entries = try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [[String: Any]])
        return entries.filter { ($0["path"] as? String) != "/_log" }.map { entry in
            entry.compactMapValues { $0 as? String }
        }
    }

    /// Stops the server.
    public func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        try? FileManager.default.removeItem(at: repositories)
    }

    deinit { stop() }
}

/// A Python that has huggingface_hub (`$BERT_EMBED_HF_PYTHON`, else the repository's .venv, else python3), or nil
/// (a test failure in CI, whose .ci/run installs it with Scripts/setup_hub_python.sh).
public func pythonWithHuggingFaceHub() -> String? {
    let environment = ProcessInfo.processInfo.environment
    let candidates = [
        environment["BERT_EMBED_HF_PYTHON"],
        repositoryRoot.appendingPathComponent(".venv/bin/python").path,
        "/usr/bin/python3",
    ].compactMap { $0 }
    for python in candidates where FileManager.default.isExecutableFile(atPath: python) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = ["-c", "import huggingface_hub"]
        process.standardError = FileHandle.nullDevice
        guard (try? launch(process)) != nil else { continue }
        process.waitUntilExit()
        if process.terminationStatus == 0 { return python }
    }
    if environment["CI"] == "true" {
        XCTFail("huggingface_hub is absent in CI: .ci/run should have installed it with Scripts/setup_hub_python.sh")
    }
    return nil
}

/// Runs `python -c script` with `environment` added; returns exit status and stdout + stderr.
public func runPython(_ python: String, _ script: String, environment: [String: String]) throws -> (Int32, String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: python)
    process.arguments = ["-c", script]
    process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    let output = Pipe()
    process.standardOutput = output
    process.standardError = output
    try launch(process)
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}
