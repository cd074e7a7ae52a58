// bert-embed bench-kernels (hidden): GFLOP/s of the GEMM, attention and LayerNorm kernels on
// BERT-shaped problems, for the build it is compiled in. A measuring tool, not a test.
import BertEmbedKernels
import Dispatch

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

let benchKernelsCommand = Subcommand(
    name: "bench-kernels",
    summary: "measure the compute kernels (GFLOP/s)",
    help: """
        usage: bert-embed bench-kernels [--threads 1,2] [--shapes MxNxK,...] [--kernel NAME] [--weights float32|bfloat16|int8] [--activation gelu] [--only gemm|attention|layernorm] [--seconds S]

        Prints the CPU features, then every GEMM micro-kernel this process can run with its GFLOP/s alone on data
        in L1 (1 thread) and the one chosen for this CPU, then for each GEMM shape (M rows, N outputs, K inputs)
        and thread count the best GFLOP/s of repeated runs (by wall time; with 1 thread also by the thread's CPU
        time, which a busy machine disturbs less) (with the --activation epilogue, default gelu), then attention
        (32 sequences of 42 tokens, 12 heads of 32), LayerNorm (1344 x 384) and the cost of one empty parallel loop.
        --kernel runs a micro-kernel of the list instead of the chosen one (as BERT_EMBED_GEMM_KERNEL does);
        --weights stores the GEMM shapes' weights that way (int8 layers run the integer micro-kernel where there is one).
        """,
    hidden: true,
    run: { args in
        var arguments = try Arguments(
            args, valueOptions: ["threads", "shapes", "kernel", "seconds", "activation", "only", "weights"])
        let threads = try (arguments.string("threads") ?? "1,\(ComputeContext.availableCores)")
            .split(separator: ",").map { text -> Int in
                guard let value = Int(text), value >= 1 else {
                    throw UsageError("--threads needs integers >= 1, got '\(text)'")
                }
                return value
            }
        let shapesText =
            try arguments.string("shapes")
            ?? "256x1536x384,256x384x1536,1344x1152x384,1344x1536x384,1344x384x1536,1344x3072x768,1344x768x3072"
        let shapes = try shapesText.split(separator: ",").map { text -> (Int, Int, Int) in
            let parts = text.split(separator: "x").compactMap { Int($0) }
            guard parts.count == 3, parts.allSatisfy({ $0 >= 1 }) else {
                throw UsageError("bad shape '\(text)', want MxNxK")
            }
            return (parts[0], parts[1], parts[2])
        }
        let registry = try KernelRegistry(
            settings: ComputeSettings(gemmKernel: try arguments.string("kernel")),
            environment: try EnvironmentOverrides.process())
        let seconds = Double(try arguments.string("seconds") ?? "0.5") ?? 0.5
        let activations: [String: Activation] = [
            "identity": .identity, "gelu": .gelu, "gelu_new": .geluTanh, "relu": .relu, "tanh": .tanh,
        ]
        let activationName = try arguments.string("activation") ?? "gelu"
        guard let activation = activations[activationName] else {
            throw UsageError(
                "unknown activation '\(activationName)'; one of: \(activations.keys.sorted().joined(separator: ", "))")
        }
        let only = try arguments.string("only")
        guard only.map({ ["gemm", "attention", "layernorm"].contains($0) }) ?? true else {
            throw UsageError("--only takes gemm, attention or layernorm")
        }
        let runs = { (part: String) in only == nil || only == part }
        let weightsName = try arguments.string("weights") ?? "float32"
        guard let weightFormat = WeightFormat(rawValue: weightsName) else {
            throw UsageError("--weights takes float32, bfloat16 or int8, got '\(weightsName)'")
        }
        try arguments.finish()

        print("cpu features: \(registry.features)")
        print("micro-kernels (1 thread, L1-resident, GFLOP/s):")
        for kernel in registry.gemmKernels { print("  \(kernel.name): \(format(microKernelGFLOPS(kernel)))") }
        for kernel in registry.int8GemmKernels {
            print("  \(kernel.name) (int8 layers): \(format(int8MicroKernelGOPS(kernel)))")
        }
        print(
            "chosen for this cpu: \(registry.preferredGemmKernel.name); runs below use \(registry.chosenGemmKernel.name)"
        )
        print("gelu epilogue: \(registry.gelu?.name ?? "compiled")")
        let pairs = registry.chosenGemmKernel.bfloat16Name.map { "\($0) (weights widened in registers)" }
        print("bfloat16 layers: \(registry.bf16Tile?.name ?? pairs ?? "weights widened to float32 in memory")")
        func context(threads: Int) -> ComputeContext {
            ComputeContext(
                threads: threads,
                kernels: KernelSet(
                    gemm: registry.chosenGemmKernel, int8Gemm: registry.int8Gemm, gelu: registry.gelu,
                    bf16Tile: registry.bf16Tile))
        }

        for (m, n, k) in shapes where runs("gemm") {
            let input = randomArray(m * k), output = UnsafeMutablePointer<Float>.allocate(capacity: m * n)
            defer { output.deallocate() }
            let layer = PackedLinear(
                weight: randomArray(n * k), bias: randomArray(n), outFeatures: n, inFeatures: k,
                context: context(threads: 1), format: weightFormat)
            for t in threads {
                let time = bestTime(seconds: seconds) {
                    input.withUnsafeBufferPointer {
                        layer.apply(
                            $0.baseAddress!, rows: m, output: output, activation: activation,
                            context: context(threads: t))
                    }
                }
                print(
                    "gemm \(m)x\(n)x\(k) \(weightsName) \(activationName) threads \(t): \(rate(2 * Double(m * n * k), time, threads: t))"
                )
            }
        }

        let lengths = [Int](repeating: 42, count: 32), heads = 12, headDim = 32, tokens = 32 * 42
        var sequences: [Range<Int>] = []
        for (i, length) in lengths.enumerated() { sequences.append((i * length)..<((i + 1) * length)) }
        let qkv = randomArray(tokens * 3 * heads * headDim)
        let attentionOut = UnsafeMutablePointer<Float>.allocate(capacity: tokens * heads * headDim)
        defer { attentionOut.deallocate() }
        let attentionFlops = Double(32 * heads * 4 * 42 * 42 * headDim)
        for t in threads where runs("attention") {
            let time = bestTime(seconds: seconds) {
                qkv.withUnsafeBufferPointer {
                    multiHeadAttention(
                        qkv: $0.baseAddress!, tokens: tokens, sequences: sequences, heads: heads,
                        headDim: headDim, output: attentionOut, context: context(threads: t))
                }
            }
            print("attention 32x42 tokens, 12x32 heads, threads \(t): \(rate(attentionFlops, time, threads: t))")
        }

        var x = randomArray(tokens * 384)
        let residual = randomArray(tokens * 384), gamma = randomArray(384), beta = randomArray(384)
        for t in threads where runs("layernorm") {
            let time = bestTime(seconds: seconds) {
                x.withUnsafeMutableBufferPointer { xs in
                    residual.withUnsafeBufferPointer {
                        addLayerNorm(
                            xs.baseAddress!, residual: $0.baseAddress!, rows: tokens, cols: 384,
                            gamma: gamma, beta: beta, eps: 1e-12, context: context(threads: t))
                    }
                }
            }
            print(
                "layernorm 1344x384 threads \(t): \(format(time.wall * 1e6)) us"
                    + (t == 1 ? ", CPU \(format(time.cpu * 1e6)) us" : ""))
        }
        for t in threads where t > 1 && only == nil {
            let time = bestTime(seconds: 0.2) { context(threads: t).parallelFor(t) { _ in } }
            print("empty parallelFor threads \(t): \(format(time.wall * 1e6)) us")
        }
    }
)

/// GFLOP/s of `kernel`'s micro-kernel alone on packed panels that stay in L1 (kc = 256), over about 20 MFLOP.
private func microKernelGFLOPS(_ kernel: GemmKernel) -> Double {
    let kc = 256, a = randomArray(kc * kernel.rows * kernel.splat), b = randomArray(kc * kernel.columns)
    var c = [Float](repeating: 0, count: kernel.rows * kernel.columns)
    let flopsPerCall = Double(2 * kernel.rows * kernel.columns * kc)
    let calls = max(1, Int(2e7 / flopsPerCall))
    let time = bestTime(seconds: 0.02) {
        for call in 0..<calls { kernel.function(a, b, kc, &c, kernel.columns, call > 0) }
    }
    return flopsPerCall * Double(calls) / time.wall * 1e-9
}

/// Multiply-adds (as 2 operations each, in billions per second) of an int8 layers' micro-kernel alone on operands that
/// stay in L1 (256 inputs: 16 blocks), over about 20 million operations.
private func int8MicroKernelGOPS(_ kernel: Int8GemmKernel) -> Double {
    let blocks = 16
    let a = randomArray(kernel.layout.microPanelBytes(blocks: blocks) / 4).map { _ in Float(0.5) }
    let b = [UInt8](repeating: 3, count: Int8Weights.panelBytes(columns: kernel.columns, inFeatures: 16 * blocks))
    var c = [Float](repeating: 0, count: kernel.rows * kernel.columns)
    let operationsPerCall = Double(2 * kernel.rows * kernel.columns * 16 * blocks)
    let calls = max(1, Int(2e7 / operationsPerCall))
    let time = bestTime(seconds: 0.02) {
        a.withUnsafeBytes { a in
            b.withUnsafeBytes { b in
                for _ in 0..<calls {
                    kernel.function(a.baseAddress!, b.baseAddress!, blocks, &c, kernel.columns, kernel.rows)
                }
            }
        }
    }
    return operationsPerCall * Double(calls) / time.wall * 1e-9
}

/// Random values in [-1, 1) from a fixed linear congruential sequence (timing only, values do not matter).
private func randomArray(_ count: Int) -> [Float] {
    var state: UInt32 = 12345
    return (0..<count).map { _ in
        state = state &* 1_664_525 &+ 1_013_904_223
        return Float(state >> 8) / Float(1 << 23) - 1
    }
}

/// The best wall time, and the best CPU time of the calling thread, of repeated runs of `body`
/// (after one warm-up), over about `seconds` of wall time in all.
private func bestTime(seconds: Double, _ body: () -> Void) -> (wall: Double, cpu: Double) {
    body()
    var wall = Double.infinity, cpu = Double.infinity, total = 0.0
    repeat {
        let start = DispatchTime.now().uptimeNanoseconds, cpuStart = threadCPUTime()
        body()
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) * 1e-9
        cpu = min(cpu, threadCPUTime() - cpuStart)
        wall = min(wall, elapsed)
        total += elapsed
    } while total < seconds
    return (wall, cpu)
}

/// CPU seconds used by the calling thread.
private func threadCPUTime() -> Double {
    var spec = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &spec)
    return Double(spec.tv_sec) + Double(spec.tv_nsec) * 1e-9
}

/// "x GFLOP/s (y ms)" by wall time, plus the CPU-time rate for one thread.
private func rate(_ flops: Double, _ time: (wall: Double, cpu: Double), threads: Int) -> String {
    var text = "\(format(flops / time.wall * 1e-9)) GFLOP/s (\(format(time.wall * 1e3)) ms)"
    if threads == 1 { text += ", by CPU time \(format(flops / time.cpu * 1e-9)) GFLOP/s" }
    return text
}
