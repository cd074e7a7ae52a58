// A small command-line argument reader: the package has no dependencies, so no ArgumentParser.
import BertEmbed

/// An error in the command line: printed to stderr, exit code 2.
struct UsageError: Error, CustomStringConvertible {
    var description: String
    init(_ message: String) { description = message }
}

/// Command-line arguments of one subcommand, consumed option by option.
///
/// Options are `--name value`, `--name=value` or boolean `--flag`; everything else is positional.
/// `--` ends option parsing. Unknown options are an error, reported by `finish()`.
struct Arguments {
    private var options: [(name: String, value: String?)] = []
    private(set) var positional: [String] = []
    private var consumed: Set<Int> = []

    /// Splits `args` into options and positionals. `valueOptions` are the options that take a value.
    init(_ args: [String], valueOptions: Set<String>) throws {
        var i = 0
        var onlyPositional = false
        while i < args.count {
            let arg = args[i]
            i += 1
            if onlyPositional || !arg.hasPrefix("--") || arg == "-" {
                positional.append(arg)
                continue
            }
            if arg == "--" {
                onlyPositional = true
                continue
            }
            let body = arg.dropFirst(2)
            if let eq = body.firstIndex(of: "=") {
                options.append((String(body[..<eq]), String(body[body.index(after: eq)...])))
            } else if valueOptions.contains(String(body)) {
                guard i < args.count else { throw UsageError("option --\(body) needs a value") }
                options.append((String(body), args[i]))
                i += 1
            } else {
                options.append((String(body), nil))
            }
        }
    }

    /// True when the boolean flag `--name` was given.
    mutating func flag(_ name: String) throws -> Bool {
        var found = false
        for (index, option) in options.enumerated() where option.name == name {
            guard option.value == nil else { throw UsageError("option --\(name) takes no value") }
            consumed.insert(index)
            found = true
        }
        return found
    }

    /// The value of `--name`, the last one if given several times.
    mutating func string(_ name: String) throws -> String? {
        var value: String?
        for (index, option) in options.enumerated() where option.name == name {
            guard let v = option.value else { throw UsageError("option --\(name) needs a value") }
            consumed.insert(index)
            value = v
        }
        return value
    }

    /// The value of `--name` as an integer of at least `minimum`.
    mutating func int(_ name: String, minimum: Int = 1) throws -> Int? {
        guard let text = try string(name) else { return nil }
        guard let value = Int(text), value >= minimum else {
            throw UsageError("option --\(name) needs an integer >= \(minimum), got '\(text)'")
        }
        return value
    }

    /// The value of `--compute-type` (float32 when not given).
    mutating func computeType() throws -> ComputeType {
        guard let name = try string("compute-type") else { return .float32 }
        guard let type = ComputeType(name: name) else {
            throw UsageError(
                "unknown compute type '\(name)' (one of: \(ComputeType.allCases.map(\.name).joined(separator: ", ")))")
        }
        return type
    }

    /// Throws for any option that no call above consumed.
    func finish() throws {
        for (index, option) in options.enumerated() where !consumed.contains(index) {
            throw UsageError("unknown option --\(option.name) (see --help)")
        }
    }
}
