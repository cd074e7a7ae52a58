// Ports serde_json's default float parsing (de.rs without the `float_roundtrip` feature: `parse_integer`,
// `parse_decimal`, `parse_exponent`, `f64_from_parts`), which tokenizers uses to read Unigram scores.

/// JSON numbers read as tokenizers reads them: not always the nearest Double.
///
/// serde_json keeps at most 19-20 significant digits in a `u64`, converts it to a Double (rounding once) and then
/// multiplies or divides by a power of ten (rounding again), so a 17-digit literal can land one unit in the last place
/// away from the nearest Double: about 1 score in 10 of a SentencePiece vocabulary written by Python or by tokenizers
/// itself. Viterbi compares sums of scores, so the scores must be these same Doubles.
package enum SerdeFloat {
    /// 1e0 ... 1e308, each the nearest Double (serde_json's `POW10`).
    private static let powersOfTen: [Double] = (0...308).map { Double("1e\($0)") ?? .infinity }

    /// The Double serde_json reads from `literal` (a number in JSON syntax), nil when serde_json refuses it (out of
    /// range) or it is not JSON number syntax.
    package static func parse(_ literal: String) -> Double? {
        let bytes = Array(literal.utf8)
        var i = 0
        let positive = bytes.first != UInt8(ascii: "-")
        if !positive { i += 1 }
        /// The decimal digit at `k`, nil past the end or for another byte.
        func digit(_ k: Int) -> UInt64? {
            k < bytes.count && bytes[k] >= UInt8(ascii: "0") && bytes[k] <= UInt8(ascii: "9")
                ? UInt64(bytes[k] - UInt8(ascii: "0")) : nil
        }
        guard digit(i) != nil else { return nil }
        var significand: UInt64 = 0
        var exponent: Int32 = 0
        var overflowed = false
        /// Appends a digit while the significand fits (`overflow!(s * 10 + d, u64::MAX)`), then drops digits.
        func accumulate(_ d: UInt64) -> Bool {
            if overflowed || (significand >= UInt64.max / 10 && (significand > UInt64.max / 10 || d > UInt64.max % 10))
            {
                overflowed = true
                return false
            }
            significand = significand * 10 + d
            return true
        }
        while let d = digit(i) {
            if !accumulate(d) { exponent &+= 1 }  // parse_long_integer: each dropped integer digit is a power of ten
            i += 1
        }
        var isFloat = false
        if i < bytes.count, bytes[i] == UInt8(ascii: ".") {
            // parse_decimal checks each fraction digit again, even after integer digits were dropped.
            overflowed = false
            isFloat = true
            i += 1
            guard digit(i) != nil else { return nil }
            while let d = digit(i) {
                if accumulate(d) { exponent &-= 1 }  // parse_decimal_overflow drops further fraction digits
                i += 1
            }
        }
        if i < bytes.count, bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") {
            isFloat = true
            i += 1
            var positiveExponent = true
            if i < bytes.count, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") {
                positiveExponent = bytes[i] == UInt8(ascii: "+")
                i += 1
            }
            guard digit(i) != nil else { return nil }
            var value: Int32 = 0
            while let d = digit(i) {
                let d = Int32(d)
                if value >= Int32.max / 10 && (value > Int32.max / 10 || d > Int32.max % 10) {
                    // parse_exponent_overflow: zero, or out of range for a non-zero significand and a positive exponent.
                    if significand != 0 && positiveExponent { return nil }
                    return positive ? 0 : -0.0
                }
                value = value * 10 + d
                i += 1
            }
            let (sum, over) =
                positiveExponent
                ? exponent.addingReportingOverflow(value) : exponent.subtractingReportingOverflow(value)
            exponent = over ? (positiveExponent ? Int32.max : Int32.min) : sum
        }
        guard i == bytes.count else { return nil }
        if !isFloat && exponent == 0 {
            // An integer: u64 or i64 in serde, converted with `as f64`.
            return positive ? Double(significand) : -Double(significand)
        }
        return fromParts(positive: positive, significand: significand, exponent: exponent)
    }

    /// `f64_from_parts`: the significand as a Double, times or divided by one power of ten (dividing by 1e308 first
    /// while the power is out of the table).
    private static func fromParts(positive: Bool, significand: UInt64, exponent: Int32) -> Double? {
        var value = Double(significand)
        var exponent = exponent
        while true {
            let magnitude = exponent == Int32.min ? Int(Int32.max) + 1 : Int(abs(exponent))
            if magnitude < powersOfTen.count {
                if exponent >= 0 {
                    value *= powersOfTen[magnitude]
                    if value.isInfinite { return nil }
                } else {
                    value /= powersOfTen[magnitude]
                }
                break
            }
            if value == 0 { break }
            if exponent >= 0 { return nil }
            value /= 1e308
            exponent += 308
        }
        return positive ? value : -value
    }
}
