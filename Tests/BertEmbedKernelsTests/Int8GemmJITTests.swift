// The generated integer micro-kernels (CodeGeneration/Int8GemmJIT.swift) on any CPU: which of them the registry lists
// for which features, and that the two VNNI programs are the AVX2 program with each vpmaddwd + vpaddd pair fused into
// one vpdpwssd (VEX, then EVEX) and nothing else changed, as LLVM's disassembler (the toolchain's clang and
// llvm-objdump, not this package's encoder) reads them back. vpdpwssd adds the same two products to the same 32-bit
// lane, wrapping as vpaddd does (the sums never wrap: Int8GemmKernel.swift), so the three compute the same bits; where
// this CPU runs a VNNI kernel, Int8WeightTests also holds it to the reference kernel and the layers' definition.
import BertEmbedKernels
import Foundation
import XCTest
import _BertEmbedTestSupport

final class Int8GemmJITTests: XCTestCase {
    func testRegistryListsEachKernelForItsFeatures() throws {
        func names(_ features: CPUFeatures, codeGeneration: Bool = true) -> [String] {
            KernelRegistry(features: features, codeGeneration: codeGeneration).int8GemmKernels.map(\.name)
        }
        let avx2 = ["6x16-int16-avx2-jit", "6x8-int16-avx2-jit"]
        let avxVNNI = "6x8-int16-avxvnni-jit", avx512VNNI = "6x8-int16-avx512vnni-jit"
        let zmm = "6x32-int16-avx512vnni-jit"
        guard names([.avx2, .fma]) == avx2 else {
            throw XCTSkip("no executable memory here: no generated kernel is listed")
        }
        XCTAssertEqual(names([.avx2, .fma, .avxVNNI]), [avxVNNI] + avx2)
        XCTAssertEqual(names([.avx2, .fma, .avx512F, .avx512VNNI]), avx2, "EVEX on ymm registers needs AVX512VL")
        XCTAssertEqual(names([.avx2, .fma, .avx512F, .avx512VL, .avx512VNNI]), [avx512VNNI] + avx2)
        XCTAssertEqual(names([.avx2, .fma, .avx512F, .avx512BW, .avx512VNNI]), [zmm] + avx2, "zmm needs AVX512BW")
        let sapphireRapids: CPUFeatures = [
            .avx2, .fma, .f16c, .avxVNNI, .avx512F, .avx512DQ, .avx512BW, .avx512VL, .avx512VNNI, .avx512BF16,
        ]
        XCTAssertEqual(names(sapphireRapids), [zmm, avxVNNI, avx512VNNI] + avx2)
        XCTAssertEqual(KernelRegistry(features: sapphireRapids, codeGeneration: true).int8Gemm?.name, zmm)
        XCTAssertEqual(names([.avxVNNI, .avx512VNNI, .avx512VL]), [], "no AVX2 + FMA")
        XCTAssertEqual(names(sapphireRapids, codeGeneration: false), [])
    }

    func testVNNIProgramsAreTheAVX2ProgramWithProductsAndSumsFused() throws {
        let avx2 = try disassembly(Int8GemmJIT.program(.avx2))
        let vex = try disassembly(Int8GemmJIT.program(.avxVNNI))
        let evex = try disassembly(Int8GemmJIT.program(.avx512VNNI))
        // The AVX2 listing with every "vpmaddwd b, a, product" followed by "vpaddd product, sums, sums" fused into
        // "vpdpwssd b, a, sums".
        func fused(prefix: String) -> (lines: [String], count: Int) {
            var lines: [String] = [], count = 0, i = 0
            while i < avx2.count {
                let line = avx2[i].split(separator: " ").map(String.init)
                let next = i + 1 < avx2.count ? avx2[i + 1].split(separator: " ").map(String.init) : []
                if line.count == 4, line[0] == "vpmaddwd", next.count == 4, next[0] == "vpaddd",
                    next[1] == line[3] + ",", next[2] == next[3] + ","
                {
                    lines.append("\(prefix)vpdpwssd \(line[1]) \(line[2]) \(next[3])")
                    count += 1
                    i += 2
                } else {
                    lines.append(avx2[i])
                    i += 1
                }
            }
            return (lines, count)
        }
        // One body per row count (6, 5, ... 1): 21 rows' products in all.
        let rows = (1...Int8GemmKernel.tileRows).reduce(0, +), pairs = Int8Weights.blockSize / 2
        XCTAssertEqual(avx2.filter { $0.hasPrefix("vpmaddwd ") }.count, rows * pairs, avx2.joined(separator: "\n"))
        XCTAssertEqual(avx2.filter { $0 == "retq" || $0 == "ret" }.count, Int8GemmKernel.tileRows)
        let expectedVEX = fused(prefix: "{vex} "), expectedEVEX = fused(prefix: "")
        XCTAssertEqual(expectedVEX.count, rows * (pairs - 1), "every pair after a block's first is fused")
        XCTAssertEqual(vex, expectedVEX.lines)
        XCTAssertEqual(evex, expectedEVEX.lines)
        XCTAssertNotEqual(vex, avx2)
    }

    /// The zmm program is the EVEX ymm program's body on two registers per row: every row's pair of inputs meets
    /// both halves of the pair's 32 columns of weights, the first pair of a block with vpmaddwd, the rest with
    /// vpdpwssd; every instruction names zmm registers.
    func testZMMProgramDoublesTheEVEXProgramOnZMMRegisters() throws {
        let evex = try disassembly(Int8GemmJIT.program(.avx512VNNI))
        let zmm = try disassembly(Int8GemmJIT.program(.avx512VNNIZMM))
        func count(_ listing: [String], _ mnemonic: String) -> Int {
            listing.filter { $0.hasPrefix(mnemonic + " ") }.count
        }
        for mnemonic in ["vpmaddwd", "vpdpwssd", "vpmovsxbw", "vcvtdq2ps", "vfmadd231ps", "vmulps", "vmovups"] {
            XCTAssertEqual(count(zmm, mnemonic), 2 * count(evex, mnemonic), mnemonic)
        }
        XCTAssertEqual(count(zmm, "vbroadcastss"), count(evex, "vbroadcastss"), "one broadcast per row and pair")
        XCTAssertEqual(count(zmm, "vpdpwssd"), 2 * 21 * (Int8Weights.blockSize / 2 - 1))
        // Each body asks for every cache line of a block's weights and scales once per block, 4 KiB ahead.
        let lines = { (columns: Int) in (Int8Weights.blockBytes(columns: columns) + 63) / 64 }
        XCTAssertEqual(count(zmm, "prefetcht0"), Int8GemmKernel.tileRows * lines(32))
        XCTAssertEqual(count(evex, "prefetcht0"), Int8GemmKernel.tileRows * lines(8))
        XCTAssertTrue(zmm.contains { $0.hasPrefix("prefetcht0 4672(%rsi)") }, zmm.joined(separator: "\n"))
        let vector = zmm.filter { $0.hasPrefix("v") && $0 != "vzeroupper" }
        XCTAssertFalse(vector.isEmpty)
        for line in vector { XCTAssertTrue(line.contains("%zmm") && !line.contains("%ymm"), line) }
        XCTAssertEqual(zmm.filter { $0 == "retq" || $0 == "ret" }.count, Int8GemmKernel.tileRows)
    }

    /// The wide AVX2 program is the AVX2 program's products on two ymm registers per row (each broadcast pair of
    /// inputs meets both halves of the pair's 16 columns of weights), its float32 accumulators in 32-byte slots on
    /// a 32-byte-aligned stack: each block's end loads, fuses and stores every row's two slots, and the stack pointer
    /// is restored before each return.
    func testWideAVX2ProgramKeepsTheProductsAndMovesTheAccumulatorsToTheStack() throws {
        let avx2 = try disassembly(Int8GemmJIT.program(.avx2))
        let wide = try disassembly(Int8GemmJIT.program(.avx2Wide))
        func count(_ listing: [String], _ mnemonic: String) -> Int {
            listing.filter { $0.hasPrefix(mnemonic + " ") }.count
        }
        for mnemonic in ["vpmaddwd", "vpaddd", "vpmovsxbw", "vcvtdq2ps", "vfmadd231ps", "vmulps"] {
            XCTAssertEqual(count(wide, mnemonic), 2 * count(avx2, mnemonic), mnemonic)
        }
        XCTAssertEqual(count(wide, "vbroadcastss"), count(avx2, "vbroadcastss"), "one broadcast per row and pair")
        let rows = (1...Int8GemmKernel.tileRows).reduce(0, +)
        // The slots: zeroed, then per block loaded and stored, then loaded once for the output.
        XCTAssertEqual(wide.filter { $0.hasPrefix("vmovups %ymm") && $0.hasSuffix("(%rsp)") }.count, 2 * 2 * rows)
        XCTAssertEqual(wide.filter { $0.hasPrefix("vmovups ") && $0.contains("(%rsp), %ymm") }.count, 2 * 2 * rows)
        XCTAssertEqual(wide.filter { $0.hasPrefix("vfmadd231ps") && $0.contains("%ymm15") }.count, 2 * rows)
        XCTAssertEqual(
            wide.filter { $0.hasPrefix("andq $-32, %rsp") || $0.hasPrefix("andq $-0x20, %rsp") }.count,
            Int8GemmKernel.tileRows)
        XCTAssertEqual(wide.filter { $0.hasPrefix("movq %r10, %rsp") }.count, Int8GemmKernel.tileRows)
        XCTAssertEqual(wide.filter { $0 == "retq" || $0 == "ret" }.count, Int8GemmKernel.tileRows)
        for line in wide where line.hasPrefix("v") && line != "vzeroupper" {
            XCTAssertFalse(line.contains("%zmm"), line)
        }
    }
}
