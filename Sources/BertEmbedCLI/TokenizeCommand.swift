// bert-embed tokenize: text lines in, BERT input ids out (placeholder until the tokenizer lands).

let tokenizeCommand = Subcommand(
    name: "tokenize",
    summary: "print BERT input ids for each input line",
    help: "usage: bert-embed tokenize --model DIR",
    run: { _ in throw UsageError("not implemented yet") }
)
