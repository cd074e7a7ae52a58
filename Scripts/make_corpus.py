#!/usr/bin/env python3
"""Writes a deterministic corpus of real English paragraphs, one per line, for the tokenizer benchmark.

Usage: make_corpus.py OUTPUT [--max-paragraphs N]

Sources, all offline and shipped with Python: the reference topics of `pydoc_data/topics.py` and the docstrings of
the standard library's modules, classes and functions (read with `ast`, never imported). Paragraphs are unwrapped,
kept when they are prose (20 to 120 words, mostly letters) and deduplicated, in a fixed order.
"""
import argparse
import ast
import os
import re
import sysconfig


def paragraphs(text):
    """Blank-line separated blocks of `text`, skipping code-like blocks, unwrapped to one line each."""
    for block in re.split(r"\n\s*\n", text):
        lines = [line for line in block.splitlines() if line.strip()]
        if not lines:
            continue
        if any(line.lstrip().startswith((">>>", "...", "$ ", "|", "+-", "==", "--")) for line in lines):
            continue
        indents = {len(line) - len(line.lstrip()) for line in lines}
        if len(indents) > 2:  # code, tables and lists have ragged indentation
            continue
        yield " ".join(line.strip() for line in lines)


def is_prose(paragraph):
    words = paragraph.split()
    if not 20 <= len(words) <= 120:
        return False
    letters = sum(c.isalpha() or c.isspace() for c in paragraph)
    return letters / len(paragraph) >= 0.85


def sources():
    import pydoc_data.topics

    for key in sorted(pydoc_data.topics.topics):
        yield pydoc_data.topics.topics[key]
    stdlib = sysconfig.get_paths()["stdlib"]
    for root, dirs, files in os.walk(stdlib):
        dirs[:] = sorted(d for d in dirs if d not in ("test", "tests", "idle_test", "site-packages", "__pycache__"))
        for name in sorted(files):
            if not name.endswith(".py"):
                continue
            try:
                with open(os.path.join(root, name), encoding="utf-8") as handle:
                    tree = ast.parse(handle.read())
            except (SyntaxError, UnicodeDecodeError, ValueError):
                continue
            for node in ast.walk(tree):
                if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
                    doc = ast.get_docstring(node)
                    if doc:
                        yield doc


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("output")
    parser.add_argument("--max-paragraphs", type=int, default=5000)
    args = parser.parse_args()
    seen, kept = set(), []
    for text in sources():
        for paragraph in paragraphs(text):
            if is_prose(paragraph) and paragraph not in seen:
                seen.add(paragraph)
                kept.append(paragraph)
                if len(kept) >= args.max_paragraphs:
                    break
        if len(kept) >= args.max_paragraphs:
            break
    with open(args.output, "w", encoding="utf-8", newline="\n") as out:
        for paragraph in kept:
            out.write(paragraph + "\n")
    size = sum(len(p.encode("utf-8")) + 1 for p in kept)
    print(f"wrote {len(kept)} paragraphs, {size / 1e6:.2f} MB, to {args.output}")


if __name__ == "__main__":
    main()
