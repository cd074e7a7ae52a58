// swift-tools-version:6.0
// bert-embed-server: an HTTP server for BertEmbed models, OpenAI-compatible (/v1/embeddings) and
// text-embeddings-inference-compatible (/embed, /embed_sparse, /rerank, /tokenize, /info, /health, /metrics).
//
// A package of its own so that the library (the repository's root package) keeps zero dependencies: this one adds
// Hummingbird 2 (HTTP on SwiftNIO, with swift-service-lifecycle for graceful shutdown) and swift-argument-parser.
//   swift build -c release --package-path Server
import PackageDescription

let package = Package(
    name: "bert-embed-server",
    platforms: [.macOS(.v14)],
    products: [.executable(name: "bert-embed-server", targets: ["bert-embed-server"])],
    dependencies: [
        .package(name: "swift-bert-embed", path: ".."),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
    ],
    targets: [
        // The routes, limits and metrics, as a library so that the tests run them in process.
        .target(
            name: "BertEmbedServer",
            dependencies: [
                .product(name: "BertEmbed", package: "swift-bert-embed"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]),
        .executableTarget(
            name: "bert-embed-server",
            dependencies: [
                "BertEmbedServer", .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),
        .testTarget(
            name: "BertEmbedServerTests",
            dependencies: [
                // Live servers on loopback, requests through Foundation's URLSession: no TLS stack to build.
                "BertEmbedServer", .product(name: "BertEmbed", package: "swift-bert-embed"),
            ]),
    ]
)
