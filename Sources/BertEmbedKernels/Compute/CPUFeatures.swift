// What the CPU can run beyond the build's baseline, read once per process from the CPU itself (x86-64: cpuid and
// XCR0, CodeGeneration/X86CPUID.swift) or known from the architecture (arm64: NEON is part of it). The kernel
// registry chooses from these; nothing here is timed.

#if canImport(Glibc)
import Glibc
#endif

/// Instruction-set extensions the kernels may use, each present only when both the CPU and the OS support it.
package struct CPUFeatures: OptionSet, Sendable, Hashable, CustomStringConvertible {
    package let rawValue: UInt64
    package init(rawValue: UInt64) { self.rawValue = rawValue }

    // x86-64 (names as Linux's /proc/cpuinfo spells them, in `names`).
    package static let fma = CPUFeatures(rawValue: 1 << 0)
    package static let f16c = CPUFeatures(rawValue: 1 << 1)
    package static let avx2 = CPUFeatures(rawValue: 1 << 2)
    package static let avxVNNI = CPUFeatures(rawValue: 1 << 3)
    package static let avx512F = CPUFeatures(rawValue: 1 << 4)
    package static let avx512DQ = CPUFeatures(rawValue: 1 << 5)
    package static let avx512BW = CPUFeatures(rawValue: 1 << 6)
    package static let avx512VL = CPUFeatures(rawValue: 1 << 7)
    package static let avx512VNNI = CPUFeatures(rawValue: 1 << 8)
    package static let avx512BF16 = CPUFeatures(rawValue: 1 << 9)
    package static let amxTile = CPUFeatures(rawValue: 1 << 10)
    package static let amxInt8 = CPUFeatures(rawValue: 1 << 11)
    package static let amxBF16 = CPUFeatures(rawValue: 1 << 12)
    // arm64.
    package static let neon = CPUFeatures(rawValue: 1 << 32)
    /// The dot-product instructions sdot / udot (FEAT_DotProd; Linux's HWCAP_ASIMDDP).
    package static let dotProduct = CPUFeatures(rawValue: 1 << 33)
    /// The int8 matrix multiplies smmla / ummla / usmmla (FEAT_I8MM; Linux's HWCAP2_I8MM).
    package static let int8MatrixMultiply = CPUFeatures(rawValue: 1 << 34)

    /// Each feature with its name in Linux's /proc/cpuinfo (x86) or the architecture manual (arm64).
    package static let names: [(feature: CPUFeatures, name: String)] = [
        (.fma, "fma"), (.f16c, "f16c"), (.avx2, "avx2"), (.avxVNNI, "avx_vnni"), (.avx512F, "avx512f"),
        (.avx512DQ, "avx512dq"), (.avx512BW, "avx512bw"), (.avx512VL, "avx512vl"), (.avx512VNNI, "avx512_vnni"),
        (.avx512BF16, "avx512_bf16"), (.amxTile, "amx_tile"), (.amxInt8, "amx_int8"), (.amxBF16, "amx_bf16"),
        (.neon, "neon"), (.dotProduct, "asimddp"), (.int8MatrixMultiply, "i8mm"),
    ]

    /// The names of the features present, space-separated ("" for none).
    package var description: String {
        Self.names.filter { contains($0.feature) }.map(\.name).joined(separator: " ")
    }

    /// What every CPU of this build's architecture has (arm64: NEON; x86-64: nothing beyond SSE2, the build's target).
    package static var baseline: CPUFeatures {
        #if arch(arm64)
        return .neon
        #else
        return []
        #endif
    }

    /// This machine's features. On x86-64 reading them runs two generated instructions, so with
    /// `allowingCodeGeneration` false (no executable memory wanted) only the baseline is reported.
    package static func current(allowingCodeGeneration: Bool) -> CPUFeatures {
        allowingCodeGeneration ? probed : baseline
    }

    /// Read once per process: the CPU does not change under a running program.
    private static let probed: CPUFeatures = {
        #if os(Linux) && arch(x86_64)
        return readX86() ?? baseline
        #elseif os(Linux) && arch(arm64)
        // AT_HWCAP, AT_HWCAP2
        return baseline.union(
            arm64(hardwareCapabilities: auxiliaryValue(16) ?? 0, hardwareCapabilities2: auxiliaryValue(26) ?? 0))
        #else
        return baseline
        #endif
    }()

    /// The arm64 features in Linux's hardware-capability words (the auxiliary vector's AT_HWCAP and AT_HWCAP2,
    /// arch/arm64's uapi/asm/hwcap.h): HWCAP_ASIMDDP (bit 20 of the first) is the dot-product extension, HWCAP2_I8MM
    /// (bit 13 of the second) the int8 matrix multiplies.
    package static func arm64(hardwareCapabilities: UInt64, hardwareCapabilities2: UInt64) -> CPUFeatures {
        var features: CPUFeatures = []
        if hardwareCapabilities & (1 << 20) != 0 { features.insert(.dotProduct) }
        if hardwareCapabilities2 & (1 << 13) != 0 { features.insert(.int8MatrixMultiply) }
        return features
    }

    /// The value of entry `type` of this process's auxiliary vector (Linux: /proc/self/auxv, pairs of 64-bit words
    /// ending with type 0; AT_HWCAP is 16, AT_HWCAP2 26, AT_PAGESZ 6), or nil where it cannot be read or has no such
    /// entry. (Glibc's getauxval is not in Swift's Glibc module.)
    package static func auxiliaryValue(_ type: UInt64) -> UInt64? {
        #if os(Linux)
        let fd = open("/proc/self/auxv", O_RDONLY)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var pair = (UInt64(0), UInt64(0))
        while withUnsafeMutableBytes(of: &pair, { read(fd, $0.baseAddress, 16) }) == 16 && pair.0 != 0 {
            if pair.0 == type { return pair.1 }
        }
        return nil
        #else
        return nil
        #endif
    }
}
