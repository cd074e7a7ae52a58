// Weight binding: every MiniLM tensor with its shape and spot-checked values, the `bert.` prefix and gamma/beta
// aliases, missing and mis-shaped tensors, and the load time.
import BertEmbedModel
import BertEmbedSafeTensors
import Foundation
import XCTest
import _BertEmbedTestSupport

/// Every tensor BertModel has for `config`, by canonical name, with its shape (nn.Linear weights are (out, in)).
func expectedBertTensors(_ config: BertConfig) -> [(name: String, shape: [Int])] {
    let h = config.hiddenSize, i = config.intermediateSize
    var tensors: [(String, [Int])] = [
        ("embeddings.word_embeddings.weight", [config.vocabSize, h]),
        ("embeddings.position_embeddings.weight", [config.maxPositionEmbeddings, h]),
        ("embeddings.token_type_embeddings.weight", [config.typeVocabSize, h]),
        ("embeddings.LayerNorm.weight", [h]), ("embeddings.LayerNorm.bias", [h]),
    ]
    for layer in 0..<config.numHiddenLayers {
        let p = "encoder.layer.\(layer)."
        for part in ["query", "key", "value"] {
            tensors += [(p + "attention.self.\(part).weight", [h, h]), (p + "attention.self.\(part).bias", [h])]
        }
        tensors += [
            (p + "attention.output.dense.weight", [h, h]), (p + "attention.output.dense.bias", [h]),
            (p + "attention.output.LayerNorm.weight", [h]), (p + "attention.output.LayerNorm.bias", [h]),
            (p + "intermediate.dense.weight", [i, h]), (p + "intermediate.dense.bias", [i]),
            (p + "output.dense.weight", [h, i]), (p + "output.dense.bias", [h]),
            (p + "output.LayerNorm.weight", [h]), (p + "output.LayerNorm.bias", [h]),
        ]
    }
    tensors += [("pooler.dense.weight", [h, h]), ("pooler.dense.bias", [h])]
    return tensors
}

/// Binds `name` through nested scopes (as the encoder does: scope per dotted component but the last two).
func bind(_ weights: BertWeights, _ name: String, shape: [Int]) throws -> [Float] {
    let parts = name.split(separator: ".").map(String.init)
    var scope = weights.root
    for part in parts.dropLast(2) { scope = scope.scope(part) }
    return try scope.tensor(parts.suffix(2).joined(separator: "."), shape: shape)
}

final class BertWeightsTests: XCTestCase {
    func testMiniLMBindsEveryTensorWithItsShapeAndValues() throws {
        let directory = try miniLMDirectory()
        let config = try BertConfig(contentsOf: directory.appendingPathComponent("config.json"))
        let start = Date()
        let weights = try BertWeights(directory: directory)
        let opened = Date()
        var values: [String: [Float]] = [:]
        for (name, shape) in expectedBertTensors(config) {
            values[name] = try bind(weights, name, shape: shape)
            XCTAssertEqual(values[name]?.count, shape.reduce(1, *), name)
        }
        let bound = Date()
        try weights.checkComplete()
        print(
            String(
                format: "all-MiniLM-L6-v2: open+validate %.3f ms, bind all %d tensors (F32 copy) %.1f ms",
                opened.timeIntervalSince(start) * 1000, values.count, bound.timeIntervalSince(opened) * 1000))
        XCTAssertEqual(values.count, 5 + 16 * 6 + 2)
        XCTAssertEqual(weights.unusedTensorNames, ["embeddings.position_ids"])
        XCTAssertTrue(weights.debugDescription.contains("unused 1: embeddings.position_ids"), weights.debugDescription)

        // Spot checks against Python safetensors (Resources/safetensors/minilm-spotcheck.json); exact bits,
        // because loading is a copy.
        let spot = try XCTUnwrap(try loadModelJSON("safetensors/minilm-spotcheck.json"))
        XCTAssertEqual(weights.tensorNames, try XCTUnwrap(spot["tensor_names"] as? [String]))
        let checks = try XCTUnwrap(spot["checks"] as? [String: [String: Any]])
        var checked = 0
        for (name, check) in checks where check["dtype"] as? String == "F32" {
            let got = try XCTUnwrap(values[name], name)
            let indices = try XCTUnwrap(check["indices"] as? [Int])
            let bits = try XCTUnwrap(check["float32_bits"] as? [NSNumber]).map(\.uint32Value)
            for (index, want) in zip(indices, bits) {
                XCTAssertEqual(got[index].bitPattern, want, "\(name)[\(index)]")
            }
            checked += 1
        }
        XCTAssertGreaterThan(checked, 30)
    }

    func testBertPrefixAndGammaBetaAliases() throws {
        let folder = resource("safetensors/bert-prefixed")
        let config = try BertConfig(contentsOf: folder.appendingPathComponent("config.json"))
        let weights = try BertWeights(directory: folder)
        let file = try SafeTensorsFile(contentsOf: folder.appendingPathComponent("model.safetensors"))
        for (name, shape) in expectedBertTensors(config) {
            let value = try bind(weights, name, shape: shape)
            var stored = "bert." + name
            if stored.hasSuffix("LayerNorm.weight") { stored = String(stored.dropLast(6)) + "gamma" }
            if stored.hasSuffix("LayerNorm.bias") { stored = String(stored.dropLast(4)) + "beta" }
            XCTAssertEqual(value, try file.floats(stored), name)
            XCTAssertTrue(weights.hasTensor(name), name)
        }
        try weights.checkComplete()
        XCTAssertEqual(
            weights.unusedTensorNames,
            ["bert.embeddings.position_ids", "cls.predictions.bias", "cls.predictions.transform.dense.weight"])
        // An I64 buffer cannot be bound as Float32: the error names the stored tensor and its dtype.
        XCTAssertThrowsError(try weights.root.scope("embeddings").tensor("position_ids", shape: [1, 6])) { error in
            guard case .unreadableTensor(let name, let reason)? = error as? BertModelError else {
                return XCTFail("\(error)")
            }
            XCTAssertEqual(name, "bert.embeddings.position_ids")
            XCTAssertTrue(reason.contains("I64") && reason.contains("model.safetensors"), reason)
        }
    }

    /// Embedding tables are read in place from the mapped checkpoint when F32 and 4-byte aligned; otherwise (an
    /// unaligned or F16 tensor, tensors given in memory, a missing one) they are copies. Either way the values are
    /// the tensor's, bit for bit.
    func testTablesAreMappedWhenAlignedF32ElseCopied() throws {
        func check(_ weights: BertWeights, _ name: String, shape: [Int], mapped: Bool, line: UInt = #line) throws {
            let table = try weights.root.table(name, shape: shape)
            if case .mapped = table {
                XCTAssertTrue(mapped, name, line: line)
            } else {
                XCTAssertFalse(mapped, name, line: line)
            }
            let values = table.withUnsafeBufferPointer { Array($0) }
            XCTAssertEqual(
                values.map(\.bitPattern), try weights.root.tensor(name, shape: shape).map(\.bitPattern), name,
                line: line)
        }
        let folder = resource("safetensors/bert-prefixed")
        let config = try BertConfig(contentsOf: folder.appendingPathComponent("config.json"))
        let prefixed = try BertWeights(directory: folder)
        try check(
            prefixed, "embeddings.word_embeddings.weight", shape: [config.vocabSize, config.hiddenSize], mapped: true)
        XCTAssertFalse(
            prefixed.unusedTensorNames.contains("bert.embeddings.word_embeddings.weight"), "recorded as used")
        let unaligned = BertWeights(
            archive: SafeTensorsArchive(
                file: try SafeTensorsFile(contentsOf: resource("safetensors/unaligned.safetensors"))))
        try check(unaligned, "b_f32", shape: [2, 2], mapped: false)
        try check(unaligned, "c_f16", shape: [3], mapped: false)
        XCTAssertThrowsError(try unaligned.root.table("b_f32", shape: [4])) { error in
            XCTAssertEqual(error as? BertModelError, .shapeMismatch(name: "b_f32", expected: [4], actual: [2, 2]))
        }
        let memory = BertWeights(tensors: ["t": ([2], [1.5, -2])])
        try check(memory, "t", shape: [2], mapped: false)
        try check(memory, "absent", shape: [2, 3], mapped: false)
        XCTAssertEqual(memory.missingTensorNames, ["absent"])
    }

    func testAliasTableOrder() {
        XCTAssertEqual(
            WeightNames.candidates(for: "pooler.dense.weight"),
            ["pooler.dense.weight", "bert.pooler.dense.weight"])
        XCTAssertEqual(
            WeightNames.candidates(for: "embeddings.LayerNorm.bias"),
            [
                "embeddings.LayerNorm.bias", "bert.embeddings.LayerNorm.bias",
                "embeddings.LayerNorm.beta", "bert.embeddings.LayerNorm.beta",
            ])
        // Each family's spelling and prefix (transformers' state_dict names of its models).
        XCTAssertEqual(
            WeightNames.candidates(for: "encoder.layer.3.attention.output.LayerNorm.weight", family: .distilbert),
            [
                "transformer.layer.3.sa_layer_norm.weight", "distilbert.transformer.layer.3.sa_layer_norm.weight",
            ])
        XCTAssertEqual(
            WeightNames.candidates(for: "encoder.layer.0.output.dense.bias", family: .distilbert),
            ["transformer.layer.0.ffn.lin2.bias", "distilbert.transformer.layer.0.ffn.lin2.bias"])
        XCTAssertEqual(
            WeightNames.candidates(for: "encoder.layer.11.attention.self.value.weight", family: .mpnet),
            ["encoder.layer.11.attention.attn.v.weight", "mpnet.encoder.layer.11.attention.attn.v.weight"])
        XCTAssertEqual(
            WeightNames.candidates(for: "encoder.layer.2.attention.output.LayerNorm.bias", family: .mpnet),
            [
                "encoder.layer.2.attention.LayerNorm.bias", "mpnet.encoder.layer.2.attention.LayerNorm.bias",
                "encoder.layer.2.attention.LayerNorm.beta", "mpnet.encoder.layer.2.attention.LayerNorm.beta",
            ])
        XCTAssertEqual(
            WeightNames.candidates(for: "embeddings.word_embeddings.weight", family: .xlmRoberta),
            ["embeddings.word_embeddings.weight", "roberta.embeddings.word_embeddings.weight"])
        // The canonical spelling wins when both are present; the other stays unused.
        let weights = BertWeights(tensors: [
            "a.LayerNorm.weight": ([1], [1]), "bert.a.LayerNorm.weight": ([1], [2]),
            "a.LayerNorm.gamma": ([1], [3]),
        ])
        XCTAssertEqual(try weights.root.scope("a").tensor("LayerNorm.weight", shape: [1]), [1])
        XCTAssertEqual(weights.unusedTensorNames, ["a.LayerNorm.gamma", "bert.a.LayerNorm.weight"])
    }

    func testEveryMissingTensorIsReportedOnce() throws {
        let weights = BertWeights(tensors: ["pooler.dense.bias": ([2], [0.5, -1])])
        let scope = weights.root.scope("pooler")
        XCTAssertEqual(try scope.tensor("dense.weight", shape: [2, 2]), [0, 0, 0, 0], "missing reads as zeros")
        XCTAssertEqual(try scope.tensor("dense.bias", shape: [2]), [0.5, -1])
        _ = try weights.root.tensor("embeddings.word_embeddings.weight", shape: [3, 2])
        _ = try scope.tensor("dense.weight", shape: [2, 2])
        XCTAssertFalse(weights.hasTensor("pooler.dense.weight"))
        XCTAssertThrowsError(try weights.checkComplete()) { error in
            XCTAssertEqual(
                error as? BertModelError,
                .missingTensors(names: ["pooler.dense.weight", "embeddings.word_embeddings.weight"]))
            XCTAssertTrue("\(error)".contains("pooler.dense.weight, embeddings.word_embeddings.weight"), "\(error)")
        }
        // A placeholder too large to allocate throws at once instead.
        XCTAssertThrowsError(try weights.root.tensor("huge", shape: [1 << 20, 1 << 20])) { error in
            XCTAssertEqual(
                error as? BertModelError,
                .missingTensors(names: ["pooler.dense.weight", "embeddings.word_embeddings.weight", "huge"]))
        }
    }

    func testShapeMismatchNamesTheFullNameAndBothShapes() throws {
        let weights = try BertWeights(directory: resource("safetensors/bert-prefixed"))
        XCTAssertThrowsError(
            try weights.root.scope("encoder.layer.0.attention.self").tensor("query.weight", shape: [4, 5])
        ) { error in
            XCTAssertEqual(
                error as? BertModelError,
                .shapeMismatch(
                    name: "bert.encoder.layer.0.attention.self.query.weight", expected: [4, 5], actual: [4, 4]))
            XCTAssertEqual(
                "\(error)",
                "tensor bert.encoder.layer.0.attention.self.query.weight: expected shape [4, 5] "
                    + "from config.json, found [4, 4] in the checkpoint")
        }
    }

    func testBrokenCheckpointFolderErrorsNameTheFile() throws {
        let folder = resource("safetensors/sharded-broken/missing-shard")
        XCTAssertThrowsError(try BertWeights(directory: folder)) { error in
            XCTAssertTrue(error is SafeTensorsError, "\(error)")
            XCTAssertTrue("\(error)".contains(folder.path), "\(error)")
        }
    }
}

/// A JSON fixture file as Foundation objects.
func loadModelJSON(_ relativePath: String) throws -> [String: Any]? {
    try JSONSerialization.jsonObject(with: Data(contentsOf: resource(relativePath))) as? [String: Any]
}
