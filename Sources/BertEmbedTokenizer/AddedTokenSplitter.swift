// Ports tokenizers' AddedVocabulary::extract_and_normalize (tokenizer/added_vocabulary.rs) for the general pipeline:
// the text is cut at the added tokens with `normalized: false` (matched in the raw text), the pieces between are
// normalized, then cut at the tokens with `normalized: true` (matched in the normalized text against their
// normalized content). Matching is leftmost-longest and non-overlapping; `single_word`, `lstrip` and `rstrip` apply
// within the piece being cut.

/// The added tokens, as the general pipeline matches them.
package struct AddedTokenSplitter: Sendable {
    /// A token and the scalars it is matched as.
    struct Pattern: Sendable {
        let scalars: [Unicode.Scalar]
        let token: AddedToken
    }

    /// Tokens matched in the raw text, longest first.
    let raw: [Pattern]
    /// Tokens matched in the normalized text (by their normalized content), longest first.
    let normalized: [Pattern]
    /// The first scalars of `raw` and of `normalized`: a scalar in neither set starts no match.
    let rawStarts: ScalarSet
    let normalizedStarts: ScalarSet

    /// The tokens of `tokens`; those with `normalized` are matched as `normalizer` rewrites their content.
    package init(tokens: [AddedToken], normalizer: (any TextNormalizer)?) {
        func byLength(_ patterns: [Pattern]) -> [Pattern] {
            patterns.filter { !$0.scalars.isEmpty }.sorted { $0.scalars.count > $1.scalars.count }
        }
        raw = byLength(
            tokens.filter { !$0.normalized }.map { Pattern(scalars: Array($0.content.unicodeScalars), token: $0) })
        normalized = byLength(
            tokens.filter(\.normalized).map { token in
                var text = NormalizedText(token.content)
                normalizer?.normalize(&text)
                return Pattern(scalars: text.scalars, token: token)
            })
        rawStarts = ScalarSet(raw.map { $0.scalars[0] })
        normalizedStarts = ScalarSet(normalized.map { $0.scalars[0] })
    }

    /// Whether no token is matched at all.
    package var isEmpty: Bool { raw.isEmpty && normalized.isEmpty }

    /// `text` cut at the matches of the raw (`inNormalizedText` false) or normalized tokens, in order: each piece
    /// with the token it is (its text includes any whitespace `lstrip`/`rstrip` took) or nil for the text between.
    /// Empty pieces are left out.
    package func split(_ text: NormalizedText, inNormalizedText: Bool) -> [(text: NormalizedText, token: AddedToken?)] {
        let patterns = inNormalizedText ? normalized : raw
        let starts = inNormalizedText ? normalizedStarts : rawStarts
        let scalars = text.scalars
        guard !scalars.isEmpty else { return [] }
        guard let first = starts.firstIndex(in: scalars) else { return [(text.slice(0..<scalars.count), nil)] }
        var pieces: [(Range<Int>, AddedToken?)] = []
        var pieceStart = 0
        var i = first
        while i < scalars.count {
            guard starts.contains(scalars[i]),
                let pattern = patterns.first(where: { Self.matches($0.scalars, scalars, at: i) })
            else {
                i += 1
                continue
            }
            var start = i, stop = i + pattern.scalars.count
            i = stop  // a match discarded by single_word is not scanned again
            let token = pattern.token
            if token.singleWord {
                let clearBefore = start == 0 || !Self.isWordCharacter(scalars[start - 1])
                let clearAfter = stop == scalars.count || !Self.isWordCharacter(scalars[stop])
                guard clearBefore && clearAfter else { continue }
            }
            if token.lstrip {
                while start > pieceStart && WhiteSpace.contains(scalars[start - 1]) { start -= 1 }
            }
            if token.rstrip {
                while stop < scalars.count && WhiteSpace.contains(scalars[stop]) { stop += 1 }
                i = stop
            }
            if pieceStart < start { pieces.append((pieceStart..<start, nil)) }
            pieces.append((start..<stop, token))
            pieceStart = stop
        }
        if pieceStart < scalars.count { pieces.append((pieceStart..<scalars.count, nil)) }
        return pieces.map { (text.slice($0.0), $0.1) }
    }

    @inline(__always)
    static func matches(_ pattern: [Unicode.Scalar], _ scalars: [Unicode.Scalar], at i: Int) -> Bool {
        guard i + pattern.count <= scalars.count else { return false }
        for k in pattern.indices where scalars[i + k] != pattern[k] { return false }
        return true
    }

    /// Rust regex's Unicode `\\w`: Alphabetic, marks, decimal numbers, connector punctuation, Join_Control.
    static func isWordCharacter(_ scalar: Unicode.Scalar) -> Bool {
        let properties = scalar.properties
        if properties.isAlphabetic || properties.isJoinControl { return true }
        switch properties.generalCategory {
        case .nonspacingMark, .spacingMark, .enclosingMark, .decimalNumber, .connectorPunctuation: return true
        default: return false
        }
    }
}
