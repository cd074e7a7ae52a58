#!/usr/bin/env python3
"""Builds the goldens of the Unicode normalizers and the splitting pre-tokenizers under Resources/tokenizer/components/.

Reference: Hugging Face tokenizers 0.23.3 (Scripts/requirements.txt), its Rust components through the Python
bindings: normalizers NFC, NFD, NFKC, NFKD (the `unicode-normalization-alignments` crate), Replace with literal and
regular-expression patterns (Oniguruma), pre-tokenizers Split (Oniguruma), Punctuation and Digits.

Run (no network, deterministic: no randomness at all):
  .venv/bin/python Scripts/make_component_goldens.py

Every configuration is a complete tokenizer.json: the file's shared WordPiece `model` (one entry per character of
the normalized texts, plus `##` forms, so that ids are meaningful) with the configuration's normalizer and/or
pre-tokenizer objects exactly as tokenizers serializes them (stored as JSON text). The tests load each through the
package's loader.

Writes:
  normalizers.json    model; texts; configs: name, normalizer object, cases: text (an index into texts), normalized text, flat per-scalar
                      original offsets [s0, e0, s1, e1, ...], and the FNV-1a digest of the full tokenizer's encoding
                      ("ids|s0,e0,s1,e1...", no special tokens).
                      replace_decoders: Replace decoder objects and what they make of each of a few tokens.
  pretokenizers.json  model; texts; configs: name, optional normalizer, pre-tokenizer object, cases: text index, flat piece
                      offsets, the pieces themselves only where a normalizer changed them (otherwise they are the
                      text's scalars at those offsets), the encoding digest; json: pre-tokenizer objects and whether
                      tokenizers loads them (and if it does, the piece offsets of json_probe).
  sweeps.json         every code point (surrogates excluded), for each of NFC/NFD/NFKC/NFKD: the code points it
                      changes, as ranges [first, last, ...], Hangul syllables aside; their results ("HEX result",
                      a single code point's offsets are always [0, 1]) for NFD and NFKD in full, for NFC and NFKC
                      where they differ from NFD's and NFKD's; NFC (NFKC) applied to the NFD (NFKD) result of every
                      changed code point where it does not simply give back the code point aligned with the first
                      scalar ("HEX result offsets"); a digest of all Hangul syllables; FNV-1a digests of chunks of
                      16,384 code points in contexts (composition with a following mark, canonical reordering
                      around marks, composition as the second of a pair); the code points Punctuation and Digits
                      split on and StripAccents removes, as ranges; FNV-1a digests of Split with real-world and
                      dialect-probing regular expressions over every code point (each followed by a letter, a space
                      or a digit).
"""
import json
import os
import sys

import tokenizers
from tokenizers import PreTokenizedString, Regex, Tokenizer, models, normalizers, pre_tokenizers

assert tokenizers.__version__ == "0.23.3", tokenizers.__version__

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Resources", "tokenizer", "components")
CHUNK = 4096
SWEEP_CHUNK = 0x4000  # code points per digest of the chunk sweeps
ALL = [c for c in range(0x110000) if not 0xD800 <= c < 0xE000]

# ---------------------------------------------------------------- texts

HANGUL_V = "".join("\u1100" + chr(v) for v in range(0x1161, 0x1176))
HANGUL_T = "".join("\uac00" + chr(t) for t in range(0x11A7, 0x11C3))

NORMALIZER_TEXTS = [
    "", " ", "Hello, world!", "plain ascii text with numbers 12345",
    # composition, decomposition, reordering of combining marks
    "e\u0301", "cafe\u0301 caf\u00e9", "e\u0301\u0327", "e\u0327\u0301", "a\u0308\u0304", "\u01d6", "o\u0308\u0304\u0301",
    "q\u0307\u0323", "\u1e9b\u0323", "\u0301a", "\u0301\u0327a\u0301", "x\u0344", "\u0344", "A\u030a\u0301",
    "A\u0301\u030a", "\u212b \u2126 \u212a", "a\u0305\u0301\u0316\u0334\u0300", "a\u0300\u0300\u0300", " \u0301",
    "\u05e9\u05c1\u05b8\u05dc\u05d5\u05b9\u05dd", "\u05b0\u05b1\u05d0", "\u0958 \u0915\u093c \u0915\u093c\u093f",
    "\u0f73 \u0f71\u0f72 \u0f77 \u0f79", "\u1df6a\u0316 a\u1df6\u0316 a\u0316\u1df6", "a\u07fd\u0301 a\u0301\u07fd",
    "\U00011938 \U00011935\U00011930", "\u0b47\u0b3e \u0b47\u0b57 \u0b47\u0b56", "\u0cc6\u0cc2\u0cd5",
    "\u0dd9\u0dcf\u0dca", "\u1025\u102e", "\u1b05\u1b35", "\U00011099\U000110ba", "\U00011131\U00011127",
    "\U00011347\U0001133e", "\U000114b9\U000114ba", "\U000115b8\U000115af", "\u09c7\u09be \u0bc6\u0bbe",
    "\u0390 \u1fee \u0385 \u1fc1 \u1fb7 \u1f80 \u03b1\u0313\u0345\u0301", "\u0451 \u0435\u0308 \u0419 \u0418\u0306",
    "\u304b\u3099 \u30cf\u309a \u309b \u309c \uff76\uff9e",
    # Hangul
    "\ud55c\uad6d\uc5b4", "\u1100\u1161\u11a8", "\uac00\u11a8", "\uac00\u11a7", "\u1100\u1161\u11a7",
    "\u1100\u1100\u1161", "\u1100", "\uac01\u11a8", HANGUL_V, HANGUL_T, "\u3131\u314f \u3131 \uffa1\uffc2",
    "\u1100\u0301\u1161",
    # compatibility mappings
    "\ufb01ne \ufb02ow \ufb00 \ufb03 \ufb04 \ufb05 \ufb06", "\ufb01\u0301", "\u01c4 \u01c5 \u01c6 \u0132 \u0133 \u0149",
    "\u337f \u338f \u339e \u33c2 \u3231 \u32a4 \u32ff", "\uff28\uff45\uff4c\uff4c\uff4f\u3000\uff57\uff4f\uff52\uff4c\uff44\uff01\uff11\uff12\uff13",
    "\uff76\uff9e\uff77\uff9e\uff8a\uff9f \uff80\uff9e", "\u00bd \u00bc \u00be \u2153 \u215e \u2189",
    "x\u00b2 x\u00b3 \u00b9 \u2070 \u2074 \u2082 H\u2082O \u207f \u2103 \u2109 \u2116 \u2122 \u2121",
    "\U0001d53e\U0001d560\U0001d560\U0001d558\U0001d55d\U0001d556 \U0001d400\U0001d401 \U0001d7cf\U0001d7d0",
    "\u216b \u217b \u2163 \u2460 \u2473 \u3251 \u24b6 \u24d0 \u2474 \u249c",
    "\ufdfa \ufdfd \ufefc \ufe8d", "\u0e33 \u0eb3 \u0e4d\u0e32", "\U0001f130 \U0001f150 \U0001f18e \U0001f200 \U0001f250",
    "\uf900 \ufa10 \U0002f800 \U0002fa1d", "\u00a8\u0301 \u00a8 \u00b4 \u00af", "\u2002\u2003\u00a0\u202f\u3000",
    "\u1e9b\u0323\u0307", "\u00c5\u0301\u0316", "\u2488 \u2490 \u249b \u3358 \u33e0 \u33ff",
    "\U0001f16a \U0001f16c \u32ff \ua7f2 \U00010781 \U0001fbf0", "\u0340\u0341\u0343\u0344 a\u0340",
    # every script
    "Le caf\u00e9 o\u00f9 na\u00efve fa\u00e7ade \u0152uvre", "Ti\u1ebfng Vi\u1ec7t c\u00f3 d\u1ea5u",
    "Gr\u00f6\u00dfe Stra\u00dfe \u1e9e", "\u0391\u03b8\u03ae\u03bd\u03b1 \u03ac \u03ad \u0390 \u03b0 \u1fb7",
    "\u041c\u043e\u0441\u043a\u0432\u0430 \u0451\u0436", "\u0645\u0631\u062d\u0628\u0627 \u0628\u0627\u0644\u0639\u0627\u0644\u0645",
    "\u05e9\u05b8\u05c1\u05dc\u05d5\u05b9\u05dd", "\u0928\u092e\u0938\u094d\u0924\u0947 \u0939\u093f\u0928\u094d\u0926\u0940 \u0958\u093f",
    "\u0e2a\u0e27\u0e31\u0e2a\u0e14\u0e35 \u0e19\u0e49\u0e33", "\u6771\u4eac\u306f\u65e5\u672c\u306e\u9996\u90fd\u3067\u3059",
    "\u4e2d\u6587\u6d4b\u8bd5", "\u1780\u17d2\u1798\u17c2\u179a", "\u10e5\u10d0\u10e0\u10d7\u10e3\u10da\u10d8",
    "\u0d2e\u0d32\u0d2f\u0d3e\u0d33\u0d02 \u0d4a \u0d46\u0d3e", "\u0c95\u0ca8\u0ccd\u0ca8\u0ca1 \u0cca", "\u0dc3\u0dd2\u0d82\u0dc4\u0dbd",
    # emoji, whitespace kinds, controls, odd code points
    "\U0001f44d\U0001f3fd \U0001f469\u200d\U0001f4bb \U0001f468\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466",
    "\U0001f1fa\U0001f1f8 #\ufe0f\u20e3 \u2764\ufe0f \U0001f3f3\ufe0f\u200d\U0001f308",
    "tabs\tand\nnewlines\r\n\u000b\u000c\u0085\u2028\u2029", "\u200b\u200c\u200d\ufeff\u00ad",
    "\ufffd a\ufffdb \U000e0041 \ue000 \U0010fffd \u845b\U000e0100", "\x00\x01\x7f a\x00b",
    # long words
    "a" * 150, "e\u0301" * 60, "\ufb01" * 80, "\uac00\u11a8" * 40,
    " ".join(["Supercalifragilistic\u00e9xpialid\u00f6cious"] * 4),
]

SPLIT_TEXTS = [
    "", " ", "  ", "a", "Hello, world!", "Hello world", "  leading and trailing  ", "a  b   c",
    "I'm you're they've we'll he'd She'S 'LL 'Re 've", "don't stop 'til 's", "'\u017f 'K 'T 'S", "'\ufb05 '\u0130",
    "def f(x):\n    return x**2  # square\n\n\n", "tabs\tand\nnewlines\r\n\r\n end", "x\u000by\u000cz\u0085w\u2028v\u2029u",
    "1234567 12 3.14 1,000 \u0661\u0662\u0663 \uff14\uff12 \u00bd \u2163 \u2460", "https://example.com/a?b=c&d=e#frag",
    "!!! ... ?! -- \u2014 \u00ab\u00bb \u3001\u3002 \u00bf\u00a1", "a.b.c a.bx axb", "$100 + 5% = \u20ac \u00a9 \u00ae \u2122 ^_^ `~`",
    "\u00e9 e\u0301 \u0301 a\u0301b", "Le caf\u00e9 o\u00f9 na\u00efve", "\u041c\u043e\u0441\u043a\u0432\u0430, \u0420\u043e\u0441\u0441\u0438\u044f!",
    "\u6771\u4eac\u306f\u65e5\u672c\u306e\u9996\u90fd\u3067\u3059\u3002", "\ud55c\uad6d\uc5b4 \ud14d\uc2a4\ud2b8", "\u0645\u0631\u062d\u0628\u0627\u060c \u0628\u0627\u0644\u0639\u0627\u0644\u0645\u061f",
    "\u0928\u092e\u0938\u094d\u0924\u0947 \u0926\u0941\u0928\u093f\u092f\u093e\u0964", "\u0e2a\u0e27\u0e31\u0e2a\u0e14\u0e35\u0e04\u0e23\u0e31\u0e1a",
    "\U0001f44d\U0001f3fd \U0001f469\u200d\U0001f4bb \U0001f1fa\U0001f1f8!", "a\u200bb\u200cc\u200dd\ufeffe",
    "\u00a0\u1680\u2000\u200a\u202f\u205f\u3000x", "x\u00b2\u00b3\u00b9\u00bc\u00bd\u00be y", "abc_def-ghi", "ABCdef GHI",
    "CamelCaseWords and UPPERCASE", "a\nb\n", "\n", "\r\n", "a\r", "word " * 30, "x" * 120,
    "\U00010781\U0001fbf0 \U0001e4ec \U000e0001", "\ue000\U000f0000", "0x1F 0xff \u0660",
]

SHORT_TEXTS = ["", " ", "a", "Hello, world!", "  a  b   c  ", "I'm here.\n\nNew  line ", "x,,y", "\u00e9 \u3000 \u0661\u0662!"]

DIALECT_TEXTS = [SPLIT_TEXTS[i] for i in (0, 4, 7, 8, 10, 12, 13, 14, 15, 17, 19, 20, 22, 26, 29, 30, 32, 39, 43)] + ["a\u00b2b \u200c a", "fF9g \u0661", "a\nb\rc\u2028d\u0085e", "aaa a{,2}", "Qa.bE a.b"]

# ---------------------------------------------------------------- patterns

GPT2 = r"""'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"""
LLAMA3 = r"""(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"""
CL100K = r"""'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]++[\r\n]*|\s*[\r\n]|\s+(?!\S)|\s+"""
O200K = (r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?"""
         r"""|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?"""
         r"""|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+""")
QWEN2 = r"""(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"""
DEEPSEEK = (r"""[!"#$%&'()*+,\-./:;<=>?@\[\\\]^_`{|}~][A-Za-z]+|[^\r\n\p{L}\p{P}\p{S}]?[\p{L}\p{M}]+"""
            r"""| ?[\p{P}\p{S}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+""")
REAL_WORLD = {"gpt2": GPT2, "llama3": LLAMA3, "cl100k": CL100K, "o200k": O200K, "qwen2": QWEN2, "deepseek": DEEPSEEK}
# Where Oniguruma (Ruby syntax) and ICU differ: each is split here and by the package's translation to ICU.
DIALECT = [r"\w+", r"\W+", r"\b", r"\B", r"[[:punct:]]+", r"[[:word:]]+", r"[[:^punct:]]+", r"[[:xdigit:]]+",
           r"\h+", r"\H+", r"[\h,]+", r"[\w\s]+", r"[^\w]+", r"\v", r".", r"(?m).", r"^.|.$", r"^", r"$", r"\Z",
           r"\z", r"a{,2}", r"\p{^L}+", r"\P{^L}+", r"\N+", r"\p{Word}+", r"\p{XDigit}+", r"\s*", r"x*", r"",
           r"(?=b)|b", r"(?i)k", r"(?i)[a-z]+", r"(?i)\p{Lu}+", r"\X", r"\R", r"\d+", r"\p{P}", r"\s+",
           r"(?<=a)b|c(?!d)", r"[a-z&&[^aeiou]]+", r"\p{Han}+|\p{Hiragana}+|\p{Katakana}+", r"\x{41}\u0042",
           r"(?x) a b # comment", r"[\p{L}-]+", r"\Qa.b\E", r"a.c", r"(?i:straße)", r"(?i)[\p{Lu}x]+",
           r"(?i)[^\p{Lu}]+", r"(?i)\P{Lu}+", r"(?i:\p{Ll}|x)", r"(?m:.\n.)|.", r"[\W\d]+", r"[\p{Word}]+", r"a{3,1}"]

SWEPT_DIALECT = [r"\w+", r"\b", r"[[:punct:]]+", r".", r"\s+", r"\p{P}", r"\d+", r"\W", r"\h+", r"$", r"(?i)[a-z]+"]

BEHAVIORS = ["removed", "isolated", "merged_with_previous", "merged_with_next", "contiguous"]

# ---------------------------------------------------------------- reference helpers


def pieces_of(tokenizer, text):
    """Normalize, then pre-tokenize `text` as tokenizer does: [(normalized piece, (start, end))]."""
    pts = PreTokenizedString(text)
    if tokenizer.normalizer is not None:
        pts.normalize(lambda ns: tokenizer.normalizer.normalize(ns))
    if tokenizer.pre_tokenizer is not None:
        tokenizer.pre_tokenizer.pre_tokenize(pts)
    return [(s, o) for s, o, _ in pts.get_splits(offset_referential="original", offset_type="char")]


def normalize_with_offsets(normalizer, text):
    """The normalized text and the flat original offsets of each of its scalars."""
    pts = PreTokenizedString(text)
    pts.normalize(lambda ns: normalizer.normalize(ns))
    normalized = "".join(s for s, _, _ in pts.get_splits())
    pts.split(lambda i, ns: ns.split(Regex(r"[\s\S]"), "isolated"))
    flat = []
    for _, (s, e), _ in pts.get_splits(offset_referential="original", offset_type="char"):
        flat += [s, e]
    assert len(flat) == 2 * len(normalized), (text, normalized)
    return normalized, flat


def fnv1a64(text):
    h = 0xCBF29CE484222325
    for b in text.encode("utf-8"):
        h = ((h ^ b) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return f"{h:016x}"


def model_json(characters):
    """A WordPiece model with one entry per character (and its ## form), plus the special tokens."""
    vocab = {t: i for i, t in enumerate(["[PAD]", "[UNK]", "[CLS]", "[SEP]"])}
    for c in sorted(characters):
        for token in (c, "##" + c):
            if token not in vocab:
                vocab[token] = len(vocab)
    model = models.WordPiece(vocab, unk_token="[UNK]", max_input_chars_per_word=1000)
    return json.loads(Tokenizer(model).to_str())["model"], model


def tokenizer_json(model, normalizer=None, pre_tokenizer=None):
    """The whole tokenizer.json of a configuration, as the tests load it."""
    return {"version": "1.0", "truncation": None, "padding": None, "added_tokens": [], "normalizer": normalizer,
            "pre_tokenizer": pre_tokenizer, "post_processor": None, "decoder": None, "model": model}


def component_json(component):
    """A normalizer's or pre-tokenizer's object as tokenizers writes it in tokenizer.json."""
    tok = Tokenizer(models.WordPiece({"[UNK]": 0}, unk_token="[UNK]"))
    key = "normalizer" if isinstance(component, normalizers.Normalizer) else "pre_tokenizer"
    setattr(tok, key, component)
    return json.loads(tok.to_str())[key]


class TextTable:
    """The texts of a golden file, each stored once; cases refer to them by index."""

    def __init__(self):
        self.texts, self.index = [], {}

    def __call__(self, text):
        if text not in self.index:
            self.index[text] = len(self.texts)
            self.texts.append(text)
        return self.index[text]


def encoding_digest(tok, text):
    """FNV-1a of the ids and flat offsets of the full tokenizer's encoding (no special tokens: no post-processor)."""
    enc = tok.encode(text, add_special_tokens=False)
    return fnv1a64(",".join(map(str, enc.ids)) + "|" + ",".join(f"{a},{b}" for a, b in enc.offsets))


# ---------------------------------------------------------------- normalizers.json


def normalizer_configs():
    n = normalizers
    return [
        ("NFC", n.NFC()), ("NFD", n.NFD()), ("NFKC", n.NFKC()), ("NFKD", n.NFKD()),
        ("NFKC+Lowercase", n.Sequence([n.NFKC(), n.Lowercase()])),
        ("NFD+StripAccents+NFC", n.Sequence([n.NFD(), n.StripAccents(), n.NFC()])),
        ("NFKD+NFC", n.Sequence([n.NFKD(), n.NFC()])),
        ("Replace \\s+", n.Replace(Regex(r"\s+"), " ")),
        ("Replace quotes", n.Replace(Regex(r"``|''"), '"')),
        ("Replace \\p{P}+ deleted", n.Replace(Regex(r"\p{P}+"), "")),
        ("Replace trim", n.Replace(Regex(r"^\s+|\s+$"), "")),
        ("Replace empty literal", n.Replace("", "_")),
        ("Replace x*", n.Replace(Regex(r"x*"), "-")),
        ("Replace (?i)e.", n.Replace(Regex(r"(?i)e."), "\u00e9\u00e9\u00e9")),
        ("Replace literal", n.Replace("ss", "\u00df")),
        ("NFKC+Replace \\s{2,}", n.Sequence([n.NFKC(), n.Replace(Regex(r"\s{2,}"), " ")])),
    ]


def build_normalizers():
    configs = normalizer_configs()
    characters = set()
    for _, normalizer in configs:
        for text in NORMALIZER_TEXTS:
            characters.update(normalizer.normalize_str(text))
    model, _ = model_json(characters)
    out = {"model": json.dumps(model, ensure_ascii=False), "configs": []}
    table = TextTable()
    for name, normalizer in configs:
        definition = tokenizer_json(model, normalizer=component_json(normalizer))
        tok = Tokenizer.from_str(json.dumps(definition))
        cases = []
        texts = NORMALIZER_TEXTS if name in ("NFC", "NFD", "NFKC", "NFKD") else NORMALIZER_TEXTS[:50]
        for text in texts:
            normalized, offsets = normalize_with_offsets(normalizer, text)
            assert normalized == normalizer.normalize_str(text)
            cases.append({"text": table(text), "normalized": normalized, "offsets": offsets,
                          "encoding": encoding_digest(tok, text)})
        out["configs"].append({"name": name, "normalizer": json.dumps(definition["normalizer"], ensure_ascii=False),
                               "cases": cases})
    out["texts"] = table.texts
    out["replace_decoders"] = replace_decoder_goldens()
    return out


REPLACE_DECODER_TOKENS = ["\u2581Hello", "\u2581\u2581world", "a  b   c", "", "x", "\u00e9t\u00e9 \u00c9T\u00c9", "1,000.5"]


def replace_decoder_goldens():
    """The Replace decoder with literal and regular-expression patterns: decoded tokens, one by one."""
    from tokenizers import decoders
    cases = []
    for pattern, content in [("\u2581", " "), ("", "_"), (Regex(r"\s+"), " "), (Regex(r"\p{L}+"), "<w>"),
                             (Regex(r"x*"), "-"), (Regex(r"(?i)\u00e9"), "e"), (Regex(r"^\u2581"), ""),
                             (Regex(r"[[:punct:]]"), "")]:
        decoder = decoders.Replace(pattern, content)
        tok = Tokenizer(models.WordPiece({"[UNK]": 0}, unk_token="[UNK]"))
        tok.decoder = decoder
        cases.append({"decoder": json.dumps(json.loads(tok.to_str())["decoder"], ensure_ascii=False),
                      "decoded": [decoder.decode([t]) for t in REPLACE_DECODER_TOKENS]})
    return {"tokens": REPLACE_DECODER_TOKENS, "cases": cases}


# ---------------------------------------------------------------- pretokenizers.json


def pre_tokenizer_configs():
    p = pre_tokenizers
    configs = []
    for behavior in BEHAVIORS:
        for invert in (False, True):
            suffix = f"{behavior}{' invert' if invert else ''}"
            configs.append((f"Split ' ' {suffix}", None, p.Split(" ", behavior, invert), SHORT_TEXTS))
            configs.append((f"Split \\s+ {suffix}", None, p.Split(Regex(r"\s+"), behavior, invert), SHORT_TEXTS))
            configs.append((f"Split \\s* {suffix}", None, p.Split(Regex(r"\s*"), behavior, invert), SHORT_TEXTS))
            configs.append((f"Split [,.!]|(?=l) {suffix}", None, p.Split(Regex(r"[,.!]|(?=l)"), behavior, invert),
                            SHORT_TEXTS))
        punctuation_texts = SPLIT_TEXTS if behavior == "isolated" else SHORT_TEXTS + [SPLIT_TEXTS[i] for i in (16, 17, 19)]
        configs.append((f"Punctuation {behavior}", None, p.Punctuation(behavior), punctuation_texts))
    configs.append(("Punctuation default", None, p.Punctuation(), SHORT_TEXTS))
    configs.append(("Digits", None, p.Digits(individual_digits=False), SPLIT_TEXTS))
    configs.append(("Digits individual", None, p.Digits(individual_digits=True), SPLIT_TEXTS))
    configs.append(("Split 'a.b'", None, p.Split("a.b", "isolated"), SPLIT_TEXTS))
    configs.append(("Split ''", None, p.Split("", "removed"), SHORT_TEXTS))
    configs.append(("Split '\\\\s'", None, p.Split("\\s", "isolated"), SHORT_TEXTS + ["a\\sb \\s"]))
    for name, regex in REAL_WORLD.items():
        configs.append((f"Split {name}", None, p.Split(Regex(regex), "isolated"), SPLIT_TEXTS))
        configs.append((f"Split {name} removed invert", None, p.Split(Regex(regex), "removed", True), SPLIT_TEXTS))
    for regex in DIALECT:
        configs.append((f"Split /{regex}/", None, p.Split(Regex(regex), "isolated"), DIALECT_TEXTS))
    configs.append(("Sequence WhitespaceSplit+Punctuation+Digits", None,
                    p.Sequence([p.WhitespaceSplit(), p.Punctuation(), p.Digits(individual_digits=True)]), SPLIT_TEXTS))
    configs.append(("Sequence deepseek", None, p.Sequence([
        p.Split(Regex(r"\p{N}{1,3}"), "isolated"),
        p.Split(Regex("[\u4e00-\u9fa5\u3040-\u309f\u30a0-\u30ff]+"), "isolated"),
        p.Split(Regex(DEEPSEEK), "isolated")]), SPLIT_TEXTS))
    configs.append(("NFKC + Split llama3", normalizers.NFKC(), p.Split(Regex(LLAMA3), "isolated"),
                    SPLIT_TEXTS + NORMALIZER_TEXTS[60:90]))
    configs.append(("NFD + Punctuation contiguous", normalizers.NFD(), p.Punctuation("contiguous"),
                    SPLIT_TEXTS + NORMALIZER_TEXTS[60:90]))
    return configs


LOADING = [
    {"type": "Split", "pattern": {"String": " "}, "behavior": "Removed", "invert": False},
    {"type": "Split", "pattern": {"Regex": "\\s+"}, "behavior": "Isolated", "invert": True},
    {"type": "Split", "pattern": {"Regex": "x"}, "behavior": "MergedWithPrevious", "invert": False},
    {"type": "Split", "pattern": {"Regex": "x"}, "behavior": "MergedWithNext", "invert": False},
    {"type": "Split", "pattern": {"Regex": "x"}, "behavior": "Contiguous", "invert": False},
    {"type": "Split", "pattern": {"String": " "}},
    {"type": "Split", "pattern": {"String": " "}, "behavior": "Removed"},
    {"type": "Split", "pattern": {"String": " "}, "invert": False},
    {"type": "Split", "behavior": "Removed", "invert": False},
    {"type": "Split", "pattern": {"Regex": "("}, "behavior": "Removed", "invert": False},
    {"type": "Split", "pattern": {"Regex": "[a-"}, "behavior": "Removed", "invert": False},
    {"type": "Split", "pattern": {"Regex": "a{2,1}"}, "behavior": "Removed", "invert": False},
    {"type": "Split", "pattern": {"Regex": " "}, "behavior": "removed", "invert": False},
    {"type": "Split", "pattern": {"Regex": " "}, "behavior": "Unknown", "invert": False},
    {"type": "Split", "pattern": {"Foo": " "}, "behavior": "Removed", "invert": False},
    {"type": "Split", "pattern": {"String": " ", "Regex": "x"}, "behavior": "Removed", "invert": False},
    {"type": "Split", "pattern": {"String": 3}, "behavior": "Removed", "invert": False},
    {"type": "Split", "pattern": {"String": " "}, "behavior": "Removed", "invert": "no"},
    {"type": "Split", "pattern": "x", "behavior": "Removed", "invert": False},
    {"type": "Split", "pattern": {"String": " "}, "behavior": "Removed", "invert": False, "extra": 1},
    {"type": "Punctuation"},
    {"type": "Punctuation", "behavior": "Contiguous"},
    {"type": "Punctuation", "behavior": "MergedWithNext"},
    {"type": "Punctuation", "behavior": "Bogus"},
    {"type": "Digits", "individual_digits": True},
    {"type": "Digits", "individual_digits": False},
    {"type": "Digits"},
    {"type": "Digits", "individual_digits": 1},
]
LOADING_PROBE = "a b,c12 x!"


def build_pretokenizers():
    configs = pre_tokenizer_configs()
    characters = set()
    for _, normalizer, _, texts in configs:
        for text in texts:
            characters.update(normalizer.normalize_str(text) if normalizer else text)
    model, _ = model_json(characters)
    out = {"model": json.dumps(model, ensure_ascii=False), "configs": [], "json": []}
    table = TextTable()
    for name, normalizer, pre_tokenizer, texts in configs:
        definition = tokenizer_json(model, normalizer=component_json(normalizer) if normalizer else None,
                                    pre_tokenizer=component_json(pre_tokenizer))
        tok = Tokenizer.from_str(json.dumps(definition))
        cases = []
        for text in texts:
            pieces = pieces_of(tok, text)
            case = {"text": table(text), "pieces": [x for _, o in pieces for x in o]}
            if normalizer is not None:
                case["strings"] = [s for s, _ in pieces]
            else:
                assert all(s == text[a:b] for s, (a, b) in pieces), (name, text, pieces)
            case["encoding"] = encoding_digest(tok, text)
            cases.append(case)
        entry = {"name": name, "pre_tokenizer": json.dumps(definition["pre_tokenizer"], ensure_ascii=False),
                 "cases": cases}
        if normalizer is not None:
            entry["normalizer"] = json.dumps(definition["normalizer"], ensure_ascii=False)
        out["configs"].append(entry)
    for component in LOADING:
        definition = tokenizer_json(model, pre_tokenizer=component)
        try:
            tok = Tokenizer.from_str(json.dumps(definition))
            pieces = [x for _, o in tok.pre_tokenizer.pre_tokenize_str(LOADING_PROBE) for x in o]
            out["json"].append({"pre_tokenizer": json.dumps(component), "loads": True, "pieces": pieces})
        except Exception as error:  # tokenizers reports serde and Oniguruma errors as Exception
            out["json"].append({"pre_tokenizer": json.dumps(component), "loads": False, "error": str(error)})
    out["json_probe"] = LOADING_PROBE
    out["texts"] = table.texts
    return out


# ---------------------------------------------------------------- sweeps.json


def is_hangul_syllable(c):
    return 0xAC00 <= c <= 0xD7A3


def chunk_digests(normalizer, piece):
    """FNV-1a digests of the normalized text and offsets of each chunk of SWEEP_CHUNK code points, each code point
    c written as piece(c)."""
    digests = []
    for start in range(0, 0x110000, SWEEP_CHUNK):
        text = "".join(piece(chr(c)) for c in range(start, start + SWEEP_CHUNK) if not 0xD800 <= c < 0xE000)
        normalized, offsets = normalize_with_offsets(normalizer, text)
        digests.append(fnv1a64(normalized + "|" + ",".join(map(str, offsets))))
    return digests


def split_digests(pre_tokenizer, piece):
    """FNV-1a digests of the piece offsets of each chunk of SWEEP_CHUNK code points, c written as piece(c)."""
    digests = []
    for start in range(0, 0x110000, SWEEP_CHUNK):
        text = "".join(piece(c) for c in range(start, start + SWEEP_CHUNK) if not 0xD800 <= c < 0xE000)
        pieces = pre_tokenizer.pre_tokenize_str(text)
        digests.append(fnv1a64(",".join(f"{a}-{b}" for _, (a, b) in pieces)))
    return digests


def ranges(code_points):
    result = []
    for c in code_points:
        if result and result[-1][1] == c - 1:
            result[-1][1] = c
        else:
            result.append([c, c])
    return [x for r in result for x in r]


# The contexts of the chunk sweeps: each code point c becomes prefix + c + suffix.
CONTEXTS = {
    "compose": ("", "\u0301"),          # c as the first of a pair, and blocking
    "reorder": ("a\u0301", "\u0334"),   # c among marks of classes 230 and 1: canonical ordering, blocking
    "second": ("e", ""),                # c as the second of a pair with e
}
# The contexts swept per form (NFKC composes with NFC's table: its compatibility half is NFKD's).
CONTEXT_FORMS = {"NFD": ["reorder"], "NFKD": ["reorder"], "NFC": ["compose", "reorder", "second"], "NFKC": ["compose"]}


def sweep_piece(c):
    """The text of code point c in the Split sweeps: alone, then a letter, a space or a digit after it."""
    return chr(c) + "a 1"[c % 3]


def build_sweeps():
    forms = {name: getattr(normalizers, name)() for name in ("NFD", "NFKD", "NFC", "NFKC")}
    out = {"chunk": SWEEP_CHUNK, "forms": {}}
    results = {}
    for name, normalizer in forms.items():
        decomposition = "NFKD" if name.startswith("NFK") else "NFD"
        changed = {}
        hangul = []
        for c in ALL:
            result = normalizer.normalize_str(chr(c))
            if is_hangul_syllable(c):
                hangul.append(result)
            elif result != chr(c):
                changed[c] = result
        results[name] = changed
        form = {"changed": ranges(sorted(changed)), "hangul_digest": fnv1a64("\n".join(hangul))}
        if name == decomposition:
            form["results"] = [f"{c:X} {r}" for c, r in sorted(changed.items())]
        else:
            # Only where the composed form differs from the decomposition's result (written in full above).
            base = results[decomposition]
            form["results"] = [f"{c:X} {r}" for c, r in sorted(changed.items()) if base.get(c, chr(c)) != r]
            # The form applied to the decomposition of every decomposable code point, where the result is neither
            # the code point aligned with the first scalar of its decomposition nor the decomposition unchanged.
            recomposed = []
            for c, source in sorted(base.items()):
                result, offsets = normalize_with_offsets(normalizer, source)
                identity = [x for i in range(len(source)) for x in (i, i + 1)]
                if (result, offsets) not in ((chr(c), [0, 1]), (source, identity)):
                    recomposed.append(f"{c:X} {result} {','.join(map(str, offsets))}")
            form["recomposed"] = recomposed
        form["contexts"] = {}
        for context in CONTEXT_FORMS[name]:
            prefix, suffix = CONTEXTS[context]
            form["contexts"][context] = chunk_digests(normalizer, lambda s, p=prefix, q=suffix: p + s + q)
        out["forms"][name] = form
        print(name, len(changed), "changed,", len(form["results"]), "results,", len(form.get("recomposed", [])),
              "recomposed", file=sys.stderr)

    classes = {"punctuation": [], "digits": []}
    punctuation = pre_tokenizers.Punctuation("removed")
    digits = pre_tokenizers.Digits(individual_digits=True)
    for start in range(0, len(ALL), CHUNK):
        chunk = ALL[start:start + CHUNK]
        # Punctuation removes each punctuation character: the rest is kept.
        kept = set()
        for _, (a, b) in punctuation.pre_tokenize_str("".join(map(chr, chunk))):
            kept.update(range(a, b))
        classes["punctuation"] += [c for i, c in enumerate(chunk) if i not in kept]
        # Digits isolates each numeric character; between x's (not numeric) the others merge with them.
        text = "x" + "x".join(map(chr, chunk)) + "x"
        classes["digits"] += [chunk[a // 2] for _, (a, b) in digits.pre_tokenize_str(text) if b - a == 1 and a % 2]
    strip = normalizers.StripAccents()
    classes["strip_accents"] = [c for c in ALL if strip.normalize_str(chr(c)) == ""]
    for name in classes:
        print(name, len(classes[name]), file=sys.stderr)
        classes[name] = ranges(classes[name])
    out["classes"] = classes

    out["split"] = []
    for regex in list(REAL_WORLD.values()) + SWEPT_DIALECT:
        pre = pre_tokenizers.Split(Regex(regex), "isolated")
        out["split"].append({"regex": regex, "digests": split_digests(pre, sweep_piece)})
    return out


def write(name, value):
    path = os.path.join(OUT, name)
    with open(path, "w", encoding="utf-8") as f:
        json.dump(value, f, ensure_ascii=False, separators=(",", ":"))
        f.write("\n")
    print("wrote", path, os.path.getsize(path), "bytes", file=sys.stderr)


def main():
    os.makedirs(OUT, exist_ok=True)
    write("normalizers.json", build_normalizers())
    write("pretokenizers.json", build_pretokenizers())
    write("sweeps.json", build_sweeps())


if __name__ == "__main__":
    main()
