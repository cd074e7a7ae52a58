// How an encoder computes: its threads and the CPU code it may run. Set at load.
import BertEmbedKernels

/// How a `SentenceEncoder` computes. Results do not depend on these settings on a given CPU, except for
/// `computeType`, and that the matrix-product kernel can round differently (fused multiply-add or not) where code
/// generation is turned off.
///
/// Each setting left nil follows its environment variable, then its default; a value set here wins over the
/// environment. The environment is read when the encoder is loaded.
public struct ComputeOptions: Sendable, Equatable {
    /// Worker threads, at least 1; more than 1,024 are capped at 1,024 (nil: every core the process may run on).
    /// `EncodeOptions.threads` overrides it per call.
    public var threads: Int?
    /// Whether machine code may be generated at run time (nil: `BERT_EMBED_JIT`, 0 or 1, else allowed).
    ///
    /// On Linux x86-64 the library generates two tiny functions that ask the CPU what it supports (`cpuid`,
    /// `xgetbv`) and, on CPUs with AVX2 + FMA, the matrix-product micro-kernels (float32; int8, with VNNI where
    /// present) and the GELU epilogue, so that a default build (compiled for SSE2) runs AVX2. Turned off, no memory is ever made executable (for sandboxes that forbid it) and the
    /// compiled kernels run, about half as fast in a default x86-64 build. Elsewhere it changes nothing.
    public var allowsCodeGeneration: Bool?
    /// Whether the packed weights ask Linux for transparent huge pages (nil: `BERT_EMBED_HUGE_PAGES`, 0 or 1, else
    /// not). Faster loads on most machines; slower first loads on VMs that return idle memory to their host.
    public var usesHugePages: Bool?
    /// How the dense layers store and compute (default `ComputeType.float32`).
    public var computeType: ComputeType
    /// The most tokens one forward pass shared by concurrent `async` calls takes (default 4,096; see
    /// `SentenceEncoder.encode(_:options:)`). Larger passes use the cores better; smaller ones answer the first
    /// callers sooner.
    public var passTokenBudget: Int = 4096
    /// A GEMM micro-kernel by name (`bert-embed bench-kernels` lists them; nil: `BERT_EMBED_GEMM_KERNEL`, else
    /// the one chosen from the CPU's features). For measurements and tests.
    package var gemmKernel: String?
    /// A folder in which to list generated code for `perf report` (nil: /tmp with `BERT_EMBED_PERF_MAP=1`).
    package var perfMapDirectory: String?

    /// Options with the given values; nil ones follow the environment, then the defaults.
    public init(
        threads: Int? = nil, allowsCodeGeneration: Bool? = nil, usesHugePages: Bool? = nil,
        computeType: ComputeType = .float32
    ) {
        self.threads = threads
        self.allowsCodeGeneration = allowsCodeGeneration
        self.usesHugePages = usesHugePages
        self.computeType = computeType
    }

    /// The kernels' settings.
    var settings: ComputeSettings {
        ComputeSettings(
            threads: threads, codeGeneration: allowsCodeGeneration, gemmKernel: gemmKernel, hugePages: usesHugePages,
            perfMapDirectory: perfMapDirectory, weightFormat: computeType.weightFormat)
    }

    /// The compute context these options and the process's environment describe.
    /// - Throws: `EmbeddingError.invalidOption` naming the setting or environment variable.
    func context() throws -> ComputeContext {
        guard passTokenBudget >= 1 else {
            throw EmbeddingError.invalidOption("passTokenBudget must be at least 1, got \(passTokenBudget)")
        }
        do {
            return try ComputeContext(settings: settings, environment: try EnvironmentOverrides.process())
        } catch let error as ComputeSettingsError {
            throw EmbeddingError.invalidOption(error.description)
        }
    }
}
