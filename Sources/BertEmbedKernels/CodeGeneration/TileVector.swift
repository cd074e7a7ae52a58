// The register files the generated tiles are written over (GemmMicroKernelJIT.swift, Int8GemmJIT.swift).

/// A vector register file the generated tiles run on (the float32 tiles of GemmMicroKernelJIT.swift, the integer
/// tiles of Int8GemmJIT.swift): its width and the instructions they need, one line each.
protocol TileVector {
    /// Bytes per register.
    static var bytes: Int32 { get }
    init(_ number: Int)
    static func zero(_ asm: inout X86Assembler, _ register: Self)
    static func load(_ asm: inout X86Assembler, _ register: Self, _ memory: X86Memory)
    static func broadcast(_ asm: inout X86Assembler, _ register: Self, _ memory: X86Memory)
    /// accumulator += a x b, one rounding per lane.
    static func fma(_ asm: inout X86Assembler, _ accumulator: Self, _ a: Self, _ b: Self)
    static func add(_ asm: inout X86Assembler, _ register: Self, _ memory: X86Memory)
    static func store(_ asm: inout X86Assembler, _ memory: X86Memory, _ register: Self)
    /// register = a x b (float32).
    static func multiply(_ asm: inout X86Assembler, _ register: Self, _ a: Self, _ b: Self)
    /// The signed bytes at `memory` (half a register), sign-extended to int16.
    static func widenBytes(_ asm: inout X86Assembler, _ register: Self, _ memory: X86Memory)
    /// The int32 lanes of `source` as float32 (nearest, ties to even).
    static func convert(_ asm: inout X86Assembler, _ register: Self, _ source: Self)
    /// register = each 32-bit lane of `source` shifted left by `count` bits.
    static func shiftLeft(_ asm: inout X86Assembler, _ register: Self, _ source: Self, _ count: UInt8)
    /// register = a & b, bitwise.
    static func and(_ asm: inout X86Assembler, _ register: Self, _ a: Self, _ b: Self)
    /// Every bit of `register` set.
    static func allOnes(_ asm: inout X86Assembler, _ register: Self)
}

extension YMMRegister: TileVector {
    static var bytes: Int32 { 32 }
    static func zero(_ asm: inout X86Assembler, _ register: Self) {
        asm.vxorps(register, register, register)
    }
    static func load(_ asm: inout X86Assembler, _ register: Self, _ memory: X86Memory) {
        asm.vmovups(register, memory)
    }
    static func broadcast(_ asm: inout X86Assembler, _ register: Self, _ memory: X86Memory) {
        asm.vbroadcastss(register, memory)
    }
    static func fma(_ asm: inout X86Assembler, _ accumulator: Self, _ a: Self, _ b: Self) {
        asm.vfmadd231ps(accumulator, a, b)
    }
    static func add(_ asm: inout X86Assembler, _ register: Self, _ memory: X86Memory) {
        asm.vaddps(register, register, memory)
    }
    static func store(_ asm: inout X86Assembler, _ memory: X86Memory, _ register: Self) {
        asm.vmovups(memory, register)
    }
    static func multiply(_ asm: inout X86Assembler, _ register: Self, _ a: Self, _ b: Self) {
        asm.vmulps(register, a, b)
    }
    static func widenBytes(_ asm: inout X86Assembler, _ register: Self, _ memory: X86Memory) {
        asm.vpmovsxbw(register, memory)
    }
    static func convert(_ asm: inout X86Assembler, _ register: Self, _ source: Self) {
        asm.vcvtdq2ps(register, source)
    }
    static func shiftLeft(_ asm: inout X86Assembler, _ register: Self, _ source: Self, _ count: UInt8) {
        asm.vpslld(register, source, count)
    }
    static func and(_ asm: inout X86Assembler, _ register: Self, _ a: Self, _ b: Self) {
        asm.vpand(register, a, b)
    }
    static func allOnes(_ asm: inout X86Assembler, _ register: Self) {
        asm.vpcmpeqd(register, register, register)
    }
}

extension ZMMRegister: TileVector {
    static var bytes: Int32 { 64 }
    static func zero(_ asm: inout X86Assembler, _ register: Self) {
        asm.vpxord(register, register, register)
    }
    static func load(_ asm: inout X86Assembler, _ register: Self, _ memory: X86Memory) {
        asm.vmovups(register, memory)
    }
    static func broadcast(_ asm: inout X86Assembler, _ register: Self, _ memory: X86Memory) {
        asm.vbroadcastss(register, memory)
    }
    static func fma(_ asm: inout X86Assembler, _ accumulator: Self, _ a: Self, _ b: Self) {
        asm.vfmadd231ps(accumulator, a, b)
    }
    static func add(_ asm: inout X86Assembler, _ register: Self, _ memory: X86Memory) {
        asm.vaddps(register, register, memory)
    }
    static func store(_ asm: inout X86Assembler, _ memory: X86Memory, _ register: Self) {
        asm.vmovups(memory, register)
    }
    static func multiply(_ asm: inout X86Assembler, _ register: Self, _ a: Self, _ b: Self) {
        asm.vmulps(register, a, b)
    }
    static func widenBytes(_ asm: inout X86Assembler, _ register: Self, _ memory: X86Memory) {
        asm.vpmovsxbw(register, memory)
    }
    static func convert(_ asm: inout X86Assembler, _ register: Self, _ source: Self) {
        asm.vcvtdq2ps(register, source)
    }
    static func shiftLeft(_ asm: inout X86Assembler, _ register: Self, _ source: Self, _ count: UInt8) {
        asm.vpslld(register, source, count)
    }
    static func and(_ asm: inout X86Assembler, _ register: Self, _ a: Self, _ b: Self) {
        asm.vpandd(register, a, b)
    }
    static func allOnes(_ asm: inout X86Assembler, _ register: Self) {
        asm.vpternlogd(register, register, register, 0xFF)
    }
}
