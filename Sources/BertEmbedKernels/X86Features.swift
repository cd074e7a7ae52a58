// What this x86-64 CPU and OS support, asked of the CPU itself (cpuid, xgetbv) through two tiny
// generated functions, since Swift has no intrinsic for either. Intel SDM vol. 2A, CPUID; 13.3 for
// the OS-support check (XCR0 must enable the SSE and AVX state, or AVX instructions fault).

/// The CPU features the generated kernels need.
struct X86Features {
    /// AVX2 and FMA3 usable: the CPU has them and the OS saves the ymm registers.
    let avx2FMA: Bool

    /// This machine's features (all false off Linux x86-64 or when code cannot be generated).
    static let current: X86Features = {
        #if os(Linux) && arch(x86_64)
        guard let cpuid = CPUID() else { return X86Features(avx2FMA: false) }
        let maxLeaf = cpuid(0, 0).eax
        guard maxLeaf >= 7 else { return X86Features(avx2FMA: false) }
        let leaf1 = cpuid(1, 0), leaf7 = cpuid(7, 0)
        let fma = leaf1.ecx & (1 << 12) != 0, osxsave = leaf1.ecx & (1 << 27) != 0, avx = leaf1.ecx & (1 << 28) != 0
        let avx2 = leaf7.ebx & (1 << 5) != 0
        guard fma && osxsave && avx && avx2, let xcr0 = cpuid.extendedControlRegister0() else {
            return X86Features(avx2FMA: false)
        }
        return X86Features(avx2FMA: xcr0 & 0b110 == 0b110)
        #else
        return X86Features(avx2FMA: false)
        #endif
    }()
}

/// `cpuid` and `xgetbv` as generated functions.
private struct CPUID {
    private typealias CPUIDFunction = @convention(c) (UInt32, UInt32, UnsafeMutablePointer<UInt32>) -> Void
    private typealias XGETBVFunction = @convention(c) (UInt32) -> UInt64
    private let cpuid: CPUIDFunction
    private let xgetbv: XGETBVFunction

    init?() {
        // cpuid(leaf: edi, subleaf: esi, out: rdx) -> out[0...3] = eax, ebx, ecx, edx. rbx is callee-saved.
        let cpuidCode: [UInt8] = [
            0x53,  // push rbx
            0x49, 0x89, 0xD0,  // mov r8, rdx
            0x89, 0xF8,  // mov eax, edi
            0x89, 0xF1,  // mov ecx, esi
            0x0F, 0xA2,  // cpuid
            0x41, 0x89, 0x00,  // mov [r8], eax
            0x41, 0x89, 0x58, 0x04,  // mov [r8 + 4], ebx
            0x41, 0x89, 0x48, 0x08,  // mov [r8 + 8], ecx
            0x41, 0x89, 0x50, 0x0C,  // mov [r8 + 12], edx
            0x5B,  // pop rbx
            0xC3,  // ret
        ]
        // xgetbv(index: edi) -> edx:eax as one UInt64.
        let xgetbvCode: [UInt8] = [
            0x89, 0xF9,  // mov ecx, edi
            0x0F, 0x01, 0xD0,  // xgetbv
            0x48, 0xC1, 0xE2, 0x20,  // shl rdx, 32
            0x48, 0x09, 0xD0,  // or rax, rdx
            0xC3,  // ret
        ]
        guard let cpuidBlock = ExecutableCode(cpuidCode, name: "cpuid"), let xgetbvBlock = ExecutableCode(xgetbvCode, name: "xgetbv") else {
            return nil
        }
        cpuid = unsafeBitCast(cpuidBlock.entry, to: CPUIDFunction.self)
        xgetbv = unsafeBitCast(xgetbvBlock.entry, to: XGETBVFunction.self)
    }

    func callAsFunction(_ leaf: UInt32, _ subleaf: UInt32) -> (eax: UInt32, ebx: UInt32, ecx: UInt32, edx: UInt32) {
        var registers = [UInt32](repeating: 0, count: 4)
        registers.withUnsafeMutableBufferPointer { cpuid(leaf, subleaf, $0.baseAddress!) }
        return (registers[0], registers[1], registers[2], registers[3])
    }

    /// XCR0; call only when cpuid says OSXSAVE (else xgetbv faults).
    func extendedControlRegister0() -> UInt64? { xgetbv(0) }
}
