// The arm64 int8 kernels (CodeGeneration/Int8GemmARM64JIT.swift: sdot, smmla) and their split layouts: the AArch64
// encoder against the bytes GNU as gives, the programs as LLVM disassembles them, the programs themselves run under
// qemu-aarch64 against the scalar reference kernels bit for bit (on an arm64 host with the extensions, natively), the
// split input packing and the quad and octet weight layouts against their definitions, and the registry's choice from
// the CPU's features. (Int8WeightTests runs whole int8 layers through the split layouts' reference kernels against the
// layer's definition.)
import BertEmbedKernels
import Foundation
import XCTest
import _BertEmbedTestSupport

final class Int8GemmARM64Tests: XCTestCase {
    /// Each instruction form the kernels use, as aarch64-linux-gnu-as (binutils 2.40, -march=armv8.6-a+i8mm, which
    /// has the dot products) encodes it.
    func testEncodingsEqualTheGNUAssembler() {
        var asm = AArch64Assembler()
        let x = ARM64Register.init, v = ARM64Vector.init
        var expected: [UInt32] = []
        func check(_ word: UInt32, _ emit: (inout AArch64Assembler) -> Void) {
            emit(&asm)
            expected.append(word)
        }
        check(0xD65F_03C0) { $0.ret() }  // ret
        check(0xF100_0442) { $0.subtractSettingFlags(x(2), x(2), 1) }  // subs x2, x2, #1
        check(0xF100_0CBF) { $0.compare(x(5), 3) }  // cmp x5, #3
        check(0x8B04_0863) { $0.add(x(3), x(3), x(4), shiftedLeft: 2) }  // add x3, x3, x4, lsl #2
        check(0x9100_C3FF) { $0.add(.sp, .sp, 48) }  // add sp, sp, #48
        check(0xD100_C3FF) { $0.subtract(.sp, .sp, 48) }  // sub sp, sp, #48
        check(0x6D01_27E8) { $0.storePair(v(8), v(9), .sp, 16) }  // stp d8, d9, [sp, #16]
        check(0x6D42_37EC) { $0.loadPair(v(12), v(13), .sp, 32) }  // ldp d12, d13, [sp, #32]
        check(0x6D3F_3FEE) { $0.storePair(v(14), v(15), .sp, -16) }  // stp d14, d15, [sp, #-16]
        check(0x3DC0_000C) { $0.loadQ(v(12), x(0)) }  // ldr q12, [x0]
        check(0x3DC0_0931) { $0.loadQ(v(17), x(9), 32) }  // ldr q17, [x9, #32]
        check(0x4CDF_2038) { $0.load(4, from: v(24), .bytes16, x(1)) }  // ld1 {v24.16b-v27.16b}, [x1], #64
        check(0x4CDF_A82C) { $0.load(2, from: v(12), .words4, x(1)) }  // ld1 {v12.4s, v13.4s}, [x1], #32
        check(0x4CDF_7008) { $0.load(1, from: v(8), .bytes16, x(0)) }  // ld1 {v8.16b}, [x0], #16
        check(0x4CDF_6008) { $0.load(3, from: v(8), .bytes16, x(0)) }  // ld1 {v8.16b-v10.16b}, [x0], #48
        check(0x4C00_A870) { $0.store(2, from: v(16), .words4, x(3)) }  // st1 {v16.4s, v17.4s}, [x3]
        check(0x4C00_793E) { $0.store(1, from: v(30), .words4, x(9)) }  // st1 {v30.4s}, [x9]
        check(0x6F00_E407) { $0.zero(v(7)) }  // movi v7.2d, #0
        check(0x4F88_E300) { $0.sdot(v(0), v(24), v(8), lane: 0) }  // sdot v0.4s, v24.16b, v8.4b[0]
        check(0x4FAB_EBE7) { $0.sdot(v(7), v(31), v(11), lane: 3) }  // sdot v7.4s, v31.16b, v11.4b[3]
        check(0x4F9D_E855) { $0.sdot(v(21), v(2), v(29), lane: 2) }  // sdot v21.4s, v2.16b, v29.4b[2]
        check(0x4FB1_E0A3) { $0.sdot(v(3), v(5), v(17), lane: 1) }  // sdot v3.4s, v5.16b, v17.4b[1]
        check(0x4FAC_9A10) { $0.fmul(v(16), v(16), v(12), lane: 3) }  // fmul v16.4s, v16.4s, v12.s[3]
        check(0x4F94_9BC1) { $0.fmul(v(1), v(30), v(20), lane: 2) }  // fmul v1.4s, v30.4s, v20.s[2]
        check(0x4F27_5400) { $0.shiftLeft(v(0), v(0), 7) }  // shl v0.4s, v0.4s, #7
        check(0x4F3F_54BF) { $0.shiftLeft(v(31), v(5), 31) }  // shl v31.4s, v5.4s, #31
        check(0x4E21_D8E0) { $0.convertToFloat(v(0), v(7)) }  // scvtf v0.4s, v7.4s
        check(0x4E2C_CC10) { $0.fmla(v(16), v(0), v(12)) }  // fmla v16.4s, v0.4s, v12.4s
        check(0x4E3D_CE3F) { $0.fmla(v(31), v(17), v(29)) }  // fmla v31.4s, v17.4s, v29.4s
        check(0x4E88_A700) { $0.smmla(v(0), v(24), v(8)) }  // smmla v0.4s, v24.16b, v8.16b
        check(0x4E91_A7E7) { $0.smmla(v(7), v(31), v(17)) }  // smmla v7.4s, v31.16b, v17.16b
        check(0x4DDF_CC2C) { $0.loadReplicatingPair(v(12), x(1)) }  // ld1r {v12.2d}, [x1], #8
        check(0x4DDF_CD23) { $0.loadReplicatingPair(v(3), x(9)) }  // ld1r {v3.2d}, [x9], #8
        check(0x4E8C_398E) { $0.zip(.words, high: false, v(14), v(12), v(12)) }  // zip1 v14.4s, v12.4s, v12.4s
        check(0x4E8D_798F) { $0.zip(.words, high: true, v(15), v(12), v(13)) }  // zip2 v15.4s, v12.4s, v13.4s
        check(0x4ED1_3A14) { $0.zip(.halves, high: false, v(20), v(16), v(17)) }  // zip1 v20.2d, v16.2d, v17.2d
        check(0x4EC1_7BD5) { $0.zip(.halves, high: true, v(21), v(30), v(1)) }  // zip2 v21.2d, v30.2d, v1.2d
        check(0x6E2E_DE10) { $0.fmul(v(16), v(16), v(14)) }  // fmul v16.4s, v16.4s, v14.4s
        let bytes = asm.finish()
        let words = stride(from: 0, to: bytes.count, by: 4).map { i in
            (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[i + $1]) << (8 * $1) }
        }
        XCTAssertEqual(words.map { String($0, radix: 16) }, expected.map { String($0, radix: 16) })
    }

    /// Branches: backward and forward offsets in words, conditional and not.
    func testBranchesReachTheirLabels() {
        var asm = AArch64Assembler()
        let top = asm.newLabel(), bottom = asm.newLabel()
        asm.bind(top)
        asm.branch(if: .notEqual, to: bottom)  // +3 words
        asm.branchIfZero(ARM64Register(2), to: top)  // -1 word
        asm.branch(to: top)  // -2 words
        asm.bind(bottom)
        asm.ret()
        let bytes = asm.finish()
        let words = stride(from: 0, to: bytes.count, by: 4).map { i in
            (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[i + $1]) << (8 * $1) }
        }
        // b.ne .+12, cbz x2, .-4, b .-8 (GNU as).
        XCTAssertEqual(words, [0x5400_0061, 0xB4FF_FFE2, 0x17FF_FFFE, 0xD65F_03C0])
    }

    /// The programs as LLVM reads them: per row count (4, 3, 2, 1) two passes of products per block (sdot: 4 quads x
    /// 2 column registers per row; smmla: 2 octets x 4 column pairs per pair of rows), one shift, conversion and fused
    /// multiply-add per sum register, d8-d15 saved and restored.
    func testProgramsHaveTheProductsOfEachRowCount() throws {
        let rowCounts = [4, 3, 2, 1]
        for product in Int8GemmARM64JIT.Product.allCases {
            let listing = try disassembly(Int8GemmARM64JIT.program(product), aarch64: true)
            func count(_ mnemonic: String) -> Int {
                listing.filter { $0.hasPrefix(mnemonic + " ") || $0 == mnemonic }.count
            }
            let sums = rowCounts.map { product == .sdot ? 2 * $0 : 4 * (($0 + 1) / 2) }.reduce(0, +)
            let name = "\(product)"
            switch product {
            case .sdot:
                XCTAssertEqual(count("sdot"), 2 * 4 * sums, listing.joined(separator: "\n"))
                XCTAssertEqual(count("smmla"), 0, name)
                XCTAssertEqual(count("fmul"), sums, name)
            case .smmla:
                XCTAssertEqual(count("smmla"), 2 * 2 * sums, listing.joined(separator: "\n"))
                XCTAssertEqual(count("sdot"), 0, name)
                XCTAssertEqual(count("ld1r"), 4 * rowCounts.count, name)
                XCTAssertEqual(count("zip1") + count("zip2"), rowCounts.map { 2 + 2 * $0 }.reduce(0, +), name)
                XCTAssertEqual(count("fmul"), sums, name)
            }
            XCTAssertEqual(count("shl"), sums, name)
            XCTAssertEqual(count("scvtf"), sums, name)
            XCTAssertEqual(count("fmla"), sums, name)
            XCTAssertEqual(count("st1"), rowCounts.reduce(0, +), name)
            XCTAssertEqual(count("stp"), 4 * 4, name)
            XCTAssertEqual(count("ldp"), 4 * 4, name)
            XCTAssertEqual(count("ret"), 4, name)
            XCTAssertEqual(listing.filter { $0.contains("<unknown>") }, [], name)
        }
    }

    /// One operand set for a split-layout kernel.
    struct Case {
        let blocks: Int, rows: Int, ldc: Int
        let a: [UInt8], b: [UInt8], expected: [Float], initial: [Float]
    }

    /// Operand sets for the kernel of `reference`'s layout: blocks 0, 1, 3 and 8, random and extreme bytes (h -128 /
    /// 127, l 127, weights -127 / 127: the largest block sums), scales of every kind, each row count; the tile's c
    /// starts as a NaN pattern with a row stride of 11, and the expected c is the reference kernel's. The same logical
    /// values for every layout (placed by `Int8GemmKernel.Layout.splitOffset` and the weight group).
    func cases(_ reference: Int8GemmKernel) -> [Case] {
        var generator = NormalGenerator(seed: 41)
        let nr = 8, ldc = 11, layout = reference.layout, group = layout.weightGroup
        let blockBytes = Int8Weights.blockBytes(columns: nr)
        var result: [Case] = []
        for blocks in [0, 1, 3, 8] {
            for extreme in [false, true] {
                var a = [UInt8](repeating: 0, count: layout.microPanelBytes(blocks: blocks))
                var b = [UInt8](repeating: 0, count: blocks * blockBytes)
                for block in 0..<blocks {
                    for row in 0..<4 {
                        for input in 0..<16 {
                            let n = 16 * row + input
                            let high = extreme ? (n % 3 == 0 ? -128 : 127) : Int(generator.next(scale: 60))
                            let low = extreme ? 127 : Int(abs(generator.next(scale: 60)))
                            let at = layout.splitOffset(block: block, row: row, input: input)
                            a[at] = UInt8(bitPattern: Int8(max(-128, min(127, high))))
                            a[at + 64] = UInt8(min(127, low))
                        }
                    }
                    for column in 0..<nr {
                        for input in 0..<16 {
                            let n = 16 * column + input
                            let value =
                                extreme
                                ? (n % 7 == 0 ? -127 : 127) : Int(max(-127, min(127, generator.next(scale: 60))))
                            let at = block * blockBytes + group * nr * (input / group) + group * column + input % group
                            b[at] = UInt8(bitPattern: Int8(value))
                        }
                    }
                    b.withUnsafeMutableBytes { b in
                        for j in 0..<nr {
                            let scale: Float = j == 5 ? 0 : generator.next(scale: 1e-3)
                            b.storeBytes(of: scale, toByteOffset: blockBytes * block + 16 * nr + 4 * j, as: Float.self)
                        }
                    }
                }
                a.withUnsafeMutableBytes { a in
                    for r in 0..<4 {
                        a.storeBytes(of: generator.next(), toByteOffset: 128 * blocks + 4 * r, as: Float.self)
                    }
                }
                let initial = (0..<(4 * ldc)).map { Float(bitPattern: 0x7FC0_0000 | UInt32($0)) }
                for rows in 1...4 {
                    var c = initial
                    run(reference, a, b, blocks: blocks, &c, ldc: ldc, rows: rows)
                    XCTAssertEqual(c.filter(\.isNaN).count, 4 * ldc - nr * rows, "the reference writes \(rows) rows")
                    result.append(Case(blocks: blocks, rows: rows, ldc: ldc, a: a, b: b, expected: c, initial: initial))
                }
            }
        }
        return result
    }

    func run(_ kernel: Int8GemmKernel, _ a: [UInt8], _ b: [UInt8], blocks: Int, _ c: inout [Float], ldc: Int, rows: Int)
    {
        a.withUnsafeBytes { a in
            b.withUnsafeBytes { b in
                c.withUnsafeMutableBufferPointer {
                    kernel.function(
                        a.baseAddress!, b.baseAddress ?? UnsafeRawPointer(a.baseAddress!), blocks, $0.baseAddress!, ldc,
                        rows)
                }
            }
        }
    }

    /// Each generated program against the reference kernel of its layout, bit for bit: run natively where this
    /// process has the kernel (an arm64 CPU with the extension), and under qemu-aarch64 -cpu max (Debian's qemu-user,
    /// with gcc-aarch64-linux-gnu for the driver, Scripts/arm64/int8_kernel_driver.c) where those are installed, as
    /// .ci/run installs them (Scripts/setup_arm64_tools.sh). Skips without either; fails in CI.
    func testProgramsEqualTheReferenceKernels() throws {
        let native = KernelRegistry(features: .current(allowingCodeGeneration: true), codeGeneration: true)
            .int8GemmKernels
        let environment = ProcessInfo.processInfo.environment
        let tools = executable("aarch64-linux-gnu-gcc").flatMap { gcc in executable("qemu-aarch64").map { (gcc, $0) } }
        var ran: [String] = []
        for product in Int8GemmARM64JIT.Product.allCases {
            let reference = try XCTUnwrap(Int8GemmKernel.reference(columns: 8, layout: product.layout))
            let cases = cases(reference)
            if let kernel = native.first(where: { $0.name == product.kernelName }) {
                for (index, test) in cases.enumerated() {
                    var c = test.initial
                    run(kernel, test.a, test.b, blocks: test.blocks, &c, ldc: test.ldc, rows: test.rows)
                    XCTAssertEqual(c.map(\.bitPattern), test.expected.map(\.bitPattern), "\(product) case \(index)")
                }
                ran.append("\(product) natively")
            }
            if let (gcc, qemu) = tools {
                try runUnderQEMU(Int8GemmARM64JIT.program(product), cases, gcc: gcc, qemu: qemu, name: "\(product)")
                ran.append("\(product) under qemu")
            }
        }
        if ran.isEmpty {
            let message =
                "neither an arm64 CPU with the extensions nor qemu-aarch64 + aarch64-linux-gnu-gcc (Debian's qemu-user, "
                + "gcc-aarch64-linux-gnu): the generated arm64 int8 kernels are not run here"
            if environment["CI"] == "true" { XCTFail(message) }
            throw XCTSkip(message)
        }
    }

    /// Writes `program` and `cases` as the driver reads them, builds the driver for aarch64 and runs it under qemu.
    func runUnderQEMU(_ program: [UInt8], _ cases: [Case], gcc: URL, qemu: URL, name: String) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("int8-arm64-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var file = Data("I8MK".utf8)
        func append(_ value: Int) { withUnsafeBytes(of: UInt32(value).littleEndian) { file.append(contentsOf: $0) } }
        func append(_ bytes: [UInt8]) {
            append(bytes.count)
            file.append(contentsOf: bytes)
        }
        func append(_ floats: [Float]) { for value in floats { append(Int(value.bitPattern)) } }
        append(program)
        append(cases.count)
        for test in cases {
            append(test.blocks)
            append(test.rows)
            append(test.ldc)
            append(test.a)
            append(test.b)
            append(test.expected)
            append(test.initial)
        }
        let caseFile = directory.appendingPathComponent("cases.bin")
        try file.write(to: caseFile)
        let driver = directory.appendingPathComponent("driver")
        let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../Scripts/arm64/int8_kernel_driver.c").standardized
        try runTool(gcc, ["-O1", "-o", driver.path, source.path], output: nil)
        let output = directory.appendingPathComponent("output.txt")
        let process = Process()
        process.executableURL = qemu
        process.arguments = ["-cpu", "max", driver.path, caseFile.path]
        process.environment = ProcessInfo.processInfo.environment.merging(["QEMU_LD_PREFIX": "/usr/aarch64-linux-gnu"])
        { $1 }
        XCTAssertTrue(FileManager.default.createFile(atPath: output.path, contents: nil))
        process.standardOutput = try FileHandle(forWritingTo: output)
        try launch(process)
        process.waitUntilExit()
        let text = try String(contentsOf: output, encoding: .utf8)
        XCTAssertEqual(process.terminationStatus, 0, "\(name): \(text)")
        XCTAssertTrue(text.contains("int8 arm64 kernel: \(cases.count) cases, 0 values differ"), "\(name): \(text)")
    }

    /// Split packing against the definition, for both split layouts: the 15-bit integers (levels 16383, as
    /// `Int8Inputs.reference` rounds them) are 128 h + l with l in [0, 127], in the layout's places; zeros, NaN,
    /// infinities, lengths off 4, 8 and 16, fewer rows than the tile.
    func testSplitInputPackingFollowsItsDefinition() {
        var generator = NormalGenerator(seed: 43)
        for layout in [Int8GemmKernel.Layout.splitQuads, .splitOctets] {
            for k in [1, 3, 4, 9, 16, 19, 40] {
                for rows in [1, 3, 4] {
                    let (rowValues, source) = int8InputRows(&generator, rows: rows, inFeatures: k, largest: 16383)
                    let expected = rowValues.map { Int8Inputs.reference($0, levels: layout.levels) }
                    let blocks = Int8Weights.blocks(k)
                    var panel = [UInt8](repeating: 0xAB, count: layout.microPanelBytes(blocks: blocks))
                    source.withUnsafeBufferPointer { s in
                        panel.withUnsafeMutableBytes {
                            Int8Inputs.pack(
                                s.baseAddress!, rows: rows, stride: k + 2, inFeatures: k, blocks: blocks,
                                layout: layout,
                                into: $0.baseAddress!)
                        }
                    }
                    panel.withUnsafeBytes { p in
                        for r in 0..<4 {
                            let scale = p.load(fromByteOffset: 128 * blocks + 4 * r, as: Float.self)
                            if r < rows {
                                XCTAssertEqual(scale.bitPattern, expected[r].scale.bitPattern, "k \(k) row \(r) scale")
                            } else {
                                XCTAssertEqual(scale.bitPattern, 0)
                            }
                            for i in 0..<(16 * blocks) {
                                let at = layout.splitOffset(block: i / 16, row: r, input: i % 16)
                                let high = Int32(p.load(fromByteOffset: at, as: Int8.self))
                                let low = Int32(p.load(fromByteOffset: at + 64, as: Int8.self))
                                let want = r < rows && i < k ? expected[r].integers[i] : 0
                                XCTAssertTrue(
                                    (0...127).contains(low), "\(layout) k \(k) row \(r) input \(i): l = \(low)")
                                XCTAssertEqual(
                                    128 * high + low, want, "\(layout) k \(k) rows \(rows) row \(r) input \(i)")
                            }
                        }
                    }
                }
            }
            // Every byte of a panel is written: no 0xAB left (4 rows, k a whole number of blocks).
            let k = 32
            let source = generator.array(4 * k)
            var panel = [UInt8](repeating: 0xAB, count: layout.microPanelBytes(blocks: 2))
            source.withUnsafeBufferPointer { s in
                panel.withUnsafeMutableBytes {
                    Int8Inputs.pack(
                        s.baseAddress!, rows: 4, stride: k, inFeatures: k, blocks: 2, layout: layout,
                        into: $0.baseAddress!)
                }
            }
            XCTAssertFalse(panel.allSatisfy { $0 == 0xAB }, "\(layout)")
            let offsets = (0..<2).flatMap { block in
                (0..<4).flatMap { row in
                    (0..<16).flatMap { i -> [Int] in
                        let at = layout.splitOffset(block: block, row: row, input: i)
                        return [at, at + 64]
                    }
                }
            }
            XCTAssertEqual(Set(offsets).count, 256, "\(layout): every input byte has its own place")
            XCTAssertEqual(Set(offsets), Set(0..<256), "\(layout): and the places fill the blocks")
        }
        XCTAssertEqual(Int8Inputs.reference([-2, 1], levels: 16383).integers, [-16383, 8192])  // 8191.5: ties to even
    }

    /// Quads and octets hold the same integers and scales as pairs, four or eight inputs of a column side by side.
    func testWeightGroupsHoldThePairsIntegers() {
        var generator = NormalGenerator(seed: 47)
        for (columns, k) in [(8, 1), (8, 19), (8, 40), (16, 33)] {
            let weight = generator.array(columns * k)
            var panel = [Float](repeating: 0, count: k * columns)  // (k, columns)
            for i in 0..<k { for j in 0..<columns { panel[i * columns + j] = weight[j * k + i] } }
            let (integers, _) = Int8Weights.referenceIntegers(weight, outFeatures: columns, inFeatures: k)
            let bytes = Int8Weights.panelBytes(columns: columns, inFeatures: k)
            var pairs = [UInt8](repeating: 0xAB, count: bytes)
            pairs.withUnsafeMutableBytes {
                Int8Weights.quantize(panel: panel, columns: columns, inFeatures: k, into: $0.baseAddress!)
            }
            for group in [4, 8] {
                var grouped = [UInt8](repeating: 0xAB, count: bytes)
                grouped.withUnsafeMutableBytes {
                    Int8Weights.quantize(
                        panel: panel, columns: columns, inFeatures: k, group: group, into: $0.baseAddress!)
                }
                let blockBytes = Int8Weights.blockBytes(columns: columns)
                for block in 0..<Int8Weights.blocks(k) {
                    let scales = block * blockBytes + 16 * columns
                    XCTAssertEqual(grouped[scales..<(scales + 4 * columns)], pairs[scales..<(scales + 4 * columns)])
                    for j in 0..<columns {
                        for i in 0..<16 {
                            let input = 16 * block + i
                            let at = block * blockBytes + group * columns * (i / group) + group * j + i % group
                            let want = input < k ? integers[j * k + input] : 0
                            XCTAssertEqual(
                                Int32(Int8(bitPattern: grouped[at])), want,
                                "group \(group) \(columns)x\(k) column \(j) input \(input)")
                        }
                    }
                }
            }
        }
    }

    /// The features from Linux's hardware capabilities, the auxiliary vector read back, and the registry listing the
    /// kernels exactly where the features and code generation are, smmla first (the programs are mapped on this
    /// machine too, whatever its architecture, but only called on arm64).
    func testRegistryListsTheKernelsWhereTheCPUHasTheExtensions() throws {
        XCTAssertEqual(CPUFeatures.arm64(hardwareCapabilities: 1 << 20, hardwareCapabilities2: 0), .dotProduct)
        XCTAssertEqual(
            CPUFeatures.arm64(hardwareCapabilities: 1 << 20, hardwareCapabilities2: 1 << 13),
            [.dotProduct, .int8MatrixMultiply])
        XCTAssertEqual(CPUFeatures.arm64(hardwareCapabilities: ~(1 << 20), hardwareCapabilities2: ~(1 << 13)), [])
        #if os(Linux)
        XCTAssertNotNil(ExecutableCode.clearCache, "libgcc's __clear_cache, called on each generated block")
        XCTAssertEqual(CPUFeatures.auxiliaryValue(6), UInt64(sysconf(Int32(_SC_PAGESIZE))), "AT_PAGESZ")
        XCTAssertNil(CPUFeatures.auxiliaryValue(0xFFFF_FFFF))
        #endif
        func names(_ features: CPUFeatures, _ codeGeneration: Bool = true) -> [String] {
            KernelRegistry(features: features, codeGeneration: codeGeneration).int8GemmKernels.map(\.name)
        }
        XCTAssertEqual(names([.neon, .dotProduct, .int8MatrixMultiply], false), [])
        XCTAssertEqual(names([.neon]), [])
        #if os(Linux)
        XCTAssertEqual(names([.neon, .dotProduct]), ["4x8-split-int8-sdot-jit"])
        XCTAssertEqual(names([.neon, .int8MatrixMultiply]), ["4x8-split-int8-i8mm-jit"])
        let both = KernelRegistry(features: [.neon, .dotProduct, .int8MatrixMultiply], codeGeneration: true)
        XCTAssertEqual(both.int8GemmKernels.map(\.name), ["4x8-split-int8-i8mm-jit", "4x8-split-int8-sdot-jit"])
        XCTAssertEqual(both.int8GemmKernels.map(\.layout), [.splitOctets, .splitQuads])
        XCTAssertEqual(both.int8GemmKernels.map { [$0.rows, $0.columns] }, [[4, 8], [4, 8]])
        #else
        XCTAssertEqual(names([.neon, .dotProduct]), [], "no code generation off Linux")
        #endif
        XCTAssertEqual(CPUFeatures([.dotProduct, .int8MatrixMultiply]).description, "asimddp i8mm")
    }
}
