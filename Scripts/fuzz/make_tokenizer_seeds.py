#!/usr/bin/env python3
"""Writes the seed corpora of the tokenizer fuzzers (Scripts/fuzz.sh) from the committed fixtures.

    python3 Scripts/fuzz/make_tokenizer_seeds.py text|file|json|folder OUT_DIR [MAX_BYTES]

Standard library only; run from the repository root. Nothing it writes is committed.

text: for each tokenizer/option byte the text fuzzer knows (TokenizerTextFuzzer.swift), inputs made of the texts of
      Resources/tokenizer/cases.json (single texts, pairs joined at a 0xFF byte, truncation lengths).
file: the committed tokenizer.json files shrunk under MAX_BYTES (vocabularies cut to their first ids, BPE merges
      kept only between kept tokens, the large Precompiled charsmap dropped), one small tokenizer.json per normalizer,
      pre-tokenizer and decoder configuration of the component goldens (Resources/tokenizer/components), and raw
      `precompiled_charsmap` blobs (input byte 0x00, then the blob) built with a small darts-clone double-array
      builder.
json: the JSON files of Resources under MAX_BYTES, the file seeds, and a few hand-written edge cases.
folder: inputs of the model folder fuzzer (ModelFolderFuzzer.swift: a selector byte, then "@@PATH\n" sections that
      replace files of a fixture folder): each fixture unchanged, each of its small files rewritten as it is, a few
      deletions, and every folder variant of Resources/goldens/sentence/variants.json (Dense, Normalize, pooling
      modes, prompts) written over Resources/tiny-bert.
"""
import base64
import glob
import hashlib
import json
import os
import struct
import sys

KEEP_IDS = 300


def write(out, data):
    if isinstance(data, str):
        data = data.encode("utf-8")
    name = hashlib.sha1(data).hexdigest()
    with open(os.path.join(out, name), "wb") as f:
        f.write(data)


def dumps(obj):
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


# ---------------------------------------------------------------------------------------------------------------
# text


def text_seeds(out):
    cases = [c["text"] for c in json.load(open("Resources/tokenizer/cases.json"))["cases"]]
    cases = [c for c in cases if len(c.encode()) < 400][:1200]
    count = 0
    for index, text in enumerate(cases):
        body = text.encode("utf-8")
        # Every tokenizer sees the first cases; later ones go to one tokenizer each.
        for tokenizer in range(8) if index < 40 else [index % 8]:
            # Spread the cases over the tokenizers and options instead of writing every combination.
            mode = tokenizer | ((index % 4) << 4) | (0x08 if index % 3 == 0 else 0)
            mode |= 0x80 if index % 5 == 0 else 0
            mode |= 0x40 if index % 7 == 0 else 0
            data = bytes([mode])
            if mode & 0x30:
                data += bytes([(index * 7 + tokenizer) % 40])
            if mode & 0x08:
                other = cases[(index + 1) % len(cases)].encode("utf-8")
                data += body + b"\xff" + other
            else:
                data += body
            write(out, data)
            count += 1
    return count


# ---------------------------------------------------------------------------------------------------------------
# file


def shrink_tokenizer(doc):
    """The tokenizer.json `doc` with a vocabulary of at most KEEP_IDS ids (plus the added tokens)."""
    doc = json.loads(json.dumps(doc))
    model = doc.get("model", {})
    added = {t["content"] for t in doc.get("added_tokens", [])}
    kind = model.get("type")
    if kind in ("WordPiece", "BPE") and isinstance(model.get("vocab"), dict):
        vocab = {k: v for k, v in model["vocab"].items() if v < KEEP_IDS or k in added or k == model.get("unk_token")}
        model["vocab"] = vocab
        if kind == "BPE":
            merges = []
            for merge in model.get("merges", []):
                a, b = merge if isinstance(merge, list) else merge.split(" ", 1)
                if a in vocab and b in vocab and a + b in vocab:
                    merges.append(merge)
            model["merges"] = merges
    elif kind == "Unigram":
        unk = model.get("unk_id")
        keep = max(KEEP_IDS, (unk or 0) + 1)
        model["vocab"] = model["vocab"][:keep]
    normalizer = doc.get("normalizer")
    if normalizer and "Precompiled" in json.dumps(normalizer):
        doc["normalizer"] = drop_precompiled(normalizer)
    return doc


def drop_precompiled(normalizer):
    if normalizer.get("type") == "Precompiled":
        return {"type": "NFKC"}
    if normalizer.get("type") == "Sequence":
        return {"type": "Sequence", "normalizers": [drop_precompiled(n) for n in normalizer["normalizers"]]}
    return normalizer


def small_wordpiece():
    chars = [chr(c) for c in range(0x21, 0x7F)] + list("éüß中文▁Ġ")
    vocab = {"[PAD]": 0, "[UNK]": 1, "[CLS]": 2, "[SEP]": 3, "[MASK]": 4}
    for c in chars:
        vocab.setdefault(c, len(vocab))
        vocab.setdefault("##" + c, len(vocab))
    for word in ["hello", "world", "the", "test", "ing", "##ing", "##s", "un", "##able"]:
        vocab.setdefault(word, len(vocab))
    return {"type": "WordPiece", "unk_token": "[UNK]", "continuing_subword_prefix": "##",
            "max_input_chars_per_word": 100, "vocab": vocab}


def bert_wrapper(model, normalizer=None, pre_tokenizer=None, decoder=None):
    return {
        "version": "1.0", "truncation": None, "padding": None,
        "added_tokens": [
            {"id": i, "content": t, "single_word": False, "lstrip": False, "rstrip": False, "normalized": False,
             "special": True}
            for i, t in enumerate(["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"])
        ],
        "normalizer": normalizer,
        "pre_tokenizer": pre_tokenizer if pre_tokenizer is not None else {"type": "BertPreTokenizer"},
        "post_processor": {"type": "BertProcessing", "sep": ["[SEP]", 3], "cls": ["[CLS]", 2]},
        "decoder": decoder,
        "model": model,
    }


class DoubleArray:
    """A darts-clone double array (the layout PrecompiledCharsmap.swift reads) for byte-string keys -> values."""

    def __init__(self, pairs):
        trie = {}
        for key, value in pairs:
            node = trie
            for byte in key:
                node = node.setdefault(byte, {})
            node[None] = value
        self.units = [0] * 256
        self.used = {0}
        self._place(trie, 0)

    def _free(self, position):
        if position >= len(self.units):  # whole blocks of 256 units, as darts-clone allocates them
            self.units += [0] * ((position // 256 + 1) * 256 - len(self.units))
        return position not in self.used

    def _place(self, node, position):
        labels = [k for k in node if k is not None]
        slots = labels + ([0] if None in node else [])
        base = 1
        while not all(self._free(base ^ c) for c in slots) or base == position:
            base += 1
        offset = position ^ base
        assert offset < (1 << 21)
        self.units[position] |= offset << 10
        if None in node:
            self.units[position] |= 1 << 8
            self.units[base] = 0x80000000 | node[None]
            self.used.add(base)
        for c in labels:
            self.used.add(base ^ c)
            self.units[base ^ c] = c
        for c in labels:
            self._place(node[c], base ^ c)

    def blob(self, strings):
        units = self.units
        return struct.pack("<I", 4 * len(units)) + b"".join(struct.pack("<I", u) for u in units) + strings


def charsmap_blob(mapping):
    """A precompiled_charsmap blob mapping each key string to its replacement string."""
    strings = b""
    pairs = []
    for key, replacement in mapping:
        pairs.append((key.encode("utf-8"), len(strings)))
        strings += replacement.encode("utf-8") + b"\0"
    return DoubleArray(sorted(pairs)).blob(strings)


CHARSMAPS = [
    [("A", "a"), ("B", "b")],
    [("ﬁ", "fi"), ("Ⅻ", "XII"), ("é", "é"), ("\u3000", " "), ("\u200b", ""), ("\u00a0", " ")],
    [("e\u0301", "é"), ("\r\n", "\n"), ("ａ", "a"), ("ｂ", "b"), ("\x1e", ""), ("☃", "snowman"), ("x", "")],
    [("\u1100\u1161", "가"), ("😀", ":)"), ("👦", "boy"), ("\u0130", "i\u0307")],
]


def file_seeds(out, max_bytes):
    count = 0
    paths = sorted(set(glob.glob("Resources/**/tokenizer.json", recursive=True)))
    seen = set()
    for path in paths:
        with open(path, "rb") as f:
            raw = f.read()
        digest = hashlib.sha1(raw).hexdigest()
        if digest in seen:
            continue
        seen.add(digest)
        if len(raw) <= max_bytes:
            write(out, raw)
            count += 1
        data = dumps(shrink_tokenizer(json.loads(raw)))
        if len(data.encode()) <= max_bytes:
            write(out, data)
            count += 1
    model = small_wordpiece()
    write(out, dumps(bert_wrapper(model, normalizer={"type": "BertNormalizer"})))
    count += 1
    components = "Resources/tokenizer/components"
    normalizers = json.load(open(os.path.join(components, "normalizers.json")))
    for config in normalizers["configs"]:
        write(out, dumps(bert_wrapper(model, normalizer=json.loads(config["normalizer"]))))
        count += 1
    for case in normalizers.get("replace_decoders", {}).get("cases", []):
        write(out, dumps(bert_wrapper(model, decoder=json.loads(case["decoder"]))))
        count += 1
    pretokenizers = json.load(open(os.path.join(components, "pretokenizers.json")))
    configs = [c["pre_tokenizer"] for c in pretokenizers["configs"]] + [c["pre_tokenizer"] for c in pretokenizers["json"]]
    for config in dict.fromkeys(configs):
        write(out, dumps(bert_wrapper(model, pre_tokenizer=json.loads(config))))
        count += 1
    for decoder in [{"type": "WordPiece", "prefix": "##", "cleanup": True}, {"type": "ByteLevel"},
                    {"type": "Metaspace", "replacement": "▁", "prepend_scheme": "always", "split": True},
                    {"type": "Sequence", "decoders": [{"type": "Replace", "pattern": {"String": "▁"}, "content": " "},
                                                      {"type": "ByteFallback"}, {"type": "Fuse"},
                                                      {"type": "Strip", "content": " ", "start": 1, "stop": 0}]}]:
        write(out, dumps(bert_wrapper(model, decoder=decoder)))
        count += 1
    for mapping in CHARSMAPS:
        blob = charsmap_blob(mapping)
        write(out, b"\0" + blob)
        doc = bert_wrapper(model, normalizer={"type": "Precompiled",
                                              "precompiled_charsmap": base64.b64encode(blob).decode()})
        write(out, dumps(doc))
        count += 2
    return count


# ---------------------------------------------------------------------------------------------------------------
# json

JSON_EDGES = [
    "{}", "[]", "null", "true", "false", "0", "-0", "-0.0e-0", "1e400", "-1E+2", "123456789012345678901234567890",
    "9007199254740993", "12.0", '""', '"\\u0000\\ud83d\\ude00\\/\\b\\f\\n\\r\\t\\"\\\\"', '"\\ud800"', '"\\udc00"',
    '{"a":1,"a":2}', '[1,[2,[3,[4]]]]', '{"k":{"k":{"k":[{"k":null}]}}}', " \t\r\n[ 1 , 2 ] \n", "[" * 128 + "]" * 128,
    "[" * 129 + "]" * 129, '"é中😀"', '{"\\u00e9":"e\\u0301"}',
]


def json_seeds(out, max_bytes):
    count = 0
    for path in sorted(glob.glob("Resources/**/*.json", recursive=True)):
        if os.path.getsize(path) <= max_bytes:
            with open(path, "rb") as f:
                write(out, f.read())
            count += 1
    for edge in JSON_EDGES:
        write(out, edge)
        count += 1
    return count


# The fixtures of ModelFolderFuzzer.swift's `fuzzFixtures`, by kind (sentence, cross, sparse), in the same order.
FOLDER_FIXTURES = [
    ["tiny-bert", "families/mpnet", "families/distilbert", "families/xlm-roberta", "families/roberta"],
    ["heads/bert-cross-encoder-st", "heads/bert-cross-encoder-hf", "heads/distilbert-cross-encoder",
     "heads/xlm-roberta-cross-encoder"],
    ["heads/bert-splade-max", "heads/distilbert-splade-max", "heads/bert-splade-sum"],
]


def folder_input(kind, fixture, files):
    """A folder fuzzer input: the selector byte, then one section per (path, bytes or None to delete)."""
    data = bytes([kind + 3 * fixture])
    for path, content in files:
        data += b"@@" + path.encode() + b"\n" + (b"@delete" if content is None else content) + b"\n"
    return data[:-1] if files else data


def folder_seeds(out, max_bytes):
    count = 0
    for kind, fixtures in enumerate(FOLDER_FIXTURES):
        for index, fixture in enumerate(fixtures):
            root = os.path.join("Resources", fixture)
            write(out, folder_input(kind, index, []))
            count += 1
            for path in sorted(glob.glob(os.path.join(root, "**", "*.json"), recursive=True)):
                relative = os.path.relpath(path, root)
                with open(path, "rb") as f:
                    content = f.read()
                if len(content) > max_bytes // 2:
                    continue
                write(out, folder_input(kind, index, [(relative, content)]))
                write(out, folder_input(kind, index, [(relative, None)]))
                count += 2
    with open("Resources/goldens/sentence/variants.json") as f:
        variants = json.load(f)["variants"]
    base = os.path.join("Resources", "tiny-bert")
    for name, variant in sorted(variants.items()):
        files = [(path, dumps(value).encode()) for path, value in variant.get("json", {}).items()]
        for path, update in variant.get("json_update", {}).items():
            with open(os.path.join(base, path)) as f:
                merged = json.load(f)
            for key, value in update.items():
                if isinstance(value, dict) and isinstance(merged.get(key), dict):
                    merged[key].update(value)
                else:
                    merged[key] = value
            files.append((path, dumps(merged).encode()))
        for path, weights in variant.get("dense_weights", {}).items():
            with open(os.path.join("Resources/goldens/sentence", weights["file"]), "rb") as f:
                files.append((path, f.read()))
        data = folder_input(0, 0, files)
        if len(data) <= max_bytes:
            write(out, data)
            count += 1
    return count


def main():
    kind, out = sys.argv[1], sys.argv[2]
    max_bytes = int(sys.argv[3]) if len(sys.argv) > 3 else 16384
    os.makedirs(out, exist_ok=True)
    if kind == "text":
        count = text_seeds(out)
    elif kind == "file":
        count = file_seeds(out, max_bytes)
    elif kind == "json":
        count = json_seeds(out, max_bytes)
        count += file_seeds(out, max_bytes)
    elif kind == "folder":
        count = folder_seeds(out, max_bytes)
    else:
        sys.exit(f"unknown corpus kind {kind}")
    print(f"{count} {kind} seeds in {out}")


if __name__ == "__main__":
    main()
