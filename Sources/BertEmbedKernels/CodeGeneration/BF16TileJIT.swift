// The bfloat16 layers' AMX tile kernel (Gemm/BF16TileKernel.swift: operands and arithmetic) as machine code
// generated at run time: Swift has no way to name a tile register, and a default build is SSE2 only.
//
// Each call loads its tile configuration (ldtilecfg: the rows of this call's group, 64 bytes per row), and for each
// panel of the run zeroes two or four float32 accumulator tiles (16 x 16 each), then per step of 32 inputs loads the
// panel's two weight tiles (1 KB each, 64 bytes apart per row) and, for the inputs' hi then lo part, one or two input
// tiles, with a tdpbf16ps per accumulator and part; after the last step it stores the accumulators to the output.
// With two tile rows the lo tiles reuse the hi tiles' registers (eight tile registers: four accumulators, two
// weights), each loaded once its register's two products are issued. It ends with tilerelease, so a thread
// keeps no tile state between layers (the OS would otherwise save 8 KB of it at every context switch).
//
// Linux hands a process the tile registers only when it asks (arch_prctl(ARCH_REQ_XCOMP_PERM, XFEATURE_XTILEDATA):
// without it the first tile instruction raises SIGILL); `permission` asks once per process, through a generated
// system call (Glibc's variadic syscall() is not callable from Swift), when the first bfloat16 layer is packed for
// the kernel (`BF16TileKernel.isGranted`), not when the kernel is listed: the grant is process-wide and permanent
// (larger signal frames; Linux then refuses small alternate signal stacks), so a process that never builds a
// bfloat16 layer never asks. A refusal leaves bfloat16 layers on the widening path.

/// The generated AMX-BF16 kernel of bfloat16 layers.
package enum BF16TileJIT {
    /// What the CPU needs: the tile registers and their bfloat16 products (cpuid, and XCR0's tile state).
    package static let features: CPUFeatures = [.amxTile, .amxBF16]

    /// What the generated input split needs besides: AVX512-BF16 with the OS's AVX-512 state (an OS or hypervisor
    /// may grant the tile state and not that).
    static let splitFeatures: CPUFeatures = [.avx512F, .avx512BF16]

    /// The kernel, where `features` has AMX-BF16 (its generated input split where it also has AVX512-BF16); else nil.
    /// Linux's grant of the tile registers is asked by `BF16TileKernel.isGranted`, before the first use.
    static func kernel(features: CPUFeatures) -> BF16TileKernel? {
        guard features.isSuperset(of: Self.features), let one = oneTileRowCode, let two = twoTileRowsCode else {
            return nil
        }
        let split = features.isSuperset(of: splitFeatures) ? splitCode : nil
        return BF16TileKernel(
            name: "32x32-bf16-amx-jit", oneTileRow: unsafeBitCast(one.entry, to: BF16TileKernel.Function.self),
            twoTileRows: unsafeBitCast(two.entry, to: BF16TileKernel.Function.self),
            splitSteps: split.map { unsafeBitCast($0.entry, to: BF16TileKernel.SplitFunction.self) })
    }

    /// The code blocks behind `kernel(features:)`, for the perf map.
    static func codeBlocks(features: CPUFeatures) -> [ExecutableCode] {
        guard features.isSuperset(of: Self.features) else { return [] }
        let split = features.isSuperset(of: splitFeatures) ? splitCode : nil
        return [oneTileRowCode, twoTileRowsCode, split].compactMap { $0 }
    }

    private static let oneTileRowCode = ExecutableCode(program(tileRows: 1), name: "bf16-tile-16x32-amx-jit")
    private static let twoTileRowsCode = ExecutableCode(program(tileRows: 2), name: "bf16-tile-32x32-amx-jit")
    private static let splitCode = ExecutableCode(splitProgram(), name: "bf16-tile-split-inputs-avx512bf16-jit")

    /// Whether Linux lets this process use the tile registers (asked once; false elsewhere).
    static let permission: Bool = {
        #if os(Linux) && arch(x86_64)
        // arch_prctl (syscall 158) with ARCH_REQ_XCOMP_PERM (0x1023) and XFEATURE_XTILEDATA (18); rax = 0 or -errno.
        let code: [UInt8] = [
            0xB8, 0x9E, 0x00, 0x00, 0x00,  // mov eax, 158
            0xBF, 0x23, 0x10, 0x00, 0x00,  // mov edi, 0x1023
            0xBE, 0x12, 0x00, 0x00, 0x00,  // mov esi, 18
            0x0F, 0x05,  // syscall
            0xC3,  // ret
        ]
        guard let block = ExecutableCode(code, name: "arch-prctl-xtiledata") else { return false }
        return unsafeBitCast(block.entry, to: (@convention(c) () -> Int).self)() == 0
        #else
        return false
        #endif
    }()

    /// The machine code for groups of `tileRows` (1: up to 16 rows, 2: up to 32) rows. System V argument: the call
    /// block (rdi, `BF16TileKernel.Call`). Tiles: accumulators c00 c01 (c10 c11) in tmm0-1 (2-3), input tiles (hi,
    /// then lo) in tmm4 (5), weights in tmm6-7. Registers: rsi the input group, rdi its step, rcx the weights' step
    /// (the run's panels are contiguous), r8 steps, rax the step counter, r9 the panel's output, r10 the output's row
    /// bytes, r11 the panels left, rdx 64 (the tiles' row stride).
    package static func program(tileRows: Int) -> [UInt8] {
        precondition(tileRows == 1 || tileRows == 2)
        var asm = X86Assembler()
        let call = X86Register.rdi, group = X86Register.rsi, inputs = X86Register.rdi, weights = X86Register.rcx
        let steps = X86Register.r8, step = X86Register.rax, output = X86Register.r9, rowBytes = X86Register.r10
        let panels = X86Register.r11, tileStride = X86Register.rdx
        func accumulator(_ row: Int, _ half: Int) -> TileRegister { TileRegister(2 * row + half) }
        func input(_ row: Int) -> TileRegister { TileRegister(4 + row) }
        func weight(_ half: Int) -> TileRegister { TileRegister(6 + half) }
        let tileBytes: Int32 = 1024

        asm.ldtilecfg(X86Memory(base: call))
        asm.mov(group, X86Memory(base: call, displacement: Int32(BF16TileKernel.Call.inputs)))
        asm.mov(weights, X86Memory(base: call, displacement: Int32(BF16TileKernel.Call.weights)))
        asm.mov(steps, X86Memory(base: call, displacement: Int32(BF16TileKernel.Call.steps)))
        asm.mov(output, X86Memory(base: call, displacement: Int32(BF16TileKernel.Call.output)))
        asm.mov(rowBytes, X86Memory(base: call, displacement: Int32(BF16TileKernel.Call.rowBytes)))
        asm.mov(panels, X86Memory(base: call, displacement: Int32(BF16TileKernel.Call.panels)))
        asm.mov(tileStride, 64)

        let panel = asm.newLabel(), loop = asm.newLabel()
        asm.align(16)
        asm.bind(panel)
        for row in 0..<tileRows {
            for half in 0..<2 { asm.tilezero(accumulator(row, half)) }
        }
        asm.mov(inputs, group)
        asm.mov(step, steps)
        asm.align(16)
        asm.bind(loop)
        for half in 0..<2 {
            asm.tileloadd(weight(half), base: weights, stride: tileStride, displacement: tileBytes * Int32(half))
        }
        for part in 0..<2 {  // hi, then lo
            for row in 0..<tileRows {
                asm.tileloadd(
                    input(row), base: inputs, stride: tileStride, displacement: tileBytes * Int32(2 * part + row))
                for half in 0..<2 { asm.tdpbf16ps(accumulator(row, half), input(row), weight(half)) }
            }
        }
        asm.add(inputs, Int32(BF16TileKernel.inputStepBytes))
        asm.add(weights, Int32(BF16TileKernel.weightStepBytes))
        asm.sub(step, 1)
        asm.jump(if: .notZero, to: loop)

        for half in 0..<2 {
            asm.tilestored(base: output, stride: rowBytes, displacement: 64 * Int32(half), accumulator(0, half))
        }
        if tileRows == 2 {  // the second tile row starts 16 rows down
            asm.mov(step, rowBytes)
            asm.shl(step, 4)
            asm.add(step, output)
            for half in 0..<2 {
                asm.tilestored(base: step, stride: rowBytes, displacement: 64 * Int32(half), accumulator(1, half))
            }
        }
        asm.add(output, Int32(4 * BF16TileKernel.panelColumns))
        asm.sub(panels, 1)
        asm.jump(if: .notZero, to: panel)
        asm.tilerelease()
        asm.ret()
        return asm.finish()
    }

    /// The machine code splitting a row's full steps of inputs into hi and lo parts (`BF16TileKernel.SplitFunction`)
    /// with AVX512-BF16 (which every AMX-BF16 CPU has, though an OS may not enable it: then `split` runs): per 16 inputs vcvtneps2bf16 gives hi, widening it back
    /// (vpmovzxwd, vpslld 16) and subtracting gives the remainder, and a second vcvtneps2bf16 gives lo, zeroed
    /// where the remainder is not finite (x - hi - (x - hi) is NaN exactly there: hi or x infinite or NaN). The same
    /// bits as `BF16TileKernel.split` but where an input or remainder is denormal: vcvtneps2bf16 reads and writes
    /// denormals as zero (where `split` may give a denormal bfloat16, which the tile instructions read as zero, or
    /// round one up to the smallest normal, 2^-126: a difference below 2^-126 in that input). System V arguments: source (rdi), target (rsi: the
    /// step's hi row; its lo row is 2 KB further), steps (rdx, >= 0).
    package static func splitProgram() -> [UInt8] {
        var asm = X86Assembler()
        let source = X86Register.rdi, target = X86Register.rsi, steps = X86Register.rdx
        let loop = asm.newLabel(), done = asm.newLabel()
        let high = YMMRegister(2), low = YMMRegister(4), wide = ZMMRegister(3), check = ZMMRegister(5)
        let finite = OpmaskRegister(1)
        asm.test(steps, steps)
        asm.jump(if: .zero, to: done)
        asm.align(16)
        asm.bind(loop)
        for half in 0..<2 {
            let x = ZMMRegister(half)
            asm.vmovups(x, X86Memory(base: source, displacement: Int32(64 * half)))
            asm.vcvtneps2bf16(high, x)
            asm.vmovdqu(X86Memory(base: target, displacement: Int32(32 * half)), high)
            asm.vpmovzxwd(wide, high)
            asm.vpslld(wide, wide, 16)
            asm.vsubps(wide, x, wide)  // the remainder
            asm.vsubps(check, wide, wide)  // 0 where it is finite, NaN elsewhere
            asm.vcmpordps(finite, check, check)
            asm.vcvtneps2bf16(low, wide, zeroingUnless: finite)
            asm.vmovdqu(X86Memory(base: target, displacement: Int32(2048 + 32 * half)), low)
        }
        asm.add(source, Int32(4 * BF16TileKernel.stepDepth))
        asm.add(target, Int32(BF16TileKernel.inputStepBytes))
        asm.sub(steps, 1)
        asm.jump(if: .notZero, to: loop)
        asm.bind(done)
        asm.vzeroupper()
        asm.ret()
        return asm.finish()
    }
}
