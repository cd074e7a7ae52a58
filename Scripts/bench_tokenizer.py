#!/usr/bin/env python3
"""Tokenizer throughput: Hugging Face `tokenizers` against bert-embed, single thread, on the same file, same ids.

Usage: .venv/bin/python Scripts/bench_tokenizer.py [--model DIR] [--corpus FILE] [--bert-embed PATH]

Makes the corpus with Scripts/make_corpus.py when FILE does not exist (default /tmp/bert-embed-corpus.txt).
Times HF encode_batch (RAYON_NUM_THREADS=1, TOKENIZERS_PARALLELISM=false) and per-text encode, best of 5 rounds,
then runs `bert-embed tokenize --model DIR --benchmark FILE` (build it first: swift build -c release), and checks
that `bert-embed tokenize` gives exactly HF's ids for every line. Prints MB/s of UTF-8 text for each.
"""
import os

os.environ["RAYON_NUM_THREADS"] = "1"
os.environ["TOKENIZERS_PARALLELISM"] = "false"

import argparse  # noqa: E402
import json  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import tokenizers  # noqa: E402
from tokenizers import Tokenizer  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def best_of(rounds, body):
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        body()
        best = min(best, time.perf_counter() - start)
    return best


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default=os.path.expanduser("~/.cache/bert-embed/all-MiniLM-L6-v2"))
    parser.add_argument("--corpus", default="/tmp/bert-embed-corpus.txt")
    parser.add_argument("--bert-embed", default=os.path.join(ROOT, ".build", "release", "bert-embed"))
    args = parser.parse_args()
    if not os.path.exists(args.corpus):
        subprocess.run([sys.executable, os.path.join(ROOT, "Scripts", "make_corpus.py"), args.corpus], check=True)
    with open(args.corpus, "rb") as handle:
        raw = handle.read()
    texts = raw.decode("utf-8").split("\n")
    if texts and texts[-1] == "":
        texts.pop()
    megabytes = sum(len(t.encode("utf-8")) for t in texts) / 1e6

    tokenizer = Tokenizer.from_file(os.path.join(args.model, "tokenizer.json"))
    tokenizer.no_truncation()
    tokenizer.no_padding()
    batch = best_of(5, lambda: tokenizer.encode_batch(texts))
    single = best_of(3, lambda: [tokenizer.encode(t) for t in texts])
    reference = [e.ids for e in tokenizer.encode_batch(texts)]

    swift = subprocess.run([args.bert_embed, "tokenize", "--model", args.model, "--benchmark", args.corpus],
                           check=True, capture_output=True, text=True).stdout
    output = subprocess.run([args.bert_embed, "tokenize", "--model", args.model], input=raw,
                            check=True, capture_output=True).stdout.decode("utf-8").splitlines()
    ours = [json.loads(line)["ids"] for line in output]
    mismatches = sum(a != b for a, b in zip(ours, reference)) + abs(len(ours) - len(reference))

    print(f"corpus: {len(texts)} texts, {megabytes:.2f} MB ({args.corpus}); tokenizers {tokenizers.__version__}")
    print(f"HF tokenizers encode_batch, 1 thread : {megabytes / batch:6.1f} MB/s")
    print(f"HF tokenizers encode per text        : {megabytes / single:6.1f} MB/s")
    for line in swift.strip().splitlines():
        print(f"bert-embed {line}")
    print(f"ids equal to HF on {len(texts) - mismatches} of {len(texts)} texts")
    sys.exit(1 if mismatches else 0)


if __name__ == "__main__":
    main()
