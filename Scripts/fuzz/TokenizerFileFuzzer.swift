// libFuzzer entry point for loading tokenizer.json files. Not part of the package build:
// Scripts/fuzz.sh compiles it as its own module against BertEmbedTokenizer built with -enable-testing
// (@testable import) and BertEmbedJSON.
//
// The input is a tokenizer.json. It is written to a folder of this process (tokenizer.json only: no
// tokenizer_config.json) and loaded with `Tokenizer(directory:)`, the public way in, so that the file reader,
// every component constructor and the checks of `Tokenizer.init(definition:)` run as for a real folder. Any thrown
// error is fine. When it loads, a few fixed texts are encoded (single, pair, truncated, without special tokens),
// `encodeIds` is compared with `encode(...).ids`, offsets are checked to lie within their text, and the ids are
// decoded back; also with `lowercasingFirst`.
//
// An input starting with the byte 0x00 (never the start of a JSON document) is instead a raw SentencePiece
// `precompiled_charsmap` blob (what the base64 of a `Precompiled` normalizer decodes to, a format too large to reach
// by mutating base64 text inside tokenizer.json): it is parsed with `PrecompiledCharsmap(bytes:)` and, when valid,
// normalizes the fixed texts and the blob itself read as text.
//
// Crashes, hangs and sanitizer reports are bugs.
//
// With FUZZ_TOK_DUMP=FILE set, every tokenizer.json input also appends one JSON line to FILE (the input, the load
// error or the encodings and decodings of the fixed texts) for Scripts/fuzz/compare_files_with_hf.py, the
// differential check against Hugging Face's tokenizers.
import BertEmbedJSON
import Foundation

@testable import BertEmbedTokenizer

/// The folder this process writes its tokenizer.json into.
private let fuzzFolder: URL = {
    let url = URL(fileURLWithPath: NSTemporaryDirectory())
        .appendingPathComponent("bert-embed-fuzz-tokenizer-file-\(ProcessInfo.processInfo.processIdentifier)")
    try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}()

private let fuzzFile = fuzzFolder.appendingPathComponent("tokenizer.json")

/// The texts every tokenizer that loads encodes.
let fuzzFileTexts: [String] = [
    "", " ", "Hello, world! This is a TEST.", "héllo wörld ☃ 中文字 e\u{301} \u{1F600}\u{200D}\u{1F466} ﬁ Ⅻ",
    "[CLS] a [SEP] b [MASK] <s> c </s> <mask> d <unk> [UNK] <pad>", "  leading and trailing  \t\n",
    "don't 12345 3.14 $%^&* ▁ Ġ ##ing", "\u{0}\u{1}\u{7F}\u{FFFD}\u{E000}\u{10FFFF}\u{FEFF}",
    String(repeating: "a", count: 300) + " " + String(repeating: "é", count: 120),
]

func fileFuzzFail(_ message: String) -> Never {
    fatalError("tokenizer file property violated: \(message)")
}

func checkFileEncoding(_ encoding: Encoding, maxOffset: Int, _ what: String) {
    let count = encoding.ids.count
    guard encoding.typeIds.count == count, encoding.attentionMask.count == count, encoding.tokens.count == count,
        encoding.offsets.count == count
    else { fileFuzzFail("\(what): arrays of different lengths") }
    for range in encoding.offsets where range.lowerBound < 0 || range.upperBound > maxOffset {
        fileFuzzFail("\(what): offsets \(range) outside 0..<\(maxOffset) (\(encoding.offsets))")
    }
}

func exerciseFileTokenizer(_ tokenizer: Tokenizer) {
    for (index, text) in fuzzFileTexts.enumerated() {
        let scalars = text.unicodeScalars.count
        guard let single = try? tokenizer.encode(text) else { continue }
        checkFileEncoding(single, maxOffset: scalars, "encode text \(index)")
        if let ids = try? tokenizer.encodeIds(text), ids != single.ids {
            fileFuzzFail("encodeIds \(ids) != encode().ids \(single.ids) for text \(index)")
        }
        if let ids = try? tokenizer.encodeIds(text, maxLength: 5),
            let reference = try? tokenizer.encode(text, maxLength: 5).ids, ids != reference
        {
            fileFuzzFail("encodeIds(maxLength: 5) \(ids) != encode(maxLength: 5).ids \(reference) for text \(index)")
        }
        let other = fuzzFileTexts[(index + 1) % fuzzFileTexts.count]
        if let pair = try? tokenizer.encode(text, pair: other, maxLength: 12, truncation: .longestFirst) {
            checkFileEncoding(pair, maxOffset: max(scalars, other.unicodeScalars.count), "pair \(index)")
        }
        if let bare = try? tokenizer.encode(text, addSpecialTokens: false, maxLength: 3, truncation: .onlyFirst) {
            checkFileEncoding(bare, maxOffset: scalars, "bare \(index)")
        }
        _ = tokenizer.decode(single.ids)
        _ = tokenizer.decode(single.ids, skipSpecialTokens: false)
    }
    _ = try? tokenizer.encodeBatch(Array(fuzzFileTexts.prefix(3)), padding: .fixed(4))
    // Ids around the vocabulary and the special tokens, in and out of range.
    let size = tokenizer.vocabularySize
    _ = tokenizer.decode([-1, 0, 1, size - 1, size, size + 1, tokenizer.clsTokenId, tokenizer.padTokenId, Int.max])
    _ = tokenizer.token(for: size - 1)
    _ = tokenizer.id(for: "[UNK]")
}

/// The raw-charsmap mode (input byte 0 is 0x00).
func exerciseCharsmap(_ blob: [UInt8]) {
    guard let charsmap = try? PrecompiledCharsmap(bytes: blob, path: "fuzz", key: "precompiled_charsmap") else {
        return
    }
    let normalizer = PrecompiledNormalizer(charsmap: charsmap)
    var texts = fuzzFileTexts
    texts.append(String(decoding: blob.suffix(64), as: UTF8.self))
    for text in texts {
        var normalized = NormalizedText(text)
        normalizer.normalize(&normalized)
        guard normalized.alignments.count == normalized.scalars.count else {
            fileFuzzFail("charsmap: \(normalized.scalars.count) scalars but \(normalized.alignments.count) alignments")
        }
        for range in normalized.alignments where range.lowerBound < 0 || range.upperBound > text.unicodeScalars.count {
            fileFuzzFail("charsmap: alignment \(range) outside the text's \(text.unicodeScalars.count) scalars")
        }
        _ = charsmap.commonPrefixSearch(Array(text.utf8))
        _ = charsmap.transform(text)
    }
}

/// libFuzzer's entry point: one input per call; returns 0 (a crash, trap or sanitizer report is the finding).
@_cdecl("LLVMFuzzerTestOneInput")
public func tokenizerFileFuzzTestOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    if bytes.first == 0 {
        exerciseCharsmap(Array(bytes.dropFirst()))
        return 0
    }
    guard FileManager.default.createFile(atPath: fuzzFile.path, contents: Data(bytes)) else {
        fatalError("cannot write \(fuzzFile.path)")
    }
    for lowercasingFirst in [false, true] {
        let tokenizer: Tokenizer
        do {
            tokenizer = try Tokenizer(directory: fuzzFolder, lowercasingFirst: lowercasingFirst)
        } catch {
            if let fileDumpPath, !lowercasingFirst {
                dumpFile(bytes, tokenizer: nil, error: "\(error)", to: fileDumpPath)
            }
            return 0
        }
        if let fileDumpPath, !lowercasingFirst { dumpFile(bytes, tokenizer: tokenizer, error: nil, to: fileDumpPath) }
        exerciseFileTokenizer(tokenizer)
    }
    return 0
}

private let fileDumpPath = ProcessInfo.processInfo.environment["FUZZ_TOK_DUMP"]

/// With FUZZ_TOK_DUMP=FILE, one JSON line per input for Scripts/fuzz/compare_files_with_hf.py: the input (hex), the
/// load error or, for each fixed text, the encoding (ids, type ids, offsets) and the decoded ids.
func dumpFile(_ bytes: [UInt8], tokenizer: Tokenizer?, error: String?, to path: String) {
    var line: [UInt8] = Array("{\"input\":\"".utf8)
    for byte in bytes { line += Array((String(byte >> 4, radix: 16) + String(byte & 15, radix: 16)).utf8) }
    line += Array("\"".utf8)
    if let error {
        line += Array(",\"error\":".utf8)
        JSONWriter.appendString(error, to: &line)
    }
    if let tokenizer {
        line += Array(",\"texts\":[".utf8)
        for (index, text) in fuzzFileTexts.enumerated() {
            if index > 0 { line.append(0x2C) }
            guard let encoding = try? tokenizer.encode(text) else {
                line += Array("null".utf8)
                continue
            }
            line += Array("{\"ids\":".utf8)
            JSONWriter.appendInts(encoding.ids, to: &line)
            line += Array(",\"typeIds\":".utf8)
            JSONWriter.appendInts(encoding.typeIds, to: &line)
            line += Array(",\"offsets\":".utf8)
            JSONWriter.appendInts(encoding.offsets.flatMap { [$0.lowerBound, $0.upperBound] }, to: &line)
            line += Array(",\"decoded\":".utf8)
            JSONWriter.appendString(tokenizer.decode(encoding.ids), to: &line)
            line += Array("}".utf8)
        }
        line += Array("]".utf8)
    }
    line += Array("}\n".utf8)
    if let handle = FileHandle(forWritingAtPath: path) {
        handle.seekToEndOfFile()
        handle.write(Data(line))
        handle.closeFile()
    } else {
        _ = FileManager.default.createFile(atPath: path, contents: Data(line))
    }
}

/// Creates the folder before fuzzing starts (outside libFuzzer's per-input leak check).
@_cdecl("LLVMFuzzerInitialize")
public func tokenizerFileFuzzInitialize(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>
) -> CInt {
    precondition(FileManager.default.fileExists(atPath: fuzzFolder.path))
    _ = fuzzFileTexts.count
    return 0
}
