// multiHeadAttention against its Double reference, for packed sequences of awkward lengths.
import BertEmbedKernels
import XCTest

final class MultiHeadAttentionTests: XCTestCase {
    func run(
        lengths: [Int], heads: Int, headDim: Int, threads: Int, seed: UInt64, bias: AttentionBias? = nil,
        kernel: GemmKernel = KernelSet.preferred.gemm, withReference: Bool = true
    ) -> (fast: [Float], reference: [Float]) {
        var generator = NormalGenerator(seed: seed)
        let tokens = lengths.reduce(0, +)
        let hidden = heads * headDim
        // Scale 1.5: scores of q.k / sqrt(d) with standard deviation ~2, so softmax is peaked, not flat.
        let qkv = generator.array(tokens * 3 * hidden, scale: 1.5)
        var sequences: [Range<Int>] = []
        var start = 0
        for length in lengths {
            sequences.append(start..<(start + length))
            start += length
        }
        var fast = [Float](repeating: .nan, count: tokens * hidden)
        var reference = fast
        qkv.withUnsafeBufferPointer { q in
            fast.withUnsafeMutableBufferPointer {
                multiHeadAttention(
                    qkv: q.baseAddress!, tokens: tokens, sequences: sequences, heads: heads,
                    headDim: headDim, bias: bias, output: $0.baseAddress!, context: context(kernel, threads: threads))
            }
            guard withReference else { return }
            reference.withUnsafeMutableBufferPointer {
                multiHeadAttentionReference(
                    qkv: q.baseAddress!, tokens: tokens, sequences: sequences, heads: heads,
                    headDim: headDim, bias: bias, output: $0.baseAddress!)
            }
        }
        return (fast, reference)
    }

    func testMatchesReference() {
        // Outputs are convex combinations of values of size ~1.5: Float dot products of d <= 64 terms, exp
        // at 3e-7 relative and sums of <= 300 weights keep errors near 1e-6; 1e-5 absolute + 1e-4 relative.
        for headDim in [32, 64, 20] {
            let lengths = [1, 2, 7, 33, 128, 300]
            let (fast, reference) = run(lengths: lengths, heads: 3, headDim: headDim, threads: 2, seed: UInt64(headDim))
            var worst: Float = 0
            for i in fast.indices {
                let error = Swift.abs(fast[i] - reference[i])
                worst = max(worst, error)
                XCTAssertLessThanOrEqual(error, 1e-5 + 1e-4 * Swift.abs(reference[i]), "headDim \(headDim) at \(i)")
                if error > 1e-5 + 1e-4 * Swift.abs(reference[i]) { return }
            }
            print("attention headDim \(headDim): worst abs error \(worst)")
        }
    }

    func testEveryMicroKernelMatchesReference() {
        // The attention GEMMs run on the context's micro-kernel: check each one this process can run (tile shape
        // and packing: MR, NR, splatted input) at lengths around their multiples. Same bound as above.
        var generator = NormalGenerator(seed: 11)
        let lengths = [1, 5, 6, 13, 16, 17, 40], heads = 2, headDim = 20
        let tokens = lengths.reduce(0, +), hidden = heads * headDim
        let qkv = generator.array(tokens * 3 * hidden, scale: 1.5)
        var sequences: [Range<Int>] = []
        var start = 0
        for length in lengths {
            sequences.append(start..<(start + length))
            start += length
        }
        var reference = [Float](repeating: .nan, count: tokens * hidden)
        qkv.withUnsafeBufferPointer { q in
            reference.withUnsafeMutableBufferPointer {
                multiHeadAttentionReference(
                    qkv: q.baseAddress!, tokens: tokens, sequences: sequences, heads: heads,
                    headDim: headDim, output: $0.baseAddress!)
            }
        }
        for kernel in runnableKernels {
            var fast = [Float](repeating: .nan, count: tokens * hidden)
            qkv.withUnsafeBufferPointer { q in
                fast.withUnsafeMutableBufferPointer {
                    multiHeadAttention(
                        qkv: q.baseAddress!, tokens: tokens, sequences: sequences, heads: heads,
                        headDim: headDim, output: $0.baseAddress!, context: context(kernel))
                }
            }
            for i in fast.indices where !(Swift.abs(fast[i] - reference[i]) <= 1e-5 + 1e-4 * Swift.abs(reference[i])) {
                XCTFail("\(kernel.name) at \(i): \(fast[i]) vs \(reference[i])")
                break
            }
        }
    }

    /// A bias by distance (MPNet's relative position bias) added to the scores, with every kernel, at lengths
    /// around the tiles and up to the bias's longest distance: same bound as without.
    func testBiasByDistanceMatchesReference() {
        var generator = NormalGenerator(seed: 5)
        let heads = 3, maxDistance = 129
        let bias = AttentionBias(
            heads: heads, maxDistance: maxDistance, values: generator.array(heads * (2 * maxDistance + 1), scale: 2))
        for kernel in runnableKernels {
            let (fast, reference) = run(
                lengths: [1, 5, 6, 17, 130], heads: heads, headDim: 20, threads: 2, seed: 8, bias: bias, kernel: kernel)
            for i in fast.indices where !(Swift.abs(fast[i] - reference[i]) <= 1e-5 + 1e-4 * Swift.abs(reference[i])) {
                XCTFail("\(kernel.name) at \(i): \(fast[i]) vs \(reference[i])")
                break
            }
        }
        // The bias matters: without it the output differs.
        let plain = run(lengths: [17], heads: heads, headDim: 20, threads: 1, seed: 8).fast
        let biased = run(lengths: [17], heads: heads, headDim: 20, threads: 1, seed: 8, bias: bias).fast
        XCTAssertNotEqual(plain, biased)
    }

    func testLengthOneReturnsItsValue() {
        let (fast, reference) = run(lengths: [1], heads: 2, headDim: 32, threads: 1, seed: 9)
        XCTAssertEqual(fast, reference, "softmax over one key is exactly 1")
    }

    /// One task per sequence (its rows packed for every head in one pass) and one per (sequence, head) give the
    /// same bits, with every kernel and with the bias; the split asked for is the split taken.
    func testTaskSplitDoesNotChangeResults() {
        var generator = NormalGenerator(seed: 12)
        let heads = 3, headDim = 20, maxDistance = 129
        let bias = AttentionBias(
            heads: heads, maxDistance: maxDistance, values: generator.array(heads * (2 * maxDistance + 1), scale: 2))
        let lengths = [3, 40, 17, 130, 13]
        var sequences: [Range<Int>] = [], start = 0
        for length in lengths {
            sequences.append(start..<(start + length))
            start += length
        }
        // One thread: per sequence. Two: 130 tokens outweigh the rest, per (sequence, head).
        for (threads, perSequence) in [(1, true), (2, false)] {
            let gemm = KernelSet.preferred.gemm
            let split = attentionSplit(
                sequences: sequences, heads: heads, headDim: headDim, context: context(gemm, threads: threads))
            XCTAssertEqual(split.threads, threads)
            XCTAssertEqual(split.perSequence, perSequence, "\(threads) threads")
        }
        let balanced = [40, 33, 38, 41, 12, 45, 39]
        var even: [Range<Int>] = []
        start = 0
        for length in balanced {
            even.append(start..<(start + length))
            start += length
        }
        XCTAssertTrue(
            attentionSplit(
                sequences: even, heads: heads, headDim: headDim, context: context(KernelSet.preferred.gemm, threads: 2)
            ).perSequence, "sequences of like lengths on 2 threads")
        for kernel in runnableKernels {
            for bias in [nil, bias] {
                let one = run(
                    lengths: lengths, heads: heads, headDim: headDim, threads: 1, seed: 4, bias: bias,
                    kernel: kernel, withReference: false)
                let two = run(
                    lengths: lengths, heads: heads, headDim: headDim, threads: 2, seed: 4, bias: bias,
                    kernel: kernel, withReference: false)
                XCTAssertEqual(one.fast, two.fast, "\(kernel.name), bias \(bias != nil)")
                XCTAssertFalse(one.fast.contains { $0.isNaN }, "every output written")
            }
        }
    }

    func testThreadCountDoesNotChangeResults() {
        let lengths = [5, 42, 17, 1, 64]
        let one = run(lengths: lengths, heads: 12, headDim: 32, threads: 1, seed: 3).fast
        for threads in [2, 3, 5] {
            XCTAssertEqual(run(lengths: lengths, heads: 12, headDim: 32, threads: threads, seed: 3).fast, one)
        }
    }
}
