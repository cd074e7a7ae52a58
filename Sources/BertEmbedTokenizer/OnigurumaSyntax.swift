// Rewrites a regular expression of Oniguruma's Ruby syntax (what tokenizers compiles) as the ICU pattern that
// matches the same; the differences it handles are listed on OnigurumaRegex.

/// The rewrite of Oniguruma (Ruby syntax) patterns into ICU's syntax.
enum OnigurumaSyntax {
    /// Oniguruma's `\w`, as the contents of an ICU set.
    static let word = #"\p{Alphabetic}\p{M}\p{Nd}\p{Pc}\u00B2\u00B3\u00B9\u00BC-\u00BE"#
    /// Oniguruma's `[[:word:]]`, and its `\w` and `\p{Word}` inside a set, as the contents of an ICU set.
    static let posixWord = #"\p{Alphabetic}\p{M}\p{Nd}\p{Pc}"#
    /// Oniguruma's `\h`, `[[:xdigit:]]` and `\p{XDigit}`.
    static let hex = "0-9A-Fa-f"
    /// Oniguruma's `[[:punct:]]`.
    static let punct = #"\p{P}\p{S}"#
    /// Any scalar (ICU's `.` in DOTALL mode would take a CR LF pair as one).
    static let anyScalar = #"[\x{0}-\x{10FFFF}]"#

    /// The ICU pattern of `pattern`.
    /// - Throws: `OnigurumaRegex.Problem.unsupported` for a construct with no ICU equivalent,
    ///   `OnigurumaRegex.Problem.invalid` for an option Oniguruma does not know either.
    static func translate(_ pattern: String) throws(OnigurumaRegex.Problem) -> String {
        let p = Array(pattern.unicodeScalars)
        var out = String.UnicodeScalarView()
        func emit(_ text: String) { out.append(contentsOf: text.unicodeScalars) }
        var i = 0
        var classDepth = 0
        // The options in force in each open group: Ruby's `m` (dot matches \n), and `i`.
        var scopes: [Options] = [Options()]
        while i < p.count {
            let c = p[i]
            if c == "\\" && i + 1 < p.count {
                let (text, length) = try escape(p, at: i, inClass: classDepth > 0, options: scopes[scopes.count - 1])
                emit(text)
                i += length
                continue
            }
            if classDepth > 0 {
                if c == "[" && i + 1 < p.count && p[i + 1] == ":", let end = find(":]", in: p, from: i + 2) {
                    emit(posixClass(String(String.UnicodeScalarView(p[(i + 2)..<end]))))
                    i = end + 2
                    continue
                }
                if c == "[" { classDepth += 1 }
                if c == "]" { classDepth -= 1 }
                out.append(c)
                i += 1
                continue
            }
            switch c {
            case "[":
                classDepth = 1
                out.append(c)
                i += 1
            case "^":
                emit(#"(?:\A|(?<=\n)(?!\z))"#)
                i += 1
            case "$":
                emit(#"(?=\n|\z)"#)
                i += 1
            case "(" where i + 1 < p.count && p[i + 1] == "?":
                let (text, length) = try group(p, at: i, scopes: &scopes)
                emit(text)
                i += length
            case "(":
                scopes.append(scopes[scopes.count - 1].child)
                out.append(c)
                i += 1
            case ")":
                emit(String(repeating: ")", count: scopes[scopes.count - 1].implicitGroups))
                if scopes.count > 1 { scopes.removeLast() } else { scopes[0].implicitGroups = 0 }
                out.append(c)
                i += 1
            case ".":
                emit(scopes[scopes.count - 1].dotAll ? anyScalar : #"[^\n]"#)
                i += 1
            case "{":
                let (text, length) = try interval(p, at: i)
                emit(text)
                i += length
            default:
                out.append(c)
                i += 1
            }
        }
        emit(String(repeating: ")", count: scopes[0].implicitGroups))
        return String(out)
    }

    /// The ICU form of the escape at `p[start]` (a backslash and what follows), and how many scalars it takes.
    static func escape(
        _ p: [Unicode.Scalar], at start: Int, inClass: Bool, options: Options
    ) throws(OnigurumaRegex.Problem) -> (String, Int) {
        let e = p[start + 1]
        let boundary = "(?<=[\(word)])(?![\(word)])|(?<![\(word)])(?=[\(word)])"
        let inside = "(?<=[\(word)])(?=[\(word)])|(?<![\(word)])(?![\(word)])"
        switch e {
        case "w": return (inClass ? posixWord : "[\(word)]", 2)
        case "W": return (inClass ? "[^\(posixWord)]" : "[^\(word)]", 2)
        case "h": return (inClass ? hex : "[\(hex)]", 2)
        case "H": return ("[^\(hex)]", 2)
        case "v": return (#"\x{0B}"#, 2)
        case "b": return (inClass ? #"\x{08}"# : "(?:\(boundary))", 2)
        case "B" where !inClass: return ("(?:\(inside))", 2)
        case "Z" where !inClass: return (#"(?=\n?\z)"#, 2)
        case "N": return (inClass ? "N" : #"[^\n]"#, 2)
        case "O": return (inClass ? "O" : anyScalar, 2)
        case "Q", "E": return (String(e), 2)
        case "K", "G", "y", "Y", "g":
            throw .unsupported("\\\(e) has no ICU equivalent")
        case "X":
            throw .unsupported("\\X differs (ICU joins Indic conjuncts into one cluster, Oniguruma does not)")
        case "x", "o", "p", "P":
            // \x{...}, \p{...}: copied through the closing brace (a property may be rewritten).
            guard start + 2 < p.count, p[start + 2] == "{", let end = find("}", in: p, from: start + 3) else {
                return ("\\\(e)", 2)
            }
            let body = String(String.UnicodeScalarView(p[(start + 3)..<end]))
            let length = end + 1 - start
            guard e == "p" || e == "P" else { return ("\\\(e){\(body)}", length) }
            let set = property(body, negated: e == "P", inClass: inClass)
            // Oniguruma ignores case for a property outside a set (ICU would close it over case).
            return (options.caseless && !inClass ? "(?-i:\(set))" : set, length)
        default: return ("\\\(e)", 2)
        }
    }

    /// `\p{name}` (`negated`: `\P{name}`, and `^` in front of the name negates too) in ICU's syntax.
    static func property(_ body: String, negated: Bool, inClass: Bool) -> String {
        var name = Substring(body)
        var negated = negated
        if name.first == "^" {
            name = name.dropFirst()
            negated.toggle()
        }
        let key = name.lowercased().filter { $0 != " " && $0 != "_" && $0 != "-" }
        let set: String
        switch key {
        case "word": set = inClass ? posixWord : word
        case "xdigit": set = hex
        default: return "\\\(negated ? "P" : "p"){\(name)}"
        }
        return negated ? "[^\(set)]" : inClass ? set : "[\(set)]"
    }

    /// A POSIX bracket `[:name:]` (or `[:^name:]`) inside a set, in ICU's syntax.
    static func posixClass(_ body: String) -> String {
        let negated = body.hasPrefix("^")
        let set: String
        switch negated ? String(body.dropFirst()) : body {
        case "punct": set = punct
        case "word": set = posixWord
        case "xdigit": set = hex
        default: return "[:\(body):]"
        }
        return negated ? "[^\(set)]" : set
    }

    /// The options of a group: Ruby's `m` (dot matches `\n`) and `i` (ignore case).
    struct Options {
        /// `m`.
        var dotAll = false
        /// `i`.
        var caseless = false
        /// Groups opened for isolated options (`a(?i)b|c` is Oniguruma's `a(?i:b|c)`): each is closed where the
        /// enclosing group closes, or at the end of the pattern.
        var implicitGroups = 0

        /// The options a group opened inside this scope starts with (no implicit groups of its own yet).
        var child: Options {
            var options = self
            options.implicitGroups = 0
            return options
        }
    }

    /// The group opening `(?...` at `p[start]`: comments are copied whole; option groups update `scopes` (ICU gets
    /// `i` alone: `m` is applied by the rewrite of `.`); other group kinds open a scope and are copied as `(?`.
    static func group(
        _ p: [Unicode.Scalar], at start: Int, scopes: inout [Options]
    ) throws(OnigurumaRegex.Problem) -> (String, Int) {
        guard start + 2 < p.count else { return ("(?", 2) }
        let kind = p[start + 2]
        if kind == "#" {
            let end = find(")", in: p, from: start + 3) ?? p.count - 1
            return (String(String.UnicodeScalarView(p[start...end])), end + 1 - start)
        }
        if kind == "~" { throw .unsupported("the absent operator (?~...) has no ICU equivalent") }
        guard kind.properties.isAlphabetic || kind == "-" else {
            scopes.append(scopes[scopes.count - 1].child)
            return ("(?", 2)
        }
        var i = start + 2
        var options = scopes[scopes.count - 1]
        var on = true
        var icu = ""
        while i < p.count, p[i] != ")" && p[i] != ":" {
            switch p[i] {
            case "-":
                on = false
                icu += "-"
            case "i":
                options.caseless = on
                icu += "i"
            case "m": options.dotAll = on
            case "x": throw .unsupported("the extended option (?x) is not supported")
            case "s", "a", "u", "d", "l": throw .invalid("undefined group option '\(p[i])'")
            default: throw .unsupported("the option '\(p[i])' has no ICU equivalent")
            }
            i += 1
        }
        guard i < p.count else { throw .invalid("end pattern in group") }
        if icu.hasSuffix("-") { icu.removeLast() }
        if p[i] == ":" {
            scopes.append(options.child)
            return ("(?\(icu):", i + 1 - start)
        }
        // (?imx-imx) alone: to the end of the enclosing group, alternatives after it included (Oniguruma reads
        // `a(?i)b|c` as `a(?i:b|c)`; ICU's `(?i)` would leave `|c` outside): a group of its own, closed there.
        options.implicitGroups += 1
        scopes[scopes.count - 1] = options
        return ("(?\(icu):", i + 1 - start)
    }

    /// An interval `{n}`, `{n,}`, `{,m}` or `{n,m}` at `p[start]` (`{,m}` written `{0,m}`), or a literal `{`.
    static func interval(_ p: [Unicode.Scalar], at start: Int) throws(OnigurumaRegex.Problem) -> (String, Int) {
        guard let end = find("}", in: p, from: start + 1) else { return (#"\{"#, 1) }
        let body = String(String.UnicodeScalarView(p[(start + 1)..<end]))
        let parts = body.split(separator: ",", maxSplits: 1, omittingEmptySubsequences: false)
        let isNumber = { (s: Substring) in s.allSatisfy { $0.isASCII && $0.isNumber } }
        let valid =
            parts.count == 1
            ? !body.isEmpty && isNumber(parts[0])
            : isNumber(parts[0]) && isNumber(parts[1]) && !(parts[0].isEmpty && parts[1].isEmpty)
        guard valid else { return (#"\{"#, 1) }
        if end + 1 < p.count && p[end + 1] == "+" {
            throw .unsupported("an interval followed by + (Ruby repeats it; ICU makes it possessive)")
        }
        if parts.count == 2, let low = Int(parts[0]), let high = Int(parts[1]), low > high {
            // Ruby: {n,m} with n > m is the possessive {m,n}.
            return ("{\(high),\(low)}+", end + 1 - start)
        }
        return (parts.count == 2 && parts[0].isEmpty ? "{0\(body)}" : "{\(body)}", end + 1 - start)
    }

    /// The index of the first occurrence of `needle` in `p` at or after `from`.
    static func find(_ needle: String, in p: [Unicode.Scalar], from: Int) -> Int? {
        let n = Array(needle.unicodeScalars)
        var i = from
        while i + n.count <= p.count {
            if p[i..<(i + n.count)].elementsEqual(n) { return i }
            i += 1
        }
        return nil
    }
}
