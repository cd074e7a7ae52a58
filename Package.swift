// swift-tools-version:6.0
// BertEmbed: BERT sentence embeddings in pure Swift, equal to sentence-transformers.
//
// Targets follow the data flow, each with one job and no upward dependency:
//   BertEmbedJSON        strict JSON parser                (depends on nothing)
//   BertEmbedTokenizer   text -> WordPiece ids            (JSON)
//   BertEmbedSafeTensors .safetensors -> typed tensors     (JSON)
//   BertEmbedKernels     SIMD GEMM, attention, norms       (depends on nothing)
//   BertEmbedModel       config, weights, BERT encoder     (JSON, SafeTensors, Kernels)
//   BertEmbed            public facade: encode, pooling    (all of the above)
//   bert-embed           command-line tool                 (BertEmbed)
//
// The library carries no unsafeFlags. The fast build is a command-line flag:
//   swift build -c release -Xswiftc -target-cpu -Xswiftc native
import PackageDescription

let package = Package(
    name: "swift-bert-embed",
    platforms: [.macOS(.v13), .iOS(.v16)],
    products: [
        .library(name: "BertEmbed", targets: ["BertEmbed"]),
        .executable(name: "bert-embed", targets: ["BertEmbedCLI"]),
    ],
    targets: [
        .target(name: "BertEmbedJSON"),
        .target(name: "BertEmbedTokenizer", dependencies: ["BertEmbedJSON"]),
        .target(name: "BertEmbedSafeTensors", dependencies: ["BertEmbedJSON"]),
        .target(name: "BertEmbedKernels"),
        .target(name: "BertEmbedModel", dependencies: ["BertEmbedJSON", "BertEmbedSafeTensors", "BertEmbedKernels"]),
        .target(
            name: "BertEmbed",
            dependencies: [
                "BertEmbedJSON", "BertEmbedTokenizer", "BertEmbedSafeTensors", "BertEmbedKernels", "BertEmbedModel",
            ]),
        .executableTarget(
            name: "BertEmbedCLI",
            dependencies: ["BertEmbed", "BertEmbedJSON", "BertEmbedTokenizer", "BertEmbedKernels"]),
        // An example of use in an app: an in-memory semantic index (swift run semantic-search-example MODEL_DIR).
        .executableTarget(
            name: "semantic-search-example", dependencies: ["BertEmbed"], path: "Sources/SemanticSearchExample"),
        // Test support (not API): fixture paths and the real-model lookup.
        .target(name: "_BertEmbedTestSupport", path: "Tests/_BertEmbedTestSupport"),
        .testTarget(name: "BertEmbedJSONTests", dependencies: ["BertEmbedJSON"]),
        .testTarget(
            name: "BertEmbedTokenizerTests",
            dependencies: ["BertEmbedJSON", "BertEmbedTokenizer", "_BertEmbedTestSupport"]),
        .testTarget(
            name: "BertEmbedSafeTensorsTests", dependencies: ["BertEmbedSafeTensors", "_BertEmbedTestSupport"]),
        .testTarget(name: "BertEmbedKernelsTests", dependencies: ["BertEmbedKernels", "_BertEmbedTestSupport"]),
        .testTarget(
            name: "BertEmbedModelTests",
            dependencies: ["BertEmbedModel", "BertEmbedTokenizer", "_BertEmbedTestSupport"]),
        .testTarget(
            name: "BertEmbedTests",
            dependencies: ["BertEmbed", "BertEmbedKernels", "BertEmbedSafeTensors", "_BertEmbedTestSupport"]),
        .testTarget(name: "BertEmbedCLITests", dependencies: ["BertEmbedCLI", "_BertEmbedTestSupport"]),
    ]
)
