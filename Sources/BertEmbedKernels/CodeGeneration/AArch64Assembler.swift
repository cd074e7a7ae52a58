// A minimal AArch64 (arm64) machine-code encoder: the few general-purpose, load/store and Advanced SIMD (NEON)
// instructions of the generated int8 kernels (Int8GemmARM64JIT.swift), with labels. Every instruction is one 32-bit
// little-endian word; the encodings follow the Arm Architecture Reference Manual for A-profile (C4, "A64 instruction
// set encoding"), and the tests hold each form to the bytes GNU as (binutils' aarch64-linux-gnu-as) gives for it.
//
// Why generate code on arm64: compiled Swift cannot reach `sdot` (the dot product of four int8 pairs per 32-bit lane,
// FEAT_DotProd) nor `smmla` (a 2 x 8 by 8 x 2 int8 matrix product, FEAT_I8MM): Swift's SIMD types give no such
// operation, an LLVM intrinsic declared with `@_silgen_name` is called with Swift's convention and refused by the code
// generator, and `@_extern(c)` takes no SIMD types (BENCHMARKS.md, "Every pipeline on Zen 3 again").

/// A general-purpose 64-bit register x0 ... x30, or sp (31 where the instruction reads it as the stack pointer).
package struct ARM64Register: Equatable {
    /// The encoding number.
    package let number: UInt32
    /// Register `number`, 0 ... 31.
    package init(_ number: Int) {
        precondition((0..<32).contains(number))
        self.number = UInt32(number)
    }
    /// The stack pointer (register 31 as a base or in add / sub immediate).
    package static let sp = ARM64Register(31)
}

/// A 128-bit SIMD register v0 ... v31 (its low 64 bits are d0 ... d31).
package struct ARM64Vector: Equatable {
    /// The encoding number.
    package let number: UInt32
    /// v`number`, 0 ..< 32.
    package init(_ number: Int) {
        precondition((0..<32).contains(number))
        self.number = UInt32(number)
    }
}

/// An AArch64 program under construction: instructions appended in order, labels bound and patched at `finish`.
package struct AArch64Assembler {
    /// A branch target.
    package struct Label { fileprivate let id: Int }
    /// A branch condition (the `cond` field of b.cond).
    package enum Condition: UInt32 {
        /// Z set (equal, or a result of zero).
        case equal = 0
        /// Z clear.
        case notEqual = 1
    }

    private enum Fixup {
        case conditional  // imm19 at bits 5-23 (b.cond, cbz)
        case unconditional  // imm26 at bits 0-25 (b)
    }

    private var words: [UInt32] = []
    private var labels = CodeLabels<(word: Int, kind: Fixup)>()

    /// An empty program.
    package init() {}

    /// A label to bind later.
    package mutating func newLabel() -> Label {
        Label(id: labels.new())
    }

    /// Binds `label` to the next instruction.
    package mutating func bind(_ label: Label) {
        labels.bind(label.id, to: words.count)
    }

    /// The program's bytes (little-endian words), every branch patched.
    package mutating func finish() -> [UInt8] {
        for (reference, target) in labels.resolve() {
            let delta = UInt32(bitPattern: Int32(target - reference.word))
            switch reference.kind {
            case .conditional: words[reference.word] |= (delta & 0x7FFFF) << 5
            case .unconditional: words[reference.word] |= delta & 0x3FF_FFFF
            }
        }
        return words.flatMap { word in (0..<4).map { UInt8(truncatingIfNeeded: word >> (8 * $0)) } }
    }

    private mutating func emit(_ word: UInt32) { words.append(word) }

    // MARK: General-purpose

    /// ret (to x30).
    package mutating func ret() { emit(0xD65F_03C0) }

    /// b label.
    package mutating func branch(to label: Label) {
        labels.refer((words.count, .unconditional), to: label.id)
        emit(0x1400_0000)
    }

    /// b.cond label.
    package mutating func branch(if condition: Condition, to label: Label) {
        labels.refer((words.count, .conditional), to: label.id)
        emit(0x5400_0000 | condition.rawValue)
    }

    /// cbz x`register`, label: branch when the register is zero.
    package mutating func branchIfZero(_ register: ARM64Register, to label: Label) {
        labels.refer((words.count, .conditional), to: label.id)
        emit(0xB400_0000 | register.number)
    }

    /// subs xd, xn, #immediate (0 ..< 4096); the flags follow the result.
    package mutating func subtractSettingFlags(_ destination: ARM64Register, _ source: ARM64Register, _ immediate: Int)
    {
        precondition((0..<4096).contains(immediate))
        emit(0xF100_0000 | UInt32(immediate) << 10 | source.number << 5 | destination.number)
    }

    /// cmp xn, #immediate (subs xzr, xn, #immediate).
    package mutating func compare(_ register: ARM64Register, _ immediate: Int) {
        subtractSettingFlags(ARM64Register(31), register, immediate)
    }

    /// add xd, xn, #immediate (0 ..< 4096; register 31 is sp).
    package mutating func add(_ destination: ARM64Register, _ source: ARM64Register, _ immediate: Int) {
        precondition((0..<4096).contains(immediate))
        emit(0x9100_0000 | UInt32(immediate) << 10 | source.number << 5 | destination.number)
    }

    /// sub xd, xn, #immediate (0 ..< 4096; register 31 is sp).
    package mutating func subtract(_ destination: ARM64Register, _ source: ARM64Register, _ immediate: Int) {
        precondition((0..<4096).contains(immediate))
        emit(0xD100_0000 | UInt32(immediate) << 10 | source.number << 5 | destination.number)
    }

    /// add xd, xn, xm, lsl #shift (0 ..< 64; register 31 is xzr).
    package mutating func add(
        _ destination: ARM64Register, _ first: ARM64Register, _ second: ARM64Register, shiftedLeft shift: Int
    ) {
        precondition((0..<64).contains(shift))
        emit(0x8B00_0000 | second.number << 16 | UInt32(shift) << 10 | first.number << 5 | destination.number)
    }

    // MARK: Loads and stores

    /// stp d`first`, d`second`, [base, #offset] (the registers' low 64 bits; offset a multiple of 8 in -512 ..< 512).
    package mutating func storePair(_ first: ARM64Vector, _ second: ARM64Vector, _ base: ARM64Register, _ offset: Int) {
        emit(0x6D00_0000 | pairFields(first, second, base, offset))
    }

    /// ldp d`first`, d`second`, [base, #offset] (offset a multiple of 8 in -512 ..< 512).
    package mutating func loadPair(_ first: ARM64Vector, _ second: ARM64Vector, _ base: ARM64Register, _ offset: Int) {
        emit(0x6D40_0000 | pairFields(first, second, base, offset))
    }

    private func pairFields(_ first: ARM64Vector, _ second: ARM64Vector, _ base: ARM64Register, _ offset: Int) -> UInt32
    {
        precondition(offset % 8 == 0 && (-512..<512).contains(offset))
        return (UInt32(bitPattern: Int32(offset / 8)) & 0x7F) << 15 | second.number << 10 | base.number << 5
            | first.number
    }

    /// ldr q`register`, [base, #offset] (offset a multiple of 16 in 0 ..< 65536).
    package mutating func loadQ(_ register: ARM64Vector, _ base: ARM64Register, _ offset: Int = 0) {
        precondition(offset % 16 == 0 && (0..<65536).contains(offset))
        emit(0x3DC0_0000 | UInt32(offset / 16) << 10 | base.number << 5 | register.number)
    }

    /// The element arrangement of ld1 / st1 (the `size` field).
    package enum Arrangement: UInt32 {
        /// 16 bytes.
        case bytes16 = 0
        /// 4 words (32-bit lanes).
        case words4 = 2
    }

    /// ld1 {v`first` ... v`first + count - 1`}, [base], #(16 * count): `count` (1 ... 4) consecutive registers from
    /// `base`, which then moves past them.
    package mutating func load(
        _ count: Int, from first: ARM64Vector, _ arrangement: Arrangement, _ base: ARM64Register
    ) {
        emit(0x4CDF_0000 | listOpcode(count) << 12 | arrangement.rawValue << 10 | base.number << 5 | first.number)
    }

    /// st1 {v`first` ... v`first + count - 1`}, [base]: `count` (1 ... 4) consecutive registers to `base`.
    package mutating func store(
        _ count: Int, from first: ARM64Vector, _ arrangement: Arrangement, _ base: ARM64Register
    ) {
        emit(0x4C00_0000 | listOpcode(count) << 12 | arrangement.rawValue << 10 | base.number << 5 | first.number)
    }

    private func listOpcode(_ count: Int) -> UInt32 {
        switch count {
        case 1: return 0b0111
        case 2: return 0b1010
        case 3: return 0b0110
        case 4: return 0b0010
        default: preconditionFailure("ld1 / st1 take 1 ... 4 registers")
        }
    }

    // MARK: Advanced SIMD

    /// movi vd.2d, #0.
    package mutating func zero(_ destination: ARM64Vector) { emit(0x6F00_E400 | destination.number) }

    /// sdot vd.4s, vn.16b, vm.4b[lane]: each 32-bit lane of vd adds the four products of vn's bytes in that lane and
    /// the four bytes of vm's 32-bit element `lane` (0 ..< 4), all signed.
    package mutating func sdot(
        _ destination: ARM64Vector, _ first: ARM64Vector, _ second: ARM64Vector, lane: Int
    ) {
        precondition((0..<4).contains(lane))
        emit(0x4F80_E000 | elementFields(destination, first, second, lane: lane))
    }

    /// smmla vd.4s, vn.16b, vm.16b (FEAT_I8MM): vn and vm each hold a 2 x 8 matrix of signed bytes (row i in bytes
    /// 8i ..< 8i + 8); vd's lanes (2i + j) add the dot product of vn's row i and vm's row j.
    package mutating func smmla(_ destination: ARM64Vector, _ first: ARM64Vector, _ second: ARM64Vector) {
        emit(0x4E80_A400 | second.number << 16 | first.number << 5 | destination.number)
    }

    /// ld1r {vt.2d}, [base], #8: 8 bytes from `base` into both halves of vt; `base` then moves past them.
    package mutating func loadReplicatingPair(_ target: ARM64Vector, _ base: ARM64Register) {
        emit(0x4DDF_CC00 | base.number << 5 | target.number)
    }

    /// The element size of zip1 / zip2.
    package enum ZipElement: UInt32 {
        /// 32-bit lanes (.4s).
        case words = 0x4E80_0000
        /// 64-bit halves (.2d).
        case halves = 0x4EC0_0000
    }

    /// zip1 (`high` false) or zip2 (`high` true) vd, vn, vm: the elements of the low (zip1) or high (zip2) halves of
    /// vn and vm interleaved, vn's first.
    package mutating func zip(
        _ element: ZipElement, high: Bool, _ destination: ARM64Vector, _ first: ARM64Vector, _ second: ARM64Vector
    ) {
        emit(element.rawValue | (high ? 0x7800 : 0x3800) | second.number << 16 | first.number << 5 | destination.number)
    }

    /// fmul vd.4s, vn.4s, vm.4s.
    package mutating func fmul(_ destination: ARM64Vector, _ first: ARM64Vector, _ second: ARM64Vector) {
        emit(0x6E20_DC00 | second.number << 16 | first.number << 5 | destination.number)
    }

    /// fmul vd.4s, vn.4s, vm.s[lane].
    package mutating func fmul(
        _ destination: ARM64Vector, _ first: ARM64Vector, _ second: ARM64Vector, lane: Int
    ) {
        precondition((0..<4).contains(lane))
        emit(0x4F80_9000 | elementFields(destination, first, second, lane: lane))
    }

    /// The by-element fields with 32-bit elements: Rm as M:Rm (bits 20, 19-16), the lane as H:L (bits 11, 21).
    private func elementFields(_ d: ARM64Vector, _ n: ARM64Vector, _ m: ARM64Vector, lane: Int) -> UInt32 {
        UInt32(lane & 1) << 21 | m.number << 16 | UInt32(lane >> 1) << 11 | n.number << 5 | d.number
    }

    /// shl vd.4s, vn.4s, #shift (0 ..< 32).
    package mutating func shiftLeft(_ destination: ARM64Vector, _ source: ARM64Vector, _ shift: Int) {
        precondition((0..<32).contains(shift))
        emit(0x4F20_5400 | UInt32(shift) << 16 | source.number << 5 | destination.number)
    }

    /// scvtf vd.4s, vn.4s: signed 32-bit integers to float32, rounded to nearest, ties to even (the default FPCR).
    package mutating func convertToFloat(_ destination: ARM64Vector, _ source: ARM64Vector) {
        emit(0x4E21_D800 | source.number << 5 | destination.number)
    }

    /// fmla vd.4s, vn.4s, vm.4s: vd + vn * vm, rounded once.
    package mutating func fmla(_ destination: ARM64Vector, _ first: ARM64Vector, _ second: ARM64Vector) {
        emit(0x4E20_CC00 | second.number << 16 | first.number << 5 | destination.number)
    }
}
