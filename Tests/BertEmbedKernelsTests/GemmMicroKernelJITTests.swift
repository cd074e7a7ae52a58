// The run-time generated AVX2 micro-kernel: its encoder against a reference assembler, its CPU check
// against the OS, and its results against the compiled kernel it mirrors, bit for bit.
import BertEmbedKernels
import Foundation
import XCTest
import _BertEmbedTestSupport

final class GemmMicroKernelJITTests: XCTestCase {
    /// Every instruction form the encoder has, with register numbers >= 8 (REX / VEX extension bits),
    /// rsp / r12 bases (SIB byte), rbp / r13 bases (no displacement-free form), 8- and 32-bit and negative
    /// displacements. Expected bytes: `llvm-mc -triple=x86_64 -show-encoding` (LLVM 14; the VNNI lines with
    /// `-mattr=+avxvnni,+avx512vnni,+avx512vl`, the zmm integer lines with `+avx512bw`) on the AT&T lines.
    func testEncodingsEqualLLVMMC() {
        let r12 = X86Register(12), r13 = X86Register(13), rbp = X86Register(5), rsp = X86Register(4)
        let cases: [(String, (inout X86Assembler) -> Void, [UInt8])] = [
            (
                "vxorps %ymm15, %ymm9, %ymm3", { $0.vxorps(YMMRegister(3), YMMRegister(9), YMMRegister(15)) },
                [0xC4, 0xC1, 0x34, 0x57, 0xDF]
            ),
            (
                "prefetcht0 4096(%rsi)", { $0.prefetcht0(X86Memory(base: .rsi, displacement: 4096)) },
                [0x0F, 0x18, 0x8E, 0x00, 0x10, 0x00, 0x00]
            ),
            (
                "prefetcht0 64(%rsi)", { $0.prefetcht0(X86Memory(base: .rsi, displacement: 64)) },
                [0x0F, 0x18, 0x4E, 0x40]
            ),
            ("prefetcht0 (%r12)", { $0.prefetcht0(X86Memory(base: r12)) }, [0x41, 0x0F, 0x18, 0x0C, 0x24]),
            (
                "prefetcht0 4096(%r13)", { $0.prefetcht0(X86Memory(base: r13, displacement: 4096)) },
                [0x41, 0x0F, 0x18, 0x8D, 0x00, 0x10, 0x00, 0x00]
            ),
            (
                "vmovups -8(%r12), %ymm10", { $0.vmovups(YMMRegister(10), X86Memory(base: r12, displacement: -8)) },
                [0xC4, 0x41, 0x7C, 0x10, 0x54, 0x24, 0xF8]
            ),
            (
                "vmovups %ymm7, 300(%r13)", { $0.vmovups(X86Memory(base: r13, displacement: 300), YMMRegister(7)) },
                [0xC4, 0xC1, 0x7C, 0x11, 0xBD, 0x2C, 0x01, 0x00, 0x00]
            ),
            (
                "vmovups (%rbp), %ymm1", { $0.vmovups(YMMRegister(1), X86Memory(base: rbp)) },
                [0xC5, 0xFC, 0x10, 0x4D, 0x00]
            ),
            (
                "vbroadcastss 4(%rsp), %ymm14",
                { $0.vbroadcastss(YMMRegister(14), X86Memory(base: rsp, displacement: 4)) },
                [0xC4, 0x62, 0x7D, 0x18, 0x74, 0x24, 0x04]
            ),
            (
                "vaddps 64(%r9), %ymm2, %ymm11",
                { $0.vaddps(YMMRegister(11), YMMRegister(2), X86Memory(base: .r9, displacement: 64)) },
                [0xC4, 0x41, 0x6C, 0x58, 0x59, 0x40]
            ),
            (
                "vfmadd231ps %ymm15, %ymm12, %ymm0",
                { $0.vfmadd231ps(YMMRegister(0), YMMRegister(12), YMMRegister(15)) },
                [0xC4, 0xC2, 0x1D, 0xB8, 0xC7]
            ),
            (
                "vfmadd231ps %ymm2, %ymm9, %ymm13", { $0.vfmadd231ps(YMMRegister(13), YMMRegister(9), YMMRegister(2)) },
                [0xC4, 0x62, 0x35, 0xB8, 0xEA]
            ),
            (
                "vpmovsxbw 16(%rsi), %ymm12",
                { $0.vpmovsxbw(YMMRegister(12), X86Memory(base: .rsi, displacement: 16)) },
                [0xC4, 0x62, 0x7D, 0x20, 0x66, 0x10]
            ),
            (
                "vpmovsxbw -32(%r12), %ymm1", { $0.vpmovsxbw(YMMRegister(1), X86Memory(base: r12, displacement: -32)) },
                [0xC4, 0xC2, 0x7D, 0x20, 0x4C, 0x24, 0xE0]
            ),
            (
                "vpmaddwd %ymm13, %ymm12, %ymm14", { $0.vpmaddwd(YMMRegister(14), YMMRegister(12), YMMRegister(13)) },
                [0xC4, 0x41, 0x1D, 0xF5, 0xF5]
            ),
            (
                "vpmaddwd %ymm1, %ymm10, %ymm3", { $0.vpmaddwd(YMMRegister(3), YMMRegister(10), YMMRegister(1)) },
                [0xC5, 0xAD, 0xF5, 0xD9]
            ),
            (
                "vpaddd %ymm14, %ymm0, %ymm0", { $0.vpaddd(YMMRegister(0), YMMRegister(0), YMMRegister(14)) },
                [0xC4, 0xC1, 0x7D, 0xFE, 0xC6]
            ),
            (
                "vpaddd %ymm3, %ymm11, %ymm9", { $0.vpaddd(YMMRegister(9), YMMRegister(11), YMMRegister(3)) },
                [0xC5, 0x25, 0xFE, 0xCB]
            ),
            (
                "{vex} vpdpwssd %ymm13, %ymm12, %ymm0",
                { $0.vpdpwssdVEX(YMMRegister(0), YMMRegister(12), YMMRegister(13)) },
                [0xC4, 0xC2, 0x1D, 0x52, 0xC5]
            ),
            (
                "{vex} vpdpwssd %ymm1, %ymm2, %ymm11",
                { $0.vpdpwssdVEX(YMMRegister(11), YMMRegister(2), YMMRegister(1)) },
                [0xC4, 0x62, 0x6D, 0x52, 0xD9]
            ),
            (
                "{evex} vpdpwssd %ymm13, %ymm12, %ymm0",
                { $0.vpdpwssdEVEX(YMMRegister(0), YMMRegister(12), YMMRegister(13)) },
                [0x62, 0xD2, 0x1D, 0x28, 0x52, 0xC5]
            ),
            (
                "{evex} vpdpwssd %ymm1, %ymm2, %ymm11",
                { $0.vpdpwssdEVEX(YMMRegister(11), YMMRegister(2), YMMRegister(1)) },
                [0x62, 0x72, 0x6D, 0x28, 0x52, 0xD9]
            ),
            (
                "{evex} vpdpwssd %ymm7, %ymm15, %ymm8",
                { $0.vpdpwssdEVEX(YMMRegister(8), YMMRegister(15), YMMRegister(7)) },
                [0x62, 0x72, 0x05, 0x28, 0x52, 0xC7]
            ),
            ("vcvtdq2ps %ymm5, %ymm15", { $0.vcvtdq2ps(YMMRegister(15), YMMRegister(5)) }, [0xC5, 0x7C, 0x5B, 0xFD]),
            (
                "vcvtdq2ps %ymm10, %ymm2", { $0.vcvtdq2ps(YMMRegister(2), YMMRegister(10)) },
                [0xC4, 0xC1, 0x7C, 0x5B, 0xD2]
            ),
            (
                "vmulps %ymm9, %ymm1, %ymm1", { $0.vmulps(YMMRegister(1), YMMRegister(1), YMMRegister(9)) },
                [0xC4, 0xC1, 0x74, 0x59, 0xC9]
            ),
            (
                "vmulps %ymm5, %ymm12, %ymm6", { $0.vmulps(YMMRegister(6), YMMRegister(12), YMMRegister(5)) },
                [0xC5, 0x9C, 0x59, 0xF5]
            ),
            (
                "vaddps %ymm9, %ymm1, %ymm12", { $0.vaddps(YMMRegister(12), YMMRegister(1), YMMRegister(9)) },
                [0xC4, 0x41, 0x74, 0x58, 0xE1]
            ),
            (
                "vmulps 32(%rax), %ymm3, %ymm4",
                { $0.vmulps(YMMRegister(4), YMMRegister(3), X86Memory(base: .rax, displacement: 32)) },
                [0xC5, 0xE4, 0x59, 0x60, 0x20]
            ),
            (
                "vmulps 32(%r10), %ymm11, %ymm4",
                { $0.vmulps(YMMRegister(4), YMMRegister(11), X86Memory(base: X86Register(10), displacement: 32)) },
                [0xC4, 0xC1, 0x24, 0x59, 0x62, 0x20]
            ),
            (
                "vdivps %ymm10, %ymm2, %ymm3", { $0.vdivps(YMMRegister(3), YMMRegister(2), YMMRegister(10)) },
                [0xC4, 0xC1, 0x6C, 0x5E, 0xDA]
            ),
            (
                "vminps %ymm1, %ymm15, %ymm2", { $0.vminps(YMMRegister(2), YMMRegister(15), YMMRegister(1)) },
                [0xC5, 0x84, 0x5D, 0xD1]
            ),
            (
                "vmaxps %ymm0, %ymm14, %ymm9", { $0.vmaxps(YMMRegister(9), YMMRegister(14), YMMRegister(0)) },
                [0xC5, 0x0C, 0x5F, 0xC8]
            ),
            (
                "vcmpltps %ymm14, %ymm0, %ymm5", { $0.vcmpltps(YMMRegister(5), YMMRegister(0), YMMRegister(14)) },
                [0xC4, 0xC1, 0x7C, 0xC2, 0xEE, 0x01]
            ),
            (
                "vcmpltps %ymm14, %ymm8, %ymm13", { $0.vcmpltps(YMMRegister(13), YMMRegister(8), YMMRegister(14)) },
                [0xC4, 0x41, 0x3C, 0xC2, 0xEE, 0x01]
            ),
            (
                "vandnps %ymm3, %ymm5, %ymm3", { $0.vandnps(YMMRegister(3), YMMRegister(5), YMMRegister(3)) },
                [0xC5, 0xD4, 0x55, 0xDB]
            ),
            (
                "vandnps %ymm12, %ymm13, %ymm1", { $0.vandnps(YMMRegister(1), YMMRegister(13), YMMRegister(12)) },
                [0xC4, 0xC1, 0x14, 0x55, 0xCC]
            ),
            (
                "leaq 16(%rip), %r10",
                {
                    let label = $0.newLabel()
                    $0.lea(X86Register(10), label)
                    $0.emit([UInt8](repeating: 0x90, count: 16))
                    $0.bind(label)
                },
                [0x4C, 0x8D, 0x15, 0x10, 0x00, 0x00, 0x00] + [UInt8](repeating: 0x90, count: 16)
            ),
            // AVX-512 on zmm (`-mattr=+avx512f`): registers 16-31 (R', X, V'), disp8 x 64 and x 4 (a broadcast).
            (
                "vpxord %zmm23, %zmm17, %zmm9", { $0.vpxord(ZMMRegister(9), ZMMRegister(17), ZMMRegister(23)) },
                [0x62, 0x31, 0x75, 0x40, 0xEF, 0xCF]
            ),
            (
                "vpxord %zmm0, %zmm0, %zmm0", { $0.vpxord(ZMMRegister(0), ZMMRegister(0), ZMMRegister(0)) },
                [0x62, 0xF1, 0x7D, 0x48, 0xEF, 0xC0]
            ),
            (
                "vmovups %zmm25, 128(%rsi)",
                { $0.vmovups(X86Memory(base: .rsi, displacement: 128), ZMMRegister(25)) },
                [0x62, 0x61, 0x7C, 0x48, 0x11, 0x4E, 0x02]
            ),
            (
                "vmovups %zmm3, 300(%r13)", { $0.vmovups(X86Memory(base: r13, displacement: 300), ZMMRegister(3)) },
                [0x62, 0xD1, 0x7C, 0x48, 0x11, 0x9D, 0x2C, 0x01, 0x00, 0x00]
            ),
            (
                "vmovups 64(%rsi), %zmm24", { $0.vmovups(ZMMRegister(24), X86Memory(base: .rsi, displacement: 64)) },
                [0x62, 0x61, 0x7C, 0x48, 0x10, 0x46, 0x01]
            ),
            (
                "vbroadcastss 44(%rdi), %zmm31",
                { $0.vbroadcastss(ZMMRegister(31), X86Memory(base: .rdi, displacement: 44)) },
                [0x62, 0x62, 0x7D, 0x48, 0x18, 0x7F, 0x0B]
            ),
            (
                "vbroadcastss 2(%r12), %zmm5",
                { $0.vbroadcastss(ZMMRegister(5), X86Memory(base: r12, displacement: 2)) },
                [0x62, 0xD2, 0x7D, 0x48, 0x18, 0xAC, 0x24, 0x02, 0x00, 0x00, 0x00]
            ),
            (
                "vfmadd231ps %zmm24, %zmm26, %zmm23",
                { $0.vfmadd231ps(ZMMRegister(23), ZMMRegister(26), ZMMRegister(24)) },
                [0x62, 0x82, 0x2D, 0x40, 0xB8, 0xF8]
            ),
            (
                "vfmadd231ps %zmm9, %zmm30, %zmm1", { $0.vfmadd231ps(ZMMRegister(1), ZMMRegister(30), ZMMRegister(9)) },
                [0x62, 0xD2, 0x0D, 0x40, 0xB8, 0xC9]
            ),
            (
                "vaddps 64(%rax), %zmm22, %zmm22",
                { $0.vaddps(ZMMRegister(22), ZMMRegister(22), X86Memory(base: .rax, displacement: 64)) },
                [0x62, 0xE1, 0x4C, 0x40, 0x58, 0x70, 0x01]
            ),
            (
                "vaddps -8(%rcx), %zmm2, %zmm18",
                { $0.vaddps(ZMMRegister(18), ZMMRegister(2), X86Memory(base: .rcx, displacement: -8)) },
                [0x62, 0xE1, 0x6C, 0x48, 0x58, 0x91, 0xF8, 0xFF, 0xFF, 0xFF]
            ),
            (
                "vmulps %zmm27, %zmm14, %zmm14",
                { $0.vmulps(ZMMRegister(14), ZMMRegister(14), ZMMRegister(27)) },
                [0x62, 0x11, 0x0C, 0x48, 0x59, 0xF3]
            ),
            (
                "vpmovsxbw 480(%rsi), %zmm24",
                { $0.vpmovsxbw(ZMMRegister(24), X86Memory(base: .rsi, displacement: 480)) },
                [0x62, 0x62, 0x7D, 0x48, 0x20, 0x46, 0x0F]
            ),
            (
                "vpmovsxbw 4(%r12), %zmm2",
                { $0.vpmovsxbw(ZMMRegister(2), X86Memory(base: r12, displacement: 4)) },
                [0x62, 0xD2, 0x7D, 0x48, 0x20, 0x94, 0x24, 0x04, 0x00, 0x00, 0x00]
            ),
            (
                "vpmaddwd %zmm26, %zmm24, %zmm11",
                { $0.vpmaddwd(ZMMRegister(11), ZMMRegister(24), ZMMRegister(26)) },
                [0x62, 0x11, 0x3D, 0x40, 0xF5, 0xDA]
            ),
            (
                "vpdpwssd %zmm26, %zmm25, %zmm11",
                { $0.vpdpwssd(ZMMRegister(11), ZMMRegister(25), ZMMRegister(26)) },
                [0x62, 0x12, 0x35, 0x40, 0x52, 0xDA]
            ),
            (
                "vpdpwssd %zmm9, %zmm17, %zmm0",
                { $0.vpdpwssd(ZMMRegister(0), ZMMRegister(17), ZMMRegister(9)) },
                [0x62, 0xD2, 0x75, 0x40, 0x52, 0xC1]
            ),
            (
                "vcvtdq2ps %zmm11, %zmm27",
                { $0.vcvtdq2ps(ZMMRegister(27), ZMMRegister(11)) },
                [0x62, 0x41, 0x7C, 0x48, 0x5B, 0xDB]
            ),
            // The bfloat16 twins' widening (`-mattr=+avx512f,+avx2`).
            (
                "vpslld $16, %ymm13, %ymm12", { $0.vpslld(YMMRegister(12), YMMRegister(13), 16) },
                [0xC4, 0xC1, 0x1D, 0x72, 0xF5, 0x10]
            ),
            (
                "vpslld $16, %ymm1, %ymm2", { $0.vpslld(YMMRegister(2), YMMRegister(1), 16) },
                [0xC5, 0xED, 0x72, 0xF1, 0x10]
            ),
            (
                "vpand %ymm15, %ymm13, %ymm13", { $0.vpand(YMMRegister(13), YMMRegister(13), YMMRegister(15)) },
                [0xC4, 0x41, 0x15, 0xDB, 0xEF]
            ),
            (
                "vpand %ymm1, %ymm2, %ymm3", { $0.vpand(YMMRegister(3), YMMRegister(2), YMMRegister(1)) },
                [0xC5, 0xED, 0xDB, 0xD9]
            ),
            (
                "vpcmpeqd %ymm15, %ymm15, %ymm15", { $0.vpcmpeqd(YMMRegister(15), YMMRegister(15), YMMRegister(15)) },
                [0xC4, 0x41, 0x05, 0x76, 0xFF]
            ),
            (
                "vpandd %zmm31, %zmm25, %zmm25", { $0.vpandd(ZMMRegister(25), ZMMRegister(25), ZMMRegister(31)) },
                [0x62, 0x01, 0x35, 0x40, 0xDB, 0xCF]
            ),
            (
                "vpandd %zmm1, %zmm2, %zmm3", { $0.vpandd(ZMMRegister(3), ZMMRegister(2), ZMMRegister(1)) },
                [0x62, 0xF1, 0x6D, 0x48, 0xDB, 0xD9]
            ),
            (
                "vpternlogd $255, %zmm31, %zmm31, %zmm31",
                { $0.vpternlogd(ZMMRegister(31), ZMMRegister(31), ZMMRegister(31), 0xFF) },
                [0x62, 0x03, 0x05, 0x40, 0x25, 0xFF, 0xFF]
            ),
            (
                "vpternlogd $255, %zmm1, %zmm2, %zmm3",
                { $0.vpternlogd(ZMMRegister(3), ZMMRegister(2), ZMMRegister(1), 0xFF) },
                [0x62, 0xF3, 0x6D, 0x48, 0x25, 0xD9, 0xFF]
            ),
            (
                "vpslld $16, %zmm25, %zmm24", { $0.vpslld(ZMMRegister(24), ZMMRegister(25), 16) },
                [0x62, 0x91, 0x3D, 0x40, 0x72, 0xF1, 0x10]
            ),
            ("movq %rcx, %rax", { $0.mov(.rax, .rcx) }, [0x48, 0x89, 0xC8]),
            ("movq %r8, %rbx", { $0.mov(.rbx, .r8) }, [0x4C, 0x89, 0xC3]),
            ("addq $96, %rdi", { $0.add(.rdi, 96) }, [0x48, 0x83, 0xC7, 0x60]),
            ("addq $256, %rsi", { $0.add(.rsi, 256) }, [0x48, 0x81, 0xC6, 0x00, 0x01, 0x00, 0x00]),
            ("addq $-4, %r9", { $0.add(.r9, -4) }, [0x49, 0x83, 0xC1, 0xFC]),
            ("addq %r8, %rax", { $0.add(.rax, .r8) }, [0x4C, 0x01, 0xC0]),
            ("shlq $2, %r8", { $0.shl(.r8, 2) }, [0x49, 0xC1, 0xE0, 0x02]),
            ("subq $1, %rdx", { $0.sub(.rdx, 1) }, [0x48, 0x83, 0xEA, 0x01]),
            ("cmpq $4, %rdx", { $0.cmp(.rdx, 4) }, [0x48, 0x83, 0xFA, 0x04]),
            ("testq %r9, %r9", { $0.test(.r9, .r9) }, [0x4D, 0x85, 0xC9]),
            ("vzeroupper", { $0.vzeroupper() }, [0xC5, 0xF8, 0x77]),
            ("retq", { $0.ret() }, [0xC3]),
            ("testb %r9b, %r9b", { $0.testLowBytes(.r9, .r9) }, [0x45, 0x84, 0xC9]),
            ("testb %sil, %sil", { $0.testLowBytes(.rsi, .rsi) }, [0x40, 0x84, 0xF6]),
            ("testb %al, %cl", { $0.testLowBytes(.rcx, .rax) }, [0x84, 0xC1]),
        ]
        for (source, emit, expected) in cases {
            var assembler = X86Assembler()
            emit(&assembler)
            XCTAssertEqual(assembler.finish(), expected, source)
        }
    }

    /// Alignment pads with the SDM's multi-byte NOPs, longest first (9 + 6 bytes after a 1-byte instruction),
    /// and adds nothing at a boundary. (The bytes of each NOP: `llvm-objdump` decodes them as nopw / nopl.)
    func testAlignPadsWithMultiByteNops() {
        var assembler = X86Assembler()
        assembler.ret()
        assembler.align(16)
        assembler.align(16)
        XCTAssertEqual(
            assembler.finish(),
            [0xC3, 0x66, 0x0F, 0x1F, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00, 0x66, 0x0F, 0x1F, 0x44, 0x00, 0x00])
    }

    func testJumpsArePatchedRelativeToTheNextInstruction() {
        var assembler = X86Assembler()
        let back = assembler.newLabel(), forward = assembler.newLabel()
        assembler.bind(back)
        assembler.ret()  // 1 byte at 0
        assembler.jump(if: .notZero, to: forward)  // 6 bytes at 1: target 13, next 7 -> +6
        assembler.jump(to: back)  // 5 bytes at 7: target 0, next 12 -> -12
        assembler.ret()  // at 12
        assembler.bind(forward)  // 13
        XCTAssertEqual(assembler.finish(), [0xC3, 0x0F, 0x85, 6, 0, 0, 0, 0xE9, 0xF4, 0xFF, 0xFF, 0xFF, 0xC3])
    }

    /// The cpuid/xgetbv reading (x86-64) or the auxiliary vector's capabilities (arm64) agree with what Linux reports
    /// in /proc/cpuinfo ("flags", "Features"; the same names), which lists a feature only when both the CPU and the
    /// kernel support it, for every feature the registry knows.
    func testFeaturesAreThoseLinuxReports() throws {
        #if os(Linux) && (arch(x86_64) || arch(arm64))
        let cpuinfo = try String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)
        let prefix = CPUFeatures.baseline.contains(.neon) ? "Features" : "flags"
        guard let line = cpuinfo.split(separator: "\n").first(where: { $0.hasPrefix(prefix) }) else {
            return XCTFail("no \(prefix) line in /proc/cpuinfo")
        }
        let names = Set(line.split(separator: " ").map(String.init))
        let features = CPUFeatures.current(allowingCodeGeneration: true)
        for (feature, name) in CPUFeatures.names where name != "neon" {
            XCTAssertEqual(features.contains(feature), names.contains(name), name)
        }
        XCTAssertEqual(
            CPUFeatures.current(allowingCodeGeneration: false), .baseline, "no probe without code generation")
        #else
        XCTAssertEqual(CPUFeatures.current(allowingCodeGeneration: true), .baseline)
        #endif
    }

    /// Same FMA per element in the same order as the compiled kernel it mirrors (`gemm6x16SIMD8FMA`: a `fmaf` per
    /// lane in a default build, vfmadd with -target-cpu native: both one rounding), so the outputs must be equal bit
    /// for bit, for every remainder of the 4-step unrolled loop, both store modes, and a row stride wider than the
    /// tile whose cells outside the tile must stay untouched.
    func testAVX2KernelBitIdenticalToTheCompiledFMAKernel() throws {
        try checkBitIdentical(generated: "6x16-avx2-jit", compiled: "6x16-simd8-fma", needs: "AVX2 + FMA")
    }

    /// The same for the AVX-512 tile and `gemm12x32SIMD16FMA`.
    func testAVX512KernelBitIdenticalToTheCompiledFMAKernel() throws {
        try checkBitIdentical(generated: "12x32-avx512-jit", compiled: "12x32-simd16-fma", needs: "AVX-512")
    }

    private func checkBitIdentical(generated: String, compiled twin: String, needs: String) throws {
        let jit = try generatedKernel(generated, needs: needs)
        let compiled = try XCTUnwrap(runnableKernels.first { $0.name == twin }, "no compiled kernel \(twin)")
        XCTAssertEqual([jit.rows, jit.columns], [compiled.rows, compiled.columns])
        compareTiles(
            generated, rows: jit.rows, columns: jit.columns, seed: 42,
            reference: { compiled.function($0, $1, $2, &$3, $4, $5) }, tile: { jit.function($0, $1, $2, &$3, $4, $5) })
    }

    /// The generated kernel `name`, or a skip naming what it `needs` and what this CPU has.
    private func generatedKernel(_ name: String, needs: String) throws -> GemmKernel {
        guard let kernel = runnableKernels.first(where: { $0.name == name }) else {
            throw XCTSkip(
                "\(name) needs Linux x86-64 with \(needs) (this CPU: "
                    + "\(CPUFeatures.current(allowingCodeGeneration: true)))")
        }
        return kernel
    }

    /// A tile called with arrays: (a, b, kc, c, ldc, accumulate), b as float32 weights.
    private typealias Tile = ([Float], [Float], Int, inout [Float], Int, Bool) -> Void

    /// `tile` against `reference` (same weights b, as float32), bit for bit, on a rows x columns tile: k for every
    /// remainder of the 4-step unrolled loop, both store modes, a row stride wider than the tile whose cells outside
    /// it must stay untouched. Weights from `weight` (default: small exact values).
    private func compareTiles(
        _ label: String, rows: Int, columns: Int, seed: UInt64, weight: ((inout SplitMix64) -> Float)? = nil,
        reference: Tile, tile: Tile
    ) {
        var random = SplitMix64(seed: seed)
        func value() -> Float { Float(Int(random.next() % 2001) - 1000) / 337 }
        for kc in [0, 1, 2, 3, 4, 5, 7, 8, 9, 31, 256, 385] {
            for accumulate in [false, true] {
                let ldc = columns + 21
                let a = (0..<(rows * kc)).map { _ in value() }
                let b = (0..<(columns * kc)).map { _ in weight?(&random) ?? value() }
                let start = (0..<(rows * ldc)).map { _ in value() }
                var expected = start, actual = start
                reference(a, b, kc, &expected, ldc, accumulate)
                tile(a, b, kc, &actual, ldc, accumulate)
                let differing = (0..<actual.count).filter { actual[$0].bitPattern != expected[$0].bitPattern }
                XCTAssertEqual(differing, [], "\(label) kc \(kc) accumulate \(accumulate): cells that differ")
                for r in 0..<rows {
                    for j in columns..<ldc {
                        XCTAssertEqual(actual[r * ldc + j], start[r * ldc + j], "\(label): outside the tile")
                    }
                }
            }
        }
    }

    /// Each generated tile's bfloat16 twin, on a panel of bfloat16 pairs, equals the tile on the same weights widened
    /// to float32, bit for bit: the widening in registers is exact and puts each column where the float32 panel has
    /// it (a pairing or masking slip moves or truncates columns, which this sees), with the same FMA order; every
    /// remainder of the unrolled loop, both store modes, cells outside the tile untouched.
    func testAVX2BFloat16TwinBitIdenticalToTheTileOnWidenedWeights() throws {
        try checkBFloat16Twin(generated: "6x16-avx2-jit", needs: "AVX2 + FMA")
    }

    /// The same for the AVX-512 tile's twin.
    func testAVX512BFloat16TwinBitIdenticalToTheTileOnWidenedWeights() throws {
        try checkBFloat16Twin(generated: "12x32-avx512-jit", needs: "AVX-512")
    }

    private func checkBFloat16Twin(generated: String, needs: String) throws {
        let jit = try generatedKernel(generated, needs: needs)
        let twin = try XCTUnwrap(jit.bfloat16Function, "\(generated) has no bfloat16 twin")
        let columns = jit.columns
        // Weights with all 32 bits random (mantissas that bfloat16 rounds away, both signs, wide exponents).
        compareTiles(
            "\(generated) bfloat16", rows: jit.rows, columns: columns, seed: 43,
            weight: { Float(bitPattern: UInt32(truncatingIfNeeded: $0.next()) & 0xBFFF_FFFF) },
            reference: { a, b, kc, c, ldc, accumulate in  // the float32 tile on the rounded weights widened back
                jit.function(a, b.map { BFloat16.widening(BFloat16.rounding($0)) }, kc, &c, ldc, accumulate)
            },
            tile: { a, b, kc, c, ldc, accumulate in
                if kc > 0 { XCTAssertNotEqual(b.map { BFloat16.widening(BFloat16.rounding($0)) }, b, "bits are lost") }
                var pairs = [UInt16](repeating: 0, count: b.count)
                b.withUnsafeBufferPointer { source in
                    pairs.withUnsafeMutableBufferPointer { target in
                        if let from = source.baseAddress, let to = target.baseAddress {
                            BFloat16.roundPairs(from, into: to, rows: kc, columns: columns)
                        }
                    }
                }
                twin(a, pairs, kc, &c, ldc, accumulate)
            })
    }

    /// Both bfloat16 twins decode (any CPU) to their loops: per k step one load of pairs, one shift, one mask, the
    /// tile's FMAs and broadcasts, and one prefetch per 64 bytes of weights (every step on AVX-512, every other step
    /// of the unrolled loop on AVX2, plus the single step's); the mask built once from all ones.
    func testBFloat16TwinsDisassemble() throws {
        let programs = [
            (
                "avx2", GemmMicroKernelJIT.program(weights: .bfloat16Pairs), 12, 6, 2 + 1,
                [
                    "vpcmpeqd %ymm15, %ymm15, %ymm15", "vpslld $16, %ymm15, %ymm15", "vpslld $16, %ymm13, %ymm12",
                    "vpand %ymm15, %ymm13, %ymm13", "vmovups 96(%rsi), %ymm13", "prefetcht0 4160(%rsi)",
                    "vbroadcastss 92(%rdi), %ymm14",
                ]
            ),
            (
                "avx512", GemmMicroKernelJIT.avx512Program(weights: .bfloat16Pairs), 24, 12, 4 + 1,
                [
                    "vpternlogd $255, %zmm31, %zmm31, %zmm31", "vpslld $16, %zmm31, %zmm31",
                    "vpslld $16, %zmm25, %zmm24", "vpandd %zmm31, %zmm25, %zmm25", "vmovups 192(%rsi), %zmm25",
                    "prefetcht0 4288(%rsi)", "vbroadcastss 188(%rdi), %zmm27",
                ]
            ),
        ]
        for (name, program, fmas, broadcasts, prefetches, lines) in programs {
            let text = try disassembly(program)
            let listing = text.joined(separator: "\n")
            let mnemonics = text.map { $0.split(separator: " ").first.map(String.init) ?? "" }
            XCTAssertEqual(mnemonics.filter { $0 == "vfmadd231ps" }.count, 5 * fmas, "\(name)\n\(listing)")
            XCTAssertEqual(mnemonics.filter { $0 == "vbroadcastss" }.count, 5 * broadcasts, name)
            XCTAssertEqual(mnemonics.filter { $0 == "vpslld" }.count, 5 + 1, name)
            XCTAssertEqual(mnemonics.filter { $0 == "vpand" || $0 == "vpandd" }.count, 5, name)
            XCTAssertEqual(mnemonics.filter { $0 == "vmovups" }.count, 5 + fmas, "\(name): loads, then stores")
            XCTAssertEqual(mnemonics.filter { $0 == "prefetcht0" }.count, prefetches, "\(name)\n\(listing)")
            for line in lines {
                XCTAssertTrue(text.contains { $0.hasPrefix(line) }, "\(name): \(line) in\n\(listing)")
            }
            XCTAssertFalse(text.contains { $0.contains("<unknown>") || $0.contains("(bad)") }, listing)
        }
    }

    /// The 12x32 AVX-512 program decodes, with LLVM's disassembler (any CPU), to its loop: 24 FMAs, 12 broadcasts
    /// and 2 prefetches (the step's two cache lines of weights, 4 KiB ahead) per k step, accumulators and operands in
    /// zmm0-31.
    func testAVX512ProgramDisassembles() throws {
        let text = try disassembly(GemmMicroKernelJIT.avx512Program())
        let mnemonics = text.map { $0.split(separator: " ").first.map(String.init) ?? "" }
        // 4 unrolled steps + 1 single step of 24 FMAs and 12 broadcasts each; 24 stores, 24 adds, 24 zeroings.
        XCTAssertEqual(mnemonics.filter { $0 == "vfmadd231ps" }.count, 5 * 24, text.joined(separator: "\n"))
        XCTAssertEqual(mnemonics.filter { $0 == "vbroadcastss" }.count, 5 * 12)
        XCTAssertEqual(mnemonics.filter { $0 == "vpxord" }.count, 24)
        XCTAssertEqual(mnemonics.filter { $0 == "vaddps" }.count, 24)
        XCTAssertEqual(mnemonics.filter { $0 == "prefetcht0" }.count, 5 * 2)
        let listing = text.joined(separator: "\n")
        for line in [
            "vfmadd231ps %zmm25, %zmm31, %zmm23", "vmovups 448(%rsi), %zmm25", "vbroadcastss 188(%rdi), %zmm31",
            "vmovups %zmm23, 64(%rax)", "prefetcht0 4096(%rsi)", "prefetcht0 4544(%rsi)",
        ] {
            XCTAssertTrue(text.contains { $0.hasPrefix(line) }, "\(line) in\n\(listing)")
        }
        XCTAssertFalse(text.contains { $0.contains("<unknown>") || $0.contains("(bad)") }, text.joined(separator: "\n"))
    }

    /// A perf map directory setting names the generated code in <directory>/perf-<pid>.map for `perf report`.
    func testPerfMapNamesTheGeneratedCode() throws {
        guard runnableKernels.contains(where: { $0.isGenerated }) else {
            throw XCTSkip("the generated kernel needs Linux x86-64 with AVX2 + FMA")
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("perf-map-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        _ = try ComputeContext(
            settings: ComputeSettings(perfMapDirectory: directory.path), environment: EnvironmentOverrides())
        let map = directory.appendingPathComponent("perf-\(ProcessInfo.processInfo.processIdentifier).map")
        let lines = try String(contentsOf: map, encoding: .utf8).split(separator: "\n")
        XCTAssertTrue(lines.contains { $0.hasSuffix(" bert-embed-gemm-6x16-avx2-jit") }, "\(lines)")
        for line in lines {  // "<start hex> <size hex> <name>"
            let fields = line.split(separator: " ")
            XCTAssertEqual(fields.count, 3, String(line))
            XCTAssertNotNil(UInt(fields[0], radix: 16), String(line))
            XCTAssertNotNil(Int(fields[1], radix: 16), String(line))
        }
    }
}
