// F16 / BF16 widening against the naive references, exhaustively, and the unaligned bulk conversion.
import BertEmbedSafeTensors
import XCTest
import _BertEmbedTestSupport

final class FloatConversionTests: XCTestCase {
    /// All 65536 binary16 patterns: the bit-moving fast path equals the value computed from the definition
    /// (exactly: every binary16 value is a Float32), NaN for NaN.
    func testHalfToFloatEqualsReferenceForEveryPattern() {
        for bits in 0...UInt16.max {
            let fast = FloatConversion.float(fromHalf: bits)
            let reference = FloatConversion.referenceFloat(fromHalf: bits)
            if reference.isNaN {
                XCTAssertTrue(fast.isNaN, "0x\(String(bits, radix: 16))")
            } else {
                XCTAssertEqual(fast.bitPattern, reference.bitPattern, "0x\(String(bits, radix: 16))")
            }
            #if os(Linux) && (arch(x86_64) || arch(arm64))
            let native = Float(Float16(bitPattern: bits))
            if !native.isNaN { XCTAssertEqual(fast.bitPattern, native.bitPattern, "0x\(String(bits, radix: 16))") }
            #endif
        }
    }

    /// The bulk converter at odd byte offsets and a count that is no multiple of any vector width.
    func testBulkConversionAtUnalignedOffsets() {
        let count = 37
        var rng = SplitMix64(seed: 5)
        let halves = (0..<count).map { _ in UInt16(truncatingIfNeeded: rng.next()) }
        let singles = (0..<count).map { _ in Float(Double(Int64(bitPattern: rng.next())) / 1e18) }
        for offset in 0..<4 {
            var f16Bytes = [UInt8](repeating: 0xAA, count: offset)
            var bf16Bytes = f16Bytes, f32Bytes = f16Bytes
            for h in halves { f16Bytes += [UInt8(h & 0xFF), UInt8(h >> 8)] }
            bf16Bytes = f16Bytes
            for s in singles { withUnsafeBytes(of: s.bitPattern.littleEndian) { f32Bytes += $0 } }
            func convert(_ bytes: [UInt8], _ dtype: SafeTensorsDType) -> [Float] {
                var out = [Float](repeating: -1, count: count)
                bytes.withUnsafeBytes { raw in
                    out.withUnsafeMutableBufferPointer {
                        FloatConversion.convert(
                            raw.baseAddress! + offset, dtype: dtype, count: count, into: $0.baseAddress!)
                    }
                }
                return out
            }
            let f16 = convert(f16Bytes, .f16), bf16 = convert(bf16Bytes, .bf16), f32 = convert(f32Bytes, .f32)
            for i in 0..<count {
                let h = FloatConversion.referenceFloat(fromHalf: halves[i])
                XCTAssertTrue(h.isNaN ? f16[i].isNaN : f16[i].bitPattern == h.bitPattern, "f16 [\(i)] offset \(offset)")
                let b = FloatConversion.referenceFloat(fromBFloat16: halves[i])
                XCTAssertTrue(
                    b.isNaN ? bf16[i].isNaN : bf16[i].bitPattern == b.bitPattern, "bf16 [\(i)] offset \(offset)")
                XCTAssertEqual(f32[i].bitPattern, singles[i].bitPattern, "f32 [\(i)] offset \(offset)")
            }
        }
    }

    /// The BF16 path (a 16-bit shift) equals the definition for every pattern.
    func testBFloat16EqualsReferenceForEveryPattern() {
        var bytes: [UInt8] = []
        for bits in 0...UInt16.max { bytes += [UInt8(bits & 0xFF), UInt8(bits >> 8)] }
        var out = [Float](repeating: 0, count: 65536)
        bytes.withUnsafeBytes { raw in
            out.withUnsafeMutableBufferPointer {
                FloatConversion.convert(raw.baseAddress!, dtype: .bf16, count: 65536, into: $0.baseAddress!)
            }
        }
        for bits in 0...UInt16.max {
            let reference = FloatConversion.referenceFloat(fromBFloat16: bits)
            let fast = out[Int(bits)]
            XCTAssertTrue(
                reference.isNaN ? fast.isNaN : fast.bitPattern == reference.bitPattern, "0x\(String(bits, radix: 16))")
        }
    }
}
