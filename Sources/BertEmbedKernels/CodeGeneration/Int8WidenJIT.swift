// The widening of int8 weight rows (Int8Weights.swift) to float32 for a panel of 16 columns, generated as AVX2 machine
// code at run time: a default build compiles `Int8Weights.widen` for SSE2 (four floats per instruction, the
// transposed groups taken apart by four shifts); here one 16-byte row is broadcast to both halves of a register and
// each half shifted by its own count (vpsrlvd), eight floats per instruction. Every value goes through the same
// operations as in the compiled loop (mask, or the exponent in, subtract the bias, multiply by the scale), so the
// results are bit-identical to it, which the tests check.
//
// Used by `Int8Weights.widen` when the compute context's kernels carry it (`KernelSet.int8Widening`): listed by the
// registry where the CPU reports AVX2 with OS support and code generation is allowed, like the GEMM kernel.

/// The generated int8 widening.
package enum Int8WidenJIT {
    /// (rows of 16 stored bytes, 16 float32 scales, row count, target (rows, 16) float32, constants).
    package typealias Function =
        @convention(c) (UnsafeRawPointer, UnsafeRawPointer, Int, UnsafeMutablePointer<Float>, UnsafeRawPointer) -> Void

    /// The generated function for a CPU with `features`, or nil (no AVX2, or no executable memory).
    static func function(features: CPUFeatures) -> Function? {
        guard features.contains(.avx2), let code else { return nil }
        return unsafeBitCast(code.entry, to: Function.self)
    }

    /// The code block behind `function(features:)`, for the perf map.
    static func codeBlocks(features: CPUFeatures) -> [ExecutableCode] {
        guard features.contains(.avx2), let code else { return [] }
        return [code]
    }

    private static let code = ExecutableCode(program(), name: "int8-widen-16-avx2-jit")

    /// The five constant vectors the code loads (pass their address as the last argument): the shift counts of
    /// columns 0-7 and 8-15, the byte mask, the float exponent of 2^23, and 2^23 + 128 as a float.
    nonisolated(unsafe) package static let constants: UnsafeRawPointer = {
        let words: [UInt32] =
            [0, 0, 0, 0, 8, 8, 8, 8] + [16, 16, 16, 16, 24, 24, 24, 24] + [UInt32](repeating: 0xFF, count: 8)
            + [UInt32](repeating: 0x4B00_0000, count: 8)
            + [UInt32](repeating: Float(8_388_736).bitPattern, count: 8)
        let memory = UnsafeMutableRawPointer.allocate(byteCount: 4 * words.count, alignment: 32)
        words.withUnsafeBytes { memory.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
        return UnsafeRawPointer(memory)  // lives as long as the process, never written after this
    }()

    /// The machine code. System V arguments: source (rdi), scales (rsi), rows (rdx), target (rcx), constants (r8).
    package static func program() -> [UInt8] {
        var asm = X86Assembler()
        let source = X86Register.rdi, scales = X86Register.rsi, rows = X86Register.rdx
        let target = X86Register.rcx, constants = X86Register.r8
        let lowShifts = YMMRegister(15), highShifts = YMMRegister(14), mask = YMMRegister(13)
        let exponent = YMMRegister(12), bias = YMMRegister(11), lowScales = YMMRegister(9), highScales = YMMRegister(10)
        for (index, register) in [lowShifts, highShifts, mask, exponent, bias].enumerated() {
            asm.vmovups(register, X86Memory(base: constants, displacement: Int32(32 * index)))
        }
        asm.vmovups(lowScales, X86Memory(base: scales))
        asm.vmovups(highScales, X86Memory(base: scales, displacement: 32))
        let loop = asm.newLabel(), done = asm.newLabel()
        asm.test(rows, rows)
        asm.jump(if: .zero, to: done)
        asm.align(16)
        asm.bind(loop)
        let row = YMMRegister(0), low = YMMRegister(1), high = YMMRegister(2)
        asm.vbroadcasti128(row, X86Memory(base: source))
        asm.vpsrlvd(low, row, lowShifts)
        asm.vpsrlvd(high, row, highShifts)
        for (half, scale) in [(low, lowScales), (high, highScales)] {
            asm.vpand(half, half, mask)
            asm.vpor(half, half, exponent)
            asm.vsubps(half, half, bias)
            asm.vmulps(half, half, scale)
        }
        asm.vmovups(X86Memory(base: target), low)
        asm.vmovups(X86Memory(base: target, displacement: 32), high)
        asm.add(source, 16)
        asm.add(target, 64)
        asm.sub(rows, 1)
        asm.jump(if: .notZero, to: loop)
        asm.bind(done)
        asm.vzeroupper()
        asm.ret()
        return asm.finish()
    }
}
