// The x86-64 instructions that say what the CPU and the OS support, `cpuid` and `xgetbv`, as two tiny generated
// functions (Swift has no intrinsic for either), and the reading of their answer into `CPUFeatures`.
// Bits: Intel SDM vol. 2A, CPUID (leaves 1 and 7); vol. 1, 13.3 for XCR0 (an instruction set is usable only when
// the OS saves its registers: SSE/AVX state for AVX, opmask and ZMM state for AVX-512, tile state for AMX).

/// One `cpuid` answer.
struct CPUIDLeaf {
    let eax: UInt32, ebx: UInt32, ecx: UInt32, edx: UInt32

    /// Whether bit `bit` of `register` is set.
    func has(_ register: KeyPath<CPUIDLeaf, UInt32>, bit: Int) -> Bool { self[keyPath: register] & (1 << bit) != 0 }
}

/// The `cpuid` instruction, generated at run time.
struct CPUIDInstruction {
    private typealias Function = @convention(c) (UInt32, UInt32, UnsafeMutablePointer<UInt32>) -> Void
    private let function: Function

    /// Nil where code cannot be generated (not Linux x86-64, or executable memory refused).
    init?() {
        // cpuid(leaf: edi, subleaf: esi, out: rdx) -> out[0...3] = eax, ebx, ecx, edx. rbx is callee-saved.
        let code: [UInt8] = [
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
        guard let block = ExecutableCode(code, name: "cpuid") else { return nil }
        function = unsafeBitCast(block.entry, to: Function.self)
    }

    /// The answer for `leaf` and `subleaf`.
    func callAsFunction(_ leaf: UInt32, _ subleaf: UInt32 = 0) -> CPUIDLeaf {
        var registers: (UInt32, UInt32, UInt32, UInt32) = (0, 0, 0, 0)
        withUnsafeMutableBytes(of: &registers) {
            function(leaf, subleaf, $0.baseAddress!.assumingMemoryBound(to: UInt32.self))
        }
        return CPUIDLeaf(eax: registers.0, ebx: registers.1, ecx: registers.2, edx: registers.3)
    }
}

/// The `xgetbv` instruction, generated at run time: reads an extended control register (XCR0: the register
/// state the OS saves). Faults unless cpuid reports OSXSAVE.
struct XGETBVInstruction {
    private typealias Function = @convention(c) (UInt32) -> UInt64
    private let function: Function

    /// Nil where code cannot be generated.
    init?() {
        // xgetbv(index: edi) -> edx:eax as one UInt64.
        let code: [UInt8] = [
            0x89, 0xF9,  // mov ecx, edi
            0x0F, 0x01, 0xD0,  // xgetbv
            0x48, 0xC1, 0xE2, 0x20,  // shl rdx, 32
            0x48, 0x09, 0xD0,  // or rax, rdx
            0xC3,  // ret
        ]
        guard let block = ExecutableCode(code, name: "xgetbv") else { return nil }
        function = unsafeBitCast(block.entry, to: Function.self)
    }

    /// Extended control register `index`.
    func callAsFunction(_ index: UInt32) -> UInt64 { function(index) }
}

extension CPUFeatures {
    /// The features cpuid and XCR0 report as usable, or nil where the two instructions cannot be generated.
    static func readX86() -> CPUFeatures? {
        guard let cpuid = CPUIDInstruction() else { return nil }
        let maxLeaf = cpuid(0).eax
        let leaf1 = cpuid(1)
        guard leaf1.has(\.ecx, bit: 27), let xgetbv = XGETBVInstruction() else { return [] }  // no OSXSAVE: no AVX
        let xcr0 = xgetbv(0)
        let avxState = xcr0 & 0b110 == 0b110  // SSE and AVX state
        let avx512State = avxState && xcr0 & 0b1110_0000 == 0b1110_0000  // opmask, ZMM_Hi256, Hi16_ZMM
        let tileState = xcr0 & (0b11 << 17) == 0b11 << 17  // XTILECFG, XTILEDATA
        guard avxState, leaf1.has(\.ecx, bit: 28) else { return [] }  // AVX itself
        var features: CPUFeatures = []
        if leaf1.has(\.ecx, bit: 12) { features.insert(.fma) }
        if leaf1.has(\.ecx, bit: 29) { features.insert(.f16c) }
        guard maxLeaf >= 7 else { return features }
        let leaf7 = cpuid(7, 0)
        let leaf71 = leaf7.eax >= 1 ? cpuid(7, 1) : CPUIDLeaf(eax: 0, ebx: 0, ecx: 0, edx: 0)  // eax: last subleaf
        if leaf7.has(\.ebx, bit: 5) { features.insert(.avx2) }
        if leaf71.has(\.eax, bit: 4) { features.insert(.avxVNNI) }
        if avx512State {
            let avx512: [(CPUFeatures, KeyPath<CPUIDLeaf, UInt32>, Int)] = [
                (.avx512F, \.ebx, 16), (.avx512DQ, \.ebx, 17), (.avx512BW, \.ebx, 30), (.avx512VL, \.ebx, 31),
                (.avx512VNNI, \.ecx, 11),
            ]
            for (feature, register, bit) in avx512 where leaf7.has(register, bit: bit) { features.insert(feature) }
            if leaf71.has(\.eax, bit: 5) { features.insert(.avx512BF16) }
        }
        if tileState {
            for (feature, bit) in [(CPUFeatures.amxBF16, 22), (.amxTile, 24), (.amxInt8, 25)]
            where leaf7.has(\.edx, bit: bit) {
                features.insert(feature)
            }
        }
        return features
    }
}
