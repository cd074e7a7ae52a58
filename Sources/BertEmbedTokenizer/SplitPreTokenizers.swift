// Ports tokenizers' pattern-splitting pre-tokenizers, Split (pre_tokenizers/split.rs), Punctuation (punctuation.rs)
// and Digits (digits.rs), with the NormalizedString::split and Pattern::find_matches they share
// (tokenizer/normalizer.rs, tokenizer/pattern.rs).
import BertEmbedJSON

/// tokenizers' `NormalizedString::split`: a text cut into segments, matches and the text between them, then
/// grouped by the delimiter behavior.
package enum PatternSplit {
    /// The segments of a text of `count` scalars around `matches` (ascending, non-overlapping, possibly empty), as
    /// `find_matches` lists them: each gap before a match, the match itself (flagged true), the gap at the end.
    /// `invert` flips the flags. An empty text has no segment that survives.
    package static func segments(
        _ matches: [Range<Int>], count: Int, invert: Bool = false
    ) -> [(range: Range<Int>, isMatch: Bool)] {
        var segments: [(range: Range<Int>, isMatch: Bool)] = []
        var last = 0
        for match in matches {
            if last < match.lowerBound { segments.append((last..<match.lowerBound, invert)) }
            segments.append((match, !invert))
            last = match.upperBound
        }
        if last < count { segments.append((last..<count, invert)) }
        return segments
    }

    /// The pieces of `text` for `segments` and `behavior`, empty ones dropped. As tokenizers: Contiguous merges
    /// consecutive segments with the same flag (matches, and with `invert` the gaps that were adjacent matches);
    /// MergedWithPrevious (Next) appends (prepends) a match to the segment before (after) unless that one is a match.
    package static func split(
        _ text: NormalizedText, _ segments: [(range: Range<Int>, isMatch: Bool)], behavior: NormalizedText.SplitBehavior
    ) -> [NormalizedText] {
        var pieces: [Range<Int>] = []
        var previousMatch = false
        switch behavior {
        case .removed:
            pieces = segments.filter { !$0.isMatch }.map(\.range)
        case .isolated:
            pieces = segments.map(\.range)
        case .contiguous:
            for (range, isMatch) in segments {
                if isMatch == previousMatch, let open = pieces.last {
                    pieces[pieces.count - 1] = open.lowerBound..<range.upperBound
                } else {
                    pieces.append(range)
                }
                previousMatch = isMatch
            }
        case .mergedWithPrevious:
            for (range, isMatch) in segments {
                if isMatch && !previousMatch, let open = pieces.last {
                    pieces[pieces.count - 1] = open.lowerBound..<range.upperBound
                } else {
                    pieces.append(range)
                }
                previousMatch = isMatch
            }
        case .mergedWithNext:
            for (range, isMatch) in segments.reversed() {
                if isMatch && !previousMatch, let open = pieces.last {
                    pieces[pieces.count - 1] = range.lowerBound..<open.upperBound
                } else {
                    pieces.append(range)
                }
                previousMatch = isMatch
            }
            pieces.reverse()
        }
        return pieces.filter { !$0.isEmpty }.map { text.slice($0) }
    }

    /// The segments of `text` where each scalar for which `isDelimiter` holds is a match of its own.
    static func scalarSegments(
        _ text: NormalizedText, _ isDelimiter: (Unicode.Scalar) -> Bool
    ) -> [(range: Range<Int>, isMatch: Bool)] {
        segments(
            text.scalars.indices.filter { isDelimiter(text.scalars[$0]) }.map { $0..<($0 + 1) },
            count: text.scalars.count)
    }

    /// The behavior a tokenizer.json names (`Removed`, `Isolated`, `MergedWithPrevious`, `MergedWithNext`,
    /// `Contiguous`), or `default` when the key is absent.
    /// - Throws: `JSONFileError` naming the key for another value, or when absent without a default.
    static func behavior(
        _ json: JSONObject, default fallback: NormalizedText.SplitBehavior? = nil
    ) throws(JSONFileError) -> NormalizedText.SplitBehavior {
        guard let name = try json.string("behavior") else {
            guard let fallback else { throw json.error("behavior", "missing") }
            return fallback
        }
        switch name {
        case "Removed": return .removed
        case "Isolated": return .isolated
        case "MergedWithPrevious": return .mergedWithPrevious
        case "MergedWithNext": return .mergedWithNext
        case "Contiguous": return .contiguous
        default:
            throw json.error(
                "behavior",
                "unknown behavior \"\(name)\": expected Removed, Isolated, MergedWithPrevious, MergedWithNext or "
                    + "Contiguous")
        }
    }
}

/// `Split`: cuts at the matches of a pattern (a literal or an Oniguruma regular expression) with a delimiter
/// behavior; `invert` makes the text between matches the delimiters.
package struct SplitPreTokenizer: PreTokenizer {
    /// Where the text is cut.
    package let pattern: TextPattern
    /// What happens to the delimiters.
    package let behavior: NormalizedText.SplitBehavior
    /// Whether the matches are the pieces and the rest the delimiters.
    package let invert: Bool

    /// A pre-tokenizer cutting at `pattern`.
    package init(pattern: TextPattern, behavior: NormalizedText.SplitBehavior, invert: Bool = false) {
        self.pattern = pattern
        self.behavior = behavior
        self.invert = invert
    }

    /// The pre-tokenizer of a tokenizer.json `{"type": "Split", "pattern": {"Regex": ...}, "behavior": "Isolated",
    /// "invert": false}` object; as tokenizers' serde, all three keys are required.
    /// - Throws: `JSONFileError` naming the key for a missing or wrong value (an unknown behavior, a regular
    ///   expression that does not compile); `TokenizerError.unsupported` for a regular expression ICU cannot run as
    ///   Oniguruma does.
    package init(json: JSONObject) throws {
        pattern = try TextPattern(json: try json.required("pattern"))
        behavior = try PatternSplit.behavior(json)
        invert = try json.required("invert").bool()
    }

    /// The pieces of `text`.
    package func split(_ text: NormalizedText) -> [NormalizedText] {
        let matches = pattern.matches(in: text.scalars)
        return PatternSplit.split(
            text, PatternSplit.segments(matches, count: text.scalars.count, invert: invert), behavior: behavior)
    }
}

/// `Punctuation`: each punctuation scalar (ASCII punctuation or a Unicode 8.0 `P*` category, tokenizers' `is_punc`,
/// the same test as BertPreTokenizer's) is a delimiter, with a behavior (Isolated by default).
package struct PunctuationPreTokenizer: PreTokenizer {
    /// What happens to the punctuation.
    package let behavior: NormalizedText.SplitBehavior

    /// A pre-tokenizer splitting at punctuation.
    package init(behavior: NormalizedText.SplitBehavior = .isolated) { self.behavior = behavior }

    /// The pre-tokenizer of a tokenizer.json `{"type": "Punctuation", "behavior": ...}` object.
    /// - Throws: `JSONFileError` for an unknown behavior.
    package init(json: JSONObject) throws(JSONFileError) {
        behavior = try PatternSplit.behavior(json, default: .isolated)
    }

    /// The pieces of `text`.
    package func split(_ text: NormalizedText) -> [NormalizedText] {
        PatternSplit.split(
            text, PatternSplit.scalarSegments(text, BertCharacterClass.isPunctuation), behavior: behavior)
    }
}

/// `Digits`: numeric scalars (Rust's `char::is_numeric`: general category Nd, Nl or No) split apart, one piece
/// each with `individualDigits`, else each run one piece (Contiguous).
package struct DigitsPreTokenizer: PreTokenizer {
    /// Whether each digit is a piece of its own.
    package let individualDigits: Bool

    /// A pre-tokenizer splitting at digits.
    package init(individualDigits: Bool) { self.individualDigits = individualDigits }

    /// The pre-tokenizer of a tokenizer.json `{"type": "Digits", "individual_digits": ...}` object (the key is
    /// required, as tokenizers' serde has it).
    /// - Throws: `JSONFileError` naming the key when it is missing or not a boolean.
    package init(json: JSONObject) throws(JSONFileError) {
        individualDigits = try json.required("individual_digits").bool()
    }

    /// Whether `scalar` is numeric (Nd, Nl, No). Rust's tables and Swift's agree on every code point (checked in
    /// the tests).
    @inline(__always)
    static func isNumeric(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.value < 0x80 { return scalar.value >= 0x30 && scalar.value <= 0x39 }
        switch scalar.properties.generalCategory {
        case .decimalNumber, .letterNumber, .otherNumber: return true
        default: return false
        }
    }

    /// The pieces of `text`.
    package func split(_ text: NormalizedText) -> [NormalizedText] {
        PatternSplit.split(
            text, PatternSplit.scalarSegments(text, Self.isNumeric),
            behavior: individualDigits ? .isolated : .contiguous)
    }
}
