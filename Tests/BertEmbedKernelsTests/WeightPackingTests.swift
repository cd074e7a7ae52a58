// Weight packing straight from raw bytes (the mapped checkpoint's path) against the naive reference, bit for bit:
// unaligned rows, rows split into blocks (the fused q|k|v), sizes that are not multiples of 8 or of the panel width.
import BertEmbedKernels
import XCTest

final class WeightPackingTests: XCTestCase {
    /// Rows (n, k) of random normal values plus values whose bits a float conversion could change (NaN
    /// payloads, -0, subnormals, infinities), so only an exact move of bits passes.
    private func weight(_ n: Int, _ k: Int, seed: UInt64) -> [Float] {
        var generator = NormalGenerator(seed: seed)
        var values = generator.array(n * k)
        let specials: [Float] = [
            Float(bitPattern: 0x7FC0_1234), Float(bitPattern: 0xFF80_0001), -0.0, .leastNonzeroMagnitude, .infinity,
            -.infinity,
        ]
        for (index, special) in specials.enumerated() where index * 7 < values.count { values[index * 7] = special }
        return values
    }

    /// Packs `values` (n x k) from a byte buffer where they start `offset` bytes in, cut into blocks of `splits`
    /// rows, with `threads`-way panel splits as PackedLinear does.
    private func packFromBytes(
        _ values: [Float], n: Int, k: Int, splits: [Int], offset: Int, columns: Int, tasks: Int
    ) -> [Float] {
        let bytes = UnsafeMutableRawPointer.allocate(byteCount: offset + max(1, values.count * 4), alignment: 64)
        defer { bytes.deallocate() }
        values.withUnsafeBytes {
            if let from = $0.baseAddress { (bytes + offset).copyMemory(from: from, byteCount: $0.count) }
        }
        var blocks: [(base: UnsafeRawPointer, rows: Int)] = []
        var row = 0
        for rows in splits {
            blocks.append((UnsafeRawPointer(bytes + offset + row * k * 4), rows))
            row += rows
        }
        let rows = WeightRows(blocks: blocks, inFeatures: k)
        XCTAssertEqual(rows.outFeatures, n)
        let panels = (n + columns - 1) / columns
        var packed = [Float](repeating: .nan, count: panels * columns * k)
        packed.withUnsafeMutableBufferPointer { target in
            guard let target = target.baseAddress else { return }
            let perTask = max(1, (panels + tasks - 1) / tasks)
            for first in stride(from: 0, to: panels, by: perTask) {
                WeightPacking.pack(rows, columns: columns, panels: first..<min(panels, first + perTask), into: target)
            }
        }
        return packed
    }

    func testRawBytePackingEqualsTheReferenceBitForBit() {
        let columns = Set(runnableKernels.map(\.columns)).union([8, 12, 16, 32]).sorted()
        let shapes = [(1, 1), (7, 9), (8, 8), (17, 31), (33, 8), (40, 65), (100, 3), (0, 5), (5, 0), (65, 129)]
        var seed: UInt64 = 7
        for nr in columns {
            for (n, k) in shapes {
                seed += 1
                let values = weight(n, k, seed: seed)
                let expected = WeightPacking.reference(weight: values, outFeatures: n, inFeatures: k, columns: nr)
                // One block, or three uneven ones (a fused weight whose parts are not multiples of 8 rows).
                let third = n / 3
                for splits in [[n], [third, n - 2 * third, third]] {
                    for offset in [0, 1, 2, 3] {
                        for tasks in [1, 3] {
                            let packed = packFromBytes(
                                values, n: n, k: k, splits: splits, offset: offset, columns: nr, tasks: tasks)
                            XCTAssertEqual(
                                packed.map(\.bitPattern), expected.map(\.bitPattern),
                                "columns \(nr), \(n) x \(k), blocks \(splits), byte offset \(offset), \(tasks) tasks")
                        }
                    }
                }
            }
        }
    }

    func testReferenceLayout() {
        // W (3 x 2) = [[1, 2], [3, 4], [5, 6]] in panels of 2: panel 0 = k0: 1 3, k1: 2 4; panel 1 = k0: 5 0, k1: 6 0.
        XCTAssertEqual(
            WeightPacking.reference(weight: [1, 2, 3, 4, 5, 6], outFeatures: 3, inFeatures: 2, columns: 2),
            [1, 3, 2, 4, 5, 0, 6, 0])
    }

    /// A layer packed from raw unaligned rows on several threads computes exactly what the array-packed one does.
    func testPackedLinearFromRowsMatchesFromArray() {
        var generator = NormalGenerator(seed: 42)
        let (m, n, k) = (13, 3 * 37, 45)
        let weight = generator.array(n * k), bias = generator.array(n), input = generator.array(m * k)
        let fromArray = PackedLinear(
            weight: weight, bias: bias, outFeatures: n, inFeatures: k, context: ComputeContext(threads: 1))
        let bytes = UnsafeMutableRawPointer.allocate(byteCount: 3 + n * k * 4, alignment: 16)
        defer { bytes.deallocate() }
        weight.withUnsafeBytes { (bytes + 3).copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
        let blocks = (0..<3).map { (UnsafeRawPointer(bytes + 3 + $0 * 37 * k * 4), 37) }
        let fromRows = PackedLinear(
            rows: WeightRows(blocks: blocks, inFeatures: k), bias: bias, context: ComputeContext(threads: 2))
        var outputs: [[Float]] = []
        for layer in [fromArray, fromRows] {
            var output = [Float](repeating: .nan, count: m * n)
            input.withUnsafeBufferPointer { a in
                output.withUnsafeMutableBufferPointer { c in
                    layer.apply(
                        a.baseAddress!, rows: m, output: c.baseAddress!, activation: .gelu,
                        context: ComputeContext(threads: 1))
                }
            }
            outputs.append(output)
        }
        XCTAssertEqual(outputs[0].map(\.bitPattern), outputs[1].map(\.bitPattern))
    }

    func testWeightBuffersKeepTheirValues() {
        // Small buffers share chunks, a large one gets its own; each keeps what was written.
        let counts = [0, 1, 5, 1000, 3 << 20, 10, 9 << 20, 7]
        var buffers: [WeightBuffer] = []
        for (index, count) in counts.enumerated() {
            buffers.append(
                WeightBuffer(count: count) { start in
                    for i in 0..<count { start[i] = Float(index * 31 + i % 1000) }
                })
        }
        buffers.remove(at: 2)
        for (index, count) in counts.enumerated() where index != 2 {
            let buffer = buffers[index < 2 ? index : index - 1]
            XCTAssertEqual(buffer.count, count)
            buffer.withUnsafeBufferPointer { values in
                XCTAssertTrue(
                    values.indices.allSatisfy { values[$0] == Float(index * 31 + $0 % 1000) }, "buffer \(index)")
                XCTAssertEqual(Int(bitPattern: values.baseAddress) % 64, 0, "64-byte aligned")
            }
        }
    }
}
