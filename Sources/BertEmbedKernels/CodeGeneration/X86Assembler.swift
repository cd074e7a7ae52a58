// A minimal x86-64 machine-code encoder: the handful of general-purpose, AVX2 (VEX-encoded) and AVX-512 (EVEX, one
// instruction) instructions the run-time generated micro-kernels need (GemmMicroKernelJIT.swift, Int8GemmJIT.swift),
// with labels. Encodings follow the Intel SDM, volume 2 (ModRM/SIB/REX in 2.1-2.2, VEX in 2.3, EVEX in 2.7).
//
// Why generate code at all: Swift has no per-function target attribute and no run-time CPU dispatch,
// and a package used as a dependency may not pass `-target-cpu`; so a default build is limited to SSE2.
// Encoding the one hot loop at run time, after asking the CPU (X86Features.swift), gives every build
// the AVX2 FMA kernel. Nothing here depends on input data: the program is fixed, only its bytes.

/// A general-purpose 64-bit register, by its encoding number (rax = 0 ... r15 = 15).
package struct X86Register: Equatable {
    /// The encoding number.
    package let number: UInt8
    /// Register `number`, 0 ..< 16.
    package init(_ number: Int) {
        precondition((0..<16).contains(number))
        self.number = UInt8(number)
    }
    package static let rax = X86Register(0), rcx = X86Register(1), rdx = X86Register(2), rbx = X86Register(3)
    package static let rsp = X86Register(4)
    package static let rsi = X86Register(6), rdi = X86Register(7), r8 = X86Register(8), r9 = X86Register(9)
    package static let r10 = X86Register(10), r11 = X86Register(11)
}

/// A 256-bit AVX register ymm0 ... ymm15.
package struct YMMRegister: Equatable {
    /// The encoding number.
    package let number: UInt8
    /// ymm`number`, 0 ..< 16.
    package init(_ number: Int) {
        precondition((0..<16).contains(number))
        self.number = UInt8(number)
    }
}

/// A 512-bit AVX-512 register zmm0 ... zmm15 (its low 256 bits are ymm of the same number).
package struct ZMMRegister: Equatable {
    /// The encoding number.
    package let number: UInt8
    /// zmm`number`, 0 ..< 32.
    package init(_ number: Int) {
        precondition((0..<32).contains(number))
        self.number = UInt8(number)
    }
}

/// An AVX-512 opmask register k1 ... k7 (k0, "no mask", is not named).
package struct OpmaskRegister: Equatable {
    /// The encoding number.
    package let number: UInt8
    /// k`number`, 1 ..< 8.
    package init(_ number: Int) {
        precondition((1..<8).contains(number))
        self.number = UInt8(number)
    }
}

/// An AMX tile register tmm0 ... tmm7.
package struct TileRegister: Equatable {
    /// The encoding number.
    package let number: UInt8
    /// tmm`number`, 0 ..< 8.
    package init(_ number: Int) {
        precondition((0..<8).contains(number))
        self.number = UInt8(number)
    }
}

/// A memory operand `[base + displacement]`.
package struct X86Memory {
    /// The base register.
    package let base: X86Register
    /// The byte offset from it.
    package let displacement: Int32
    /// `[base + displacement]`.
    package init(base: X86Register, displacement: Int32 = 0) {
        self.base = base
        self.displacement = displacement
    }
}

/// Appends machine code to `bytes`; labels are resolved by `finish()`.
package struct X86Assembler {
    /// A jump target: bind it once with `bind`, jump to it any number of times.
    package struct Label { fileprivate let id: Int }

    /// The code so far (jumps not yet patched).
    package private(set) var bytes: [UInt8] = []
    private var labels = CodeLabels<Int>()  // references: the offsets of rel32 fields to patch

    /// An empty program.
    package init() {}

    /// A label not bound yet.
    package mutating func newLabel() -> Label {
        Label(id: labels.new())
    }

    /// Binds `label` to the current position.
    package mutating func bind(_ label: Label) {
        labels.bind(label.id, to: bytes.count)
    }

    /// The code with every jump patched.
    package mutating func finish() -> [UInt8] {
        for (at, target) in labels.resolve() {
            let relative = Int32(target - (at + 4))
            withUnsafeBytes(of: relative.littleEndian) { bytes.replaceSubrange(at..<at + 4, with: $0) }
        }
        return bytes
    }

    // MARK: General-purpose instructions

    private mutating func rex(w: Bool, reg: UInt8, rm: UInt8) {
        let value = 0x40 | (w ? 8 : 0) | ((reg >> 3) & 1) << 2 | ((rm >> 3) & 1)
        if value != 0x40 { bytes.append(value) }
    }

    private mutating func modRM(mod: UInt8, reg: UInt8, rm: UInt8) {
        bytes.append(mod << 6 | (reg & 7) << 3 | (rm & 7))
    }

    /// ModRM.mod for `displacement` from `base`: 0 (none; rbp / r13 always need one), 1 (8 bits, counted in units of
    /// `scale`: EVEX's disp8 x N, 1 elsewhere) or 2 (32 bits, never scaled).
    private func displacementMode(_ displacement: Int32, base: X86Register, scale: Int32 = 1) -> UInt8 {
        if displacement == 0 && base.number & 7 != 5 { return 0 }
        return displacement % scale == 0 && (-128...127).contains(displacement / scale) ? 1 : 2
    }

    /// The displacement's bytes for ModRM.mod `mod` (`displacementMode`).
    private mutating func appendDisplacement(_ displacement: Int32, mod: UInt8, scale: Int32 = 1) {
        if mod == 1 { bytes.append(UInt8(bitPattern: Int8(displacement / scale))) }
        if mod == 2 { withUnsafeBytes(of: displacement.littleEndian) { bytes.append(contentsOf: $0) } }
    }

    /// ModRM (+ SIB) (+ displacement) for `[base + displacement]` with `reg` in the reg field; an EVEX instruction
    /// reading `scale` bytes counts an 8-bit displacement in units of it.
    private mutating func memoryOperand(reg: UInt8, _ memory: X86Memory, scale: Int32 = 1) {
        let mod = displacementMode(memory.displacement, base: memory.base, scale: scale)
        modRM(mod: mod, reg: reg, rm: memory.base.number)
        if memory.base.number & 7 == 4 { bytes.append(0x24) }  // rsp / r12 need a SIB byte: no index, that base
        appendDisplacement(memory.displacement, mod: mod, scale: scale)
    }

    /// A 64-bit register-to-register instruction: REX.W, `opcode`, ModRM with `source` in reg.
    private mutating func registerForm(_ opcode: UInt8, _ destination: X86Register, _ source: X86Register) {
        rex(w: true, reg: source.number, rm: destination.number)
        bytes.append(opcode)
        modRM(mod: 3, reg: source.number, rm: destination.number)
    }

    /// A 64-bit instruction of the immediate group (opcode 83 with an 8-bit immediate, 81 with 32 bits; the
    /// operation in ModRM.reg: 0 add, 4 and, 5 sub, 7 cmp).
    private mutating func immediateForm(_ operation: UInt8, _ register: X86Register, _ immediate: Int32) {
        rex(w: true, reg: 0, rm: register.number)
        let short = (-128...127).contains(immediate)
        bytes.append(short ? 0x83 : 0x81)
        modRM(mod: 3, reg: operation, rm: register.number)
        if short {
            bytes.append(UInt8(bitPattern: Int8(immediate)))
        } else {
            withUnsafeBytes(of: immediate.littleEndian) { bytes.append(contentsOf: $0) }
        }
    }

    /// `mov destination, source` (64-bit).
    package mutating func mov(_ destination: X86Register, _ source: X86Register) {
        registerForm(0x89, destination, source)
    }

    /// `mov destination, qword [memory]` (64-bit load).
    package mutating func mov(_ destination: X86Register, _ memory: X86Memory) {
        rex(w: true, reg: destination.number, rm: memory.base.number)
        bytes.append(0x8B)
        memoryOperand(reg: destination.number, memory)
    }

    /// `mov register, immediate` (64-bit, immediate sign-extended).
    package mutating func mov(_ register: X86Register, _ immediate: Int32) {
        rex(w: true, reg: 0, rm: register.number)
        bytes.append(0xC7)
        modRM(mod: 3, reg: 0, rm: register.number)
        withUnsafeBytes(of: immediate.littleEndian) { bytes.append(contentsOf: $0) }
    }

    /// `prefetcht0 [memory]`: asks for the cache line into every level (a hint: never faults, any address).
    package mutating func prefetcht0(_ memory: X86Memory) {
        rex(w: false, reg: 0, rm: memory.base.number)
        bytes.append(contentsOf: [0x0F, 0x18])
        memoryOperand(reg: 1, memory)
    }

    /// `add destination, source` (64-bit).
    package mutating func add(_ destination: X86Register, _ source: X86Register) {
        registerForm(0x01, destination, source)
    }

    /// `test a, b` (64-bit).
    package mutating func test(_ a: X86Register, _ b: X86Register) { registerForm(0x85, a, b) }

    /// `test a, b` on the registers' low bytes (a C `bool` argument is defined in its low byte only). Registers
    /// 4-7 (spl, bpl, sil, dil) need a REX prefix even when it is empty: without one they would mean ah, ch, dh, bh.
    package mutating func testLowBytes(_ a: X86Register, _ b: X86Register) {
        if a.number >= 4 || b.number >= 4 { bytes.append(0x40 | ((b.number >> 3) & 1) << 2 | ((a.number >> 3) & 1)) }
        bytes.append(0x84)
        modRM(mod: 3, reg: b.number, rm: a.number)
    }

    /// `add register, immediate` (64-bit, immediate sign-extended).
    package mutating func add(_ register: X86Register, _ immediate: Int32) { immediateForm(0, register, immediate) }

    /// `sub register, immediate` (64-bit, immediate sign-extended).
    package mutating func sub(_ register: X86Register, _ immediate: Int32) { immediateForm(5, register, immediate) }

    /// `and register, immediate` (64-bit, immediate sign-extended: -32 clears the low 5 bits).
    package mutating func and(_ register: X86Register, _ immediate: Int32) { immediateForm(4, register, immediate) }

    /// `cmp register, immediate` (64-bit, immediate sign-extended).
    package mutating func cmp(_ register: X86Register, _ immediate: Int32) { immediateForm(7, register, immediate) }

    /// `shl register, count` (64-bit).
    package mutating func shl(_ register: X86Register, _ count: UInt8) {
        rex(w: true, reg: 0, rm: register.number)
        bytes.append(0xC1)
        modRM(mod: 3, reg: 4, rm: register.number)
        bytes.append(count)
    }

    /// Conditions for `jump(if:to:)`: the flags of the last `test`, `cmp`, `sub` or `add`.
    package enum Condition: UInt8 {
        case zero = 0x84
        case notZero = 0x85
        case less = 0x8C
        case greaterOrEqual = 0x8D
    }

    /// `jcc label` (rel32).
    package mutating func jump(if condition: Condition, to label: Label) {
        bytes.append(contentsOf: [0x0F, condition.rawValue])
        labels.refer(bytes.count, to: label.id)
        bytes.append(contentsOf: [0, 0, 0, 0])
    }

    /// `jmp label` (rel32).
    package mutating func jump(to label: Label) {
        bytes.append(0xE9)
        labels.refer(bytes.count, to: label.id)
        bytes.append(contentsOf: [0, 0, 0, 0])
    }

    /// `lea destination, [rip + label]`: the address of a label (data placed after the code), RIP-relative.
    package mutating func lea(_ destination: X86Register, _ label: Label) {
        rex(w: true, reg: destination.number, rm: 0)
        bytes.append(0x8D)
        modRM(mod: 0, reg: destination.number, rm: 5)  // mod 00, r/m 101: [rip + disp32]
        labels.refer(bytes.count, to: label.id)  // disp32 ends the instruction: relative to the next one
        bytes.append(contentsOf: [0, 0, 0, 0])
    }

    /// `ret`.
    package mutating func ret() { bytes.append(0xC3) }

    /// Pads with no-ops until the code's length is a multiple of `boundary` (a power of two), so that the next
    /// instruction (a loop's first) starts a fetch block: the recommended multi-byte NOPs, 9 bytes at most each
    /// (Intel SDM vol. 2B, NOP).
    package mutating func align(_ boundary: Int) {
        precondition(boundary > 0 && boundary & (boundary - 1) == 0)
        let nops: [[UInt8]] = [
            [0x90], [0x66, 0x90], [0x0F, 0x1F, 0x00], [0x0F, 0x1F, 0x40, 0x00], [0x0F, 0x1F, 0x44, 0x00, 0x00],
            [0x66, 0x0F, 0x1F, 0x44, 0x00, 0x00], [0x0F, 0x1F, 0x80, 0x00, 0x00, 0x00, 0x00],
            [0x0F, 0x1F, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00], [0x66, 0x0F, 0x1F, 0x84, 0x00, 0x00, 0x00, 0x00, 0x00],
        ]
        var padding = (boundary - bytes.count % boundary) % boundary
        while padding > 0 {
            let nop = nops[min(padding, nops.count) - 1]
            bytes.append(contentsOf: nop)
            padding -= nop.count
        }
    }

    /// Raw bytes, for instructions with no operands worth modelling (cpuid, xgetbv, push/pop).
    package mutating func emit(_ raw: [UInt8]) { bytes.append(contentsOf: raw) }

    // MARK: AVX (VEX-encoded, 256-bit)

    private enum OpcodeMap: UInt8 {
        case map0F = 1
        case map0F38 = 2
        case map0F3A = 3
    }
    private enum Prefix: UInt8 {
        case none = 0
        case p66 = 1
        case pF3 = 2
        case pF2 = 3
    }

    /// The VEX prefix, W = 0, L = 256-bit (or 128: AMX). The 2-byte form (C5: R, vvvv, L, pp) where it can say
    /// everything (map 0F, no X or B extension), as assemblers do; else the 3-byte form (C4: R, X, B, map;
    /// W, vvvv, L, pp). R, X (extending a SIB index), B and vvvv are stored inverted.
    private mutating func vex(
        map: OpcodeMap, prefix: Prefix, reg: UInt8, vvvv: UInt8, rm: UInt8, index: UInt8 = 0, wide: Bool = true
    ) {
        let notR = (~reg >> 3 & 1) << 7, lastByte = (~vvvv & 15) << 3 | (wide ? 1 << 2 : 0) | prefix.rawValue
        if map == .map0F && rm >> 3 & 1 == 0 && index >> 3 & 1 == 0 {
            bytes.append(contentsOf: [0xC5, notR | lastByte])
        } else {
            let notX = (~index >> 3 & 1) << 6, notB = (~rm >> 3 & 1) << 5
            bytes.append(contentsOf: [0xC4, notR | notX | notB | map.rawValue, lastByte])
        }
    }

    private mutating func vexRegister(
        _ opcode: UInt8, map: OpcodeMap, prefix: Prefix, _ reg: YMMRegister, _ vvvv: YMMRegister, _ rm: YMMRegister
    ) {
        vex(map: map, prefix: prefix, reg: reg.number, vvvv: vvvv.number, rm: rm.number)
        bytes.append(opcode)
        modRM(mod: 3, reg: reg.number, rm: rm.number)
    }

    private mutating func vexMemory(
        _ opcode: UInt8, map: OpcodeMap, prefix: Prefix, _ reg: YMMRegister, vvvv: UInt8, _ memory: X86Memory
    ) {
        vex(map: map, prefix: prefix, reg: reg.number, vvvv: vvvv, rm: memory.base.number)
        bytes.append(opcode)
        memoryOperand(reg: reg.number, memory)
    }

    /// `vxorps destination, a, b`.
    package mutating func vxorps(_ destination: YMMRegister, _ a: YMMRegister, _ b: YMMRegister) {
        vexRegister(0x57, map: .map0F, prefix: .none, destination, a, b)
    }

    /// `vmovups destination, [memory]` (unaligned load of 8 floats).
    package mutating func vmovups(_ destination: YMMRegister, _ memory: X86Memory) {
        vexMemory(0x10, map: .map0F, prefix: .none, destination, vvvv: 0, memory)
    }

    /// `vmovups [memory], source` (unaligned store of 8 floats).
    package mutating func vmovups(_ memory: X86Memory, _ source: YMMRegister) {
        vexMemory(0x11, map: .map0F, prefix: .none, source, vvvv: 0, memory)
    }

    /// `vbroadcastss destination, dword [memory]`.
    package mutating func vbroadcastss(_ destination: YMMRegister, _ memory: X86Memory) {
        vexMemory(0x18, map: .map0F38, prefix: .p66, destination, vvvv: 0, memory)
    }

    /// `vaddps destination, a, [memory]`: destination = a + memory.
    package mutating func vaddps(_ destination: YMMRegister, _ a: YMMRegister, _ memory: X86Memory) {
        vexMemory(0x58, map: .map0F, prefix: .none, destination, vvvv: a.number, memory)
    }

    /// `vaddps destination, a, b`: destination = a + b.
    package mutating func vaddps(_ destination: YMMRegister, _ a: YMMRegister, _ b: YMMRegister) {
        vexRegister(0x58, map: .map0F, prefix: .none, destination, a, b)
    }

    /// `vmulps destination, a, [memory]`: destination = a * memory.
    package mutating func vmulps(_ destination: YMMRegister, _ a: YMMRegister, _ memory: X86Memory) {
        vexMemory(0x59, map: .map0F, prefix: .none, destination, vvvv: a.number, memory)
    }

    /// `vdivps destination, a, b`: destination = a / b, correctly rounded.
    package mutating func vdivps(_ destination: YMMRegister, _ a: YMMRegister, _ b: YMMRegister) {
        vexRegister(0x5E, map: .map0F, prefix: .none, destination, a, b)
    }

    /// `vminps destination, a, b`: each lane a < b ? a : b (b when either is NaN, or both are zeros).
    package mutating func vminps(_ destination: YMMRegister, _ a: YMMRegister, _ b: YMMRegister) {
        vexRegister(0x5D, map: .map0F, prefix: .none, destination, a, b)
    }

    /// `vmaxps destination, a, b`: each lane a > b ? a : b (b when either is NaN, or both are zeros).
    package mutating func vmaxps(_ destination: YMMRegister, _ a: YMMRegister, _ b: YMMRegister) {
        vexRegister(0x5F, map: .map0F, prefix: .none, destination, a, b)
    }

    /// `vcmpltps destination, a, b` (vcmpps with predicate 1, LT_OS): each lane all ones where a < b, else zero
    /// (zero where either is NaN).
    package mutating func vcmpltps(_ destination: YMMRegister, _ a: YMMRegister, _ b: YMMRegister) {
        vexRegister(0xC2, map: .map0F, prefix: .none, destination, a, b)
        bytes.append(1)
    }

    /// `vandnps destination, a, b`: destination = ~a & b, bitwise.
    package mutating func vandnps(_ destination: YMMRegister, _ a: YMMRegister, _ b: YMMRegister) {
        vexRegister(0x55, map: .map0F, prefix: .none, destination, a, b)
    }

    /// `vfmadd231ps accumulator, a, b`: accumulator = a * b + accumulator, one rounding.
    package mutating func vfmadd231ps(_ accumulator: YMMRegister, _ a: YMMRegister, _ b: YMMRegister) {
        vexRegister(0xB8, map: .map0F38, prefix: .p66, accumulator, a, b)
    }

    /// `vmulps destination, a, b`: destination = a * b.
    package mutating func vmulps(_ destination: YMMRegister, _ a: YMMRegister, _ b: YMMRegister) {
        vexRegister(0x59, map: .map0F, prefix: .none, destination, a, b)
    }

    /// `vpmovsxbw destination, [memory]`: the 16 signed bytes at memory, sign-extended to 16 int16.
    package mutating func vpmovsxbw(_ destination: YMMRegister, _ memory: X86Memory) {
        vexMemory(0x20, map: .map0F38, prefix: .p66, destination, vvvv: 0, memory)
    }

    /// `vpmaddwd destination, a, b`: each 32-bit lane = a.lo * b.lo + a.hi * b.hi of its two int16 (exact).
    package mutating func vpmaddwd(_ destination: YMMRegister, _ a: YMMRegister, _ b: YMMRegister) {
        vexRegister(0xF5, map: .map0F, prefix: .p66, destination, a, b)
    }

    /// `vpaddd destination, a, b`: 32-bit integer lanes added (wrapping).
    package mutating func vpaddd(_ destination: YMMRegister, _ a: YMMRegister, _ b: YMMRegister) {
        vexRegister(0xFE, map: .map0F, prefix: .p66, destination, a, b)
    }

    /// `{vex} vpdpwssd accumulator, a, b` (AVX-VNNI): each 32-bit lane of accumulator += a.lo * b.lo + a.hi * b.hi of
    /// its two int16, wrapping (no saturation): `vpmaddwd` and `vpaddd` in one instruction.
    package mutating func vpdpwssdVEX(_ accumulator: YMMRegister, _ a: YMMRegister, _ b: YMMRegister) {
        vexRegister(0x52, map: .map0F38, prefix: .p66, accumulator, a, b)
    }

    /// `vpslld destination, source, count`: each 32-bit lane shifted left by `count` bits (zeros shifted in).
    package mutating func vpslld(_ destination: YMMRegister, _ source: YMMRegister, _ count: UInt8) {
        vexRegister(0x72, map: .map0F, prefix: .p66, YMMRegister(6), destination, source)
        bytes.append(count)
    }

    /// `vpand destination, a, b`: destination = a & b, bitwise.
    package mutating func vpand(_ destination: YMMRegister, _ a: YMMRegister, _ b: YMMRegister) {
        vexRegister(0xDB, map: .map0F, prefix: .p66, destination, a, b)
    }

    /// `vpcmpeqd destination, a, b`: each 32-bit lane all ones where a == b, else zero; with a = b, all ones.
    package mutating func vpcmpeqd(_ destination: YMMRegister, _ a: YMMRegister, _ b: YMMRegister) {
        vexRegister(0x76, map: .map0F, prefix: .p66, destination, a, b)
    }

    /// `vcvtdq2ps destination, source`: each int32 lane to float32, rounded to nearest even (MXCSR's default).
    package mutating func vcvtdq2ps(_ destination: YMMRegister, _ source: YMMRegister) {
        vexRegister(0x5B, map: .map0F, prefix: .none, destination, YMMRegister(0), source)
    }

    /// `vzeroupper`: leave no dirty upper halves for the caller's SSE code.
    package mutating func vzeroupper() { bytes.append(contentsOf: [0xC5, 0xF8, 0x77]) }

    // MARK: AVX-512 (EVEX-encoded, 256-bit, registers 0-15, no mask)

    /// The EVEX prefix (SDM vol. 2, 2.7) for a register-to-register instruction on ymm registers, W = 0, no masking,
    /// no broadcast or rounding: 62, then P0 (R, X, B, R', map), P1 (W, vvvv, 1, pp), P2 (z, L'L = 01, b, V', aaa).
    /// R, X, B, R', vvvv and V' are stored inverted; X and R' (and V') extend to registers 16-31, which are not used.
    private mutating func evexRegister(
        _ opcode: UInt8, map: OpcodeMap, prefix: Prefix, _ reg: YMMRegister, _ vvvv: YMMRegister, _ rm: YMMRegister
    ) {
        let notR = (~reg.number >> 3 & 1) << 7, notB = (~rm.number >> 3 & 1) << 5
        bytes.append(contentsOf: [
            0x62, notR | 1 << 6 | notB | 1 << 4 | map.rawValue, (~vvvv.number & 15) << 3 | 1 << 2 | prefix.rawValue,
            0b01 << 5 | 1 << 3,
        ])
        bytes.append(opcode)
        modRM(mod: 3, reg: reg.number, rm: rm.number)
    }

    /// `{evex} vpdpwssd accumulator, a, b` on ymm registers (AVX512-VNNI with AVX512VL): the operation of
    /// `vpdpwssdVEX`, for the CPUs that have AVX-512's VNNI but not AVX-VNNI (Ice Lake, Zen 4).
    package mutating func vpdpwssdEVEX(_ accumulator: YMMRegister, _ a: YMMRegister, _ b: YMMRegister) {
        evexRegister(0x52, map: .map0F38, prefix: .p66, accumulator, a, b)
    }

    // MARK: AMX (VEX-encoded, 128-bit form, W = 0)

    /// The VEX prefix of an AMX instruction (map 0F38, L = 0, W = 0).
    private mutating func amxVEX(prefix: Prefix, reg: UInt8, index: UInt8 = 0, rm: UInt8, vvvv: UInt8 = 0) {
        vex(map: .map0F38, prefix: prefix, reg: reg, vvvv: vvvv, rm: rm, index: index, wide: false)
    }

    /// An AMX instruction on `[base + index + displacement]` (SIB, scale 1: the index is a tile's row stride).
    private mutating func amxMemory(
        _ opcode: UInt8, prefix: Prefix, reg: UInt8, base: X86Register, index: X86Register, displacement: Int32
    ) {
        precondition(index.number != 4, "rsp cannot be an index")
        amxVEX(prefix: prefix, reg: reg, index: index.number, rm: base.number)
        bytes.append(opcode)
        let mod = displacementMode(displacement, base: base)
        modRM(mod: mod, reg: reg, rm: 4)  // r/m 100: a SIB byte follows
        bytes.append((index.number & 7) << 3 | (base.number & 7))  // scale 1
        appendDisplacement(displacement, mod: mod)
    }

    /// `ldtilecfg [memory]`: loads the 64-byte tile configuration (palette, each tile's rows and bytes per row).
    package mutating func ldtilecfg(_ memory: X86Memory) {
        amxVEX(prefix: .none, reg: 0, rm: memory.base.number)
        bytes.append(0x49)
        memoryOperand(reg: 0, memory)
    }

    /// `tilerelease`: returns the tile registers to their initial state (the OS no longer saves them).
    package mutating func tilerelease() { bytes.append(contentsOf: [0xC4, 0xE2, 0x78, 0x49, 0xC0]) }

    /// `tilezero tile`: every configured row and byte of `tile` zero.
    package mutating func tilezero(_ tile: TileRegister) {
        amxVEX(prefix: .pF2, reg: tile.number, rm: 0)
        bytes.append(0x49)
        modRM(mod: 3, reg: tile.number, rm: 0)
    }

    /// `tileloadd tile, [base + stride + displacement]`: row r of `tile` from base + displacement + r * stride (the
    /// register `stride` holds the bytes between rows).
    package mutating func tileloadd(
        _ tile: TileRegister, base: X86Register, stride: X86Register, displacement: Int32 = 0
    ) {
        amxMemory(0x4B, prefix: .pF2, reg: tile.number, base: base, index: stride, displacement: displacement)
    }

    /// `tilestored [base + stride + displacement], tile`: row r of `tile` to base + displacement + r * stride.
    package mutating func tilestored(
        base: X86Register, stride: X86Register, displacement: Int32 = 0, _ tile: TileRegister
    ) {
        amxMemory(0x4B, prefix: .pF3, reg: tile.number, base: base, index: stride, displacement: displacement)
    }

    /// `tdpbf16ps accumulator, a, b` (AMX-BF16): accumulator (rows x 16 float32) += a (rows x 32 bfloat16) times b
    /// (16 rows of 16 pairs of bfloat16: b's row p holds rows 2p and 2p + 1 of the right-hand matrix, interleaved).
    package mutating func tdpbf16ps(_ accumulator: TileRegister, _ a: TileRegister, _ b: TileRegister) {
        amxVEX(prefix: .pF3, reg: accumulator.number, rm: a.number, vvvv: b.number)
        bytes.append(0x5C)
        modRM(mod: 3, reg: accumulator.number, rm: a.number)
    }

    // MARK: AVX-512 on zmm (EVEX-encoded, 512-bit, registers 0-31)

    /// The EVEX prefix for a 512-bit instruction, W = 0 (all stored inverted): R and R' extend `reg` (bits 3 and 4),
    /// B and X `rm` (a vector register's bits 3 and 4; a base register's bit 3, X then 1: no index), V' `vvvv`
    /// (bit 4); `mask` is aaa (0: none), `zeroing` the z bit.
    private mutating func evex512(
        map: OpcodeMap, prefix: Prefix, reg: UInt8, vvvv: UInt8, rm: UInt8, mask: UInt8 = 0, zeroing: Bool = false
    ) {
        bytes.append(contentsOf: [
            0x62,
            (~reg >> 3 & 1) << 7 | (~rm >> 4 & 1) << 6 | (~rm >> 3 & 1) << 5 | (~reg >> 4 & 1) << 4 | map.rawValue,
            (~vvvv & 15) << 3 | 1 << 2 | prefix.rawValue,
            (zeroing ? 1 << 7 : 0) | 0b10 << 5 | (~vvvv >> 4 & 1) << 3 | mask,
        ])
    }

    /// An EVEX 512-bit instruction on registers: `opcode` with ModRM (reg, rm).
    private mutating func evex512Register(
        _ opcode: UInt8, map: OpcodeMap, prefix: Prefix, reg: UInt8, vvvv: UInt8, rm: UInt8
    ) {
        evex512(map: map, prefix: prefix, reg: reg, vvvv: vvvv, rm: rm)
        bytes.append(opcode)
        modRM(mod: 3, reg: reg, rm: rm)
    }

    /// An EVEX 512-bit instruction on `[memory]` reading or writing `scale` bytes (its disp8 x N).
    private mutating func evex512Memory(
        _ opcode: UInt8, map: OpcodeMap, prefix: Prefix, reg: UInt8, vvvv: UInt8, _ memory: X86Memory, scale: Int32
    ) {
        evex512(map: map, prefix: prefix, reg: reg, vvvv: vvvv, rm: memory.base.number)
        bytes.append(opcode)
        memoryOperand(reg: reg, memory, scale: scale)
    }

    /// `vpxord destination, a, b` (AVX512F): bitwise exclusive or; with a = b, zero.
    package mutating func vpxord(_ destination: ZMMRegister, _ a: ZMMRegister, _ b: ZMMRegister) {
        evex512Register(0xEF, map: .map0F, prefix: .p66, reg: destination.number, vvvv: a.number, rm: b.number)
    }

    /// `vmovups [memory], source` (unaligned store of 16 floats).
    package mutating func vmovups(_ memory: X86Memory, _ source: ZMMRegister) {
        evex512Memory(0x11, map: .map0F, prefix: .none, reg: source.number, vvvv: 0, memory, scale: 64)
    }

    /// `vbroadcastss destination, dword [memory]`: one float into all 16 lanes.
    package mutating func vbroadcastss(_ destination: ZMMRegister, _ memory: X86Memory) {
        evex512Memory(0x18, map: .map0F38, prefix: .p66, reg: destination.number, vvvv: 0, memory, scale: 4)
    }

    /// `vfmadd231ps accumulator, a, b`: accumulator += a * b, one rounding per lane.
    package mutating func vfmadd231ps(_ accumulator: ZMMRegister, _ a: ZMMRegister, _ b: ZMMRegister) {
        evex512Register(0xB8, map: .map0F38, prefix: .p66, reg: accumulator.number, vvvv: a.number, rm: b.number)
    }

    /// `vaddps destination, a, [memory]`: destination = a + 16 floats of memory.
    package mutating func vaddps(_ destination: ZMMRegister, _ a: ZMMRegister, _ memory: X86Memory) {
        evex512Memory(0x58, map: .map0F, prefix: .none, reg: destination.number, vvvv: a.number, memory, scale: 64)
    }

    /// `vmovups destination, [memory]` (unaligned load of 16 floats).
    package mutating func vmovups(_ destination: ZMMRegister, _ memory: X86Memory) {
        evex512Memory(0x10, map: .map0F, prefix: .none, reg: destination.number, vvvv: 0, memory, scale: 64)
    }

    /// `vmulps destination, a, b`: destination = a x b.
    package mutating func vmulps(_ destination: ZMMRegister, _ a: ZMMRegister, _ b: ZMMRegister) {
        evex512Register(0x59, map: .map0F, prefix: .none, reg: destination.number, vvvv: a.number, rm: b.number)
    }

    /// `vpmovsxbw destination, [memory]` (AVX512BW): 32 signed bytes, sign-extended to 32 int16.
    package mutating func vpmovsxbw(_ destination: ZMMRegister, _ memory: X86Memory) {
        evex512Memory(0x20, map: .map0F38, prefix: .p66, reg: destination.number, vvvv: 0, memory, scale: 32)
    }

    /// `vpmaddwd destination, a, b` (AVX512BW): per 32-bit lane, the sum of the two int16 products.
    package mutating func vpmaddwd(_ destination: ZMMRegister, _ a: ZMMRegister, _ b: ZMMRegister) {
        evex512Register(0xF5, map: .map0F, prefix: .p66, reg: destination.number, vvvv: a.number, rm: b.number)
    }

    /// `vpdpwssd accumulator, a, b` (AVX512-VNNI): `vpmaddwd` of a and b added to each 32-bit lane of accumulator.
    package mutating func vpdpwssd(_ accumulator: ZMMRegister, _ a: ZMMRegister, _ b: ZMMRegister) {
        evex512Register(0x52, map: .map0F38, prefix: .p66, reg: accumulator.number, vvvv: a.number, rm: b.number)
    }

    /// `vcvtdq2ps destination, source`: 16 int32 to float32, rounded to nearest, ties to even.
    package mutating func vcvtdq2ps(_ destination: ZMMRegister, _ source: ZMMRegister) {
        evex512Register(0x5B, map: .map0F, prefix: .none, reg: destination.number, vvvv: 0, rm: source.number)
    }

    /// `vcvtneps2bf16 destination, source` (AVX512-BF16): the 16 floats of `source` rounded to bfloat16 (nearest,
    /// ties to even; a NaN stays a quiet NaN; denormal inputs and results are zero), into the ymm register numbered as
    /// `destination`; lanes whose `mask` bit is clear are zero (no mask: every lane).
    package mutating func vcvtneps2bf16(
        _ destination: YMMRegister, _ source: ZMMRegister, zeroingUnless mask: OpmaskRegister? = nil
    ) {
        evex512(
            map: .map0F38, prefix: .pF3, reg: destination.number, vvvv: 0, rm: source.number,
            mask: mask?.number ?? 0, zeroing: mask != nil)
        bytes.append(0x72)
        modRM(mod: 3, reg: destination.number, rm: source.number)
    }

    /// `vpmovzxwd destination, source`: the 16 uint16 of the ymm `source`, zero-extended to 16 uint32.
    package mutating func vpmovzxwd(_ destination: ZMMRegister, _ source: YMMRegister) {
        evex512Register(0x33, map: .map0F38, prefix: .p66, reg: destination.number, vvvv: 0, rm: source.number)
    }

    /// `vpslld destination, source, count`: each 32-bit lane shifted left by `count` bits.
    package mutating func vpslld(_ destination: ZMMRegister, _ source: ZMMRegister, _ count: UInt8) {
        evex512Register(0x72, map: .map0F, prefix: .p66, reg: 6, vvvv: destination.number, rm: source.number)
        bytes.append(count)
    }

    /// `vpandd destination, a, b` (AVX512F): destination = a & b, bitwise.
    package mutating func vpandd(_ destination: ZMMRegister, _ a: ZMMRegister, _ b: ZMMRegister) {
        evex512Register(0xDB, map: .map0F, prefix: .p66, reg: destination.number, vvvv: a.number, rm: b.number)
    }

    /// `vpternlogd destination, a, b, table` (AVX512F): each bit of destination = table's bit number (destination's
    /// bit << 2 | a's << 1 | b's); table 0xFF sets every bit whatever the registers hold.
    package mutating func vpternlogd(_ destination: ZMMRegister, _ a: ZMMRegister, _ b: ZMMRegister, _ table: UInt8) {
        evex512Register(0x25, map: .map0F3A, prefix: .p66, reg: destination.number, vvvv: a.number, rm: b.number)
        bytes.append(table)
    }

    /// `vsubps destination, a, b`: destination = a - b.
    package mutating func vsubps(_ destination: ZMMRegister, _ a: ZMMRegister, _ b: ZMMRegister) {
        evex512Register(0x5C, map: .map0F, prefix: .none, reg: destination.number, vvvv: a.number, rm: b.number)
    }

    /// `vcmpordps mask, a, b` (vcmpps with predicate 7, ORD_Q): each bit of `mask` set where neither lane is NaN.
    package mutating func vcmpordps(_ mask: OpmaskRegister, _ a: ZMMRegister, _ b: ZMMRegister) {
        evex512Register(0xC2, map: .map0F, prefix: .none, reg: mask.number, vvvv: a.number, rm: b.number)
        bytes.append(7)
    }

    /// `vmovdqu [memory], source` (unaligned store of 32 bytes; VEX).
    package mutating func vmovdqu(_ memory: X86Memory, _ source: YMMRegister) {
        vexMemory(0x7F, map: .map0F, prefix: .pF3, source, vvvv: 0, memory)
    }
}
