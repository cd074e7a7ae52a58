// The arm64 int8 kernel (CodeGeneration/Int8GemmSDOTJIT.swift) and its split layout: the AArch64 encoder against the
// bytes GNU as gives, the program as LLVM disassembles it, the program itself run under qemu-aarch64 against the
// scalar reference kernel bit for bit (on an arm64 host with dot products, natively), the split input packing and the
// quad weight layout against their definitions, and the registry's choice from the CPU's features. (Int8WeightTests
// runs whole int8 layers through the split layout's reference kernel against the layer's definition.)
import BertEmbedKernels
import Foundation
import XCTest
import _BertEmbedTestSupport

final class Int8GemmSDOTTests: XCTestCase {
    /// Each instruction form the kernel uses, as aarch64-linux-gnu-as (binutils 2.40, -march=armv8.2-a+dotprod)
    /// encodes it.
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

    /// The program as LLVM reads it: per row count (4, 3, 2, 1) 2 x 4 quads x 2 columns of sdot per row, one shift,
    /// conversion and fused multiply-add per sum register, one fmul and st1 per row, d8-d15 saved and restored.
    func testProgramHasTheDotProductsOfEachRowCount() throws {
        let listing = try disassembly(Int8GemmSDOTJIT.program(), aarch64: true)
        func count(_ prefix: String) -> Int { listing.filter { $0.hasPrefix(prefix + " ") || $0 == prefix }.count }
        let rows = 4 + 3 + 2 + 1
        XCTAssertEqual(count("sdot"), 16 * rows, listing.joined(separator: "\n"))
        XCTAssertEqual(count("shl"), 2 * rows)
        XCTAssertEqual(count("scvtf"), 2 * rows)
        XCTAssertEqual(count("fmla"), 2 * rows)
        XCTAssertEqual(count("fmul"), 2 * rows)
        XCTAssertEqual(count("st1"), rows)
        XCTAssertEqual(count("stp"), 4 * 4)
        XCTAssertEqual(count("ldp"), 4 * 4)
        XCTAssertEqual(count("ret"), 4)
        XCTAssertEqual(listing.filter { $0.contains("<unknown>") }, [])
    }

    /// Operand sets for the kernel: blocks 0, 1, 3 and 8, random and extreme bytes (h -128 / 127, l 127, weights
    /// -127 / 127: the largest block sums), scales of every kind, each row count; the tile's c starts as a NaN pattern
    /// with a row stride of 11, and the expected c is the reference kernel's.
    func cases() -> [(blocks: Int, rows: Int, ldc: Int, a: [UInt8], b: [UInt8], expected: [Float], initial: [Float])] {
        var generator = NormalGenerator(seed: 41)
        let nr = 8, ldc = 11, layout = Int8GemmKernel.Layout.splitQuads
        var result: [(Int, Int, Int, [UInt8], [UInt8], [Float], [Float])] = []
        for blocks in [0, 1, 3, 8] {
            for extreme in [false, true] {
                var a = [UInt8](repeating: 0, count: layout.microPanelBytes(blocks: blocks))
                var b = [UInt8](repeating: 0, count: blocks * Int8Weights.blockBytes(columns: nr))
                a.withUnsafeMutableBytes { a in
                    for block in 0..<blocks {
                        for i in 0..<64 {
                            let high = extreme ? (i % 3 == 0 ? -128 : 127) : Int(generator.next(scale: 60))
                            let low = extreme ? 127 : Int(abs(generator.next(scale: 60)))
                            a.storeBytes(
                                of: Int8(max(-128, min(127, high))), toByteOffset: 128 * block + i, as: Int8.self)
                            a.storeBytes(
                                of: Int8(min(127, low)), toByteOffset: 128 * block + 64 + i, as: Int8.self)
                        }
                    }
                    for r in 0..<4 {
                        a.storeBytes(of: generator.next(), toByteOffset: 128 * blocks + 4 * r, as: Float.self)
                    }
                }
                b.withUnsafeMutableBytes { b in
                    let blockBytes = Int8Weights.blockBytes(columns: nr)
                    for block in 0..<blocks {
                        for i in 0..<(16 * nr) {
                            let value =
                                extreme
                                ? (i % 7 == 0 ? -127 : 127) : Int(max(-127, min(127, generator.next(scale: 60))))
                            b.storeBytes(of: Int8(value), toByteOffset: blockBytes * block + i, as: Int8.self)
                        }
                        for j in 0..<nr {
                            let scale: Float = j == 5 ? 0 : generator.next(scale: 1e-3)
                            b.storeBytes(of: scale, toByteOffset: blockBytes * block + 16 * nr + 4 * j, as: Float.self)
                        }
                    }
                }
                let initial = (0..<(4 * ldc)).map { Float(bitPattern: 0x7FC0_0000 | UInt32($0)) }
                for rows in 1...4 {
                    var c = initial
                    a.withUnsafeBytes { a in
                        b.withUnsafeBytes { b in
                            c.withUnsafeMutableBufferPointer {
                                Int8GemmKernel.splitReference.function(
                                    a.baseAddress!, b.baseAddress ?? UnsafeRawPointer(a.baseAddress!), blocks,
                                    $0.baseAddress!, ldc, rows)
                            }
                        }
                    }
                    XCTAssertEqual(c.filter(\.isNaN).count, 4 * ldc - nr * rows, "the reference writes \(rows) rows")
                    result.append((blocks, rows, ldc, a, b, c, initial))
                }
            }
        }
        return result
    }

    /// The generated program against the reference kernel, bit for bit: run natively where this process has the
    /// kernel (an arm64 CPU with dot products), and under qemu-aarch64 -cpu max (Debian's qemu-user, with
    /// gcc-aarch64-linux-gnu for the driver, Scripts/arm64/int8_sdot_driver.c) where those are installed, as
    /// .ci/run installs them (Scripts/check_arm64_kernels.sh). Skips without either; fails in CI.
    func testProgramEqualsTheReferenceKernel() throws {
        let cases = cases()
        var ran = false
        let native = KernelRegistry(features: .current(allowingCodeGeneration: true), codeGeneration: true)
            .int8GemmKernels.first { $0.layout == .splitQuads }
        if let native {
            for (index, test) in cases.enumerated() {
                var c = test.initial
                test.a.withUnsafeBytes { a in
                    test.b.withUnsafeBytes { b in
                        c.withUnsafeMutableBufferPointer {
                            native.function(
                                a.baseAddress!, b.baseAddress ?? UnsafeRawPointer(a.baseAddress!), test.blocks,
                                $0.baseAddress!, test.ldc, test.rows)
                        }
                    }
                }
                XCTAssertEqual(c.map(\.bitPattern), test.expected.map(\.bitPattern), "case \(index), natively")
            }
            ran = true
        }
        let environment = ProcessInfo.processInfo.environment
        if let gcc = executable("aarch64-linux-gnu-gcc"), let qemu = executable("qemu-aarch64") {
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sdot-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            var file = Data("SDOT".utf8)
            func append(_ value: Int) {
                withUnsafeBytes(of: UInt32(value).littleEndian) { file.append(contentsOf: $0) }
            }
            func append(_ bytes: [UInt8]) {
                append(bytes.count)
                file.append(contentsOf: bytes)
            }
            func append(_ floats: [Float]) { for value in floats { append(Int(value.bitPattern)) } }
            append(Int8GemmSDOTJIT.program())
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
            let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
                "../../Scripts/arm64/int8_sdot_driver.c")
            try runTool(gcc, ["-O1", "-o", driver.path, source.standardized.path], output: nil)
            let output = directory.appendingPathComponent("output.txt")
            let process = Process()
            process.executableURL = qemu
            process.arguments = ["-cpu", "max", driver.path, caseFile.path]
            process.environment = environment.merging(["QEMU_LD_PREFIX": "/usr/aarch64-linux-gnu"]) { $1 }
            XCTAssertTrue(FileManager.default.createFile(atPath: output.path, contents: nil))
            process.standardOutput = try FileHandle(forWritingTo: output)
            try launch(process)
            process.waitUntilExit()
            let text = try String(contentsOf: output, encoding: .utf8)
            XCTAssertEqual(process.terminationStatus, 0, text)
            XCTAssertTrue(text.contains("int8 sdot kernel: \(cases.count) cases, 0 values differ"), text)
            ran = true
        }
        if !ran {
            let message =
                "neither an arm64 CPU with dot products nor qemu-aarch64 + aarch64-linux-gnu-gcc (Debian's qemu-user, "
                + "gcc-aarch64-linux-gnu): the generated arm64 int8 kernel is not run here"
            if environment["CI"] == "true" { XCTFail(message) }
            throw XCTSkip(message)
        }
    }

    /// Split packing against the definition: the 15-bit integers (levels 16383, as `Int8Inputs.reference` rounds
    /// them) are 128 h + l with l in [0, 127], in the layout's places; zeros, NaN, infinities, lengths off 4 and 16,
    /// fewer rows than the tile.
    func testSplitInputPackingFollowsItsDefinition() {
        var generator = NormalGenerator(seed: 43)
        let special: [[Float]] = [
            [0.5, -1.5, 2.5, 16383, -16383, 3.5, 0, -0, -1],  // amax 16383: inverse 1, ties to even
            [Float](repeating: 0, count: 19), [1, .nan, 3], [2, 1, .infinity, 4, 5, 6, 7, 8, 9],
            [1e-30, -3e-31, Float(bitPattern: 5)], [3e38, -3e38, 1],
        ]
        let layout = Int8GemmKernel.Layout.splitQuads
        for k in [1, 3, 4, 9, 16, 19, 40] {
            for rows in [1, 3, 4] {
                var source = [Float](repeating: 0, count: rows * (k + 2))  // row stride k + 2
                var expected: [(integers: [Int32], scale: Float)] = []
                for r in 0..<rows {
                    var row = generator.array(k, scale: 5)
                    let pick = special[(k + r) % special.count]
                    if r % 2 == 1 { row = (0..<k).map { pick[$0 % pick.count] } }
                    for i in 0..<k { source[r * (k + 2) + i] = row[i] }
                    expected.append(Int8Inputs.reference(row, levels: layout.levels))
                }
                let blocks = Int8Weights.blocks(k)
                var panel = [UInt8](repeating: 0xAB, count: layout.microPanelBytes(blocks: blocks))
                source.withUnsafeBufferPointer { s in
                    panel.withUnsafeMutableBytes {
                        Int8Inputs.pack(
                            s.baseAddress!, rows: rows, stride: k + 2, inFeatures: k, blocks: blocks, layout: layout,
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
                            let at = 128 * (i / 16) + 16 * (i % 16 / 4) + 4 * r + i % 4
                            let high = Int32(p.load(fromByteOffset: at, as: Int8.self))
                            let low = Int32(p.load(fromByteOffset: at + 64, as: Int8.self))
                            let want = r < rows && i < k ? expected[r].integers[i] : 0
                            XCTAssertTrue((0...127).contains(low), "k \(k) row \(r) input \(i): l = \(low)")
                            XCTAssertEqual(128 * high + low, want, "k \(k) rows \(rows) row \(r) input \(i)")
                        }
                    }
                }
            }
        }
        XCTAssertEqual(Int8Inputs.reference([-2, 1], levels: 16383).integers, [-16383, 8192])  // 8191.5: ties to even
    }

    /// Quads hold the same integers and scales as pairs, four inputs of a column side by side.
    func testWeightQuadsHoldThePairsIntegers() {
        var generator = NormalGenerator(seed: 47)
        for (columns, k) in [(8, 1), (8, 19), (8, 40), (16, 33)] {
            let weight = generator.array(columns * k)
            var panel = [Float](repeating: 0, count: k * columns)  // (k, columns)
            for i in 0..<k { for j in 0..<columns { panel[i * columns + j] = weight[j * k + i] } }
            let (integers, _) = Int8Weights.referenceIntegers(weight, outFeatures: columns, inFeatures: k)
            let bytes = Int8Weights.panelBytes(columns: columns, inFeatures: k)
            var pairs = [UInt8](repeating: 0xAB, count: bytes), quads = pairs
            pairs.withUnsafeMutableBytes {
                Int8Weights.quantize(panel: panel, columns: columns, inFeatures: k, into: $0.baseAddress!)
            }
            quads.withUnsafeMutableBytes {
                Int8Weights.quantize(panel: panel, columns: columns, inFeatures: k, group: 4, into: $0.baseAddress!)
            }
            let blockBytes = Int8Weights.blockBytes(columns: columns)
            for block in 0..<Int8Weights.blocks(k) {
                let scales = block * blockBytes + 16 * columns
                XCTAssertEqual(quads[scales..<(scales + 4 * columns)], pairs[scales..<(scales + 4 * columns)])
                for j in 0..<columns {
                    for i in 0..<16 {
                        let input = 16 * block + i
                        let at = block * blockBytes + 4 * columns * (i / 4) + 4 * j + i % 4
                        let want = input < k ? integers[j * k + input] : 0
                        XCTAssertEqual(
                            Int32(Int8(bitPattern: quads[at])), want, "\(columns)x\(k) column \(j) input \(input)")
                    }
                }
            }
        }
    }

    /// The dot-product feature from Linux's hardware capabilities, the auxiliary vector read back, and the registry
    /// listing the kernel exactly where the feature and code generation are (the program is mapped on this machine
    /// too, whatever its architecture, but only called on arm64).
    func testRegistryListsTheKernelWhereTheCPUHasDotProducts() throws {
        XCTAssertEqual(CPUFeatures.arm64(hardwareCapabilities: 1 << 20), .dotProduct)
        XCTAssertEqual(CPUFeatures.arm64(hardwareCapabilities: ~(1 << 20)), [])
        #if os(Linux)
        XCTAssertEqual(CPUFeatures.auxiliaryValue(6), UInt64(sysconf(Int32(_SC_PAGESIZE))), "AT_PAGESZ")
        XCTAssertNil(CPUFeatures.auxiliaryValue(0xFFFF_FFFF))
        #endif
        XCTAssertEqual(
            KernelRegistry(features: [.neon, .dotProduct], codeGeneration: false).int8GemmKernels.map(\.name), [])
        XCTAssertEqual(KernelRegistry(features: [.neon], codeGeneration: true).int8GemmKernels.map(\.name), [])
        let listed = KernelRegistry(features: [.neon, .dotProduct], codeGeneration: true).int8GemmKernels
        #if os(Linux)
        XCTAssertEqual(listed.map(\.name), [Int8GemmSDOTJIT.kernelName])
        XCTAssertEqual(listed.first?.layout, .splitQuads)
        XCTAssertEqual(listed.first.map { [$0.rows, $0.columns] }, [4, 8])
        #else
        XCTAssertEqual(listed.map(\.name), [], "no code generation off Linux")
        #endif
        XCTAssertEqual(CPUFeatures.dotProduct.description, "asimddp")
    }
}
