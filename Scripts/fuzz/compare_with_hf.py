#!/usr/bin/env python3
"""Differential check of a tokenizer fuzzing corpus against Hugging Face's tokenizers.

    FUZZ_TOK_DUMP=/tmp/dump.jsonl .build-fuzz-tok/text-fuzzer -runs=0 .build-fuzz-tok/corpus-text
    .venv/bin/python Scripts/fuzz/compare_with_hf.py /tmp/dump.jsonl [MAX_REPORTS]

Each line of the dump (written by TokenizerTextFuzzer.swift) holds the settings, the text(s) and the Swift ids,
type ids and offsets, untruncated and truncated. The same input goes through `tokenizers.Tokenizer.from_file` on the
same tokenizer.json (lowercasingFirst: a Lowercase normalizer put first, as sentence-transformers does), with
`enable_truncation` for the truncated one. Differences are grouped by kind and printed with the shortest example.
Where Hugging Face raises on truncation (its error cases; the Swift tokenizer leaves the input whole there) the
truncated encodings are not compared.
"""
import collections
import json
import sys

from tokenizers import Tokenizer, normalizers

STRATEGIES = {"longestFirst": "longest_first", "onlyFirst": "only_first", "onlySecond": "only_second"}
_cache = {}


def tokenizer(folder, lowercase):
    key = (folder, lowercase)
    if key not in _cache:
        tok = Tokenizer.from_file(f"Resources/{folder}/tokenizer.json")
        if lowercase:
            tok.normalizer = (normalizers.Sequence([normalizers.Lowercase(), tok.normalizer])
                              if tok.normalizer is not None else normalizers.Lowercase())
        _cache[key] = tok
    return _cache[key]


def flat(offsets):
    return [x for pair in offsets for x in pair]


def main():
    path = sys.argv[1]
    max_reports = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    kinds = collections.defaultdict(list)
    total = 0
    for line in open(path, encoding="utf-8"):
        case = json.loads(line)
        total += 1
        tok = tokenizer(case["folder"], case["lowercasingFirst"] == "1")
        special = case["addSpecialTokens"] == "1"
        pair = case.get("pair")
        tok.no_truncation()
        hf = tok.encode(case["text"], pair, add_special_tokens=special)
        label = f"{case['folder']}{' +lower' if case['lowercasingFirst'] == '1' else ''}"
        for what, mine, theirs in [("ids", case["fullIds"], hf.ids), ("typeIds", case["fullTypeIds"], hf.type_ids),
                                   ("offsets", case["fullOffsets"], flat(hf.offsets))]:
            if mine != theirs:
                kinds[(label, what, "full")].append((len(case["text"]) + len(pair or ""), case, mine, theirs))
                break
        if "maxLength" in case:
            try:
                tok.enable_truncation(case["maxLength"][0], strategy=STRATEGIES[case["strategy"]])
                hf = tok.encode(case["text"], pair, add_special_tokens=special)
            except Exception:
                continue
            finally:
                pass
            for what, mine, theirs in [("ids", case["truncatedIds"], hf.ids),
                                       ("offsets", case["truncatedOffsets"], flat(hf.offsets))]:
                if mine != theirs:
                    kinds[(label, what, "truncated")].append(
                        (len(case["text"]) + len(pair or ""), case, mine, theirs))
                    break
    print(f"{total} inputs compared; {sum(len(v) for v in kinds.values())} differ")
    for (label, what, part), examples in sorted(kinds.items()):
        examples.sort(key=lambda e: e[0])
        print(f"\n== {label}: {what} differ ({part}) in {len(examples)} inputs; shortest:")
        for _, case, mine, theirs in examples[:max_reports]:
            shown = {k: case[k] for k in ("form", "text", "pair", "addSpecialTokens", "maxLength", "strategy")
                     if k in case}
            print("  input:", json.dumps(shown, ensure_ascii=True))
            print("  swift:", mine)
            print("  hf:   ", theirs)


if __name__ == "__main__":
    main()
