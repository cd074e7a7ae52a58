// Ports tokenizers' NormalizedString (tokenizer/normalizer.rs): a piece of the input as normalizers and
// pre-tokenizers rewrite it, with, for each of its characters, the characters of the original it came from, so that
// every token's offsets point into the original text.
//
// tokenizers keeps one alignment per UTF-8 byte; every byte of a character always gets the same alignment, so one
// per Unicode scalar is the same bookkeeping, and offsets come out in scalars, as Python reports them. The rules
// are tokenizers' own, quirks included (they decide offsets): see `transform`.

/// A normalized piece of text and where each of its scalars comes from in the original input.
package struct NormalizedText: Sendable, Equatable {
    /// The normalized scalars.
    package private(set) var scalars: [Unicode.Scalar]
    /// For each normalized scalar, the original scalars it comes from, relative to `originalStart`.
    package private(set) var alignments: [Range<Int>]
    /// Where this piece's original text starts in the whole input, in scalars (tokenizers' `original_shift`).
    package private(set) var originalStart: Int
    /// The length of this piece's original text, in scalars.
    package private(set) var originalCount: Int

    /// `scalars` as they are, each aligned with itself; the piece starts at scalar `originalStart` of the input.
    package init(_ scalars: [Unicode.Scalar], originalStart: Int = 0) {
        self.scalars = scalars
        alignments = scalars.indices.map { $0..<($0 + 1) }
        self.originalStart = originalStart
        originalCount = scalars.count
    }

    /// The text of `string`, each scalar aligned with itself.
    package init(_ string: String, originalStart: Int = 0) {
        self.init(Array(string.unicodeScalars), originalStart: originalStart)
    }

    /// The normalized text as a String.
    package var string: String {
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars)
        return String(view)
    }

    /// Whether no normalized scalar is left.
    package var isEmpty: Bool { scalars.isEmpty }

    // MARK: - Offsets

    /// The original scalars (relative to `originalStart`) behind the normalized scalars `range`
    /// (`convert_offsets`): from the first one's alignment start to the last one's end. An empty range comes back
    /// unchanged (tokenizers returns the normalized numbers themselves there), nil when out of bounds.
    package func originalRange(of range: Range<Int>) -> Range<Int>? {
        if range.isEmpty {
            return scalars.isEmpty && range == 0..<0 ? 0..<originalCount : range
        }
        guard range.lowerBound >= 0, range.upperBound <= alignments.count else { return nil }
        return alignments[range.lowerBound].lowerBound..<alignments[range.upperBound - 1].upperBound
    }

    /// The normalized scalars `range` as a piece of its own (`slice`): its original text is the part of this
    /// piece's original behind `range`.
    package func slice(_ range: Range<Int>) -> NormalizedText {
        let original = originalRange(of: range) ?? 0..<0
        // The whole text covering its whole original is itself (the common case: nothing to cut).
        if range == 0..<scalars.count && original == 0..<originalCount { return self }
        var piece = NormalizedText([], originalStart: originalStart + original.lowerBound)
        piece.scalars = Array(scalars[range])
        piece.alignments = alignments[range].map {
            ($0.lowerBound - original.lowerBound)..<($0.upperBound - original.lowerBound)
        }
        piece.originalCount = original.count
        return piece
    }

    // MARK: - Rewriting

    /// Replaces the normalized scalars `range` by `changes` (`transform_range`), each new scalar with a change:
    /// 0 it replaces one old scalar, +1 it is inserted, -n it replaces one old scalar and the n after it are
    /// deleted. `initialOffset` old scalars at the start of `range` are deleted first. A consuming scalar takes the
    /// alignment of the old scalar at the current position; an inserted one that of the scalar before the current
    /// position (nothing, 0..<0, at the very start). Old scalars left unconsumed at the end vanish.
    package mutating func transform(
        _ range: Range<Int>, _ changes: [(scalar: Unicode.Scalar, change: Int)], initialOffset: Int
    ) {
        var position = range.lowerBound + min(initialOffset, range.count)
        var newScalars: [Unicode.Scalar] = []
        var newAlignments: [Range<Int>] = []
        newScalars.reserveCapacity(changes.count)
        newAlignments.reserveCapacity(changes.count)
        for (scalar, change) in changes {
            let alignment: Range<Int>
            if change > 0 {
                alignment = position < 1 ? 0..<0 : alignments[position - 1]
            } else {
                alignment = position < range.upperBound ? alignments[position] : (alignments.last ?? 0..<0)
                position = min(position + 1, range.upperBound)
                if change < 0 { position = min(position - change, range.upperBound) }
            }
            newScalars.append(scalar)
            newAlignments.append(alignment)
        }
        scalars.replaceSubrange(range, with: newScalars)
        alignments.replaceSubrange(range, with: newAlignments)
    }

    /// `transform` over the whole text.
    package mutating func transform(_ changes: [(scalar: Unicode.Scalar, change: Int)], initialOffset: Int) {
        transform(0..<scalars.count, changes, initialOffset: initialOffset)
    }

    /// Replaces the whole normalized text by `scalars` with their `alignments` (one each, into this piece's
    /// original), for normalizers that compute alignments themselves.
    package mutating func replaceAll(_ scalars: [Unicode.Scalar], alignments: [Range<Int>]) {
        precondition(scalars.count == alignments.count)
        self.scalars = scalars
        self.alignments = alignments
    }

    /// Replaces each scalar by `map(scalar)` (one for one, alignments unchanged).
    package mutating func map(_ map: (Unicode.Scalar) -> Unicode.Scalar) {
        scalars = scalars.map(map)
    }

    /// Keeps the scalars for which `keep` is true (`filter`): a kept scalar also takes over the removed scalars
    /// after it; removed scalars at the start are skipped.
    package mutating func filter(_ keep: (Unicode.Scalar) -> Bool) {
        var changes: [(scalar: Unicode.Scalar, change: Int)] = []
        var leading = 0
        for scalar in scalars {
            if keep(scalar) {
                changes.append((scalar, 0))
            } else if changes.isEmpty {
                leading += 1
            } else {
                changes[changes.count - 1].change -= 1
            }
        }
        transform(changes, initialOffset: leading)
    }

    /// Lowercases scalar by scalar (`lowercase`: Rust's char::to_lowercase, no context: Σ is always σ), a scalar
    /// with a longer lowercase mapping inserting the rest (İ -> i + U+0307).
    package mutating func lowercase() {
        var changes: [(scalar: Unicode.Scalar, change: Int)] = []
        changes.reserveCapacity(scalars.count)
        var changed = false
        for scalar in scalars {
            let lower = scalar.properties.lowercaseMapping.unicodeScalars
            var first = true
            for l in lower {
                changes.append((l, first ? 0 : 1))
                first = false
            }
            changed = changed || lower.count != 1 || lower.first != scalar
        }
        if changed { transform(changes, initialOffset: 0) }
    }

    /// Puts `prefix` in front (`prepend`): its first scalar takes the first scalar's slot, the rest of it and the
    /// old first scalar inherit the first scalar's alignment. Nothing for an empty text or prefix.
    package mutating func prepend(_ prefix: [Unicode.Scalar]) {
        guard let first = scalars.first, let head = prefix.first else { return }
        var changes: [(scalar: Unicode.Scalar, change: Int)] = [(head, 0)]
        for scalar in prefix.dropFirst() { changes.append((scalar, 1)) }
        changes.append((first, 1))
        transform(0..<1, changes, initialOffset: 0)
    }

    /// Replaces each of `matches` (ascending, non-overlapping ranges of normalized scalars) by `content`
    /// (`replace`): every scalar of `content` is an insertion after the whole match is deleted, so it takes the
    /// alignment of the match's last scalar; an empty content just removes the match.
    package mutating func replace(_ matches: [Range<Int>], with content: [Unicode.Scalar]) {
        for match in matches.reversed() {
            let changes = content.map { (scalar: $0, change: 1) }
            // The inserted scalars inherit the alignment before the current position, i.e. the match's last one.
            let position = match.upperBound
            let alignment = position < 1 ? 0..<0 : alignments[position - 1]
            scalars.replaceSubrange(match, with: changes.map(\.scalar))
            alignments.replaceSubrange(match, with: Array(repeating: alignment, count: changes.count))
        }
    }

    /// The ranges of `pattern` in the normalized text, leftmost first and non-overlapping (a plain string search).
    package func ranges(of pattern: [Unicode.Scalar]) -> [Range<Int>] {
        guard !pattern.isEmpty, pattern.count <= scalars.count else { return [] }
        var result: [Range<Int>] = []
        var i = 0
        while i + pattern.count <= scalars.count {
            if scalars[i] == pattern[0] && scalars[i..<(i + pattern.count)].elementsEqual(pattern) {
                result.append(i..<(i + pattern.count))
                i += pattern.count
            } else {
                i += 1
            }
        }
        return result
    }

    /// Removes leading and/or trailing White_Space scalars (`lrstrip`).
    package mutating func strip(left: Bool, right: Bool) {
        let leading = left ? scalars.prefix { WhiteSpace.contains($0) }.count : 0
        guard leading < scalars.count else {
            if leading > 0 { transform([], initialOffset: leading) }
            return
        }
        let trailing = right ? scalars.reversed().prefix { WhiteSpace.contains($0) }.count : 0
        guard leading > 0 || trailing > 0 else { return }
        let kept = scalars[leading..<(scalars.count - trailing)].map { (scalar: $0, change: 0) }
        transform(kept, initialOffset: leading)
    }

    // MARK: - Splitting

    /// What happens to the delimiters when a text is split (tokenizers' SplitDelimiterBehavior).
    package enum SplitBehavior: String, Sendable {
        /// Dropped.
        case removed
        /// Pieces of their own.
        case isolated
        /// Appended to the piece before.
        case mergedWithPrevious
        /// Prepended to the piece after.
        case mergedWithNext
        /// Consecutive delimiters as one piece.
        case contiguous
    }

    /// Splits at `delimiters` (ascending, non-overlapping ranges of normalized scalars) with `behavior`; empty
    /// pieces are dropped.
    package func split(at delimiters: [Range<Int>], behavior: SplitBehavior) -> [NormalizedText] {
        // Segments in order: (range, isDelimiter).
        var segments: [(range: Range<Int>, isMatch: Bool)] = []
        var last = 0
        for match in delimiters {
            if last < match.lowerBound { segments.append((last..<match.lowerBound, false)) }
            segments.append((match, true))
            last = match.upperBound
        }
        if last < scalars.count { segments.append((last..<scalars.count, false)) }
        var pieces: [Range<Int>] = []
        switch behavior {
        case .removed:
            pieces = segments.filter { !$0.isMatch }.map(\.range)
        case .isolated:
            pieces = segments.map(\.range)
        case .mergedWithPrevious:
            var previousMatch = false
            for segment in segments {
                if segment.isMatch && !previousMatch, let open = pieces.last {
                    pieces[pieces.count - 1] = open.lowerBound..<segment.range.upperBound
                } else {
                    pieces.append(segment.range)
                }
                previousMatch = segment.isMatch
            }
        case .mergedWithNext:
            var previousMatch = false
            for segment in segments.reversed() {
                if segment.isMatch && !previousMatch, let open = pieces.last {
                    pieces[pieces.count - 1] = segment.range.lowerBound..<open.upperBound
                } else {
                    pieces.append(segment.range)
                }
                previousMatch = segment.isMatch
            }
            pieces.reverse()
        case .contiguous:
            var previousMatch = false
            for segment in segments {
                if segment.isMatch && previousMatch, let open = pieces.last {
                    pieces[pieces.count - 1] = open.lowerBound..<segment.range.upperBound
                } else {
                    pieces.append(segment.range)
                }
                previousMatch = segment.isMatch
            }
        }
        return pieces.filter { !$0.isEmpty }.map { slice($0) }
    }
}
