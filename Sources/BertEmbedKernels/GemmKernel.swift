// The GEMM register tiles on offer, and the one-time calibration that picks the fastest for this build.
//
// Why a calibration: Swift has no compile-time test for the target's CPU features, and the best tile
// depends on them. A default x86 build targets SSE2 (16 xmm registers; `addProduct` becomes a per-lane
// `fmaf` call, ~100x slower, so the SIMD4 tiles with separate multiply and add win, best the one whose
// packed input repeats each value 4 times so that a broadcast is a plain load); built with
// `-target-cpu native` on an AVX2+FMA machine, `addProduct` is one vfmadd and the SIMD8 6x16 tile wins;
// AVX-512 builds can use the SIMD16 12x32 tile, arm64 the SIMD4 8x12 FMA tile. So the first use of
// `GemmKernel.selected` times every candidate's micro-kernel on an L1-resident problem (about 2 MFLOP
// per trial, interleaved rounds after a quick screening, a few milliseconds in all) and keeps the
// fastest.
//
// The choice must not change the results from one run to the next. Tiles that use a fused multiply-add
// round once per product, multiply-then-add tiles twice, so the two kinds give different bits, and with
// -target-cpu native on AVX2 they time close (111 vs 78 GFLOP/s quiet, 64 vs 52 under load on this VM),
// so picking by speed alone could let a burst of load give two processes of the same binary different last
// bits. So the calibration first decides the arithmetic, by a gap noise cannot
// bridge: fused when a fused tile runs at least half as fast as the best tile (in hardware it is the
// fastest; emulated by a `fmaf` call per lane it ran at 0.4-0.5 GFLOP/s here, 30x below the multiply-add tiles of
// the same build and over 100x below the generated FMA tile), and then picks the fastest tile of
// that arithmetic only. Tiles of one arithmetic give the same bits (same operations per output in the
// same order; tested), so timing noise can change the speed but never the results. Within it a later
// candidate must be 10% faster to displace an earlier one.
// `BERT_EMBED_GEMM_KERNEL=<name>` overrides the choice.
import Dispatch
import Foundation

/// One register-blocked micro-kernel: computes a (rows x columns) tile of C from a packed A panel
/// (kc, rows) and a packed B panel (kc, columns); `PackedLinear` packs its weight for it.
package struct GemmKernel: Sendable, CustomStringConvertible {
    /// Signature of a micro-kernel: (a, b, kc, c, ldc, accumulate).
    package typealias Function = @Sendable (
        UnsafePointer<Float>, UnsafePointer<Float>, Int, UnsafeMutablePointer<Float>, Int, Bool
    ) -> Void

    /// Name, e.g. "6x16-simd8-fma".
    package let name: String
    /// Tile rows (MR): rows of the input handled at once.
    package let rows: Int
    /// Tile columns (NR): output features handled at once; the weight is packed in panels this wide.
    package let columns: Int
    /// How many times the packed input repeats each value (1, or the vector width for kernels that
    /// load a ready-made broadcast: on SSE2 a broadcast is otherwise a load plus a shuffle).
    package let inputRepeat: Int
    /// True when each product is added with a fused multiply-add (one rounding), false when it is
    /// multiplied and then added (two). Kernels with the same arithmetic give bit-identical results.
    package let fused: Bool
    /// The micro-kernel.
    package let function: Function

    init(name: String, rows: Int, columns: Int, inputRepeat: Int = 1, fused: Bool, function: @escaping Function) {
        self.name = name
        self.rows = rows
        self.columns = columns
        self.inputRepeat = inputRepeat
        self.fused = fused
        self.function = function
    }

    /// The name.
    package var description: String { name }

    /// Every candidate, in order of preference: the compiled kernels, with the run-time generated AVX2
    /// kernel (GemmMicroKernelJIT.swift) after the compiled FMA ones where this machine can run it.
    package static let all: [GemmKernel] = [
        GemmKernel(name: "6x16-simd8-fma", rows: 6, columns: 16, fused: true, function: gemm6x16SIMD8FMA),
        GemmKernel(name: "12x32-simd16-fma", rows: 12, columns: 32, fused: true, function: gemm12x32SIMD16FMA),
        GemmKernel(name: "8x12-simd4-fma", rows: 8, columns: 12, fused: true, function: gemm8x12SIMD4FMA),
    ] + (GemmMicroKernelJIT.kernel.map { [$0] } ?? []) + [
        GemmKernel(name: "6x16-simd8-muladd", rows: 6, columns: 16, fused: false, function: gemm6x16SIMD8MulAdd),
        GemmKernel(name: "6x8-simd4-muladd-splat", rows: 6, columns: 8, inputRepeat: 4, fused: false, function: gemm6x8SIMD4MulAddSplat),
        GemmKernel(name: "6x8-simd4-muladd", rows: 6, columns: 8, fused: false, function: gemm6x8SIMD4MulAdd),
        GemmKernel(name: "4x12-simd4-muladd", rows: 4, columns: 12, fused: false, function: gemm4x12SIMD4MulAdd),
    ]

    /// The candidate called `name`, if any.
    package static func named(_ name: String) -> GemmKernel? { all.first { $0.name == name } }

    /// The kernel this process uses: `BERT_EMBED_GEMM_KERNEL` if it names a candidate, else the
    /// calibration's pick. Computed once, thread-safely, at first use.
    package static let selected: GemmKernel = {
        if let forced = ProcessInfo.processInfo.environment["BERT_EMBED_GEMM_KERNEL"], let kernel = named(forced) {
            return kernel
        }
        return calibration.choice
    }()

    /// The calibration run: each candidate's measured single-thread micro-kernel GFLOP/s, and the pick.
    /// A screening round of 0.25 MFLOP per candidate, then two rounds of 2 MFLOP each timing every
    /// remaining candidate once (interleaved, so a burst of load from other processes hits all alike);
    /// a candidate's rate is its best round. Candidates below a quarter of the best after screening
    /// (an `fmaf` call per lane, a spilling tile) are dropped. The pick is the fastest of the chosen
    /// arithmetic (see the file comment): fused if a fused tile reaches half the best rate.
    package static let calibration: (choice: GemmKernel, gflops: [(name: String, gflops: Double)]) = {
        var rates = [Double](repeating: 0, count: all.count)
        for round in 0..<3 {
            let best = rates.max() ?? 0
            for (index, kernel) in all.enumerated() where round == 0 || rates[index] >= 0.25 * best {
                rates[index] = max(rates[index], kernel.microKernelGFLOPS(flops: round == 0 ? 2.5e5 : 2e6))
            }
        }
        let best = rates.max() ?? 0
        let fusedBest = zip(all, rates).filter { $0.0.fused }.map(\.1).max() ?? 0
        let fused = fusedBest > 0 && fusedBest >= 0.5 * best
        let eligible = all.indices.filter { all[$0].fused == fused }
        var choice = eligible[0]
        for index in eligible where rates[index] > 1.1 * rates[choice] { choice = index }
        return (all[choice], zip(all, rates).map { ($0.name, $1) })
    }()

    /// GFLOP/s of the micro-kernel alone on packed panels that stay in L1 (kc = 256), over about
    /// `flops` (2 MFLOP: a fraction of a millisecond for a good tile).
    package func microKernelGFLOPS(flops: Double = 2e6) -> Double {
        let kc = 256
        let a = UnsafeMutablePointer<Float>.allocate(capacity: kc * rows * inputRepeat)
        let b = UnsafeMutablePointer<Float>.allocate(capacity: kc * columns)
        let c = UnsafeMutablePointer<Float>.allocate(capacity: rows * columns)
        defer { a.deallocate(); b.deallocate(); c.deallocate() }
        for i in 0..<(kc * rows * inputRepeat) { a[i] = Float(i % 7) * 0.01 - 0.03 }
        for i in 0..<(kc * columns) { b[i] = Float(i % 5) * 0.01 - 0.02 }
        let flopsPerCall = Double(2 * rows * columns * kc)
        let calls = max(1, Int(flops / flopsPerCall))
        function(a, b, kc, c, columns, false)  // warm up
        let start = DispatchTime.now().uptimeNanoseconds
        for call in 0..<calls { function(a, b, kc, c, columns, call > 0) }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
        return flopsPerCall * Double(calls) / max(seconds, 1e-9) * 1e-9
    }
}
