#!/usr/bin/env python3
"""Generates the tokenizer fixtures and goldens under Resources/tokenizer/ from Hugging Face `tokenizers`.

Usage: .venv/bin/python Scripts/make_tokenizer_goldens.py [--model DIR]
(DIR defaults to ~/.cache/bert-embed/all-MiniLM-L6-v2, fetched by Scripts/fetch_model.sh.)

Writes, all deterministic (fixed seeds):
  uncased/      vocab.txt, tokenizer.json, tokenizer_config.json of all-MiniLM-L6-v2 (lowercase + strip accents)
  cased/        a small cased vocabulary built here, as vocab.txt + tokenizer_config.json + tokenizer.json
  variant/      tokenizer.json only: lowercase without accent stripping, no clean_text, no CJK padding,
                max_input_chars_per_word 20
  cased_strip/  vocab.txt + tokenizer_config.json only: no lowercase, strip accents, no CJK padding
  mpnet/        tokenizer.json laid out as all-mpnet-base-v2's over the uncased vocabulary: <s> <pad> </s> <unk>
                first and <mask> last, RobertaProcessing, <unk> matched normalized, <mask> with lstrip
  bpe/          tokenizer.json of Resources/tokenizer-bpe (Scripts/make_bpe_goldens.py): byte-level BPE in
                roberta-base's layout (ByteLevel, RobertaProcessing, <mask> with lstrip)
  unigram/      tokenizer.json of Resources/tokenizer-unigram (Scripts/make_unigram_goldens.py): SentencePiece
                Unigram converted as transformers converts XLM-R (Precompiled nmt_nfkc charsmap, Metaspace)
  cases.json    the inputs: texts, pairs, truncation settings, decode inputs, batches
  golden_<config>.json  per configuration: ids, type ids (when not all 0), flat offsets [s0, e0, s1, e1, ...],
                tokens for the first cases, decode results, padded batches, and FNV-1a digests of the
                encodings of every Unicode code point (in chunks of 256) for the sweep test.
The reference for a folder with tokenizer.json is tokenizers.Tokenizer.from_file; for cased_strip it is
transformers' BertTokenizer loaded from the folder. Truncation/padding stored in tokenizer.json are disabled.
"""
import argparse
import json
import os
import random
import shutil
import sys
import unicodedata

import tokenizers
import transformers
from tokenizers import Tokenizer

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Resources", "tokenizer")
SWEEP_CHUNK = 256


def fnv1a64(text):
    h = 0xCBF29CE484222325
    for b in text.encode("utf-8"):
        h = ((h ^ b) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return h


def digest(encoding):
    """Digest of ids and offsets, as the Swift test computes it."""
    text = ",".join(map(str, encoding.ids)) + "|" + ",".join(f"{s}:{e}" for s, e in encoding.offsets)
    return f"{fnv1a64(text):016x}"


# ---------------------------------------------------------------- inputs

def handwritten():
    ws = "".join(chr(c) for c in [0x9, 0xA, 0xB, 0xC, 0xD, 0x20, 0x85, 0xA0, 0x1680] + list(range(0x2000, 0x200B))
                 + [0x2028, 0x2029, 0x202F, 0x205F, 0x3000, 0x180E, 0x200B, 0xFEFF])
    return [
        "", " ", "   ", "\t\n\r", "\r\n", "hello\rworld", "Hello, world!", "HELLO World hello",
        "Hello [SEP] world[CLS]x [sep] [MASK][PAD][UNK]", "[CLS]", "[[CLS]]", "[CLS", "a[SEP]b",
        "don't can't I'm y'all U.S.A. e.g. ...", "3.14159 1,000,000 $5 50% #hash @user a+b=c",
        "http://example.com/path?q=1&r=2#frag user@example.org", "<html><body class=\"x\">Hi</body></html>",
        "def f(x): return x**2  # comment", "İstanbul ıi İİ ß ẞ ﬁ ﬂ ǅ Ǆ ǆ Σσς ΐ ŉ",
        "café naïve résumé Über ÅNGSTRÖM Ångström Crème Brûlée jalapeño façade",
        "e\u0301 e\u0301\u0316 a\u0316\u0301 \u0301start o\u0308\u0304 x\u20dd q\u0323\u0307 \u0345\u0313",
        "ＡＢＣ　ｄｅｆ！１２３？ ｶﾀｶﾅ ﾊﾟﾋﾟ", "我爱自然语言处理 NLP很有趣。", "東京は日本の首都です。カタカナ ひらがな",
        "한국어 텍스트 토큰화 테스트입니다.", "ภาษาไทย ไม่มีช่องว่าง", "Привет, мир! Ёлка ЁЖИК",
        "Γειά σου Κόσμε! Ἀθῆναι", "مرحبا بالعالم! العَرَبِيَّة", "שָׁלוֹם עוֹלָם", "नमस्ते दुनिया क्षत्रिय",
        "বাংলা ভাষা", "தமிழ் மொழி", "ქართული ენა", "Հայերեն", "አማርኛ", "ᠮᠣᠩᠭᠣᠯ", "ᏣᎳᎩ",
        "👍 👍🏽 👨‍👩‍👧‍👦 🇫🇷🇯🇵 ❤️ 🫠 🥰 😀😃😄 ☺︎ #️⃣ 🏳️‍🌈", "emoji🙂inside😀words",
        "zero\u200bwidth\u200cnon\u200djoiner\u2060word\ufeffbom", "bidi \u202aLRE\u202c \u202eRLO\u202c \u2066iso\u2069 \u200e\u200f",
        "soft\u00adhyphen", "nul\u0000char", "repl\ufffdchar", "ctrl\u0001\u0002\u0003\u007f\u0080\u009f",
        "tab\tsep\u000bvt\u000cff", ws, "a" + ws + "b", "private\ue000use\U000f0000\U0010fffd",
        "unassigned\u0378\u0379 \U000e0001tag\U000e0041", "nonchar\ufffe\uffff\U0010ffff",
        "math 𝐀𝐁𝐂 𝕏 ℝ ∑∫√∞≠≤ ½ ² ³ ⅕ Ⅻ ① ⑴ ⒜", "symbols © ® ™ ° § ¶ † ‡ • … ‰ ′ ″ ‹ › « » „ “ ” ‘ ’",
        "currency € £ ¥ ₹ ₽ ₿ ¢", "dashes - – — ― ‐ ‑ ‒ ⁓ ~ 〜", "brackets ( ) [ ] { } ⟨ ⟩ 「 」 『 』 【 】 〈 〉",
        "music 𝄞 𝅘𝅥𝅮 hieroglyph 𓀀 linear b 𐀀 gothic 𐌰 cuneiform 𒀀", "ext cjk 𠀀 𪜀 𫝀 𬺰 𰀀 丽 豈 兀",
        "a" * 99, "a" * 100, "a" * 101, "b" * 120, "é" * 100, "é" * 101, "İ" * 60, "x" * 19 + " " + "y" * 21,
        "ab" * 50 + " " + "ab" * 51, "supercalifragilisticexpialidocious antidisestablishmentarianism",
        "Pneumonoultramicroscopicsilicovolcanoconiosis", "lowercase UPPERCASE MiXeDcAsE CamelCaseWord snake_case_word",
        "1234567890 00000 3rd 21st 1990s", "...!!!???,,,;;;:::", "''\"\"``", "\\ / | _ ^ ~ `",
        "Ǆemal ǅemal džemal", "ΆΈΉΊΌΎΏ άέήίόύώ", "ᾼ ᾳ ῌ ῃ ῼ ῳ", "Ⅰ Ⅱ ⅰ ⅱ Ⓐ ⓐ", "Ａ ａ ｚ Ｚ",
    ]


SCRIPTS = {
    "latin": [(0x41, 0x5A), (0x61, 0x7A), (0xC0, 0x17F)],
    "greek": [(0x386, 0x3CE), (0x1F00, 0x1F7D)],
    "cyrillic": [(0x400, 0x44F), (0x450, 0x45F)],
    "arabic": [(0x621, 0x64A), (0x64B, 0x652), (0x660, 0x669)],
    "hebrew": [(0x5D0, 0x5EA), (0x5B0, 0x5BD)],
    "devanagari": [(0x905, 0x939), (0x93E, 0x94D), (0x966, 0x96F)],
    "thai": [(0xE01, 0xE3A), (0xE40, 0xE4E)],
    "cjk": [(0x4E00, 0x9FFF), (0x3400, 0x4DBF)],
    "hangul": [(0xAC00, 0xD7A3), (0x1100, 0x1112)],
    "kana": [(0x3041, 0x3096), (0x30A1, 0x30FA)],
    "emoji": [(0x1F300, 0x1F64F), (0x1F900, 0x1F9FF), (0x2600, 0x26FF)],
    "fullwidth": [(0xFF01, 0xFF5E), (0xFF61, 0xFF9F)],
}
JOINERS = [" ", " ", " ", ", ", ". ", "-", "'", "! ", "? ", "\n", "\t", "\u3000", "", "\u200b", "\u00a0"]


def script_texts(rng, count_per_script):
    texts = []
    for name in sorted(SCRIPTS):
        ranges = SCRIPTS[name]
        for _ in range(count_per_script):
            words = []
            for _ in range(rng.randint(1, 8)):
                lo, hi = rng.choice(ranges)
                words.append("".join(chr(rng.randint(lo, hi)) for _ in range(rng.randint(1, 9))))
            text = words[0]
            for word in words[1:]:
                text += rng.choice(JOINERS) + word
            texts.append(text)
    return texts


def category_texts(rng, per_category):
    """For every general category (Python's unicodedata), texts of sampled code points in several positions."""
    by_category = {}
    for cp in range(0x110000):
        if 0xD800 <= cp <= 0xDFFF:
            continue
        by_category.setdefault(unicodedata.category(chr(cp)), []).append(cp)
    texts = []
    for category in sorted(by_category):
        pool = by_category[category]
        for _ in range(per_category):
            picks = [chr(rng.choice(pool)) for _ in range(6)]
            a, b, c, d, e, f = picks
            texts.append(f"x{a}y {b} {c}{d} word{e} {f}start")
    return texts


def page_texts(rng):
    """One text per 256-code-point page holding assigned characters: 10 of them in varied positions."""
    texts = []
    for page in range(0x1100):
        assigned = [cp for cp in range(page * 256, page * 256 + 256)
                    if not 0xD800 <= cp <= 0xDFFF and unicodedata.category(chr(cp)) != "Cn"]
        if not assigned:
            continue
        picks = [chr(rng.choice(assigned)) for _ in range(10)]
        texts.append(f"{picks[0]}{picks[1]} a{picks[2]}b {picks[3]}{picks[4]}{picks[5]} The{picks[6]} {picks[7]}. {picks[8]}x{picks[9]}")
    return texts


def random_mix_texts(rng, count):
    pools = [(0.45, (0x20, 0x7E)), (0.15, (0xA0, 0x24F)), (0.12, (0x300, 0x36F)), (0.1, (0x80, 0xFFFF)),
             (0.06, (0x10000, 0x2FFFF)), (0.04, (0x1F300, 0x1FAFF)), (0.04, (0x0, 0x1F)), (0.04, (0x4E00, 0x9FFF))]
    texts = []
    for _ in range(count):
        chars = []
        for _ in range(rng.randint(1, 30)):
            r, acc = rng.random(), 0.0
            for weight, (lo, hi) in pools:
                acc += weight
                if r <= acc:
                    break
            cp = rng.randint(lo, hi)
            if 0xD800 <= cp <= 0xDFFF:
                cp = 0x41
            chars.append(chr(cp))
        texts.append("".join(chars))
    return texts


def corpus_sample(rng, count):
    sys.path.insert(0, os.path.join(ROOT, "Scripts"))
    import make_corpus  # noqa: E402

    kept, seen = [], set()
    for text in make_corpus.sources():
        for paragraph in make_corpus.paragraphs(text):
            if make_corpus.is_prose(paragraph) and paragraph not in seen:
                seen.add(paragraph)
                kept.append(paragraph)
        if len(kept) > 3000:
            break
    return rng.sample(kept, count)


def build_cases():
    rng = random.Random(20240611)
    singles = handwritten()
    n_hand = len(singles)
    singles += script_texts(rng, 50)
    singles += category_texts(rng, 6)
    singles += page_texts(rng)
    singles += random_mix_texts(rng, 500)
    singles += corpus_sample(rng, 40)
    cases = [{"text": t} for t in singles]
    pool = singles[:]
    for _ in range(200):
        cases.append({"text": rng.choice(pool), "pair": rng.choice(pool)})
    sentences = ["The quick brown fox jumps over the lazy dog.", "a b c d e f g h i j", "Hello world",
                 "short", "", "unbelievable tokenization of antidisestablishmentarianism", "我爱自然语言处理",
                 "one two three four five six seven eight nine ten eleven twelve"]
    for max_length in [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 16, 33]:
        for strategy in ["longest_first", "only_first", "only_second"]:
            for _ in range(3):
                a, b = rng.choice(sentences), rng.choice(sentences)
                cases.append({"text": a, "pair": b, "max_length": max_length, "strategy": strategy})
            cases.append({"text": rng.choice(sentences), "max_length": max_length, "strategy": strategy})
            cases.append({"text": rng.choice(pool), "pair": rng.choice(pool), "max_length": max_length, "strategy": strategy})
            cases.append({"text": rng.choice(sentences), "pair": rng.choice(sentences), "max_length": max_length,
                          "strategy": strategy, "special": False})
    for _ in range(40):
        case = {"text": rng.choice(pool), "special": False}
        if rng.random() < 0.5:
            case["pair"] = rng.choice(pool)
        cases.append(case)
    batches = []
    for index in range(12):
        texts = [rng.choice(pool) for _ in range(rng.randint(1, 5))]
        batch = {"texts": texts, "padding": "longest" if index % 2 == 0 else rng.choice([1, 8, 24, 64])}
        if index % 3 == 0:
            batch["pairs"] = [rng.choice(sentences) for _ in texts]
        if index % 4 == 1:
            batch["max_length"] = 10
        batches.append(batch)
    return cases, n_hand, batches


# ---------------------------------------------------------------- configurations

def build_cased_vocab(uncased_vocab):
    tokens = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    seen = set(tokens)

    def add(token):
        if token not in seen:
            seen.add(token)
            tokens.append(token)

    single = [t for t in uncased_vocab if len(t) == 1 or (t.startswith("##") and len(t) == 3)]
    for t in single:
        add(t)
    for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZÀÁÂÄÅÆÇÈÉÊËÌÍÎÏÑÒÓÔÖØÙÚÛÜÝİĞŞŁŒßéèêëàâäçîïôöùûüñœığşłÆ":
        add(c)
        add("##" + c)
    words = [t for t in uncased_vocab[1996:6000] if t.isalpha()]
    for i, w in enumerate(words):
        add(w)
        if i < 1500:
            add(w.capitalize())
        if i < 300:
            add(w.upper())
    for t in uncased_vocab[1996:6000]:
        if t.startswith("##"):
            add(t)
    for w in ["café", "Café", "naïve", "résumé", "Über", "über", "Ångström", "ångström", "ﬁ", "İstanbul", "i̇",
              "##i̇", "jalapeño", "façade", "crème", "Crème", "brûlée", "Brûlée", "ǆ", "ǅ", "Ǆ", "##ǆ", "straße", "ss"]:
        add(w)
    return tokens


def reference_settings(tokenizer):
    tokenizer.no_truncation()
    tokenizer.no_padding()
    return tokenizer


def write_configs(model_dir):
    os.makedirs(OUT, exist_ok=True)
    uncased = os.path.join(OUT, "uncased")
    os.makedirs(uncased, exist_ok=True)
    for name in ["vocab.txt", "tokenizer.json", "tokenizer_config.json"]:
        shutil.copyfile(os.path.join(model_dir, name), os.path.join(uncased, name))
    with open(os.path.join(uncased, "vocab.txt"), encoding="utf-8") as handle:
        uncased_vocab = [line.rstrip("\n") for line in handle]

    cased_tokens = build_cased_vocab(uncased_vocab)
    vocab = {t: i for i, t in enumerate(cased_tokens)}

    def save_folder(name, normalizer, files, max_chars=100, config=None):
        folder = os.path.join(OUT, name)
        shutil.rmtree(folder, ignore_errors=True)
        os.makedirs(folder)
        tok = transformers.BertTokenizer(vocab=dict(vocab), do_lower_case=normalizer["lowercase"],
                                         strip_accents=normalizer["strip_accents"],
                                         tokenize_chinese_chars=normalizer["handle_chinese_chars"])
        backend = tok.backend_tokenizer
        data = json.loads(backend.to_str())
        data["normalizer"] = dict(type="BertNormalizer", **normalizer)
        data["model"]["max_input_chars_per_word"] = max_chars
        data["truncation"] = None
        data["padding"] = None
        if "tokenizer.json" in files:
            with open(os.path.join(folder, "tokenizer.json"), "w", encoding="utf-8") as out:
                json.dump(data, out, ensure_ascii=False, indent=1)
        if "vocab.txt" in files:
            with open(os.path.join(folder, "vocab.txt"), "w", encoding="utf-8", newline="\n") as out:
                out.write("".join(t + "\n" for t in cased_tokens))
        if "tokenizer_config.json" in files:
            with open(os.path.join(folder, "tokenizer_config.json"), "w", encoding="utf-8") as out:
                json.dump(config, out, indent=1)
        return Tokenizer.from_str(json.dumps(data))

    refs = {"uncased": reference_settings(Tokenizer.from_file(os.path.join(uncased, "tokenizer.json")))}
    cased_config = {"do_lower_case": False, "strip_accents": None, "tokenize_chinese_chars": True,
                    "unk_token": "[UNK]", "sep_token": "[SEP]", "pad_token": "[PAD]", "cls_token": "[CLS]",
                    "mask_token": "[MASK]", "tokenizer_class": "BertTokenizer", "model_max_length": 256}
    refs["cased"] = reference_settings(save_folder(
        "cased", dict(clean_text=True, handle_chinese_chars=True, strip_accents=None, lowercase=False),
        ["vocab.txt", "tokenizer.json", "tokenizer_config.json"], config=cased_config))
    refs["variant"] = reference_settings(save_folder(
        "variant", dict(clean_text=False, handle_chinese_chars=False, strip_accents=False, lowercase=True),
        ["tokenizer.json"], max_chars=20))
    strip_config = dict(cased_config, strip_accents=True, tokenize_chinese_chars=False)
    del strip_config["model_max_length"]
    save_folder("cased_strip", dict(clean_text=True, handle_chinese_chars=False, strip_accents=True, lowercase=False),
                ["vocab.txt", "tokenizer_config.json"], config=strip_config)
    # The reference for the vocab.txt-only folder is transformers' own loading of it.
    loaded = transformers.AutoTokenizer.from_pretrained(os.path.join(OUT, "cased_strip"))
    refs["cased_strip"] = reference_settings(loaded.backend_tokenizer)

    refs["mpnet"] = reference_settings(mpnet_like(uncased_vocab))
    for name, source in (("bpe", "tokenizer-bpe"), ("unigram", "tokenizer-unigram")):
        path = os.path.join(ROOT, "Resources", source, "tokenizer.json")
        if not os.path.exists(path):
            print(f"{path} missing: no {name} configuration", file=sys.stderr)
            continue
        folder = os.path.join(OUT, name)
        shutil.rmtree(folder, ignore_errors=True)
        os.makedirs(folder)
        shutil.copyfile(path, os.path.join(folder, "tokenizer.json"))
        with open(os.path.join(folder, "tokenizer_config.json"), "w") as out:
            json.dump({"pad_token": "<pad>", "model_max_length": 512}, out, indent=1)
        refs[name] = reference_settings(Tokenizer.from_file(path))
    return refs


def mpnet_like(uncased_vocab):
    """all-mpnet-base-v2's tokenizer.json layout over the uncased vocabulary, written to OUT/mpnet."""
    from tokenizers import AddedToken, decoders, models, normalizers, pre_tokenizers, processors
    vocab = ["<s>", "<pad>", "</s>", "<unk>"] + uncased_vocab + ["<mask>"]
    tok = Tokenizer(models.WordPiece({t: i for i, t in enumerate(vocab)}, unk_token="[UNK]"))
    tok.normalizer = normalizers.BertNormalizer(lowercase=True)
    tok.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tok.post_processor = processors.RobertaProcessing(("</s>", 2), ("<s>", 0), trim_offsets=True, add_prefix_space=False)
    tok.decoder = decoders.WordPiece()
    tok.add_special_tokens([AddedToken(t, special=True, normalized=t == "<unk>", lstrip=t == "<mask>")
                            for t in ["<s>", "<pad>", "</s>", "<unk>", "[UNK]", "<mask>"]])
    folder = os.path.join(OUT, "mpnet")
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder)
    tok.save(os.path.join(folder, "tokenizer.json"))
    with open(os.path.join(folder, "tokenizer_config.json"), "w") as out:
        json.dump({"pad_token": "<pad>", "cls_token": "<s>", "sep_token": "</s>", "unk_token": "[UNK]",
                   "mask_token": "<mask>", "model_max_length": 512}, out, indent=1)
    return Tokenizer.from_file(os.path.join(folder, "tokenizer.json"))


# ---------------------------------------------------------------- goldens

def encode_case(ref, case):
    strategy = case.get("strategy", "longest_first")
    if "max_length" in case:
        ref.enable_truncation(case["max_length"], strategy=strategy)
    else:
        ref.no_truncation()
    error = None
    try:
        encoding = ref.encode(case["text"], case.get("pair"), add_special_tokens=case.get("special", True))
    except Exception as exc:  # HF refuses; the Swift tokenizer leaves the input untruncated instead
        error = str(exc)
        ref.no_truncation()
        encoding = ref.encode(case["text"], case.get("pair"), add_special_tokens=case.get("special", True))
    ref.no_truncation()
    return encoding, error


def golden(ref, cases, n_tokens, batches, rng):
    out = {"cases": [], "decode": [], "batches": []}
    for index, case in enumerate(cases):
        encoding, error = encode_case(ref, case)
        assert all(m == 1 for m in encoding.attention_mask)
        item = {"ids": encoding.ids, "offsets": [x for pair in encoding.offsets for x in pair]}
        if any(encoding.type_ids):
            item["type_ids"] = encoding.type_ids
        if error:
            item["hf_error"] = error
        if index < n_tokens:
            item["tokens"] = encoding.tokens
        out["cases"].append(item)
    size = ref.get_vocab_size()
    special = [i for i, t in ref.get_added_tokens_decoder().items() if t.special]
    for index in range(150):
        source = cases[rng.randrange(len(cases))]
        ids = ref.encode(source["text"]).ids
        if index % 5 == 0:
            ids = [rng.randrange(size) for _ in range(rng.randint(0, 12))] + [rng.choice(special)]
        if index % 7 == 0:
            ids = ids + [size + 5]  # out of range: skipped
        for skip in (True, False):
            out["decode"].append({"ids": ids, "skip": skip, "text": ref.decode(ids, skip_special_tokens=skip)})
    # The padding token the folder's tokenizer_config.json names ([PAD] for the BERT folders).
    pad = "<pad>" if ref.token_to_id("<pad>") is not None else "[PAD]"
    for batch in batches:
        if "max_length" in batch:
            ref.enable_truncation(batch["max_length"])
        if batch["padding"] == "longest":
            ref.enable_padding(pad_id=ref.token_to_id(pad), pad_token=pad)
        else:
            ref.enable_padding(pad_id=ref.token_to_id(pad), pad_token=pad, length=batch["padding"])
        inputs = list(zip(batch["texts"], batch["pairs"])) if "pairs" in batch else batch["texts"]
        encodings = ref.encode_batch(inputs)
        out["batches"].append([{"ids": e.ids, "type_ids": e.type_ids, "attention_mask": e.attention_mask,
                                "tokens": e.tokens, "offsets": [x for p in e.offsets for x in p]} for e in encodings])
        ref.no_padding()
        ref.no_truncation()
    # Every code point, in chunks: each appears at a word start, inside a word and alone.
    digests = []
    for start in range(0, 0x110000, SWEEP_CHUNK):
        text = sweep_text(start)
        digests.append(digest(ref.encode(text)))
    out["sweep"] = {"chunk": SWEEP_CHUNK, "digests": "".join(digests)}
    return out


def sweep_text(start):
    parts = []
    for cp in range(start, start + SWEEP_CHUNK):
        if 0xD800 <= cp <= 0xDFFF:
            continue
        c = chr(cp)
        parts.append(f"{c}x{c} {c}")
    return " ".join(parts)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default=os.path.expanduser("~/.cache/bert-embed/all-MiniLM-L6-v2"))
    args = parser.parse_args()
    refs = write_configs(args.model)
    cases, n_hand, batches = build_cases()
    versions = {"tokenizers": tokenizers.__version__, "transformers": transformers.__version__,
                "python": sys.version.split()[0], "unicodedata": unicodedata.unidata_version}
    with open(os.path.join(OUT, "cases.json"), "w", encoding="utf-8") as out:
        json.dump({"versions": versions, "cases": cases, "batches": batches, "sweep_chunk": SWEEP_CHUNK},
                  out, ensure_ascii=False, separators=(",", ":"))
    for name, ref in refs.items():
        data = golden(ref, cases, n_hand, batches, random.Random(7))
        data["versions"] = versions
        path = os.path.join(OUT, f"golden_{name}.json")
        with open(path, "w", encoding="utf-8") as out:
            json.dump(data, out, ensure_ascii=False, separators=(",", ":"))
        print(f"{path}: {len(data['cases'])} cases, {os.path.getsize(path) / 1e3:.0f} KB")
    print(f"{len(cases)} cases ({n_hand} with tokens), {len(batches)} batches")


if __name__ == "__main__":
    main()
