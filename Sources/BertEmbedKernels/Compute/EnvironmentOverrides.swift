// The one place the library reads environment variables. Each overrides a default of `ComputeSettings`, and each
// has a setting of its own that wins over it (as oneDNN pairs every environment variable with an API call).
import Foundation

/// The library's environment variables, parsed. Read when a compute context is resolved (an encoder is loaded),
/// not at first use of a kernel.
package struct EnvironmentOverrides: Sendable, Equatable {
    /// `BERT_EMBED_JIT`: 0 forbids run-time code generation, 1 allows it.
    package var codeGeneration: Bool?
    /// `BERT_EMBED_GEMM_KERNEL`: a GEMM micro-kernel by name (`bert-embed bench-kernels` lists them).
    package var gemmKernel: String?
    /// `BERT_EMBED_HUGE_PAGES`: 1 packs weights into transparent huge pages, 0 does not.
    package var hugePages: Bool?
    /// `BERT_EMBED_PERF_MAP`: 1 lists generated code in /tmp/perf-<pid>.map for `perf report`, 0 does not.
    package var perfMap: Bool?
    /// `BERT_EMBED_AMX`: 0 keeps bfloat16 layers off the AMX tile kernel (their weights are widened to float32, as on
    /// CPUs without AMX: the same bits there as elsewhere), 1 allows it.
    package var amx: Bool?

    /// No overrides.
    package init() {}

    /// The overrides set in `environment` (an empty value counts as unset).
    /// - Throws: `ComputeSettingsError.invalidEnvironmentValue` for a value outside the documented ones.
    package init(_ environment: [String: String]) throws {
        func flag(_ variable: String) throws -> Bool? {
            switch environment[variable] {
            case nil, "": return nil
            case "0": return false
            case "1": return true
            case let value?:
                throw ComputeSettingsError.invalidEnvironmentValue(variable: variable, value: value, expected: "0 or 1")
            }
        }
        codeGeneration = try flag("BERT_EMBED_JIT")
        hugePages = try flag("BERT_EMBED_HUGE_PAGES")
        perfMap = try flag("BERT_EMBED_PERF_MAP")
        amx = try flag("BERT_EMBED_AMX")
        if let name = environment["BERT_EMBED_GEMM_KERNEL"], !name.isEmpty { gemmKernel = name }
    }

    /// This process's overrides.
    /// - Throws: as `init(_:)`.
    package static func process() throws -> EnvironmentOverrides {
        try EnvironmentOverrides(ProcessInfo.processInfo.environment)
    }
}
