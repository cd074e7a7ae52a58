// ComputeType: names, and bfloat16 and int8 encoders of every family fixture against their float32 encoders (the
// bounds against sentence-transformers on real paragraphs are in RealModelGoldenTests).
import BertEmbed
import XCTest
import _BertEmbedTestSupport

final class ComputeTypeTests: XCTestCase {
    func testNames() {
        XCTAssertEqual(ComputeType.allCases.map(\.name), ["float32", "bfloat16", "int8"])
        for type in ComputeType.allCases { XCTAssertEqual(ComputeType(name: type.name), type) }
        XCTAssertNil(ComputeType(name: "int4"))
        XCTAssertNil(ComputeType(name: "Int8"))
        XCTAssertNil(ComputeType(name: "Float32"))
        XCTAssertEqual(ComputeOptions().computeType, .float32)
        XCTAssertNotEqual(ComputeOptions(computeType: .bfloat16), ComputeOptions())
    }

    /// Every family (tiny random weights, so errors are larger than on trained models): cosine to the float32
    /// encoder's vectors >= 0.999 for every text, the vectors not all equal to float32's
    /// (the type is in use), and the same bits on 1 and 2 threads.
    func testBFloat16EncodersOfEveryFamily() throws { try checkEveryFamily(.bfloat16, minimum: 0.999) }

    func testInt8EncodersOfEveryFamily() throws { try checkEveryFamily(.int8, minimum: 0.999) }

    /// `bert-embed bench` reports which path bfloat16 layers take: the AMX tile, the generated float32 tile's twin
    /// on bfloat16 pairs (name + "-bf16pairs"), or none (widened in memory: no code generation, or not bfloat16).
    func testBFloat16KernelNameSaysWhichPathTheLayersTake() throws {
        let folder = resource("tiny-bert")
        let generated = try SentenceEncoder(
            modelDirectory: folder, pooling: .mean, compute: ComputeOptions(computeType: .bfloat16))
        if generated.gemmKernelName.hasSuffix("-jit"), !(generated.bfloat16KernelName ?? "").contains("amx") {
            XCTAssertEqual(generated.bfloat16KernelName, generated.gemmKernelName + "-bf16pairs")
        } else {
            print("no generated tile or AMX here: \(generated.bfloat16KernelName ?? "none")")
        }
        let compiled = try SentenceEncoder(
            modelDirectory: folder, pooling: .mean,
            compute: ComputeOptions(allowsCodeGeneration: false, computeType: .bfloat16))
        XCTAssertNil(compiled.bfloat16KernelName)
        XCTAssertNil(try SentenceEncoder(modelDirectory: folder, pooling: .mean).bfloat16KernelName)
    }

    func checkEveryFamily(_ type: ComputeType, minimum: Float) throws {
        let texts = [
            "A man is eating food.", "Each sentence is converted, and the café is naïve!", "a",
            "Москва — столица России; 日本語のテキスト", String(repeating: "long text ", count: 60),
        ]
        let folders =
            ["tiny-bert"]
            + ["bert-xlmr-tokenizer", "camembert", "distilbert", "mpnet", "roberta", "xlm-roberta"]
            .map { "families/" + $0 }
        for name in folders {
            let pooling: Pooling? = name == "tiny-bert" ? .mean : nil
            let float32 = try SentenceEncoder(modelDirectory: resource(name), pooling: pooling)
            let reduced = try SentenceEncoder(
                modelDirectory: resource(name), pooling: pooling, compute: ComputeOptions(computeType: type))
            let reference = try float32.encode(texts)
            let oneThread = try reduced.encode(texts, options: EncodeOptions(threads: 1))
            let twoThreads = try reduced.encode(texts, options: EncodeOptions(threads: 2))
            XCTAssertEqual(oneThread.map { $0.map(\.bitPattern) }, twoThreads.map { $0.map(\.bitPattern) }, name)
            XCTAssertNotEqual(oneThread, reference, "\(name): \(type) gave float32's vectors")
            var worst: Float = 1
            for (index, (vector, expected)) in zip(oneThread, reference).enumerated() {
                worst = min(worst, Similarity.cosine(vector, expected))
                XCTAssertGreaterThanOrEqual(
                    Similarity.cosine(vector, expected), minimum, "\(name) \(type) text \(index)")
            }
            print("\(name) \(type): min cosine to float32 \(worst)")
        }
    }
}
