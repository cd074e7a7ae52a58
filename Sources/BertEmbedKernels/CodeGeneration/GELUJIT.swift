// The erf GELU of the matrix products' epilogue (bias added first), as AVX2 machine code generated at run time. The
// compiled `VectorMath.gelu` runs on SSE2 in a default build: two 4-lane halves per vector and two divisions, about a
// tenth of an int8 layer's time (BENCHMARKS.md). This is the same function, operation for operation: the same
// rational fit, each multiply and add rounded separately (no FMA: the compiled code has none), the division correctly
// rounded, the clamps and the final select with the same NaN rules, so its results are bit-identical to the compiled
// code's on every input (tested, NaN and infinities included). Rows' tails (count % 8) stay with the compiled code.
//
// Registered (`KernelSet.gelu`) where the CPU reports AVX2 + FMA with OS support and code generation is allowed,
// like the other generated kernels.

/// A generated epilogue: values = GELU(values + bias) over whole 8-float vectors.
package struct GELUKernel: Sendable {
    /// (values, rows, vectors, stride, bias): for each of `rows` rows (row r at values + r * stride floats), its
    /// first 8 * vectors values v[i] = gelu(v[i] + bias[i]) (no add when bias is nil), exactly as `Activation.gelu`.
    package typealias Function =
        @convention(c) (UnsafeMutablePointer<Float>, Int, Int, Int, UnsafePointer<Float>?) -> Void

    /// Name, e.g. "gelu-avx2-jit".
    package let name: String
    /// The kernel.
    package let function: Function
}

/// The generated GELU epilogue.
package enum GELUJIT {
    /// The kernel a CPU with `features` runs, or nil (no AVX2 + FMA, or no executable memory).
    static func kernel(features: CPUFeatures) -> GELUKernel? {
        guard features.isSuperset(of: [.avx2, .fma]), let code else { return nil }
        return GELUKernel(name: "gelu-avx2-jit", function: unsafeBitCast(code.entry, to: GELUKernel.Function.self))
    }

    /// The code block behind `kernel(features:)`, for the perf map.
    static func codeBlocks(features: CPUFeatures) -> [ExecutableCode] {
        guard features.isSuperset(of: [.avx2, .fma]), let code else { return [] }
        return [code]
    }

    private static let code = ExecutableCode(program(), name: "gelu-avx2-jit")

    /// `VectorMath.gelu`'s constants, in the order the program reads them: the clamp bounds, P's six coefficients
    /// (highest degree first), Q's six (its constant term 1 last), 1/2. Each is stored as 8 copies (one vector).
    static let constants: [Float] = [
        -5.5, 5.5,
        2.188_846_259_798_538e-8, 6.474_999_281_635_974e-6, 1.827_771_775_424_480_4e-4, 4.763_121_251_016_855e-3,
        3.518_969_193_100_929e-2, 0.398_942_172_527_313_23,
        1.181_342_440_759_181e-6, 7.824_954_082_025_215e-5, 1.963_722_985_237_837e-3, 2.942_094_206_809_997_6e-2,
        0.254_872_620_105_743_4, 1,
        0.5,
    ]

    /// The machine code. System V arguments: values (rdi), rows (rsi), vectors (rdx), stride (rcx, in floats),
    /// bias (r8, or 0). The constants follow the code (RIP-relative). x in ymm0, the clamped c in ymm1, s = c^2 in
    /// ymm2, P in ymm3, Q in ymm4, the bounds -5.5 and 5.5 in ymm14 and ymm15.
    package static func program() -> [UInt8] {
        var asm = X86Assembler()
        let values = X86Register.rdi, rows = X86Register.rsi, vectors = X86Register.rdx
        let rowBytes = X86Register.rcx, bias = X86Register.r8, table = X86Register.rax
        let row = X86Register(9), biasRow = X86Register(10), count = X86Register(11)
        let x = YMMRegister(0), c = YMMRegister(1), s = YMMRegister(2), p = YMMRegister(3), q = YMMRegister(4)
        let mask = YMMRegister(5), low = YMMRegister(14), high = YMMRegister(15)
        func constant(_ index: Int) -> X86Memory { X86Memory(base: table, displacement: Int32(32 * index)) }

        let data = asm.newLabel(), rowLoop = asm.newLabel(), vectorLoop = asm.newLabel(), noBias = asm.newLabel()
        let done = asm.newLabel()
        asm.test(rows, rows)
        asm.jump(if: .zero, to: done)
        asm.test(vectors, vectors)
        asm.jump(if: .zero, to: done)
        asm.lea(table, data)
        asm.vmovups(low, constant(0))
        asm.vmovups(high, constant(1))
        asm.shl(rowBytes, 2)
        asm.bind(rowLoop)
        asm.mov(row, values)
        asm.mov(biasRow, bias)
        asm.mov(count, vectors)
        asm.align(16)
        asm.bind(vectorLoop)
        asm.vmovups(x, X86Memory(base: row))
        asm.test(bias, bias)
        asm.jump(if: .zero, to: noBias)
        asm.vaddps(x, x, X86Memory(base: biasRow))
        asm.bind(noBias)
        // c = minimum(maximum(x, -5.5), 5.5): the bound first, so that a NaN x passes through as the compiled
        // select does.
        asm.vmaxps(c, low, x)
        asm.vminps(c, high, c)
        asm.vmulps(s, c, c)
        asm.vmulps(p, s, constant(2))
        for i in 3...7 {
            if i > 3 { asm.vmulps(p, p, s) }
            asm.vaddps(p, p, constant(i))
        }
        asm.vmulps(q, s, constant(8))
        for i in 9...13 {
            if i > 9 { asm.vmulps(q, q, s) }
            asm.vaddps(q, q, constant(i))
        }
        asm.vmulps(p, c, p)  // x * (c * p / q + 1/2)
        asm.vdivps(p, p, q)
        asm.vaddps(p, p, constant(14))
        asm.vmulps(p, x, p)
        asm.vcmpltps(mask, x, low)  // 0 where x < -5.5
        asm.vandnps(p, mask, p)
        asm.vmovups(X86Memory(base: row), p)
        asm.add(row, 32)
        asm.add(biasRow, 32)
        asm.sub(count, 1)
        asm.jump(if: .notZero, to: vectorLoop)
        asm.add(values, rowBytes)
        asm.sub(rows, 1)
        asm.jump(if: .notZero, to: rowLoop)
        asm.bind(done)
        asm.vzeroupper()
        asm.ret()

        asm.align(32)
        asm.bind(data)
        for value in constants {
            for _ in 0..<8 { withUnsafeBytes(of: value.bitPattern.littleEndian) { asm.emit(Array($0)) } }
        }
        return asm.finish()
    }
}

// Kept out of Activation.swift, which the arm64 check compiles on its own (Scripts/check_arm64_kernels.sh).
extension Activation {
    /// `apply(_:rows:count:stride:adding:)`, the erf GELU's whole vectors by the generated `gelu` kernel when there is
    /// one (bit-identical, faster: CodeGeneration/GELUJIT.swift), the rows' tails by the compiled code.
    package func apply(
        _ values: UnsafeMutablePointer<Float>, rows: Int, count: Int, stride: Int, adding bias: UnsafePointer<Float>?,
        gelu kernel: GELUKernel?
    ) {
        guard self == .gelu, let kernel, count >= 8 else {
            apply(values, rows: rows, count: count, stride: stride, adding: bias)
            return
        }
        let vectors = count / 8
        kernel.function(values, rows, vectors, stride, bias)
        if count % 8 != 0 {
            apply(
                values + 8 * vectors, rows: rows, count: count % 8, stride: stride,
                adding: bias.map { $0 + 8 * vectors })
        }
    }
}
