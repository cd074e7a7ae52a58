// libFuzzer entry point for the sentence-transformers folder reader. Not part of the package build:
// Scripts/fuzz.sh (kind `folder`) compiles it with Sources/BertEmbed/**/*.swift into the module BertEmbed,
// against the other library modules built on their own.
//
// The input is a model folder given as changes to a committed fixture folder:
//
//   byte 0        which loader and which fixture: kind = byte % 3 (SentenceEncoder, CrossEncoder, SparseEncoder),
//                 fixture = (byte / 3) % (fixtures of that kind), from `fuzzFixtures`
//   then sections "@@PATH\n" CONTENT, each running to the next "\n@@" (or the end of the input): the file PATH of the
//                 folder gets CONTENT (created, with its folders, when missing); CONTENT "@delete" removes it.
//                 PATH is one to three components of [A-Za-z0-9._-] (no "." or ".."); other sections are ignored.
//
// The fixture's files are linked into a fresh folder of this process, the sections applied, and the folder loaded
// with the public initializer of the kind (`SentenceEncoder(modelDirectory:)` and so on), so that modules.json,
// sentence_bert_config.json, config_sentence_transformers.json, the module folders (Pooling, Dense, Normalize,
// SpladePooling), config.json, the weights and the tokenizer files are read as for a real folder. Any thrown error is
// fine. When it loads, fixed texts are encoded and properties checked:
//   - every vector has the encoder's dimension, a batch has one result per input, in order;
//   - padding never leaks: each text alone gives its vector in the batch (abs 1e-3 + rel 1e-3, or both non-finite);
//   - normalize: true gives unit vectors (when finite and not zero), truncateDimension keeps that many values;
//   - cross-encoder: labelCount scores per pair; `rank` returns each document once;
//   - sparse: indices strictly increasing within the dimension, one value per index, values positive when finite.
//
// Crashes, hangs, sanitizer reports and property violations (fatalError) are bugs.
import Foundation

/// Fixture folders (relative to the repository root, where the fuzzer runs) for each kind.
let fuzzFixtures: [[String]] = [
    [
        "Resources/tiny-bert", "Resources/families/mpnet", "Resources/families/distilbert",
        "Resources/families/xlm-roberta", "Resources/families/roberta",
    ],
    [
        "Resources/heads/bert-cross-encoder-st", "Resources/heads/bert-cross-encoder-hf",
        "Resources/heads/distilbert-cross-encoder", "Resources/heads/xlm-roberta-cross-encoder",
    ],
    ["Resources/heads/bert-splade-max", "Resources/heads/distilbert-splade-max", "Resources/heads/bert-splade-sum"],
]

/// The folder this process builds each model folder in.
private let fuzzFolder = URL(fileURLWithPath: NSTemporaryDirectory())
    .appendingPathComponent("bert-embed-fuzz-folder-\(ProcessInfo.processInfo.processIdentifier)")

/// The texts every model that loads encodes.
let folderFuzzTexts: [String] = [
    "Hello, world! This is a test.", "", "héllo wörld ☃ 中文字 \u{1F600}",
    String(repeating: "a long sentence ", count: 40), "[CLS] <s> [MASK] </s> ##ing ▁ Ġ",
]

func folderFuzzFail(_ message: String) -> Never {
    fatalError("model folder property violated: \(message)")
}

/// The sections of an input (after its first byte): (path, content or nil for "@delete").
func folderFuzzSections(_ bytes: ArraySlice<UInt8>) -> [(path: String, content: [UInt8]?)] {
    let input = Array(bytes)
    var starts: [Int] = []
    var i = 0
    while i + 1 < input.count {
        if input[i] == UInt8(ascii: "@"), input[i + 1] == UInt8(ascii: "@"), i == 0 || input[i - 1] == 10 {
            starts.append(i)
        }
        i += 1
    }
    var sections: [(path: String, content: [UInt8]?)] = []
    for (n, start) in starts.enumerated() {
        let end = n + 1 < starts.count ? starts[n + 1] - 1 : input.count
        guard let newline = input[(start + 2)..<end].firstIndex(of: 10) else { continue }
        guard let path = String(bytes: input[(start + 2)..<newline], encoding: .utf8), validFuzzPath(path) else {
            continue
        }
        let content = Array(input[(newline + 1)..<end])
        sections.append((path, content == Array("@delete".utf8) ? nil : content))
    }
    return sections
}

func validFuzzPath(_ path: String) -> Bool {
    let components = path.split(separator: "/", omittingEmptySubsequences: false)
    guard (1...3).contains(components.count), path.utf8.count <= 80 else { return false }
    return components.allSatisfy { component in
        !component.isEmpty && component != "." && component != ".."
            && component.unicodeScalars.allSatisfy {
                ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0)
                    || "._-".unicodeScalars.contains($0)
            }
    }
}

/// Builds the folder: the fixture's files linked, then the sections applied. False when it could not be built.
func buildFuzzFolder(fixture: String, sections: [(path: String, content: [UInt8]?)]) -> Bool {
    let files = FileManager.default
    try? files.removeItem(at: fuzzFolder)
    let source = URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent(fixture)
    guard (try? files.createDirectory(at: fuzzFolder, withIntermediateDirectories: true)) != nil,
        let walker = files.enumerator(atPath: source.path)
    else { return false }
    while let relative = walker.nextObject() as? String {
        let from = source.appendingPathComponent(relative), to = fuzzFolder.appendingPathComponent(relative)
        var isDirectory: ObjCBool = false
        guard files.fileExists(atPath: from.path, isDirectory: &isDirectory) else { continue }
        if isDirectory.boolValue {
            try? files.createDirectory(at: to, withIntermediateDirectories: true)
        } else {
            try? files.createSymbolicLink(at: to, withDestinationURL: from)
        }
    }
    for (path, content) in sections {
        let target = fuzzFolder.appendingPathComponent(path)
        // A file or link where the section needs a folder is replaced by one.
        var parent = fuzzFolder
        for component in path.split(separator: "/").dropLast() {
            parent.appendPathComponent(String(component))
            var isDirectory: ObjCBool = false
            if files.fileExists(atPath: parent.path, isDirectory: &isDirectory), !isDirectory.boolValue {
                try? files.removeItem(at: parent)
            }
            try? files.createDirectory(at: parent, withIntermediateDirectories: true)
        }
        try? files.removeItem(at: target)
        if let content { _ = files.createFile(atPath: target.path, contents: Data(content)) }
    }
    return true
}

/// Whether two computed values agree: equal within abs 1e-3 + rel 1e-3, or both not finite.
func fuzzClose(_ a: Float, _ b: Float) -> Bool {
    if !a.isFinite || !b.isFinite { return !a.isFinite && !b.isFinite }
    return abs(a - b) <= 1e-3 + 1e-3 * max(abs(a), abs(b))
}

func checkVectors(_ batch: [[Float]], dimension: Int, count: Int, _ what: String) {
    guard batch.count == count else { folderFuzzFail("\(what): \(batch.count) vectors for \(count) texts") }
    for (i, vector) in batch.enumerated() where vector.count != dimension {
        folderFuzzFail("\(what): vector \(i) has \(vector.count) values, dimension \(dimension)")
    }
}

func checkSame(_ single: [Float], _ inBatch: [Float], _ what: String) {
    guard single.count == inBatch.count, zip(single, inBatch).allSatisfy({ fuzzClose($0, $1) }) else {
        folderFuzzFail("\(what): alone \(single.prefix(8)) != in the batch \(inBatch.prefix(8))")
    }
}

func exerciseSentenceEncoder(_ encoder: SentenceEncoder) {
    guard let batch = try? encoder.encode(folderFuzzTexts) else { return }
    checkVectors(batch, dimension: encoder.dimension, count: folderFuzzTexts.count, "encode")
    for i in [0, 3] {
        guard let single = try? encoder.encode(folderFuzzTexts[i]) else { continue }
        checkSame(single, batch[i], "sentence text \(i)")
    }
    var options = EncodeOptions()
    options.normalize = true
    options.maxSequenceLength = 7
    options.truncateDimension = max(1, encoder.dimension / 2)
    options.batchSize = 2
    guard let normalized = try? encoder.encode(folderFuzzTexts, options: options) else { return }
    checkVectors(normalized, dimension: max(1, encoder.dimension / 2), count: folderFuzzTexts.count, "normalized")
    for (i, vector) in normalized.enumerated() where vector.allSatisfy(\.isFinite) {
        let norm = vector.reduce(0) { $0 + $1 * $1 }.squareRoot()
        if norm != 0, norm.isFinite, abs(norm - 1) > 1e-3 { folderFuzzFail("normalized vector \(i) has norm \(norm)") }
    }
}

func exerciseCrossEncoder(_ encoder: CrossEncoder) {
    let pairs = [(folderFuzzTexts[0], folderFuzzTexts[2]), (folderFuzzTexts[1], folderFuzzTexts[3]), ("", "")]
    guard let scores = try? encoder.predict(pairs) else { return }
    checkVectors(scores, dimension: encoder.labelCount, count: pairs.count, "predict")
    if let single = try? encoder.predict([pairs[1]]) { checkSame(single[0], scores[1], "pair 1") }
    if let ranked = try? encoder.rank(query: folderFuzzTexts[0], documents: folderFuzzTexts) {
        guard ranked.map(\.index).sorted() == Array(folderFuzzTexts.indices) else {
            folderFuzzFail("rank returned indices \(ranked.map(\.index))")
        }
    }
}

func exerciseSparseEncoder(_ encoder: SparseEncoder) {
    guard let batch = try? encoder.encode(folderFuzzTexts) else { return }
    guard batch.count == folderFuzzTexts.count else { folderFuzzFail("sparse: \(batch.count) results") }
    for (i, embedding) in batch.enumerated() {
        guard embedding.dimension == encoder.dimension, embedding.indices.count == embedding.values.count else {
            folderFuzzFail("sparse \(i): dimension \(embedding.dimension), \(embedding.indices.count) indices")
        }
        for (n, index) in embedding.indices.enumerated()
        where index < 0 || index >= encoder.dimension || (n > 0 && embedding.indices[n - 1] >= index) {
            folderFuzzFail("sparse \(i): indices \(embedding.indices.prefix(20)) not increasing within dimension")
        }
        if let value = embedding.values.first(where: { $0.isFinite && $0 <= 0 }) {
            folderFuzzFail("sparse \(i): value \(value) not positive")
        }
    }
    if let single = try? encoder.encode(folderFuzzTexts[2]) {
        checkSame(single.dense, batch[2].dense, "sparse text 2")
    }
}

/// libFuzzer's entry point: one input, as described at the top of this file.
@_cdecl("LLVMFuzzerTestOneInput")
public func folderFuzzTestOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    guard size > 0 else { return 0 }
    let bytes = UnsafeBufferPointer(start: data, count: size)
    let kind = Int(bytes[0]) % 3
    let fixtures = fuzzFixtures[kind]
    let fixture = fixtures[(Int(bytes[0]) / 3) % fixtures.count]
    guard buildFuzzFolder(fixture: fixture, sections: folderFuzzSections(Array(bytes[1...])[...])) else { return 0 }
    var compute = ComputeOptions()
    compute.threads = 1
    switch kind {
    case 0:
        if let encoder = try? SentenceEncoder(modelDirectory: fuzzFolder, compute: compute) {
            exerciseSentenceEncoder(encoder)
        }
    case 1:
        if let encoder = try? CrossEncoder(modelDirectory: fuzzFolder, compute: compute) {
            exerciseCrossEncoder(encoder)
        }
    default:
        if let encoder = try? SparseEncoder(modelDirectory: fuzzFolder, compute: compute) {
            exerciseSparseEncoder(encoder)
        }
    }
    return 0
}
