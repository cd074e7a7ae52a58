#!/usr/bin/env python3
"""Differential check of a tokenizer.json fuzzing corpus against Hugging Face's tokenizers.

    FUZZ_TOK_DUMP=/tmp/files.jsonl .build-fuzz-tok/file-fuzzer -runs=0 .build-fuzz-tok/corpus-file
    .venv/bin/python Scripts/fuzz/compare_files_with_hf.py /tmp/files.jsonl [MAX_REPORTS]

For each input of the dump (TokenizerFileFuzzer.swift): whether Hugging Face's `Tokenizer.from_str` loads it too,
and when both load, the encodings (ids, type ids, offsets, with special tokens) and the decoded ids of the harness's
fixed texts. The Swift tokenizer refuses, by design, components it does not implement and files that lack a
CLS/SEP/padding token; those show up as "swift rejects, hf loads" and are summarized by error message. The file's
`truncation` and `padding` sections are switched off on the Hugging Face side: the Swift API ignores them.
Run with RUST_BACKTRACE=0 and stderr redirected: tokenizers panics (and prints a backtrace) on some fuzzed inputs.
"""
import collections
import json
import sys

from tokenizers import Tokenizer

TEXTS = [
    "", " ", "Hello, world! This is a TEST.",
    "héllo wörld ☃ 中文字 e\u0301 \U0001F600\u200D\U0001F466 ﬁ Ⅻ",
    "[CLS] a [SEP] b [MASK] <s> c </s> <mask> d <unk> [UNK] <pad>", "  leading and trailing  \t\n",
    "don't 12345 3.14 $%^&* ▁ Ġ ##ing", "\x00\x01\x7f\ufffd\ue000\U0010ffff\ufeff",
    "a" * 300 + " " + "é" * 120,
]


def main():
    max_reports = int(sys.argv[2]) if len(sys.argv) > 2 else 4
    counts = collections.Counter()
    swift_errors = collections.Counter()
    diffs = collections.defaultdict(list)
    for line in open(sys.argv[1], encoding="utf-8"):
        case = json.loads(line)
        data = bytes.fromhex(case["input"])
        try:
            hf = Tokenizer.from_str(data.decode("utf-8"))
            # The Swift tokenizer ignores the file's truncation and padding sections (the API takes them per call).
            hf.no_truncation()
            hf.no_padding()
            hf_error = None
        except BaseException as error:  # pyo3 panics are BaseException
            hf, hf_error = None, str(error).splitlines()[0][:80] if str(error) else type(error).__name__
        swift_loads = "texts" in case
        counts[(swift_loads, hf is not None)] += 1
        if not swift_loads:
            if hf is not None:
                message = case["error"].split(": ", 1)[-1][:70]
                swift_errors[message] += 1
            continue
        if hf is None:
            diffs[("swift loads, hf rejects", hf_error)].append((len(data), data, None, None, None))
            continue
        for text, mine in zip(TEXTS, case["texts"]):
            try:
                theirs = hf.encode(text)
            except BaseException as error:
                if mine is not None:
                    diffs[("hf encode fails, swift encodes", str(error)[:60])].append((len(data), data, text, mine, None))
                continue
            if mine is None:
                diffs[("swift encode fails, hf encodes", "")].append((len(data), data, text, None, theirs.ids))
                continue
            offsets = [x for pair in theirs.offsets for x in pair]
            for what, a, b in [("ids", mine["ids"], theirs.ids), ("typeIds", mine["typeIds"], theirs.type_ids),
                               ("offsets", mine["offsets"], offsets)]:
                if a != b:
                    diffs[(what, "")].append((len(data), data, text, a, b))
                    break
            else:
                try:
                    decoded = hf.decode(theirs.ids)
                except BaseException as error:
                    decoded = f"<hf decode error {str(error)[:60]}>"
                if decoded != mine["decoded"]:
                    diffs[("decode", "")].append((len(data), data, text, mine["decoded"], decoded))
    print("inputs by (swift loads, hf loads):", dict(counts))
    print("\nswift refuses, hf loads, by swift's error:")
    for message, n in swift_errors.most_common(25):
        print(f"  {n:5}  {message}")
    for (kind, detail), found in sorted(diffs.items(), key=lambda kv: -len(kv[1])):
        found.sort(key=lambda f: f[0])
        print(f"\n== {kind} {detail}: {len(found)} (input, text) pairs; shortest:")
        for _, data, text, mine, theirs in found[:max_reports]:
            print("  file: ", data[:1500].decode("utf-8", "replace"))
            if text is not None:
                print("  text: ", json.dumps(text[:80]))
                print("  swift:", mine)
                print("  hf:   ", theirs)


if __name__ == "__main__":
    main()
