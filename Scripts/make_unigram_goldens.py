#!/usr/bin/env python3
"""Builds the XLM-R-style Unigram fixture and the component goldens under Resources/tokenizer-unigram/.

The fixture is a SentencePiece Unigram model trained here and converted the way transformers' XLMRobertaConverter
converts XLM-R (vocab <s> <pad> </s> <unk> + pieces + <mask>, unk_id 3, Precompiled + Replace(" {2,}" -> " "),
Metaspace always/split, TemplateProcessing), with the real XLM-R `nmt_nfkc` charsmap. The goldens come from
Hugging Face tokenizers 0.23.3, component by component (Precompiled, Metaspace, Unigram, decoders, JSON loading).

How it was run (all deterministic: fixed seeds, one training thread; rerunning gives the same files):

  # 1. English paragraphs from the standard library's docs (pinned venv: Python 3.11.7)
  .venv/bin/python Scripts/make_corpus.py /tmp/unigram-fixture/english.txt --max-paragraphs 2000
  # 2. Train (needs sentencepiece, not in Scripts/requirements.txt: a separate venv)
  python3 -m venv /tmp/spvenv && /tmp/spvenv/bin/pip install sentencepiece==0.2.3 protobuf==7.36.2
  /tmp/spvenv/bin/python Scripts/make_unigram_goldens.py train --work /tmp/unigram-fixture
  # 3. Convert, with the XLM-R charsmap: src/nmt_nfkc.bin of github.com/huggingface/spm_precompiled at 3795b14
  #    (SentencePiece's nmt_nfkc table as XLM-R ships it, per the research notes; its base64 starts ALQCAACEAAAA)
  .venv/bin/python Scripts/make_unigram_goldens.py fixture --work /tmp/unigram-fixture --charsmap PATH/nmt_nfkc.bin
  # 4. Goldens from the committed fixture (only this step is needed to refresh the goldens)
  .venv/bin/python Scripts/make_unigram_goldens.py goldens

Writes:
  tokenizer.json  the fixture (2,001 pieces)
  goldens.json    precompiled: text, normalized text and per-scalar original offsets (flat [s0, e0, s1, e1, ...]);
                  precompiled_sweeps: FNV-1a digests (chunks of 256 code points) of the normalized text and offsets
                  of every BMP code point alone and in grapheme-sensitive contexts; metaspace: pieces with offsets
                  and per-scalar offsets; unigram: ids, tokens, offsets (or the error) for small vocabularies and the
                  fixture's; chain: Precompiled -> Metaspace -> Unigram on the fixture; decoders: decoded strings;
                  json: component objects and whether tokenizers loads them; floats: score literals and the Doubles
                  tokenizers reads from them (serde_json's parse is not always the nearest Double).
"""
import argparse
import base64
import json
import os
import random
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Resources", "tokenizer-unigram")
CHUNK = 256

MULTILINGUAL = """Le renard brun rapide saute par-dessus le chien paresseux. C'est l'été à Paris, où les cafés sont pleins.
Der schnelle braune Fuchs springt über den faulen Hund. Größe, Straße, Übermäßig, Äpfel und Öl.
El rápido zorro marrón salta sobre el perro perezoso. ¿Dónde está la biblioteca? ¡Qué bueno!
Быстрая коричневая лиса прыгает через ленивую собаку. Привет, как дела? Москва — столица России.
敏捷的棕色狐狸跳过了懒狗。我们今天去北京。中华人民共和国成立于一九四九年。
素早い茶色の狐がのろまな犬を飛び越える。東京は日本の首都です。カタカナとひらがな。ｶﾀｶﾅ
빠른 갈색 여우가 게으른 개를 뛰어넘는다. 서울은 한국의 수도입니다.
الثعلب البني السريع يقفز فوق الكلب الكسول. مرحبا بالعالم.
तेज़ भूरी लोमड़ी आलसी कुत्ते के ऊपर कूदती है। नमस्ते दुनिया। हिन्दी भाषा।
สุนัขจิ้งจอกสีน้ำตาลกระโดดข้ามสุนัขขี้เกียจ เขาไม่ได้พูดสักคำ
Η γρήγορη καφέ αλεπού πηδάει πάνω από τον τεμπέλη σκύλο.
Hızlı kahverengi tilki tembel köpeğin üzerinden atlar. İstanbul, Türkiye.
Szybki brązowy lis przeskakuje nad leniwym psem. Zażółć gęślą jaźń.
Tiếng Việt có dấu: Chào bạn, bạn khỏe không? Phở bò rất ngon.""".splitlines()

# Tricky pieces for random strings (after the research fuzzer that checked the spec against tokenizers).
POOL = (list("abcdefghijklmnopqrstuvwxyzABCDEFGHIJ0123456789.,!?-'\"") + [" "] * 12
        + ["  ", "\t", "\n", "\r\n", "\r", "\u00a0", "\u3000", "\u2002", "\u200b", "\u200c", "\u200d", "\ufeff",
           "\u2028", "\x00", "\x01", "\x1e", "\x1f", "\x7f", "\x85", "\x9f", "\u00ad"]
        + [chr(c) for c in range(0x300, 0x370, 7)] + [chr(c) for c in range(0xFF01, 0xFF5F, 5)]
        + [chr(c) for c in range(0xFF61, 0xFF9F, 3)] + [chr(c) for c in range(0xFB00, 0xFB07)]
        + ["①", "⑳", "㍿", "™", "½", "ℌ", "𝔾", "𝕠", "Å", "Ω", "K", "ǅ", "ŉ", "ß", "İ", "ﬅ", "ﷺ", "﷽", "ᄀ", "ᅡ", "ᆨ",
           "한", "국", "각", "ड़", "ड", "़", "ी", "क्ष", "क", "्", "ष", "ำ", "เ", "ข", "ا", "ٓ", "آ", "ἀ", "ά", "ΐ", "Ä",
           "é", "e", "ó", "ǘ", "ự", "ệ", "中", "国", "日", "本", "カ", "ﾀ", "ｶﾞ", "゙", "゚", "😀", "👩\u200d💻", "👍🏽",
           "❤️", "🇺🇸", "🇫", "\ufe0f", "\ufe0e", "\U000e0041", "\ufffd", "\ue000", "\U0010fffd", "\u0378", "\u2126",
           "ℵ", "∞", "≠", "⁰", "₂", "ﹰ", "ﺍ", "ﻻ", "<mask>", "<s>", "▁", "_", "ꙮ", "\u0e33", "\u00a0\u094d",
           "\u0915\u094d", "\u0921", "A\u0302\u0300", "\uff21\u0301", "o\u0308\u0304\u0301", "#\ufe0f\u20e3"])


def fnv1a64(text):
    h = 0xCBF29CE484222325
    for b in text.encode("utf-8"):
        h = ((h ^ b) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return h


# ---------------------------------------------------------------- step 2: train (sentencepiece venv)

def train(args):
    import sentencepiece as spm
    from sentencepiece import sentencepiece_model_pb2 as pb
    with open(os.path.join(args.work, "english.txt"), encoding="utf-8") as f:
        lines = f.read().splitlines()
    lines += MULTILINGUAL * 30
    random.Random(0).shuffle(lines)
    corpus = os.path.join(args.work, "corpus.txt")
    with open(corpus, "w", encoding="utf-8", newline="\n") as f:
        f.write("\n".join(lines) + "\n")
    prefix = os.path.join(args.work, "unigram")
    spm.SentencePieceTrainer.train(
        input=corpus, model_prefix=prefix, vocab_size=2000, model_type="unigram", character_coverage=0.9995,
        normalization_rule_name="nmt_nfkc", bos_id=0, pad_id=1, eos_id=2, unk_id=3, split_digits=False,
        byte_fallback=False, input_sentence_size=0, shuffle_input_sentence=False, num_threads=1)
    model = pb.ModelProto()
    with open(prefix + ".model", "rb") as f:
        model.ParseFromString(f.read())
    with open(os.path.join(args.work, "pieces.json"), "w", encoding="utf-8") as f:
        json.dump({"pieces": [[p.piece, p.score, p.type] for p in model.pieces]}, f, ensure_ascii=False)
    print("trained", len(model.pieces), "pieces")


# ---------------------------------------------------------------- step 3: convert (pinned venv)

def fixture(args):
    from tokenizers import AddedToken, Regex, Tokenizer, decoders, normalizers, pre_tokenizers, processors
    from tokenizers.models import Unigram
    with open(os.path.join(args.work, "pieces.json"), encoding="utf-8") as f:
        pieces = json.load(f)["pieces"]
    with open(args.charsmap, "rb") as f:
        charsmap = f.read()
    # XLMRobertaConverter.vocab: the specials, the real pieces (ours start at 4: we trained <s> <pad> </s> <unk>
    # where XLM-R's model has <unk> <s> </s>), then <mask>.
    vocab = [("<s>", 0.0), ("<pad>", 0.0), ("</s>", 0.0), ("<unk>", 0.0)]
    vocab += [(p, s) for p, s, _ in pieces[4:]] + [("<mask>", 0.0)]
    tok = Tokenizer(Unigram(vocab, unk_id=3, byte_fallback=False))
    tok.normalizer = normalizers.Sequence([normalizers.Precompiled(charsmap), normalizers.Replace(Regex(" {2,}"), " ")])
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    tok.post_processor = processors.TemplateProcessing(
        single="<s> $A </s>", pair="<s> $A </s> </s> $B </s>", special_tokens=[("<s>", 0), ("</s>", 2)])
    tok.add_special_tokens([AddedToken(t, special=True, normalized=False) for t in ["<s>", "<pad>", "</s>", "<unk>"]])
    tok.add_special_tokens([AddedToken("<mask>", lstrip=True, special=True, normalized=False)])
    os.makedirs(OUT, exist_ok=True)
    tok.save(os.path.join(OUT, "tokenizer.json"))
    print("wrote", os.path.join(OUT, "tokenizer.json"), len(vocab), "pieces")


# ---------------------------------------------------------------- step 4: goldens (pinned venv)

def scalar_offsets(pts):
    """Splits every piece of `pts` into scalars; returns (normalized strings, flat per-scalar original offsets)."""
    from tokenizers import Regex
    pieces = [(s, o) for s, o, _ in pts.get_splits(offset_referential="original", offset_type="char")]
    pts.split(lambda i, ns: ns.split(Regex(r"[\s\S]"), "isolated"))
    flat = []
    for _, (s, e), _ in pts.get_splits(offset_referential="original", offset_type="char"):
        flat += [s, e]
    return pieces, flat


def normalize_with_offsets(normalizer, text):
    from tokenizers import PreTokenizedString
    pts = PreTokenizedString(text)
    pts.normalize(lambda ns: normalizer.normalize(ns))
    pieces, flat = scalar_offsets(pts)
    return "".join(s for s, _ in pieces), flat


def random_texts(rng, count, longest):
    return ["".join(rng.choice(POOL) for _ in range(rng.randint(0, longest))) for _ in range(count)]


def precompiled_goldens(charsmap, rng):
    from tokenizers import normalizers
    pc = normalizers.Precompiled(charsmap)
    handwritten = [
        "", "Hello world", "  Hello   world  ", "a\tb\nc", "\r\nab", "\r\n", "\r\r\n\n", "Ｈｅｌｌｏ\u3000ｗｏｒｌｄ",
        "ﬁne ﬁ", "™g", "™\x1eg", "①②", "㍿", "cafe\u0301", "\uff21\u0301", "A\u0302\u0300", "A\u0308\u0301",
        "e\u0302\u0301x", "ﬁ\u0301", "\u00a0a\u00a0 b", "\u00a0\u094d", "\u00a0\u094d\u0921",
        "v\u00a0\u094d\u0921\u093c", "\u0915\u094d\u0921", "\u200bab", "\x1eab", "\x1e\x1fab", "a\x1e", "a\x1e\x1fb",
        "\x1e", "\x00a", "a\x00", "\x00", "😀😀 x 😀", "👍🏽", "👩\u200d💻", "🇺🇸", "\ufffd", "a\ufffdb",
        "o\u0308\u0304\u0301", "क़ी", "#\ufe0f\u20e3", "q\u0307\u0323", "ｶﾞｷﾞ", "ᄀ\u1161\u11a8", "한국어",
        "𝔾𝕠𝕠𝕘𝕝𝕖", "K Å Ω", "ǅ ŉ ß İ", "½ ⁰ ₂ ∞ ≠", "ﷺ ﷽", "\x7f\x85\x9f\u00ad", "\u2028\u2029\u202f\u205f\ufeff",
        "Ａ\u0301\u0301", "\u3000\u3000x", "ﾀﾞ", "\u0e33\u0e33", "ำ", "\U000e0041x", "\ue000\U0010fffd",
        "tab\tend\t", "\x01\x02\x03", "x\x01\x02\x03", "™\x01", "①\x01\x02",
    ]
    cases = []
    for text in handwritten + random_texts(rng, 400, 14):
        normalized, offsets = normalize_with_offsets(pc, text)
        assert normalized == pc.normalize_str(text)
        cases.append({"text": text, "normalized": normalized, "offsets": offsets})

    # Sweeps: each BMP code point (surrogates skipped) alone and in contexts where grapheme clusters decide the
    # result: after a key (NBSP, full-width A: a cluster under 6 bytes is replaced whole), before one (Prepend),
    # after a virama (GB9c) and after CR.
    contexts = [("", ""), ("\u00a0", ""), ("\uff21", ""), ("", "\u00a0"), ("", "a"), ("\u0915\u094d", ""),
                ("\u00a0\u094d", ""), ("\r", ""), ("a", "\u0301")]
    sweeps = []
    for prefix, suffix in contexts:
        digests = []
        for chunk in range(0x10000 // CHUNK):
            parts = []
            for cp in range(chunk * CHUNK, (chunk + 1) * CHUNK):
                if 0xD800 <= cp < 0xE000:
                    continue
                normalized, offsets = normalize_with_offsets(pc, prefix + chr(cp) + suffix)
                parts.append(normalized + "|" + ",".join(map(str, offsets)))
            digests.append(f"{fnv1a64(chr(10).join(parts)):016x}")
        sweeps.append({"prefix": prefix, "suffix": suffix, "digests": digests})
    # Every supplementary code point alone (normalized text only), in chunks of 4096.
    digests = []
    for chunk in range(0x10000 // 4096, 0x110000 // 4096):
        parts = [pc.normalize_str(chr(cp)) for cp in range(chunk * 4096, (chunk + 1) * 4096)]
        digests.append(f"{fnv1a64(chr(10).join(parts)):016x}")
    return cases, sweeps, digests


def metaspace_goldens(rng):
    from tokenizers import PreTokenizedString, pre_tokenizers
    texts = ["Hello world", " lead", "  two  spaces  ", "a  b", "▁a▁b▁▁c", "a▁", "▁▁a", "", " ", "x", "tab\there",
             "nbsp\u00a0here", "end ", "|Hello|world |x", "a| b|  |c", "|", "||", "é ö", "😀 😀", "▁", "_ _"]
    texts += random_texts(rng, 60, 10)
    cases = []
    for scheme in ["always", "first", "never"]:
        for split in [True, False]:
            for replacement in ["▁", "_"]:
                pre = pre_tokenizers.Metaspace(replacement=replacement, prepend_scheme=scheme, split=split)
                for text in texts:
                    pts = PreTokenizedString(text)
                    # "|" cuts the input first, as added tokens do, so that pieces start past offset 0.
                    pts.split(lambda i, ns: ns.split("|", "removed"))
                    pre.pre_tokenize(pts)
                    pieces, flat = scalar_offsets(pts)
                    cases.append({"scheme": scheme, "split": split, "replacement": replacement, "text": text,
                                  "pieces": [p for p, _ in pieces], "piece_offsets": [x for _, o in pieces for x in o],
                                  "offsets": flat})
    return cases


def encode_model(model, text):
    from tokenizers import Tokenizer
    tok = Tokenizer(model)
    try:
        e = tok.encode(text)
    except Exception as error:  # tokenizers raises a plain Exception for a missing unk_id
        return {"error": str(error)}
    return {"ids": e.ids, "tokens": e.tokens, "offsets": [x for o in e.offsets for x in o]}


def unigram_goldens(fixture_vocab, rng):
    from tokenizers import pre_tokenizers
    from tokenizers.models import Unigram
    byte_pieces = [(f"<0x{b:02X}>", -20.0) for b in range(256)]
    vocabs = {
        "tie": ([("<unk>", 0.0), ("a", -1.0), ("b", -1.0), ("ab", -2.0), ("abc", -3.0), ("c", -1.0), ("bc", -2.0)], 0,
                False),
        "tie2": ([("<unk>", 0.0), ("aa", -2.0), ("a", -1.0), ("aaa", -3.0)], 0, False),
        "unknown": ([("x", -1.0), ("<unk>", 0.0), ("y", -2.0), ("xy", -2.5), ("é", -1.0)], 1, False),
        "no_unk": ([("x", -1.0), ("y", -2.0), ("xy", -2.5), ("z", -1.0), ("zz", -0.5), ("wz", -1.0), ("xw", -1.0)], None,
                   False),
        "positive": ([("<unk>", 0.0), ("ab", 5.0), ("a", 3.0)], 0, False),
        "duplicates": ([("<unk>", 0.0), ("a", -1.0), ("ab", -5.0), ("b", -1.0), ("ab", -0.5), ("a", -3.0)], 0, False),
        "bytes": ([("<unk>", 0.0)] + byte_pieces + [("a", -1.0), ("▁", -2.0), ("▁a", -1.5), ("é", -3.0)], 0, True),
        "some_bytes": ([("<unk>", 0.0), ("<0xF0>", -5.0), ("<0x9F>", -5.0), ("<0x98>", -5.0), ("<0x80>", -5.0),
                        ("<0xC3>", -5.0), ("a", -1.0)], 0, True),
        "bytes_no_unk": (byte_pieces + [("a", -1.0)], None, True),
        "empty": ([], None, False),
        "fixture": (fixture_vocab, 3, False),
    }
    texts = {
        "tie": ["ab", "abc", "abcab", "cab", "bca", "x", "axb", ""],
        "tie2": ["a", "aa", "aaa", "aaaa", "aaaaaaa"],
        "unknown": ["xy", "x😀y", "😀😀", "😀x😀😀", "<unk>", "😀<unk>😀", "é", "e\u0301", "👍🏽", "q", "qxq", "\x00"],
        "no_unk": ["xy", "xyz", "zz", "wz", "w", "q", "xqy", "", "xw", "xwz"],
        "positive": ["ab", "a", "b", "abb", "ba"],
        "duplicates": ["a", "ab", "b", "aab"],
        "bytes": ["a", "▁a", "😀", "😀😀", "a😀a", "é", "e\u0301", "\x00", "▁▁", "x"],
        "some_bytes": ["😀", "é", "😀a😁", "ü"],
        "bytes_no_unk": ["a", "b", "😀", "ab"],
        "empty": ["", "a"],
    }
    # Fixture: the words Metaspace makes of multilingual sentences, and random strings.
    words = []
    pre = pre_tokenizers.Metaspace()
    for line in MULTILINGUAL + ["Hello world, this is a test of the Unigram model.", "1234567 3.14 foo@bar.com"]:
        words += [w for w, _ in pre.pre_tokenize_str(line)]
    texts["fixture"] = words + random_texts(rng, 200, 10) + ["<s>", "<mask>", "▁<unk>", "株式会社", "\x00a"]
    cases = []
    for name, (vocab, unk_id, byte_fallback) in vocabs.items():
        model_vocab = [[p, s] for p, s in vocab]
        entry = {"name": name, "unk_id": unk_id, "byte_fallback": byte_fallback, "cases": []}
        if name != "fixture":
            entry["vocab"] = model_vocab
        for text in texts[name]:
            result = encode_model(Unigram(vocab, unk_id, byte_fallback), text)
            entry["cases"].append(dict(text=text, **result))
        cases.append(entry)
    return cases


def chain_goldens(path, charsmap, rng):
    from tokenizers import Tokenizer, normalizers
    tok = Tokenizer.from_file(path)
    tok.normalizer = normalizers.Precompiled(charsmap)
    tok.post_processor = None
    texts = ["Hello world", "  Hello   world  ", "a\tb\nc", "\r\nab", "Ｈｅｌｌｏ\u3000ｗｏｒｌｄ", "ﬁne ﬁ", "™g", "①②", "㍿",
             "cafe\u0301", "\u00a0a\u00a0 b", "\u200bab", "\x1eab", "\x00a", "😀😀 x 😀", "👍🏽", "\ufffd", ""]
    texts += MULTILINGUAL + random_texts(rng, 300, 16)
    cases = []
    for text in texts:
        if "<" in text:  # keep the added tokens out: this checks the three components alone
            continue
        e = tok.encode(text, add_special_tokens=False)
        cases.append({"text": text, "ids": e.ids, "tokens": e.tokens, "offsets": [x for o in e.offsets for x in o]})
    return cases


def decoder_goldens():
    from tokenizers import decoders
    metaspace = [("always", "▁"), ("first", "▁"), ("never", "▁"), ("always", "_")]
    token_lists = [["▁Hey", "▁", "▁friend", "▁"], ["Hey", "▁friend"], ["▁▁a"], [], [""], ["<s>", "▁Hello", "▁world"],
                   ["_a", "_b"], ["▁", "▁"], ["x▁y▁"]]
    cases = []
    for scheme, replacement in metaspace:
        d = {"type": "Metaspace", "replacement": replacement, "prepend_scheme": scheme, "split": True}
        dec = decoders.Metaspace(replacement=replacement, prepend_scheme=scheme)
        for tokens in token_lists:
            cases.append({"decoders": [d], "tokens": tokens, "text": dec.decode(tokens)})
    byte_lists = [["<0x4A>", "<0x4a>"], ["<0xE9>", "<0x41>"], ["<0xC3>", "<0xA9>", "x", "<0xC3>"], ["<0x+F>"],
                  ["<0x-1>"], ["<0X41>"], ["<0x 4>"], ["<0xF0>", "<0x9F>", "<0x98>", "<0x80>"], ["<0xF0>", "<0x9F>"],
                  ["a", "<0x61>", "b"], ["<0xé>"], ["<0x4G>"], ["<0x414>"], []]
    for tokens in byte_lists:
        cases.append({"decoders": [{"type": "ByteFallback"}], "tokens": tokens,
                      "text": decoders.ByteFallback().decode(tokens)})
    for tokens in [["a", "b", "c"], [], ["", ""]]:
        cases.append({"decoders": [{"type": "Fuse"}], "tokens": tokens, "text": decoders.Fuse().decode(tokens)})
    strip_cases = [(" ", 1, 0, [" a", "  b", "c ", ""]), (" ", 2, 1, ["  a  ", "   b", "c"]), ("H", 1, 0, ["Hey", "HHH"]),
                   ("▁", 0, 2, ["a▁▁▁", "b▁"]), (" ", 1, 1, ["  "])]
    for content, start, stop, tokens in strip_cases:
        cases.append({"decoders": [{"type": "Strip", "content": content, "start": start, "stop": stop}],
                      "tokens": tokens, "text": decoders.Strip(content, start, stop).decode(tokens)})
    replace_cases = [("▁", " ", ["▁Hello", "▁▁world", "x"]), ("aa", "b", ["aaa", "aaaa"]), ("", "x", ["ab", "", "é"]),
                     ("é", "e", ["café", "e\u0301"]), ("ab", "", ["abab", "aab"]), ("▁", "  ", ["▁"])]
    for pattern, content, tokens in replace_cases:
        cases.append({"decoders": [{"type": "Replace", "pattern": {"String": pattern}, "content": content}],
                      "tokens": tokens, "text": decoders.Replace(pattern, content).decode(tokens)})
    # The byte-fallback chain (Llama, and transformers' SpmConverter with byte_fallback).
    chain = [{"type": "Replace", "pattern": {"String": "▁"}, "content": " "}, {"type": "ByteFallback"},
             {"type": "Fuse"}, {"type": "Strip", "content": " ", "start": 1, "stop": 0}]
    seq = decoders.Sequence([decoders.Replace("▁", " "), decoders.ByteFallback(), decoders.Fuse(),
                             decoders.Strip(" ", 1, 0)])
    for tokens in [["▁Hello", "▁", "<0xF0>", "<0x9F>", "<0x98>", "<0x80>", "▁world"], ["<0xE9>", "▁a"], [],
                   ["▁▁a"], ["<0xC3>", "<0xA9>"]]:
        cases.append({"decoders": chain, "tokens": tokens, "text": seq.decode(tokens)})
    for case in cases:  # the decoder objects as JSON text, parsed by the test with the package's own JSON reader
        case["decoders"] = json.dumps(case["decoders"], ensure_ascii=False)
    return cases


def json_goldens(charsmap_b64):
    """Component objects and whether tokenizers 0.23.3 loads a tokenizer.json holding them."""
    from tokenizers import Tokenizer
    model = {"type": "Unigram", "unk_id": 0, "vocab": [["<unk>", 0.0], ["a", -1.0]]}
    short = base64.b64encode(b"\x08\x00\x00\x00\x00\x00\x00\x00").decode()
    bad_utf8 = base64.b64encode(b"\x00\x00\x00\x00\xff\xfe").decode()
    items = [
        ("model", {"type": "Unigram", "vocab": [["<unk>", 0.0], ["a", -1]], "unk_id": 0}),
        ("model", {"type": "Unigram", "vocab": [["a", -1.5]]}),
        ("model", {"type": "Unigram", "vocab": [["a", -1.5]], "unk_id": None}),
        ("model", {"type": "Unigram", "vocab": [["a", -1.5]], "unk_id": 1}),
        ("model", {"type": "Unigram", "vocab": [], "unk_id": 0}),
        ("model", {"type": "Unigram", "vocab": []}),
        ("model", {"type": "Unigram", "vocab": [["a", -1.5]], "unk_id": -1}),
        ("model", {"type": "Unigram", "unk_id": 0}),
        ("model", {"type": "Unigram", "vocab": [["a", -1.5, 0]], "unk_id": 0}),
        ("model", {"type": "Unigram", "vocab": [["a"]], "unk_id": 0}),
        ("model", {"type": "Unigram", "vocab": [["a", "x"]], "unk_id": 0}),
        ("model", {"type": "Unigram", "vocab": [[1, 0.0]], "unk_id": 0}),
        ("model", {"type": "Unigram", "vocab": {"a": 0.0}, "unk_id": 0}),
        ("model", {"type": "Unigram", "vocab": [["a", -1.0]], "unk_id": 0, "byte_fallback": True}),
        ("model", {"type": "Unigram", "vocab": [["a", -1.0]], "unk_id": 0, "byte_fallback": "yes"}),
        ("model", {"type": "Unigram", "vocab": [["a", -1.0]], "unk_id": 0, "extra": 1}),
        ("model", {"type": "Unigram", "vocab": [["a", -1.0]], "unk_id": "0"}),
        ("model", {"type": "Unigram", "vocab": [["a", -1.0]], "unk_id": 0.0}),
        ("model", {"type": "Unigram", "vocab": [["a", -1.0]], "unk_id": 0, "byte_fallback": None}),
        ("model", {"vocab": [["a", -1.0]], "unk_id": 0}),
        ("model", {"type": "Unigram", "vocab": [["a", 1e300], ["b", -2.5e-3]], "unk_id": 0}),
        ("pre_tokenizer", {"type": "Metaspace", "replacement": "▁", "prepend_scheme": "always", "split": True}),
        ("pre_tokenizer", {"type": "Metaspace", "replacement": "▁", "prepend_scheme": "first", "split": False}),
        ("pre_tokenizer", {"type": "Metaspace", "replacement": "▁", "prepend_scheme": "never"}),
        ("pre_tokenizer", {"type": "Metaspace", "replacement": "▁"}),
        ("pre_tokenizer", {"type": "Metaspace", "replacement": "▁", "str_rep": "▁", "add_prefix_space": True}),
        ("pre_tokenizer", {"type": "Metaspace", "replacement": "▁", "add_prefix_space": False}),
        ("pre_tokenizer", {"type": "Metaspace", "replacement": "▁", "add_prefix_space": False,
                           "prepend_scheme": "never"}),
        ("pre_tokenizer", {"type": "Metaspace", "replacement": "▁", "add_prefix_space": False,
                           "prepend_scheme": "first"}),
        ("pre_tokenizer", {"type": "Metaspace", "replacement": "▁", "add_prefix_space": True,
                           "prepend_scheme": "never"}),
        ("pre_tokenizer", {"type": "Metaspace", "replacement": "▁", "prepend_scheme": "sometimes"}),
        ("pre_tokenizer", {"type": "Metaspace", "replacement": "▁▁"}),
        ("pre_tokenizer", {"type": "Metaspace", "replacement": ""}),
        ("pre_tokenizer", {"type": "Metaspace", "prepend_scheme": "always"}),
        ("pre_tokenizer", {"type": "Metaspace", "replacement": "_", "split": None}),
        ("pre_tokenizer", {"type": "Metaspace", "replacement": "_", "split": "no"}),
        ("pre_tokenizer", {"type": "Metaspace", "replacement": "▁", "prepend_scheme": None}),
        ("pre_tokenizer", {"type": "Metaspace", "replacement": "e\u0301"}),
        ("pre_tokenizer", {"type": "Metaspace", "replacement": "_", "str_rep": 1}),
        ("pre_tokenizer", {"type": "Metaspace", "replacement": "_", "add_prefix_space": None}),
        ("decoder", {"type": "Metaspace", "replacement": "▁", "add_prefix_space": False}),
        ("decoder", {"type": "Metaspace", "replacement": "▁", "prepend_scheme": "never"}),
        ("decoder", {"type": "Strip", "content": " ", "start": 1, "stop": 0}),
        ("decoder", {"type": "Strip", "content": " ", "start": 1}),
        ("decoder", {"type": "Strip", "content": "  ", "start": 1, "stop": 0}),
        ("decoder", {"type": "Strip", "content": " ", "start": -1, "stop": 0}),
        ("decoder", {"type": "ByteFallback"}),
        ("decoder", {"type": "Fuse"}),
        ("decoder", {"type": "Replace", "pattern": {"String": "▁"}, "content": " "}),
        ("decoder", {"type": "Replace", "pattern": {"String": "▁"}}),
        ("decoder", {"type": "Replace", "pattern": "▁", "content": " "}),
        ("normalizer", {"type": "Precompiled", "precompiled_charsmap": charsmap_b64}),
        ("normalizer", {"type": "Precompiled", "precompiled_charsmap": charsmap_b64[:-4]}),
        ("normalizer", {"type": "Precompiled", "precompiled_charsmap": "not base64!"}),
        ("normalizer", {"type": "Precompiled", "precompiled_charsmap": "QUJD"}),
        ("normalizer", {"type": "Precompiled", "precompiled_charsmap": "QUI="}),
        ("normalizer", {"type": "Precompiled", "precompiled_charsmap": "QUJ="}),
        ("normalizer", {"type": "Precompiled", "precompiled_charsmap": "AAAAAA=="}),
        ("normalizer", {"type": "Precompiled", "precompiled_charsmap": "AAAAAA"}),
        ("normalizer", {"type": "Precompiled", "precompiled_charsmap": short}),
        ("normalizer", {"type": "Precompiled", "precompiled_charsmap": bad_utf8}),
        ("normalizer", {"type": "Precompiled", "precompiled_charsmap": None}),
        ("normalizer", {"type": "Precompiled", "precompiled_charsmap": 12}),
        ("normalizer", {"type": "Precompiled"}),
    ]
    # Base64 forms (the blob itself is valid: 4 zero bytes, then a few more): padding, trailing bits, stray symbols.
    for text in ["A" * n + "=" * p for n in range(6, 13) for p in range(4)] + [
            "AAAA AA==", "AAAAAB==", "AAAAAB", "AAAAAA=A", "AAAA====", "AAAAAAE=", "AAAAAAB=", "AAAAAA-_",
            "AAAAAAAAAAAB", "AAAAAAAAAAA/"]:
        items.append(("normalizer", {"type": "Precompiled", "precompiled_charsmap": text}))
    cases = []
    for component, obj in items:
        document = {"version": "1.0", "model": model}
        document[component] = obj
        case = {"component": component}
        try:
            tok = Tokenizer.from_str(json.dumps(document))
        except BaseException:  # some load errors surface as pyo3's PanicException, not an Exception
            tok = None
        case["loads"] = tok is not None
        if tok is not None:  # what the loaded component does, to check the fields were read right
            if component == "model":
                case["vocab_size"] = tok.get_vocab_size()
                try:
                    case["ids"] = tok.encode("aa").ids
                except Exception:  # no unk_id and "a" not in the vocabulary
                    case["ids"] = None
            elif obj["type"] == "Metaspace":
                loaded = tok.pre_tokenizer if component == "pre_tokenizer" else tok.decoder
                case["options"] = {"replacement": loaded.replacement, "prepend_scheme": loaded.prepend_scheme,
                                   "split": loaded.split}
            elif component == "decoder":
                case["decoded"] = tok.decoder.decode(["▁a", " b ", "<0x41>", "x▁"])
            else:
                try:
                    case["normalized"] = tok.normalizer.normalize_str("ﬁ Ａ\u00a0x")
                except BaseException:  # an empty trie: tokenizers panics on any non-empty text
                    case["normalized"] = None
        text = json.dumps(obj, ensure_ascii=False)
        text = text.replace(json.dumps(charsmap_b64), '"FIXTURE"').replace(json.dumps(charsmap_b64[:-4]), '"FIXTURE[:-4]"')
        case["json"] = text  # the test puts the fixture's charsmap back in place of FIXTURE
        cases.append(case)
    return cases


def float_goldens(fixture_scores_path, rng):
    """Score literals and the Double tokenizers (serde_json, without float_roundtrip) reads from each, as the hex of
    its IEEE bits; None where it refuses the file. Plus a digest of the fixture's scores as tokenizers holds them."""
    import struct
    from tokenizers import Tokenizer

    def bits(x):
        return struct.pack(">d", x).hex()

    def loaded(literals):
        vocab = ",".join('["p%d",%s]' % (i, lit) for i, lit in enumerate(literals))
        doc = '{"version":"1.0","model":{"type":"Unigram","unk_id":0,"vocab":[%s]}}' % vocab
        return [v for _, v in json.loads(Tokenizer.from_str(doc).to_str())["model"]["vocab"]]

    literals = []
    for _ in range(400):
        x = -rng.uniform(0, 25)
        literals += [repr(x), "%.20f" % x, "%.25e" % x, "%.17g" % (x * 1e-5)]
    literals += ["-1", "0", "-0", "-0.0", "12345678901234567890123", "18446744073709551615", "18446744073709551616",
                 "-9223372036854775809", "1844674407370955161.6", "18446744073709551616.25", "1e300", "1.5E-5",
                 "123456789012345678901234567890e-10", "0.000000000000000000000000000001234567890123456789",
                 "4.9e-324", "2.2250738585072014e-308", "1.7976931348623157e308", "1e-400", "-1e-400",
                 "0e99999999999", "1e-99999999999", "3.14159265358979323846264338327950288"]
    cases = [[lit, bits(v)] for lit, v in zip(literals, loaded(literals))]
    for lit in ["1e400", "-1e309", "1e99999999999", "17976931348623159e292"]:
        try:
            cases.append([lit, bits(loaded([lit])[0])])
        except BaseException:
            cases.append([lit, None])
    tok = Tokenizer.from_file(fixture_scores_path)
    scores = [v for _, v in json.loads(tok.to_str())["model"]["vocab"]]
    digest = f"{fnv1a64(chr(10).join(bits(v) for v in scores)):016x}"
    return {"literals": cases, "fixture_digest": digest}


def goldens(args):
    import tokenizers
    assert tokenizers.__version__ == "0.23.3", tokenizers.__version__
    path = os.path.join(OUT, "tokenizer.json")
    with open(path, encoding="utf-8") as f:
        spec = json.load(f)
    charsmap_b64 = spec["normalizer"]["normalizers"][0]["precompiled_charsmap"]
    charsmap = base64.b64decode(charsmap_b64)
    fixture_vocab = [(p, s) for p, s in spec["model"]["vocab"]]
    rng = random.Random(20261130)
    precompiled, sweeps, supplementary = precompiled_goldens(charsmap, rng)
    out = {
        "tokenizers": tokenizers.__version__,
        "precompiled": precompiled,
        "precompiled_sweeps": sweeps,
        "precompiled_supplementary": supplementary,
        "metaspace": metaspace_goldens(rng),
        "unigram": unigram_goldens(fixture_vocab, rng),
        "chain": chain_goldens(path, charsmap, rng),
        "decoders": decoder_goldens(),
        "json": json_goldens(charsmap_b64),
        "floats": float_goldens(path, rng),
    }
    target = os.path.join(OUT, "goldens.json")
    with open(target, "w", encoding="utf-8") as f:
        json.dump(out, f, ensure_ascii=True, separators=(",", ":"))
        f.write("\n")
    print("wrote", target, os.path.getsize(target), "bytes")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="step", required=True)
    p = sub.add_parser("train")
    p.add_argument("--work", default="/tmp/unigram-fixture")
    p = sub.add_parser("fixture")
    p.add_argument("--work", default="/tmp/unigram-fixture")
    p.add_argument("--charsmap", required=True)
    sub.add_parser("goldens")
    args = parser.parse_args()
    {"train": train, "fixture": fixture, "goldens": goldens}[args.step](args)


if __name__ == "__main__":
    sys.exit(main())
