// nn.Linear (torch.nn.functional.linear) with a fused bias + activation: a packed, cache-blocked GEMM on the
// register tile of the compute context (`KernelSet.gemm`), and the naive reference it is tested against.
//
// Shapes: input (rows, inFeatures) row-major; weight (outFeatures, inFeatures) as nn.Linear stores it;
// output (rows, outFeatures) row-major. The weight is repacked once, in `init`, into panels of
// `kernel.columns` output features: panel p holds, for k = 0 ..< inFeatures, the `columns` weights
// W[p * columns + j, k] side by side (zero past outFeatures), by `WeightPacking` straight from where the rows lie
// (the mapped checkpoint, or an array), into `WeightBuffer` memory. `apply` then, per task (a block of
// `rowBlock` rows times a run of panels), for each K block of at most 256 (fixed by inFeatures alone):
// packs that block of the input into (kc, rows) micro-panels (zero rows past the end) that stay in
// L2, and for each weight panel (kc x columns, 16 KB, stays in L1) runs the micro-kernel over the
// row micro-panels. K blocks after the first accumulate into the output; after the last, bias and
// activation are applied to the tile while it is in L1. Each output element is the same sequence
// of Float operations whatever the thread count or task split.
//
// An int8 layer (Int8Weights.swift) on a CPU with the integer micro-kernel (`KernelSet.int8Gemm`) packs its weights in
// panels of the kernel's columns for it and runs `applyIntegers`: per task its input rows are quantized once, in the
// kernel's layout (Int8Inputs.swift: int16, or 15 bits split into two bytes for the arm64 kernels), and each panel is
// multiplied over all of K at once (20 bytes per 16 inputs and 8 columns stay in L1); each output is the same sequence
// of operations whatever the thread count.
//
// A bfloat16 layer on a CPU with AMX-BF16 (`KernelSet.bf16Tile`) packs its weights for the tile kernel and runs
// `applyTiles` (BF16TileKernel.swift: inputs split into two bfloat16, float32 sums). Elsewhere a bfloat16 layer
// (`WeightFormat`) stores the float32 kernel's panels rounded to bfloat16, half the bytes. Where the tile has a
// bfloat16 twin (the generated ones: `GemmKernel.bfloat16Function`) each row of a panel is stored as pairs
// (`BFloat16.roundPairs`) and the twin widens them in registers as it reads them. Else (an int8 layer without the
// integer kernel too, which stores int8 blocks with scales) each (kc, columns) block is widened back to float32 in L1
// right before the micro-kernel reads it, once per task and K block, amortized over the task's rows (up to 192 for
// these formats). Either way the layer computes exactly what a float32 layer computes on the rounded weights; with
// few rows (one short query) it is bound by reading its weights, which bfloat16 halves.

/// A dense layer (`nn.Linear`): weight (outFeatures, inFeatures) row-major as PyTorch stores it,
/// bias (outFeatures). The weight is packed for the GEMM micro-kernel once, here, at load.
package struct PackedLinear: Sendable {
    /// Output features (the weight's rows).
    package let outFeatures: Int
    /// Input features (the weight's columns).
    package let inFeatures: Int
    /// The micro-kernel the weight is packed for.
    package let kernel: GemmKernel
    /// How the packed weight is stored.
    package let format: WeightFormat
    /// The integer micro-kernel of an int8 layer on a CPU that has one (its panels are packed for it), else nil: the
    /// weights are widened to float32 for `kernel`.
    package let integerKernel: Int8GemmKernel?
    /// The AMX tile kernel of a bfloat16 layer on a CPU that has one (its panels are packed for it, and its inputs are
    /// split into two bfloat16 each), else nil.
    package let tileKernel: BF16TileKernel?
    /// The bfloat16 twin of `kernel` a bfloat16 layer without `tileKernel` runs on its pairs, else nil.
    let pairedKernel: GemmKernel.BFloat16Function?
    /// True when the layer runs `kernel`'s bfloat16 twin (`GemmKernel.bfloat16Name`) on bfloat16 pairs.
    package var runsBFloat16Pairs: Bool { pairedKernel != nil }
    /// The generated GELU epilogue of the context the layer was made for (nil: the compiled one).
    let gelu: GELUKernel?
    /// Panels of `kernel.columns` output features, (kc, columns) each, see the file comment.
    let packed: WeightBuffer
    let bias: [Float]

    /// Largest K block: a 256 x 16 weight panel (16 KB) plus a 6 x 256 input panel fit in a 32 KB L1.
    static let maxBlockDepth = 256

    /// Packs `weight` (outFeatures x inFeatures, row-major) and keeps `bias` (outFeatures), for `context`'s GEMM
    /// kernel, on its threads, stored as `format` (nil: `context.weightFormat`).
    package init(
        weight: [Float], bias: [Float], outFeatures: Int, inFeatures: Int, context: ComputeContext,
        format: WeightFormat? = nil
    ) {
        precondition(weight.count == outFeatures * inFeatures && bias.count == outFeatures)
        self = weight.withUnsafeBytes { bytes in
            let blocks = bytes.baseAddress.map { [($0, outFeatures)] } ?? []  // nil only for an empty weight
            return PackedLinear(
                rows: WeightRows(blocks: blocks, inFeatures: inFeatures), bias: bias, context: context, format: format)
        }
    }

    /// Packs the weight `rows` (bias.count rows of inFeatures, where they lie: the mapped checkpoint, an array)
    /// and keeps `bias` (outFeatures), for `context`'s GEMM kernel, stored as `format` (nil:
    /// `context.weightFormat`); the panels are packed on its threads.
    package init(rows: WeightRows, bias: [Float], context: ComputeContext, format: WeightFormat? = nil) {
        precondition(rows.outFeatures == bias.count || rows.inFeatures == 0, "weight rows != bias count")
        let kernel = context.kernels.gemm
        let format = format ?? context.weightFormat
        let integerKernel = format == .int8 ? context.kernels.int8Gemm : nil
        let tileKernel = format == .bfloat16 ? context.kernels.grantedBF16Tile : nil
        self.outFeatures = bias.count
        self.inFeatures = rows.inFeatures
        self.kernel = kernel
        self.format = format
        self.integerKernel = integerKernel
        self.tileKernel = tileKernel
        let pairedKernel = format == .bfloat16 && tileKernel == nil ? kernel.bfloat16Function : nil
        self.pairedKernel = pairedKernel
        self.gelu = context.kernels.gelu
        self.bias = bias
        let nr = tileKernel != nil ? BF16TileKernel.panelColumns : integerKernel?.columns ?? kernel.columns
        let k = rows.inFeatures
        let panels = (bias.count + nr - 1) / nr
        let count = panels * nr * k
        let perChunk = max(1, (panels + 4 * context.threads - 1) / (4 * context.threads))  // ~4 tasks per thread
        let chunks = (panels + perChunk - 1) / perChunk
        switch format {
        case .int8:
            let panelBytes = Int8Weights.panelBytes(columns: nr, inFeatures: k)
            let group = integerKernel?.layout.weightGroup ?? 2  // pairs where the weights are widened
            self.packed = WeightBuffer(int8Count: count, bytes: panels * panelBytes, hugePages: context.hugePages) {
                target in
                Self.forEachFloatPanel(rows, columns: nr, panels: panels, perChunk: perChunk, context: context) {
                    Int8Weights.quantize(
                        panel: $1, columns: nr, inFeatures: k, group: group, into: target + $0 * panelBytes)
                }
            }
        case .float32:
            self.packed = WeightBuffer(count: count, hugePages: context.hugePages) { target in
                context.parallelFor(chunks) { chunk in
                    let first = chunk * perChunk
                    WeightPacking.pack(rows, columns: nr, panels: first..<min(panels, first + perChunk), into: target)
                }
            }
        case .bfloat16 where tileKernel != nil:
            let panelCount = BF16TileKernel.weightStepBytes / 2 * BF16TileKernel.steps(k)
            self.packed = WeightBuffer(bfloat16Count: panels * panelCount, hugePages: context.hugePages) { target in
                Self.forEachFloatPanel(rows, columns: nr, panels: panels, perChunk: perChunk, context: context) {
                    BF16TileKernel.packWeights(panel: $1, inFeatures: k, into: target + $0 * panelCount)
                }
            }
        case .bfloat16:
            self.packed = WeightBuffer(bfloat16Count: count, hugePages: context.hugePages) { target in
                Self.forEachFloatPanel(rows, columns: nr, panels: panels, perChunk: perChunk, context: context) {
                    if pairedKernel != nil {
                        BFloat16.roundPairs($1, into: target + $0 * nr * k, rows: k, columns: nr)
                    } else {
                        BFloat16.round($1, into: target + $0 * nr * k, count: nr * k)
                    }
                }
            }
        }
    }

    /// Packs each of `panels` weight panels as float32 into per-thread scratch and hands it, with its index, to
    /// `store` (which converts it into place: bfloat16, int8); `perChunk` panels per task, on `context`'s threads.
    private static func forEachFloatPanel(
        _ rows: WeightRows, columns nr: Int, panels: Int, perChunk: Int, context: ComputeContext,
        store: (Int, UnsafePointer<Float>) -> Void
    ) {
        let k = rows.inFeatures
        context.parallelFor((panels + perChunk - 1) / perChunk) { chunk in
            ThreadScratch.with(bytes: ThreadScratch.bytes(floats: nr * k)) { scratch in
                let panel = scratch.floats(nr * k)
                for p in (chunk * perChunk)..<min(panels, (chunk + 1) * perChunk) {
                    WeightPacking.packPanel(rows, columns: nr, panel: p, into: panel)
                    store(p, panel)
                }
            }
        }
    }

    /// The bytes the layer keeps: its packed weight and its bias.
    package var byteCount: Int { packed.byteCount + 4 * bias.count }

    /// The K blocks: `inFeatures` split into equal blocks of at most `maxBlockDepth`.
    var blockDepth: Int {
        let blocks = max(1, (inFeatures + Self.maxBlockDepth - 1) / Self.maxBlockDepth)
        return (inFeatures + blocks - 1) / blocks
    }

    /// output (rows, outFeatures) = activation(input (rows, inFeatures) . weight^T + bias).
    /// `input` and `output` are row-major and must not overlap.
    package func apply(
        _ input: UnsafePointer<Float>, rows: Int, output: UnsafeMutablePointer<Float>,
        activation: Activation, context: ComputeContext
    ) {
        let m = rows, n = outFeatures, k = inFeatures
        guard m > 0, n > 0 else { return }
        if k == 0 {
            for r in 0..<m {
                for c in 0..<n { output[r * n + c] = 0 }
                activation.apply(output + r * n, count: n, adding: bias)
            }
            return
        }
        if let tileKernel {
            applyTiles(input, rows: rows, output: output, activation: activation, kernel: tileKernel, context: context)
            return
        }
        if let integerKernel {
            applyIntegers(
                input, rows: rows, output: output, activation: activation, kernel: integerKernel, context: context)
            return
        }
        let mr = kernel.rows, nr = kernel.columns
        // Rows per task: 96 (their packed input, 96 KB per K block, stays in L2); 192 for weights widened in L1,
        // whose widening is paid per task.
        let widened = format != .float32 && pairedKernel == nil
        let split = TaskSplit(
            rows: m, rowBlock: mr * max(1, (widened ? 192 : 96) / mr), panels: (n + nr - 1) / nr,
            threads: context.threads)
        let depth = blockDepth
        forEachTask(split, context: context) { rows, panels, weights, bias in
            runTask(
                input: input, output: output, rows: rows, panels: panels, depth: depth, weights: weights, bias: bias,
                activation: activation)
        }
    }

    /// How `apply` splits its work: blocks of `rowBlock` rows times runs of panels, enough tasks to keep every thread
    /// busy (about 4 per thread), split by columns when rows are few.
    private struct TaskSplit {
        let rows: Int, rowBlock: Int, panels: Int, rowBlocks: Int, panelsPerChunk: Int, chunks: Int

        init(rows: Int, rowBlock: Int, panels: Int, threads: Int) {
            self.rows = rows
            self.rowBlock = rowBlock
            self.panels = panels
            rowBlocks = (rows + rowBlock - 1) / rowBlock
            let wanted = threads == 1 ? 1 : (4 * threads + rowBlocks - 1) / rowBlocks
            panelsPerChunk = (panels + min(panels, wanted) - 1) / min(panels, wanted)
            chunks = (panels + panelsPerChunk - 1) / panelsPerChunk
        }

        /// Few tasks, evenly shared: blocks of `rowBlock` rows, each split by columns into the fewest chunks that
        /// make the task count a multiple of `threads` (no chunks once there are 4 row blocks per thread: then the
        /// threads take row blocks as they come).
        init(rows: Int, rowBlock: Int, panels: Int, evenlyOver threads: Int) {
            self.rows = rows
            self.rowBlock = rowBlock
            self.panels = panels
            rowBlocks = (rows + rowBlock - 1) / rowBlock
            var wanted = 1
            if rowBlocks < 4 * threads {
                while (rowBlocks * wanted) % threads != 0 && wanted < panels { wanted += 1 }
            }
            panelsPerChunk = (panels + wanted - 1) / wanted
            chunks = (panels + panelsPerChunk - 1) / panelsPerChunk
        }
    }

    /// Runs `body(rows, panels, weights, bias)` for every task of `split` on `context`'s threads.
    private func forEachTask(
        _ split: TaskSplit, context: ComputeContext,
        _ body: (Range<Int>, Range<Int>, UnsafeRawPointer, UnsafePointer<Float>) -> Void
    ) {
        packed.withUnsafeRawPointer { weights in
            bias.withUnsafeBufferPointer { biasBuffer in
                let bias = biasBuffer.baseAddress!
                context.parallelFor(split.rowBlocks * split.chunks) { task in
                    let m0 = (task / split.chunks) * split.rowBlock
                    let p0 = (task % split.chunks) * split.panelsPerChunk
                    body(
                        m0..<min(split.rows, m0 + split.rowBlock), p0..<min(split.panels, p0 + split.panelsPerChunk),
                        weights, bias)
                }
            }
        }
    }

    /// One task: output rows `rows` x the columns of weight panels `panels`, all K blocks.
    private func runTask(
        input: UnsafePointer<Float>, output: UnsafeMutablePointer<Float>, rows: Range<Int>, panels: Range<Int>,
        depth: Int, weights: UnsafeRawPointer, bias: UnsafePointer<Float>, activation: Activation
    ) {
        let n = outFeatures, k = inFeatures, mr = kernel.rows, nr = kernel.columns
        let microPanels = (rows.count + mr - 1) / mr
        let splat = kernel.splat, panelStride = mr * splat  // floats per k in a micro-panel
        let aCount = microPanels * panelStride * depth
        // a bfloat16 or int8 weight block widened to float32 (not pairs: their tile widens them)
        let widenedCount = format == .float32 || pairedKernel != nil ? 0 : depth * nr
        let scratchBytes =
            ThreadScratch.bytes(floats: aCount) + ThreadScratch.bytes(floats: mr * nr)
            + ThreadScratch.bytes(floats: widenedCount)
        ThreadScratch.with(bytes: scratchBytes) { scratch in
            let a = scratch.floats(aCount), tile = scratch.floats(mr * nr), widened = scratch.floats(widenedCount)
            var k0 = 0
            while k0 < k {
                let kc = min(depth, k - k0)
                let accumulate = k0 > 0, last = k0 + kc == k
                // Pack input rows x [k0, k0 + kc) as (kc, mr, splat) micro-panels, zero rows past the end.
                for i in 0..<microPanels {
                    packMicroPanel(
                        input + (rows.lowerBound + i * mr) * k + k0,
                        rows: min(mr, rows.upperBound - rows.lowerBound - i * mr),
                        stride: k, depth: kc, into: a + i * panelStride * kc)
                }
                for p in panels {
                    let b: UnsafePointer<Float>, pairs: UnsafePointer<UInt16>?  // pairs: for pairedKernel
                    switch format {
                    case .float32:
                        (b, pairs) = (weights.assumingMemoryBound(to: Float.self) + p * nr * k + k0 * nr, nil)
                    case .bfloat16:
                        let stored = weights.assumingMemoryBound(to: UInt16.self) + p * nr * k + k0 * nr
                        if pairedKernel == nil { BFloat16.widen(stored, into: widened, count: kc * nr) }
                        (b, pairs) = (UnsafePointer(widened), pairedKernel != nil ? stored : nil)
                    case .int8:
                        Int8Weights.widen(
                            panel: weights + p * Int8Weights.panelBytes(columns: nr, inFeatures: k), columns: nr,
                            inFeatures: k, rows: k0, depth: kc, into: widened)
                        (b, pairs) = (UnsafePointer(widened), nil)
                    }
                    // The tile on micro-panel i: c (row stride ldc) = or += its rows times the weight block.
                    func multiply(_ i: Int, _ c: UnsafeMutablePointer<Float>, _ ldc: Int, _ accumulate: Bool) {
                        if let pairs, let pairedKernel {
                            pairedKernel(a + i * panelStride * kc, pairs, kc, c, ldc, accumulate)
                        } else {
                            kernel.function(a + i * panelStride * kc, b, kc, c, ldc, accumulate)
                        }
                    }
                    let n0 = p * nr, width = min(nr, n - n0)
                    for i in 0..<microPanels {
                        let r0 = rows.lowerBound + i * mr, height = min(mr, rows.upperBound - r0)
                        let c = output + r0 * n + n0
                        if height == mr && width == nr {
                            multiply(i, c, n, accumulate)
                        } else {
                            multiply(i, tile, nr, false)
                            for r in 0..<height {
                                for j in 0..<width {
                                    c[r * n + j] = accumulate ? c[r * n + j] + tile[r * nr + j] : tile[r * nr + j]
                                }
                            }
                        }
                    }
                    if last {  // over the panel's columns of all the task's rows at once, as applyIntegers does
                        activation.apply(
                            output + rows.lowerBound * n + n0, rows: rows.count, count: width, stride: n,
                            adding: bias + n0, gelu: gelu)
                    }
                }
                k0 += kc
            }
        }
    }

    /// `apply` on the integer path of an int8 layer: per task (a block of rows times a run of panels) the rows are
    /// quantized once into micro-panels (`Int8Inputs`), then each weight panel (the kernel's columns, all K: 20 bytes
    /// per block of 16 and column, in L1) runs the micro-kernel over them, and bias and activation are applied to the
    /// tile in L1.
    private func applyIntegers(
        _ input: UnsafePointer<Float>, rows m: Int, output: UnsafeMutablePointer<Float>, activation: Activation,
        kernel: Int8GemmKernel, context: ComputeContext
    ) {
        let n = outFeatures, k = inFeatures, mr = kernel.rows, nr = kernel.columns
        let blocks = Int8Weights.blocks(k), panelBytes = Int8Weights.panelBytes(columns: nr, inFeatures: k)
        let layout = kernel.layout, microBytes = layout.microPanelBytes(blocks: blocks)
        // Rows per task: up to 96, fewer for long rows, so that the task's quantized inputs (2 bytes per input) stay
        // in L2 (about 150 KB).
        let split = TaskSplit(
            rows: m, rowBlock: mr * max(1, min(96, 75_000 / (Int8Weights.blockSize * blocks)) / mr),
            panels: (n + nr - 1) / nr, threads: context.threads)
        func pack(_ i: Int, into target: UnsafeMutableRawPointer) {  // micro-panel i of all the rows
            Int8Inputs.pack(
                input + i * mr * k, rows: min(mr, m - i * mr), stride: k, inFeatures: k, blocks: blocks,
                layout: layout, into: target)
        }
        let shared = Self.packOnceIfSplitByColumns(
            split, units: (m + mr - 1) / mr, unitBytes: microBytes, values: m * k, context: context, pack: pack)
        defer { shared?.deallocate() }
        forEachTask(split, context: context) { rows, panels, weights, bias in
            let microPanels = (rows.count + mr - 1) / mr
            let ownBytes = shared == nil ? microPanels * microBytes : 0
            let scratchBytes = ThreadScratch.bytes(floats: ownBytes / 4) + ThreadScratch.bytes(floats: mr * nr)
            ThreadScratch.with(bytes: scratchBytes) { scratch in
                let own = UnsafeMutableRawPointer(scratch.floats(ownBytes / 4))
                let tile = scratch.floats(mr * nr)
                let a: UnsafeMutableRawPointer
                if let shared {
                    a = shared + rows.lowerBound / mr * microBytes
                } else {
                    a = own
                    for i in 0..<microPanels { pack(rows.lowerBound / mr + i, into: a + i * microBytes) }
                }
                for p in panels {
                    let b = weights + p * panelBytes, n0 = p * nr, width = min(nr, n - n0)
                    for i in 0..<microPanels {
                        let r0 = rows.lowerBound + i * mr, height = min(mr, rows.upperBound - r0)
                        let c = output + r0 * n + n0
                        if width == nr {
                            kernel.function(a + i * microBytes, b, blocks, c, n, height)
                        } else {
                            kernel.function(a + i * microBytes, b, blocks, tile, nr, height)
                            for r in 0..<height {
                                for j in 0..<width { c[r * n + j] = tile[r * nr + j] }
                            }
                        }
                    }
                    // Bias and activation over the panel's columns of all the task's rows at once (still in L1): the
                    // generated GELU's long dependency chains overlap across more rows per call.
                    activation.apply(
                        output + rows.lowerBound * n + n0, rows: rows.count, count: width, stride: n,
                        adding: bias + n0, gelu: gelu)
                }
            }
        }
    }

    /// Where `split`'s tasks share rows (split by columns: few rows, several threads), the rows packed once, before,
    /// in parallel (`units` units of `unitBytes`, unit i by `pack(i, into:)`; one thread under
    /// `ComputeContext.serialValueLimit` input values): packed per task, a single query's rows were packed once per
    /// task and took longer than its products. Nil where each task has rows of its own (it packs them itself). The
    /// caller deallocates the buffer.
    private static func packOnceIfSplitByColumns(
        _ split: TaskSplit, units: Int, unitBytes: Int, values: Int, context: ComputeContext,
        pack: (Int, UnsafeMutableRawPointer) -> Void
    ) -> UnsafeMutableRawPointer? {
        guard split.chunks > 1 else { return nil }
        let shared = UnsafeMutableRawPointer.allocate(byteCount: units * unitBytes, alignment: 64)
        context.with(threads: values <= ComputeContext.serialValueLimit ? 1 : nil).parallelFor(units) {
            pack($0, shared + $0 * unitBytes)
        }
        return shared
    }

    /// `apply` on the AMX path of a bfloat16 layer: per task (up to 128 rows times a run of panels) the rows are
    /// split into two bfloat16 once, in groups of 32 (`BF16TileKernel.packInputs`), then for each sub-run of panels
    /// whose weights stay in L2 (about 256 KB) each group runs the tile kernel over it, straight into the output (the
    /// last, partial panel through a 32 x 32 tile); bias and activation follow once over the task's whole output.
    /// Applied after each kernel call instead, the GELU made a 1344 x 1536 x 384 layer 2x slower on Sapphire Rapids
    /// (9.4 ms against 4.7): each switch between tile and AVX code costs the core time of its own.
    ///
    /// Tasks are few and even (`TaskSplit.init(rows:rowBlock:panels:evenlyOver:)`), and each splits its rows itself,
    /// even where tasks share rows (a short query: one task per thread, split by columns, each splitting the same
    /// few rows). Split as the other layers are (about 4 tasks per thread, shared rows split once, before the
    /// tasks), two threads were slower than one on a short query's layers (11 x 1536 x 384: 425 GFLOP/s against 454
    /// on one thread; one task per thread splitting its rows: 630; 256 x 1152 x 384: 600 against 1,150;
    /// BENCHMARKS.md, "bfloat16 on two threads"): tile loads of rows another core has just written wait on that
    /// core, and every task's switch between tile and AVX code costs time.
    private func applyTiles(
        _ input: UnsafePointer<Float>, rows m: Int, output: UnsafeMutablePointer<Float>, activation: Activation,
        kernel: BF16TileKernel, context: ComputeContext
    ) {
        let n = outFeatures, k = inFeatures, group = BF16TileKernel.groupRows, nr = BF16TileKernel.panelColumns
        let steps = BF16TileKernel.steps(k), panelBytes = steps * BF16TileKernel.weightStepBytes
        let groupBytes = steps * BF16TileKernel.inputStepBytes
        let fullPanels = n / nr, runPanels = max(1, 262_144 / panelBytes)
        let split = TaskSplit(rows: m, rowBlock: 4 * group, panels: (n + nr - 1) / nr, evenlyOver: context.threads)
        forEachTask(split, context: context) { rows, panels, weights, bias in
            let groups = (rows.count + group - 1) / group
            let scratchBytes =
                ThreadScratch.bytes(floats: groups * groupBytes / 4) + ThreadScratch.bytes(floats: group * nr)
            ThreadScratch.with(bytes: scratchBytes) { scratch in
                let a = UnsafeMutableRawPointer(scratch.floats(groups * groupBytes / 4))
                let tile = scratch.floats(group * nr)
                for g in 0..<groups {  // group g of the task's rows
                    let r0 = rows.lowerBound + g * group
                    kernel.packInputs(
                        input + r0 * k, rows: min(group, rows.upperBound - r0), stride: k, inFeatures: k,
                        into: (a + g * groupBytes).bindMemory(to: UInt16.self, capacity: groupBytes / 2))
                }
                var p0 = panels.lowerBound
                while p0 < panels.upperBound {
                    let run = p0..<min(panels.upperBound, p0 + runPanels)
                    let full = run.clamped(to: 0..<fullPanels)
                    for g in 0..<groups {
                        let r0 = rows.lowerBound + g * group, height = min(group, rows.upperBound - r0)
                        if !full.isEmpty {
                            kernel.run(
                                rows: height, inputs: a + g * groupBytes,
                                weights: weights + full.lowerBound * panelBytes,
                                steps: steps, panels: full.count, output: output + r0 * n + full.lowerBound * nr,
                                rowBytes: 4 * n)
                        }
                        if run.upperBound > fullPanels {  // the last panel, partial: through the tile
                            kernel.run(
                                rows: height, inputs: a + g * groupBytes, weights: weights + fullPanels * panelBytes,
                                steps: steps, panels: 1, output: tile, rowBytes: 4 * nr)
                            let n0 = fullPanels * nr
                            for r in 0..<height {
                                for j in 0..<(n - n0) { output[(r0 + r) * n + n0 + j] = tile[r * nr + j] }
                            }
                        }
                    }
                    p0 = run.upperBound
                }
                let n0 = panels.lowerBound * nr, width = min(n, panels.upperBound * nr) - n0
                activation.apply(
                    output + rows.lowerBound * n + n0, rows: rows.count, count: width, stride: n, adding: bias + n0,
                    gelu: gelu)
            }
        }
    }

    /// Packs `rows` (<= kernel.rows) rows of `depth` values (row r at source + r * stride) into one
    /// (depth, kernel.rows, splat) micro-panel, zero past `rows`. Without splat, eight values of
    /// every row are loaded as one vector before they are stored: all rows' cache lines are requested
    /// together (packed one value at a time, this loop waited on memory for the (T, I) intermediate).
    @inline(__always)
    private func packMicroPanel(
        _ source: UnsafePointer<Float>, rows: Int, stride: Int, depth: Int, into target: UnsafeMutablePointer<Float>
    ) {
        let mr = kernel.rows, splat = kernel.splat, panelStride = mr * splat
        if splat == 1 {
            let full = depth - depth % 8
            for r in 0..<mr {
                if r < rows {
                    let from = UnsafeRawPointer(source + r * stride)
                    var to = target + r
                    var k = 0
                    while k < full {
                        let v = from.loadUnaligned(fromByteOffset: k * 4, as: SIMD8<Float>.self)
                        for l in 0..<8 { to[l * mr] = v[l] }
                        to += 8 * mr
                        k += 8
                    }
                    for j in full..<depth { target[j * mr + r] = source[r * stride + j] }
                } else {
                    for j in 0..<depth { target[j * mr + r] = 0 }
                }
            }
            return
        }
        if splat == 4 {  // each value as one 16-byte store of four copies (SSE2 micro-kernels)
            let full = depth - depth % 4
            for r in 0..<mr {
                let to = UnsafeMutableRawPointer(target + r * 4)
                if r < rows {
                    let from = UnsafeRawPointer(source + r * stride)
                    var k = 0
                    while k < full {
                        let v = from.loadUnaligned(fromByteOffset: k * 4, as: SIMD4<Float>.self)
                        for l in 0..<4 {
                            to.storeBytes(
                                of: SIMD4<Float>(repeating: v[l]), toByteOffset: (k + l) * panelStride * 4,
                                as: SIMD4<Float>.self)
                        }
                        k += 4
                    }
                    for j in full..<depth {
                        to.storeBytes(
                            of: SIMD4<Float>(repeating: source[r * stride + j]), toByteOffset: j * panelStride * 4,
                            as: SIMD4<Float>.self)
                    }
                } else {
                    for j in 0..<depth {
                        to.storeBytes(of: SIMD4<Float>(), toByteOffset: j * panelStride * 4, as: SIMD4<Float>.self)
                    }
                }
            }
            return
        }
        for r in 0..<mr {
            var to = target + r * splat
            var from = source + r * stride
            for _ in 0..<depth {
                let value = r < rows ? from.pointee : 0
                for s in 0..<splat { to[s] = value }
                from += 1
                to += panelStride
            }
        }
    }

    /// Reference: `apply` one output at a time, summed in Double, activation in Double.
    /// weight (outFeatures, inFeatures), bias (outFeatures), input (rows, inFeatures), output (rows, outFeatures).
    package static func reference(
        _ input: UnsafePointer<Float>, rows: Int, weight: [Float], bias: [Float], outFeatures: Int,
        inFeatures: Int, output: UnsafeMutablePointer<Float>, activation: Activation
    ) {
        precondition(weight.count == outFeatures * inFeatures && bias.count == outFeatures)
        for r in 0..<rows {
            for o in 0..<outFeatures {
                var sum = Double(bias[o])
                for i in 0..<inFeatures {
                    sum += Double(input[r * inFeatures + i]) * Double(weight[o * inFeatures + i])
                }
                output[r * outFeatures + o] = Float(activation.reference(sum))
            }
        }
    }
}
