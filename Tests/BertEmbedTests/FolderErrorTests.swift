// Model folders that are plain, broken or unsupported: typed errors that name the file.
import BertEmbed
import Foundation
import XCTest
import _BertEmbedTestSupport

final class FolderErrorTests: XCTestCase {
    var folders: VariantFolders!

    override func setUpWithError() throws { folders = try VariantFolders() }
    override func tearDown() { folders = nil }

    /// The error `body` throws, or a test failure.
    func error(_ body: () throws -> Void, file: StaticString = #filePath, line: UInt = #line) -> EmbeddingError? {
        do {
            try body()
            XCTFail("no error thrown", file: file, line: line)
        } catch let error as EmbeddingError {
            return error
        } catch {
            XCTFail("not an EmbeddingError: \(error)", file: file, line: line)
        }
        return nil
    }

    /// Asserts `.invalidModelFolder` naming a file whose path ends with `suffix`, with `words` in the reason.
    func assertInvalidFolder(
        _ error: EmbeddingError?, file suffix: String, _ words: String, line: UInt = #line
    ) {
        guard case .invalidModelFolder(let file, let reason)? = error else {
            return XCTFail("expected invalidModelFolder, got \(String(describing: error))", line: line)
        }
        XCTAssertTrue(file.hasSuffix(suffix), "\(file) does not end with \(suffix)", line: line)
        XCTAssertTrue(reason.contains(words), "'\(reason)' lacks '\(words)'", line: line)
        XCTAssertTrue(error!.description.contains(suffix), line: line)
    }

    func testPlainFolderNeedsAnExplicitPooling() throws {
        let folder = try folders.baseCopy("plain")
        try FileManager.default.removeItem(at: folder.appendingPathComponent("modules.json"))
        try FileManager.default.removeItem(at: folder.appendingPathComponent("1_Pooling"))
        let thrown = error { _ = try SentenceEncoder(modelDirectory: folder) }
        XCTAssertEqual(thrown, .poolingRequired(folder: folder.path))
        XCTAssertTrue(thrown?.description.contains("choose a pooling strategy") ?? false)
        // With a pooling it loads, and mean pooling equals the sentence-transformers folder (which says mean).
        let plain = try SentenceEncoder(modelDirectory: folder, pooling: .mean)
        let folderEncoder = try SentenceEncoder(modelDirectory: resource("tiny-bert"))
        let texts = ["A man is eating food.", "a"]
        XCTAssertEqual(try plain.encode(texts), try folderEncoder.encode(texts))
        XCTAssertEqual(plain.maxSequenceLength, 64, "no sentence_bert_config.json: the tokenizer's model_max_length")
    }

    func testMissingFolder() throws {
        let missing = folders.root.appendingPathComponent("does-not-exist")
        assertInvalidFolder(
            error { _ = try SentenceEncoder(modelDirectory: missing, pooling: .mean) }, file: "does-not-exist",
            "no such folder")
    }

    func testBadModulesJSON() throws {
        let folder = try folders.baseCopy("bad-modules")
        try folders.write(Data("[{\"idx\": 0,".utf8), to: "modules.json", in: folder)
        assertInvalidFolder(
            error { _ = try SentenceEncoder(modelDirectory: folder) }, file: "modules.json", "not valid JSON")
        try folders.write(Data("{\"modules\": []}".utf8), to: "modules.json", in: folder)
        assertInvalidFolder(
            error { _ = try SentenceEncoder(modelDirectory: folder) }, file: "modules.json",
            "expected a list, found an object")
        try folders.write(Data("[{\"path\": \"\"}]".utf8), to: "modules.json", in: folder)
        assertInvalidFolder(error { _ = try SentenceEncoder(modelDirectory: folder) }, file: "modules.json", "type")
        try folders.write(
            Data("[{\"path\": \"\", \"type\": \"sentence_transformers.models.Transformer\"}]".utf8), to: "modules.json",
            in: folder)
        assertInvalidFolder(error { _ = try SentenceEncoder(modelDirectory: folder) }, file: "modules.json", "Pooling")
    }

    func testUnknownModuleType() throws {
        let folder = try folders.baseCopy("unknown-module")
        let modules = """
            [{"path": "", "type": "sentence_transformers.models.Transformer"},
             {"path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
             {"path": "2_LSTM", "type": "sentence_transformers.models.LSTM"}]
            """
        try folders.write(Data(modules.utf8), to: "modules.json", in: folder)
        let thrown = error { _ = try SentenceEncoder(modelDirectory: folder) }
        XCTAssertEqual(
            thrown,
            .unsupportedModule(
                file: folder.appendingPathComponent("modules.json").path, type: "sentence_transformers.models.LSTM"))
    }

    func testMissingPoolingConfig() throws {
        let folder = try folders.baseCopy("no-pooling-config")
        try FileManager.default.removeItem(at: folder.appendingPathComponent("1_Pooling/config.json"))
        assertInvalidFolder(
            error { _ = try SentenceEncoder(modelDirectory: folder) }, file: "1_Pooling/config.json", "no such file")
    }

    func testBadPoolingMode() throws {
        let folder = try folders.baseCopy("bad-pooling")
        for (config, words) in [
            ("{\"pooling_mode\": \"median\"}", "median"),
            ("{\"pooling_mode\": [\"mean\", \"mode\"]}", "mode"),
            ("{\"pooling_mode\": 3}", "pooling_mode"),
            ("{\"pooling_mode_mean_tokens\": \"yes\"}", "pooling_mode_mean_tokens"),
            ("{\"pooling_mode_mean_tokens\": false}", "no pooling mode"),
            ("{\"pooling_mode\": \"mean\", \"include_prompt\": \"no\"}", "include_prompt"),
        ] {
            try folders.write(Data(config.utf8), to: "1_Pooling/config.json", in: folder)
            assertInvalidFolder(
                error { _ = try SentenceEncoder(modelDirectory: folder) }, file: "1_Pooling/config.json", words)
        }
    }

    func testDenseInFeaturesMismatch() throws {
        let folder = try folders.baseCopy("dense-mismatch")
        let modules = """
            [{"path": "", "type": "sentence_transformers.models.Transformer"},
             {"path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
             {"path": "2_Dense", "type": "sentence_transformers.models.Dense"}]
            """
        try folders.write(Data(modules.utf8), to: "modules.json", in: folder)
        // A consistent Dense module (in 24) after a 32-wide pooling.
        try folders.write(
            Data("{\"in_features\": 24, \"out_features\": 16, \"bias\": false}".utf8), to: "2_Dense/config.json",
            in: folder)
        try folders.write(
            Data(contentsOf: resource("goldens/sentence/dense-24x16.safetensors")), to: "2_Dense/model.safetensors",
            in: folder)
        assertInvalidFolder(
            error { _ = try SentenceEncoder(modelDirectory: folder) }, file: "2_Dense/config.json",
            "in_features is 24, but the pooling 'mean' gives 32 values")
        // The config and the weights disagree.
        try folders.write(
            Data("{\"in_features\": 32, \"out_features\": 16, \"bias\": false}".utf8), to: "2_Dense/config.json",
            in: folder)
        assertInvalidFolder(error { _ = try SentenceEncoder(modelDirectory: folder) }, file: "2_Dense", "linear.weight")
        // An activation the library does not implement.
        try folders.write(
            Data(
                "{\"in_features\": 24, \"out_features\": 16, \"activation_function\": \"torch.nn.modules.activation.Softsign\"}"
                    .utf8),
            to: "2_Dense/config.json", in: folder)
        assertInvalidFolder(
            error { _ = try SentenceEncoder(modelDirectory: folder) }, file: "2_Dense/config.json", "Softsign")
    }

    func testBadPromptsAndOptions() throws {
        let folder = try folders.baseCopy("bad-prompts")
        try folders.write(
            Data("{\"prompts\": {\"query\": \"q: \"}, \"default_prompt_name\": \"doc\"}".utf8),
            to: "config_sentence_transformers.json", in: folder)
        assertInvalidFolder(
            error { _ = try SentenceEncoder(modelDirectory: folder) }, file: "config_sentence_transformers.json", "doc")
        let encoder = try SentenceEncoder(modelDirectory: resource("tiny-bert"))
        for options in [
            EncodeOptions(batchSize: 0), EncodeOptions(maxSequenceLength: 1), EncodeOptions(maxSequenceLength: 65),
            EncodeOptions(promptName: "nope"), EncodeOptions(truncateDimension: 33),
            EncodeOptions(truncateDimension: 0),
            EncodeOptions(threads: 0),
        ] {
            guard case .invalidOption? = error({ _ = try encoder.encode(["a"], options: options) }) else {
                return XCTFail("expected invalidOption for \(options)")
            }
        }
        // The tiny model has 2 layers: the last four hidden states do not exist.
        guard
            case .invalidOption(let reason)? = error({
                _ = try SentenceEncoder(modelDirectory: self.folders.baseCopy("four"), pooling: .lastFourConcat)
            })
        else { return XCTFail("expected invalidOption") }
        XCTAssertTrue(reason.contains("layer -4"), reason)
    }
}
