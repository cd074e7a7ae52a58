// A parsed JSON document that keeps object members in order, duplicates included, and numbers as written.
// Used for the safetensors header (where duplicate names must be detected), model config files and the
// tokenizer files.

/// One JSON value. Objects keep their members in source order, duplicates included,
/// so that callers can reject (safetensors header) or resolve (config: last wins) them.
package indirect enum JSONValue: Sendable, Equatable {
    /// `null`.
    case null
    /// `true` or `false`.
    case bool(Bool)
    /// A number, kept as written.
    case number(JSONNumber)
    /// A string, unescaped.
    case string(String)
    /// A list.
    case array([JSONValue])
    /// An object: its members in source order, duplicates included.
    case object([JSONMember])

    /// A short name of the value's kind, for error messages: "null", "a boolean", "a number", ...
    package var kindDescription: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .number(let n): return "the number \(n.literal)"
        case .string(let s): return "the string \"\(s.prefix(40))\""
        case .array: return "a list"
        case .object: return "an object"
        }
    }

    /// The members if this is an object, else nil.
    package var objectMembers: [JSONMember]? {
        if case .object(let members) = self { return members }
        return nil
    }

    /// The string if this is a string, else nil.
    package var stringValue: String? {
        if case .string(let s) = self { return s }
        return nil
    }
}

/// A `"key": value` pair of a JSON object.
package struct JSONMember: Sendable, Equatable {
    /// The key, unescaped.
    package let key: String
    /// The value.
    package let value: JSONValue
}

/// A JSON number kept as its literal, so integers stay exact and "12" differs from "12.0".
package struct JSONNumber: Sendable, Equatable {
    /// The number exactly as written (ASCII, validated against the JSON grammar).
    package let literal: String
    /// True when the literal has neither a fraction nor an exponent ("12", "-3"; not "12.0", "1e3").
    package let isIntegerLiteral: Bool

    /// The value when written as an integer literal that fits in `Int`; nil otherwise.
    package var exactInt: Int? { isIntegerLiteral ? Int(literal) : nil }

    /// True for an integer literal with a leading minus ("-3", not "-0.5"); such a value is never a size.
    package var isNegativeInteger: Bool { isIntegerLiteral && literal.hasPrefix("-") && literal != "-0" }

    /// The value as a Double (nearest), or nil if it is out of Double's range.
    package var double: Double? {
        guard let d = Double(literal), d.isFinite else { return nil }
        return d
    }

    /// The value as an `Int` if it is integral: "12", "12.0" and "1.2e1" all give 12; "12.5" gives nil.
    /// Non-literal integers are accepted only up to 2^53 in magnitude, where Double is still exact.
    package var integralValue: Int? {
        if let exact = exactInt { return exact }
        guard !isIntegerLiteral, let d = double, d == d.rounded(.towardZero),
            abs(d) <= 9_007_199_254_740_992
        else { return nil }
        return Int(d)
    }
}

extension Array where Element == JSONMember {
    /// The value of the last member named `key` (JSON parsers such as Python's keep the last duplicate).
    package func value(_ key: String) -> JSONValue? {
        self.last(where: { $0.key == key })?.value
    }

    /// The first key that occurs more than once, if any.
    package var firstDuplicateKey: String? {
        var seen = Set<String>()
        for member in self where !seen.insert(member.key).inserted { return member.key }
        return nil
    }
}
