#!/usr/bin/env python3
"""Differential check of a JSON fuzzing corpus: JSONParser's accept/reject against Python's strict json module.

    FUZZ_JSON_DUMP=/tmp/json.txt .build-fuzz-tok/json-fuzzer -runs=0 .build-fuzz-tok/corpus-json
    python3 Scripts/fuzz/compare_json_with_python.py /tmp/json.txt

Python is made as strict as RFC 8259: the bytes must be UTF-8 (no BOM), NaN/Infinity are refused, duplicates kept.
Known, intended differences are counted apart: nesting deeper than JSONParser.maximumDepth (128) and lone
surrogates in \\u escapes (Python keeps them in its str; a Swift String cannot hold one).
"""
import collections
import json
import sys


def python_verdict(data):
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return "reject", "not UTF-8"

    def constant(name):
        raise ValueError(f"constant {name}")

    try:
        value = json.loads(text, parse_constant=constant, object_pairs_hook=list)
    except RecursionError:
        return "reject", "recursion"
    except ValueError as error:
        return "reject", str(error)[:60]
    if has_lone_surrogate(value):
        return "surrogate", ""
    if depth(value) > 128:
        return "deep", ""
    return "accept", ""


def has_lone_surrogate(value):
    stack = [value]
    while stack:
        v = stack.pop()
        if isinstance(v, str):
            if any(0xD800 <= ord(c) <= 0xDFFF for c in v):
                return True
        elif isinstance(v, list):
            for item in v:
                stack.extend(item if isinstance(item, tuple) else (item,))
    return False


def depth(value):
    best, stack = 0, [(value, 0)]
    while stack:
        v, d = stack.pop()
        if isinstance(v, list):  # lists and objects (object_pairs_hook=list)
            best = max(best, d + 1)
            for item in v:
                if isinstance(item, tuple):
                    stack.append((item[1], d + 1))
                else:
                    stack.append((item, d + 1))
    return best


def main():
    counts = collections.Counter()
    examples = collections.defaultdict(list)
    for line in open(sys.argv[1]):
        verdict, hexdata = line.split()[0], (line.split() + [""])[1]
        data = bytes.fromhex(hexdata)
        python, why = python_verdict(data)
        swift = "accept" if verdict == "ACCEPTED" else "reject"
        key = (swift, python)
        counts[key] += 1
        if swift != python and python in ("accept", "reject"):
            examples[key].append((len(data), data, why))
    for key, n in sorted(counts.items()):
        print(f"swift {key[0]:6} python {key[1]:9} {n}")
    for key, found in examples.items():
        found.sort()
        print(f"\n== swift {key[0]}s, python {key[1]}s: {len(found)} inputs; shortest:")
        for _, data, why in found[:5]:
            print("  ", data[:200], why)


if __name__ == "__main__":
    main()
