// What a caller may set about how the kernels compute, and how a setting, its environment variable and its default
// combine into the `ComputeContext` a model is loaded with.

/// Settings of the compute kernels. A nil setting falls back to its environment variable (`EnvironmentOverrides`),
/// then to its default: a value set here always wins over the environment.
package struct ComputeSettings: Sendable, Equatable {
    /// Worker threads, at least 1 (nil: every core this process may run on).
    package var threads: Int?
    /// Whether machine code may be generated at run time: the CPU probe and the AVX2 GEMM tile on Linux x86-64
    /// (nil: `BERT_EMBED_JIT`, else allowed). Off, no memory is ever made executable and compiled kernels run.
    package var codeGeneration: Bool?
    /// A GEMM micro-kernel by name (nil: `BERT_EMBED_GEMM_KERNEL`, else the registry's choice for the CPU).
    package var gemmKernel: String?
    /// Whether packed weights ask Linux for transparent huge pages (nil: `BERT_EMBED_HUGE_PAGES`, else not).
    package var hugePages: Bool?
    /// A folder in which to list generated code for `perf report` (nil: /tmp when `BERT_EMBED_PERF_MAP` is 1,
    /// else nowhere).
    package var perfMapDirectory: String?
    /// How dense layers store their weights (nil: float32).
    package var weightFormat: WeightFormat?

    /// Settings with the given values; nil ones follow the environment, then the defaults.
    package init(
        threads: Int? = nil, codeGeneration: Bool? = nil, gemmKernel: String? = nil, hugePages: Bool? = nil,
        perfMapDirectory: String? = nil, weightFormat: WeightFormat? = nil
    ) {
        self.threads = threads
        self.codeGeneration = codeGeneration
        self.gemmKernel = gemmKernel
        self.hugePages = hugePages
        self.perfMapDirectory = perfMapDirectory
        self.weightFormat = weightFormat
    }
}

/// A compute setting or environment variable that cannot be honoured.
package enum ComputeSettingsError: Error, Equatable, CustomStringConvertible {
    /// A thread count below 1.
    case invalidThreads(Int)
    /// An environment variable with a value outside the documented ones.
    case invalidEnvironmentValue(variable: String, value: String, expected: String)
    /// A GEMM kernel name that names no kernel this process can run; `source` says where the name came from.
    case unavailableKernel(name: String, source: String, available: [String])

    /// What is wrong and what to do.
    package var description: String {
        switch self {
        case .invalidThreads(let threads): return "threads must be at least 1, got \(threads)"
        case .invalidEnvironmentValue(let variable, let value, let expected):
            return "\(variable) is '\(value)'; it takes \(expected) (or unset it)"
        case .unavailableKernel(let name, let source, let available):
            return "\(source) names the GEMM kernel '\(name)', which this process cannot run (generated kernels need "
                + "their CPU features and code generation); available: \(available.joined(separator: ", "))"
        }
    }
}

extension KernelRegistry {
    /// The registry `settings` allow (code generation as set, else as the environment says, else allowed) and the
    /// GEMM kernel they name (else the environment's, else the registry's choice).
    /// - Throws: `ComputeSettingsError.unavailableKernel` for a name this process cannot run.
    package init(settings: ComputeSettings, environment: EnvironmentOverrides) throws {
        let codeGeneration = settings.codeGeneration ?? environment.codeGeneration ?? true
        self.init(features: .current(allowingCodeGeneration: codeGeneration), codeGeneration: codeGeneration)
        if environment.amx == false { bf16Tile = nil }
        if let name = settings.gemmKernel ?? environment.gemmKernel {
            guard let named = gemmKernel(named: name) else {
                throw ComputeSettingsError.unavailableKernel(
                    name: name,
                    source: settings.gemmKernel != nil ? "the gemmKernel setting" : "BERT_EMBED_GEMM_KERNEL",
                    available: gemmKernels.map(\.name))
            }
            chosenGemmKernel = named
        }
    }
}

extension ComputeContext {
    /// The context `settings` describe, the environment filling in what they leave nil: the thread count, the
    /// kernels the registry chooses for this CPU (or the one named), huge pages. Writes the perf map when asked.
    /// - Throws: `ComputeSettingsError` for a thread count below 1, a malformed environment variable, or a kernel
    ///   name this process cannot run.
    package init(settings: ComputeSettings, environment: EnvironmentOverrides) throws {
        if let threads = settings.threads, threads < 1 { throw ComputeSettingsError.invalidThreads(threads) }
        let registry = try KernelRegistry(settings: settings, environment: environment)
        if let directory = settings.perfMapDirectory ?? (environment.perfMap == true ? "/tmp" : nil) {
            PerfMap.append(registry.generatedCode, directory: directory)
        }
        self.init(
            threads: settings.threads,
            kernels: KernelSet(
                gemm: registry.chosenGemmKernel, int8Gemm: registry.int8Gemm, gelu: registry.gelu,
                bf16Tile: registry.bf16Tile),
            hugePages: settings.hugePages ?? environment.hugePages ?? false,
            weightFormat: settings.weightFormat ?? .float32)
    }
}
