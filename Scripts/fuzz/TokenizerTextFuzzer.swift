// libFuzzer entry point for the tokenizers on arbitrary text. Not part of the package build:
// Scripts/fuzz.sh compiles it as its own module against BertEmbedTokenizer built with -enable-testing (so that
// internal API such as `tokens(of:)` is visible through @testable import) and BertEmbedJSON.
//
// Input layout: byte 0 picks the tokenizer and the options, byte 1 is the maximum length (when truncating), the rest
// is the text; with the pair bit, the text is cut at its first 0xFF byte (else in the middle) into text and pair.
//   byte 0 bits 0-2  tokenizer: 0 tiny-bert (BERT fast path, uncased), 1 tokenizer/variant (fast path, no clean
//                    text, no CJK split, 20-char words), 2 tokenizer/cased (fast path, cased), 3 tokenizer/unigram
//                    (Precompiled + Metaspace + Unigram), 4 the same with lowercasingFirst, 5 tokenizer/bpe
//                    (byte-level BPE), 6 families/mpnet (WordPiece on the general pipeline: lstrip <mask>),
//                    7 families/roberta (byte-level BPE, normalized added tokens)
//          bit 3     encode a pair
//          bits 4-5  truncation: 0 none, 1 longestFirst, 2 onlyFirst, 3 onlySecond (maxLength = byte 1)
//          bit 6     addSpecialTokens false
//          bit 7     lowercasingFirst (sentence-transformers' do_lower_case) on top of the choice above
// Each text is run twice: decoded as UTF-8 lossily, and decoded so that any scalar can appear (a byte below 0x80 is
// that ASCII scalar; a byte from 0x80 takes the next two bytes: ((b & 0x7F) << 16 | b1 << 8 | b2) % 0x110000, a
// surrogate becoming U+FFFD; lead byte 0x80 thus writes any BMP scalar directly).
//
// Properties checked (a violation traps with a description of the input):
// - all arrays of an encoding have the same length; type ids are 0 or 1; the attention mask is all 1;
// - every id is >= 0 and has a token string (`token(for:)`), i.e. lies in the vocabulary or the added tokens;
// - offsets (Unicode scalars of their own text) lie within that text; within one text's tokens the lower bounds and
//   the upper bounds are non-decreasing;
// - with maxLength: at most maxLength tokens (longestFirst, maxLength >= the special tokens), or no truncation at all
//   (Hugging Face's error cases); a truncated encoding is a subsequence of the untruncated one;
// - `encodeIds(text, maxLength:)` equals `encode(text, maxLength:).ids`; with a pair, the untruncated pair's count is
//   `contentIds` of each text plus `addedTokenCount(pair: true)` (CrossEncoder.tokenCounts relies on it);
// - on the BERT fast path, `fastTokens(text)` equals `generalTokens(text)` (its reference);
// - `encodeBatch` pads each encoding to the longest and keeps it otherwise equal to `encode`;
// - `decode` of the ids, and of arbitrary ids made from the input bytes, does not crash.
//
// With FUZZ_TOK_DUMP=FILE set, every input also appends one JSON line (settings, texts, ids, type ids, offsets) to
// FILE for Scripts/fuzz/compare_with_hf.py, the differential check against Hugging Face's tokenizers.
import BertEmbedJSON
import Foundation

@testable import BertEmbedTokenizer

private let fuzzResources: URL = {
    if let path = ProcessInfo.processInfo.environment["FUZZ_TOK_RESOURCES"] {
        return URL(fileURLWithPath: path)
    }
    return URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent("Resources")
}()

/// The folders of the fixed tokenizers, by the index in bits 0-2 of byte 0, with their lowercasingFirst flag.
let fuzzTokenizerFolders: [(folder: String, lowercasingFirst: Bool)] = [
    ("tiny-bert", false), ("tokenizer/variant", false), ("tokenizer/cased", false), ("tokenizer/unigram", false),
    ("tokenizer/unigram", true), ("tokenizer/bpe", false), ("families/mpnet", false), ("families/roberta", false),
]

/// The tokenizers: index `i` plain, index `i + 8` with lowercasingFirst added.
private let fuzzTokenizers: [Tokenizer] = {
    var result: [Tokenizer] = []
    for lowercase in [false, true] {
        for (folder, lowercasingFirst) in fuzzTokenizerFolders {
            do {
                result.append(
                    try Tokenizer(
                        directory: fuzzResources.appendingPathComponent(folder),
                        lowercasingFirst: lowercasingFirst || lowercase))
            } catch {
                fatalError("cannot load the fuzzing tokenizer \(folder) (run from the repository root): \(error)")
            }
        }
    }
    return result
}()

private let dumpPath = ProcessInfo.processInfo.environment["FUZZ_TOK_DUMP"]

/// The text of `bytes` with any scalar possible (see the header).
func fuzzScalarText(_ bytes: ArraySlice<UInt8>) -> String {
    var view = String.UnicodeScalarView()
    var i = bytes.startIndex
    while i < bytes.endIndex {
        let b = bytes[i]
        if b < 0x80 {
            view.append(Unicode.Scalar(b))
            i += 1
            continue
        }
        let b1 = i + 1 < bytes.endIndex ? UInt32(bytes[i + 1]) : 0
        let b2 = i + 2 < bytes.endIndex ? UInt32(bytes[i + 2]) : 0
        var value = (UInt32(b & 0x7F) << 16 | b1 << 8 | b2) % 0x11_0000
        if (0xD800...0xDFFF).contains(value) { value = 0xFFFD }
        view.append(Unicode.Scalar(value)!)
        i += 3
    }
    return String(view)
}

/// The settings of one input.
struct FuzzTextCase {
    var tokenizerIndex: Int
    var pair: Bool
    var maxLength: Int?
    var strategy: TruncationStrategy
    var addSpecialTokens: Bool
    var form: String
    var text: String
    var second: String?

    var description: String {
        "tokenizer \(tokenizerIndex) (\(fuzzTokenizerFolders[tokenizerIndex % 8].folder)"
            + "\(tokenizerIndex >= 8 || fuzzTokenizerFolders[tokenizerIndex % 8].lowercasingFirst ? ", lowercasingFirst" : "")),"
            + " form \(form), maxLength \(maxLength.map(String.init) ?? "nil"), strategy \(strategy),"
            + " addSpecialTokens \(addSpecialTokens), text \(text.unicodeScalars.map { String($0.value, radix: 16) }),"
            + " pair \(second.map { $0.unicodeScalars.map { String($0.value, radix: 16) }.description } ?? "nil")"
    }
}

func fuzzFail(_ message: String, _ input: FuzzTextCase) -> Never {
    fatalError("tokenizer text property violated: \(message)\n  input: \(input.description)")
}

/// Checks the tokens of one text before post-processing.
func checkSequence(_ encoding: Encoding, of text: String, _ tokenizer: Tokenizer, _ input: FuzzTextCase) {
    let count = encoding.ids.count
    guard encoding.typeIds.count == count, encoding.attentionMask.count == count, encoding.tokens.count == count,
        encoding.offsets.count == count
    else { fuzzFail("arrays of different lengths in tokens(of:)", input) }
    let scalarCount = text.unicodeScalars.count
    var previous = 0..<0
    for (index, (id, range)) in zip(encoding.ids, encoding.offsets).enumerated() {
        guard id >= 0, tokenizer.token(for: id) != nil else {
            fuzzFail("id \(id) at \(index) is not in the vocabulary (size \(tokenizer.vocabularySize))", input)
        }
        guard range.lowerBound >= 0, range.upperBound <= scalarCount else {
            fuzzFail("offsets \(range) of token \(index) '\(encoding.tokens[index])' outside 0..<\(scalarCount)", input)
        }
        if index > 0 {
            guard range.lowerBound >= previous.lowerBound, range.upperBound >= previous.upperBound else {
                fuzzFail(
                    "offsets decrease: token \(index - 1) '\(encoding.tokens[index - 1])' \(previous), then token"
                        + " \(index) '\(encoding.tokens[index])' \(range) (all: \(encoding.offsets),"
                        + " tokens \(encoding.tokens))", input)
            }
        }
        previous = range
    }
}

/// Checks a final encoding.
func checkFinal(_ encoding: Encoding, maxOffset: Int, _ tokenizer: Tokenizer, _ input: FuzzTextCase) {
    let count = encoding.ids.count
    guard encoding.typeIds.count == count, encoding.attentionMask.count == count, encoding.tokens.count == count,
        encoding.offsets.count == count
    else { fuzzFail("arrays of different lengths in encode", input) }
    for index in 0..<count {
        guard encoding.typeIds[index] == 0 || encoding.typeIds[index] == 1 else {
            fuzzFail("type id \(encoding.typeIds[index]) at \(index)", input)
        }
        guard encoding.attentionMask[index] == 1 else { fuzzFail("attention mask 0 without padding", input) }
        let id = encoding.ids[index]
        guard id >= 0, tokenizer.token(for: id) != nil else { fuzzFail("id \(id) at \(index) unknown", input) }
        let range = encoding.offsets[index]
        guard range.lowerBound >= 0, range.upperBound <= maxOffset else {
            fuzzFail("offsets \(range) at \(index) beyond \(maxOffset)", input)
        }
    }
}

/// Whether `part` (ids, type ids, offsets) is a subsequence of `whole`.
func isSubsequence(_ part: Encoding, of whole: Encoding) -> Bool {
    var j = 0
    for i in part.ids.indices {
        while j < whole.ids.count
            && (whole.ids[j] != part.ids[i] || whole.typeIds[j] != part.typeIds[i]
                || whole.offsets[j] != part.offsets[i])
        {
            j += 1
        }
        if j == whole.ids.count { return false }
        j += 1
    }
    return true
}

func runTextCase(_ input: FuzzTextCase, randomIds: [UInt8]) {
    let tokenizer = fuzzTokenizers[input.tokenizerIndex]
    // Before post-processing. An unknown-token error is allowed (none of these models lacks one, but the API
    // allows it); nothing else is thrown.
    guard let first = try? tokenizer.tokens(of: input.text) else { return }
    checkSequence(first, of: input.text, tokenizer, input)
    var second: Encoding? = nil
    if let pair = input.second {
        guard let encoded = try? tokenizer.tokens(of: pair) else { return }
        checkSequence(encoded, of: pair, tokenizer, input)
        second = encoded
    }
    let maxOffset = max(input.text.unicodeScalars.count, input.second?.unicodeScalars.count ?? 0)

    // The BERT fast path against its general branch.
    if let fast = tokenizer.fastTokens(input.text), let general = tokenizer.generalTokens(input.text) {
        guard fast == general else {
            fuzzFail("fastTokens \(fast) != generalTokens \(general) (id, start, end triples)", input)
        }
        guard fast.count == 3 * first.ids.count else { fuzzFail("fastTokens count differs from tokens(of:)", input) }
    }

    let full: Encoding
    let truncated: Encoding
    do {
        full = try tokenizer.encode(input.text, pair: input.second, addSpecialTokens: input.addSpecialTokens)
        truncated = try tokenizer.encode(
            input.text, pair: input.second, addSpecialTokens: input.addSpecialTokens, maxLength: input.maxLength,
            truncation: input.strategy)
    } catch {
        fuzzFail("encode threw \(error) after tokens(of:) did not", input)
    }
    checkFinal(full, maxOffset: maxOffset, tokenizer, input)
    checkFinal(truncated, maxOffset: maxOffset, tokenizer, input)
    let contentCount = first.ids.count + (second?.ids.count ?? 0)
    let added = input.addSpecialTokens ? (tokenizer.postProcessor?.addedCount(pair: input.second != nil) ?? 0) : 0
    guard full.count == contentCount + added else {
        fuzzFail("encode has \(full.count) tokens, expected \(contentCount) + \(added) special", input)
    }
    if let maxLength = input.maxLength {
        if input.strategy == .longestFirst && maxLength >= added {
            guard truncated.count <= maxLength else {
                fuzzFail("\(truncated.count) tokens for maxLength \(maxLength)", input)
            }
        } else {
            guard truncated.count <= maxLength || truncated.count == full.count else {
                fuzzFail("\(truncated.count) tokens for maxLength \(maxLength), neither cut nor whole", input)
            }
        }
        guard truncated.count <= full.count, isSubsequence(truncated, of: full) else {
            fuzzFail("the truncated encoding is not a subsequence of the whole one", input)
        }
    } else {
        guard truncated == full else { fuzzFail("two encodes of the same input differ", input) }
    }

    // encodeIds against encode (single text, special tokens, longestFirst).
    do {
        let ids = try tokenizer.encodeIds(input.text, maxLength: input.maxLength)
        let reference = try tokenizer.encode(input.text, maxLength: input.maxLength).ids
        guard ids == reference else { fuzzFail("encodeIds \(ids) != encode().ids \(reference)", input) }
    } catch {
        fuzzFail("encodeIds/encode threw \(error) after tokens(of:) did not", input)
    }

    // A pair's token count from ids alone against the pair's untruncated encode.
    if let pair = input.second {
        do {
            let counted =
                try tokenizer.contentIds(input.text).count + tokenizer.contentIds(pair).count
                + tokenizer.addedTokenCount(pair: true)
            let whole = try tokenizer.encode(input.text, pair: pair).ids.count
            guard counted == whole else { fuzzFail("pair count from ids \(counted) != encode's \(whole)", input) }
        } catch {
            fuzzFail("contentIds/encode of a pair threw \(error) after tokens(of:) did not", input)
        }
    }

    // encodeBatch pads with the padding token and otherwise equals encode.
    if let pair = input.second {
        do {
            let batch = try tokenizer.encodeBatch(
                [input.text, pair], addSpecialTokens: input.addSpecialTokens, maxLength: input.maxLength,
                truncation: .longestFirst, padding: .longest)
            let singles = try [input.text, pair].map {
                try tokenizer.encode($0, addSpecialTokens: input.addSpecialTokens, maxLength: input.maxLength)
            }
            let longest = singles.map(\.count).max() ?? 0
            for (padded, single) in zip(batch, singles) {
                guard padded.count == longest, Array(padded.ids.prefix(single.count)) == single.ids,
                    Array(padded.offsets.prefix(single.count)) == single.offsets,
                    padded.ids.dropFirst(single.count).allSatisfy({ $0 == tokenizer.padTokenId }),
                    padded.attentionMask.dropFirst(single.count).allSatisfy({ $0 == 0 })
                else { fuzzFail("encodeBatch differs from encode plus padding", input) }
            }
        } catch {
            fuzzFail("encodeBatch threw \(error)", input)
        }
    }

    // Decoding never traps: the ids of the encoding, and arbitrary ids (in and out of range).
    _ = tokenizer.decode(truncated.ids)
    _ = tokenizer.decode(full.ids, skipSpecialTokens: false)
    var ids: [Int] = []
    var i = 0
    let span = tokenizer.vocabularySize + 24
    while i + 1 < randomIds.count {
        ids.append((Int(randomIds[i]) << 8 | Int(randomIds[i + 1])) % span - 8)
        i += 2
    }
    _ = tokenizer.decode(ids)
    _ = tokenizer.decode(ids, skipSpecialTokens: false)

    if let dumpPath { dump(input, full: full, truncated: truncated, to: dumpPath) }
}

/// Appends one JSON line describing `input` and its encodings to the file at `path`.
func dump(_ input: FuzzTextCase, full: Encoding, truncated: Encoding, to path: String) {
    var line: [UInt8] = []
    func key(_ name: String) {
        line.append(line.count == 1 ? 0x20 : 0x2C)
        JSONWriter.appendString(name, to: &line)
        line.append(0x3A)
    }
    func string(_ value: String) { JSONWriter.appendString(value, to: &line) }
    func ints(_ values: [Int]) { JSONWriter.appendInts(values, to: &line) }
    line.append(0x7B)
    key("folder")
    string(fuzzTokenizerFolders[input.tokenizerIndex % 8].folder)
    key("lowercasingFirst")
    string(input.tokenizerIndex >= 8 || fuzzTokenizerFolders[input.tokenizerIndex % 8].lowercasingFirst ? "1" : "0")
    key("form")
    string(input.form)
    key("text")
    string(input.text)
    if let second = input.second {
        key("pair")
        string(second)
    }
    key("addSpecialTokens")
    string(input.addSpecialTokens ? "1" : "0")
    if let maxLength = input.maxLength {
        key("maxLength")
        ints([maxLength])
        key("strategy")
        string("\(input.strategy)")
    }
    for (name, encoding) in [("full", full), ("truncated", truncated)] {
        key(name + "Ids")
        ints(encoding.ids)
        key(name + "TypeIds")
        ints(encoding.typeIds)
        key(name + "Offsets")
        ints(encoding.offsets.flatMap { [$0.lowerBound, $0.upperBound] })
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

/// libFuzzer's entry point: one input per call; returns 0 (a crash, trap or sanitizer report is the finding).
@_cdecl("LLVMFuzzerTestOneInput")
public func tokenizerTextFuzzTestOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size >= 1 else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let mode = bytes[0]
    let truncation = Int(mode >> 4) & 3
    let maxLength: Int? = truncation == 0 ? nil : Int(bytes.count > 1 ? bytes[1] : 0)
    let strategies: [TruncationStrategy] = [.longestFirst, .longestFirst, .onlyFirst, .onlySecond]
    let body = bytes.dropFirst(truncation == 0 ? 1 : 2)
    let isPair = mode & 8 != 0
    var parts: [ArraySlice<UInt8>] = [body]
    if isPair {
        let cut = body.firstIndex(of: 0xFF) ?? (body.startIndex + body.count / 2)
        parts = [body[body.startIndex..<cut], body[min(cut + 1, body.endIndex)..<body.endIndex]]
        if body.firstIndex(of: 0xFF) == nil { parts[1] = body[cut..<body.endIndex] }
    }
    for form in ["utf8", "scalars"] {
        let texts = parts.map { form == "utf8" ? String(decoding: $0, as: UTF8.self) : fuzzScalarText($0) }
        let input = FuzzTextCase(
            tokenizerIndex: Int(mode & 7) + (mode & 0x80 != 0 ? 8 : 0), pair: isPair, maxLength: maxLength,
            strategy: strategies[truncation], addSpecialTokens: mode & 0x40 == 0, form: form, text: texts[0],
            second: isPair ? texts[1] : nil)
        runTextCase(input, randomIds: Array(body))
    }
    return 0
}

/// Loads the tokenizers before fuzzing starts, so that libFuzzer's per-input leak check does not see their
/// allocations (LeakSanitizer does not recognize Swift's enum payload pointers whose spare bits hold a case tag, and
/// reports the tokenizers' indirect enum boxes as leaked at exit: Scripts/fuzz/lsan.supp silences exactly those).
@_cdecl("LLVMFuzzerInitialize")
public func tokenizerTextFuzzInitialize(
    _ argc: UnsafeMutablePointer<CInt>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>
) -> CInt {
    precondition(!fuzzTokenizers.isEmpty)
    return 0
}
