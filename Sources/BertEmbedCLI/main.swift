// bert-embed: the command-line face of the library. One file per subcommand.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One subcommand: its name, a one-line summary, its full help, and what it runs.
struct Subcommand: Sendable {
    var name: String
    var summary: String
    var help: String
    /// Hidden commands (measuring tools) are runnable but not listed in the main help.
    var hidden: Bool = false
    var run: @Sendable ([String]) throws -> Void
}

let subcommands: [Subcommand] = [
    tokenizeCommand,
    embedCommand,
    mergeShardsCommand,
    searchCommand,
    rerankCommand,
    similarityCommand,
    benchCommand,
    benchKernelsCommand,
]

func mainHelp() -> String {
    var text = """
        bert-embed: BERT sentence embeddings in pure Swift.

        usage: bert-embed <command> [options]

        commands:

        """
    for command in subcommands where !command.hidden {
        text +=
            "  " + command.name + String(repeating: " ", count: max(1, 12 - command.name.count)) + command.summary
            + "\n"
    }
    text += "\nRun 'bert-embed <command> --help' for the options of a command.\n"
    return text
}

let argv = Array(CommandLine.arguments.dropFirst())
guard let first = argv.first, first != "--help", first != "-h", first != "help" else {
    print(mainHelp(), terminator: "")
    exit(argv.isEmpty ? 2 : 0)
}
guard let command = subcommands.first(where: { $0.name == first }) else {
    printError("bert-embed: unknown command '\(first)'\n\n" + mainHelp())
    exit(2)
}
let rest = Array(argv.dropFirst())
if rest.contains("--help") || rest.contains("-h") {
    print(command.help, terminator: command.help.hasSuffix("\n") ? "" : "\n")
    exit(0)
}
do {
    try command.run(rest)
} catch let error as UsageError {
    printError("bert-embed \(command.name): \(error)")
    exit(2)
} catch {
    printError("bert-embed \(command.name): \(error)")
    exit(1)
}
