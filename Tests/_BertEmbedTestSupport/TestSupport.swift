// Helpers shared by the test targets: where the committed fixtures are, and the real model.
// Not API: underscored, and not part of any product.
import Foundation
import XCTest

/// The package's root folder (the one holding Package.swift), found from this file's path.
public let repositoryRoot: URL = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent()  // _BertEmbedTestSupport
    .deletingLastPathComponent()  // Tests
    .deletingLastPathComponent()

/// A file or folder under the committed `Resources/` folder.
public func resource(_ relativePath: String) -> URL {
    repositoryRoot.appendingPathComponent("Resources").appendingPathComponent(relativePath)
}

/// The real all-MiniLM-L6-v2 folder: `$BERT_EMBED_MINILM`, else `~/.cache/bert-embed/all-MiniLM-L6-v2`
/// (where `Scripts/fetch_model.sh` puts it). Skips the calling test, with a message, when absent.
/// CI (`.ci/run`) fetches the model, so these tests always run there.
public func miniLMDirectory() throws -> URL {
    let environment = ProcessInfo.processInfo.environment
    let candidates = [
        environment["BERT_EMBED_MINILM"],
        environment["HOME"].map { $0 + "/.cache/bert-embed/all-MiniLM-L6-v2" },
    ].compactMap { $0 }
    for path in candidates where FileManager.default.fileExists(atPath: path + "/model.safetensors") {
        return URL(fileURLWithPath: path)
    }
    if environment["CI"] == "true" {
        XCTFail("all-MiniLM-L6-v2 is absent in CI: .ci/run should have fetched it")
    }
    throw XCTSkip("all-MiniLM-L6-v2 not found: run Scripts/fetch_model.sh or set BERT_EMBED_MINILM")
}

/// A real model folder fetched by `Scripts/fetch_model.sh NAME`: `$BERT_EMBED_CACHE/NAME`, else
/// `~/.cache/bert-embed/NAME`. Skips the calling test, with a message, when absent (fails in CI, which fetches them).
public func realModelDirectory(_ name: String) throws -> URL {
    let environment = ProcessInfo.processInfo.environment
    let cache = environment["BERT_EMBED_CACHE"] ?? environment["HOME"].map { $0 + "/.cache/bert-embed" } ?? ""
    let path = cache + "/" + name
    if FileManager.default.fileExists(atPath: path + "/model.safetensors") { return URL(fileURLWithPath: path) }
    if environment["CI"] == "true" {
        XCTFail("\(name) is absent in CI: .ci/run should have fetched it with Scripts/fetch_model.sh \(name)")
    }
    throw XCTSkip("\(name) not found: run Scripts/fetch_model.sh \(name) or set BERT_EMBED_CACHE")
}

/// The build products folder (holding the `bert-embed` executable) of the running test build.
public var productsDirectory: URL {
    #if os(macOS)
    for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
        return bundle.bundleURL.deletingLastPathComponent()
    }
    return Bundle.main.bundleURL
    #else
    return Bundle.main.bundleURL
    #endif
}

/// Serializes `Process.run()` and the closing of the pipes the helpers close: Foundation on Linux lists the open file
/// descriptors for the child to close, and `posix_spawn` fails (EBADF) if another thread closes one of them before
/// the spawn (seen once in CI: two concurrent `runCLI` calls, the first closing its child's empty stdin while the
/// second started). The processes still run concurrently.
private let launchLock = NSLock()

/// Starts `process`, never while another helper starts one or closes a pipe.
public func launch(_ process: Process) throws {
    try launchLock.withLock { try process.run() }
}

/// Closes `handle`, never while a helper starts a process.
public func closeOutsideLaunches(_ handle: FileHandle) {
    launchLock.withLock { try? handle.close() }
}

/// Runs the built `bert-embed` with `arguments`, `stdin` and this process's environment plus `environment`;
/// returns exit status, stdout and stderr.
public func runCLI(
    _ arguments: [String], stdin: Data = Data(), environment: [String: String] = [:]
) throws -> (status: Int32, stdout: Data, stderr: String) {
    let process = Process()
    process.executableURL = productsDirectory.appendingPathComponent("bert-embed")
    process.arguments = arguments
    process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    let input = Pipe(), output = Pipe(), error = Pipe()
    process.standardInput = input
    process.standardOutput = output
    process.standardError = error
    // A child that exits before reading all its input must not kill this process with SIGPIPE.
    signal(SIGPIPE, SIG_IGN)
    try launch(process)
    // Write stdin and read stderr on other threads while this one reads stdout, so that no full pipe
    // blocks either side (the CLI streams: it writes output before it has read all its input).
    let group = DispatchGroup()
    nonisolated(unsafe) var errData = Data()
    group.enter()
    DispatchQueue.global().async {
        errData = error.fileHandleForReading.readDataToEndOfFile()
        group.leave()
    }
    group.enter()
    DispatchQueue.global().async {
        try? input.fileHandleForWriting.write(contentsOf: stdin)  // EPIPE if the child stopped reading: fine
        closeOutsideLaunches(input.fileHandleForWriting)
        group.leave()
    }
    let outData = output.fileHandleForReading.readDataToEndOfFile()
    group.wait()
    process.waitUntilExit()
    return (process.terminationStatus, outData, String(decoding: errData, as: UTF8.self))
}
