// Ports tokenizers' SysRegex (utils/onig.rs: Oniguruma with its default Ruby syntax) onto Foundation's
// NSRegularExpression (ICU): the pattern is rewritten where the two dialects differ, and matches are enumerated as
// the onig crate's `find_iter` enumerates them.
import Foundation

/// A regular expression of a tokenizer.json, written for Oniguruma and run on ICU.
///
/// Both engines backtrack, leftmost-first, over Unicode scalars, with Unicode 16.0 properties (tokenizers 0.23.3
/// links Oniguruma 6.9.10; Foundation's ICU on Swift 6.3 has the same Unicode version). `\s`, `\d`, `\p{L}`,
/// `\p{N}`, `\p{P}` and the other general categories, scripts and most POSIX classes give the same sets for every
/// code point. Where Oniguruma's Ruby syntax means something else, the pattern is rewritten (`icuPattern`):
/// - `.` excludes only `\n` (ICU: every line terminator), and with Ruby's `(?m)` nothing (ICU's DOTALL `.` would
///   also take a CR LF pair as one): both are written as explicit sets, the `m` option tracked group by group.
/// - `^` matches at the start and after a `\n` that does not end the text, `$` before a `\n` and at the end, `\Z`
///   at the end or before a final `\n` (ICU: other line terminators too, `^` also at the end after a final `\n`).
/// - `\w` is Alphabetic, marks, Nd, Pc and U+00B2 U+00B3 U+00B9 U+00BC-U+00BE (ICU: also U+200C U+200D and not
///   those six); `\W`, `\b`, `\B` and `\p{Word}` follow. Inside a set, and as `[[:word:]]`, it is Alphabetic,
///   marks, Nd, Pc.
/// - `\h` is a hexadecimal digit (ICU: horizontal space), as `[[:xdigit:]]` and `\p{XDigit}` (ICU: all Nd too);
///   `[[:punct:]]` is P and S (ICU: P only); `\v` is U+000B alone (ICU: vertical space).
/// - Under `(?i)`, a property outside a set (`\p{Lu}`) ignores case (ICU would close it over case): it is wrapped
///   in `(?-i:...)`. Inside a set both close it over case.
/// - `\p{^X}` is `\P{X}`; `{,n}` is `{0,n}`; `{n,m}` with n > m is the possessive `{m,n}+`; `\N` is `[^\n]`,
///   `\O` any scalar; `\Q` and `\E` are the letters.
/// Constructs with no ICU equivalent are refused: `\K`, `\G`, `\y`, `\Y`, `\g<...>` calls, `\X` (ICU's clusters
/// join Indic conjuncts, Oniguruma's do not), `(?~...)`, options other than `i`, `m` and the extended mode `x`
/// itself (comments would need a different rewrite), and an interval followed by `+` (Ruby repeats it, ICU makes
/// it possessive). A pattern ICU does not compile is invalid.
package struct OnigurumaRegex: @unchecked Sendable, Equatable {
    // @unchecked: NSRegularExpression is immutable, and its matching is thread-safe (Foundation checks out an ICU
    // matcher per call).

    /// Why a pattern cannot be used.
    package enum Problem: Error, Equatable {
        /// The pattern uses a construct that ICU cannot express as Oniguruma means it.
        case unsupported(String)
        /// The pattern does not compile.
        case invalid(String)
    }

    /// The pattern as the file writes it.
    package let pattern: String
    /// The same pattern in ICU's syntax.
    package let icuPattern: String
    private let expression: NSRegularExpression

    /// Two regexes are equal when written the same.
    package static func == (a: OnigurumaRegex, b: OnigurumaRegex) -> Bool { a.pattern == b.pattern }

    /// Compiles `pattern`.
    /// - Throws: `Problem.unsupported` for a construct ICU cannot express, `Problem.invalid` when it does not
    ///   compile.
    package init(_ pattern: String) throws(Problem) {
        self.pattern = pattern
        icuPattern = try OnigurumaSyntax.translate(pattern)
        guard let compiled = Self.compiled(icuPattern) else {
            throw .invalid("ICU does not compile it (as '\(icuPattern)')")
        }
        expression = compiled
    }

    /// Compiled expressions by ICU pattern, shared by every tokenizer of the process. swift-corelibs-foundation
    /// (Swift 6.3) leaks a copy of every pattern longer than 256 UTF-16 units each time one is compiled (found by
    /// LeakSanitizer while fuzzing); compiling each pattern once bounds that to once per pattern.
    private static let cache = CompiledPatterns()

    /// The compiled `icuPattern` (an empty one as `(?:)`: ICU refuses it, Oniguruma's matches everywhere), nil when
    /// ICU does not compile it.
    private static func compiled(_ icuPattern: String) -> NSRegularExpression? {
        cache.lock.withLock {
            if let known = cache.expressions[icuPattern] { return known }
            guard
                let expression = try? NSRegularExpression(
                    pattern: icuPattern.isEmpty ? "(?:)" : icuPattern, options: [.useUnixLineSeparators])
            else { return nil }
            cache.expressions[icuPattern] = expression
            return expression
        }
    }

    /// The process's compiled expressions, guarded by `lock`.
    private final class CompiledPatterns: @unchecked Sendable {
        let lock = NSLock()
        var expressions: [String: NSRegularExpression] = [:]
    }

    /// The matches in `scalars` as onig's `find_iter` gives them: leftmost first; after each match the search goes
    /// on from its end, where an empty match is skipped (the search then starts one scalar further). ICU's
    /// enumeration differs only in reporting that empty match, so it is dropped here.
    package func matches(in scalars: [Unicode.Scalar]) -> [Range<Int>] {
        guard !scalars.isEmpty else { return [] }
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars)
        let text = String(view)
        let length = text.utf16.count
        // UTF-16 offset -> scalar index, needed only when some scalar takes two code units.
        var scalarIndex: [Int] = []
        if length != scalars.count {
            scalarIndex.reserveCapacity(length + 1)
            for (index, scalar) in scalars.enumerated() {
                scalarIndex.append(index)
                if scalar.value > 0xFFFF { scalarIndex.append(index) }
            }
            scalarIndex.append(scalars.count)
        }
        var result: [Range<Int>] = []
        var lastEnd: Int? = nil
        for match in expression.matches(in: text, options: [], range: NSRange(location: 0, length: length)) {
            let lower = match.range.location, upper = match.range.location + match.range.length
            let start = scalarIndex.isEmpty ? lower : scalarIndex[lower]
            let end = scalarIndex.isEmpty ? upper : scalarIndex[upper]
            if start == end && lastEnd == end { continue }
            result.append(start..<end)
            lastEnd = end
        }
        return result
    }
}
