#!/usr/bin/env python3
"""Generates the byte-level BPE fixture and goldens under Resources/tokenizer-bpe/ from Hugging Face `tokenizers`.

Run with the repository's pinned environment (tokenizers 0.23.3, checked below):
    .venv/bin/python Scripts/make_bpe_goldens.py
Deterministic: the corpus is in this file, random inputs come from fixed seeds, and the trainer is deterministic
(running the script twice gives identical files).

Writes:
  tokenizer.json  a small byte-level BPE tokenizer in the RoBERTa layout (<s> <pad> </s> <unk> = 0..3, learned tokens,
                  <mask> last with lstrip; ByteLevel pre-tokenizer and decoder, RobertaProcessing; legacy layout like
                  roberta-base: no model.type, merges as "a b" strings), trained here with ByteLevelBPETokenizer
                  on the multilingual CORPUS below.
  classes.json    the class of every code point for the GPT-2 pattern (letter, number, whitespace, other), found by
                  asking tokenizers' ByteLevel pre-tokenizer, run-length encoded: [[first code point, class], ...].
  split.json      pre_tokenizers.ByteLevel(add_prefix_space, use_regex).pre_tokenize_str(text): pieces and
                  character offsets, for hand-written and random texts.
  model.json      BPE model tokens (id, value, byte offsets) of words: the fixture's model on byte-level words, and
                  small models (JSON as tokenizers writes it) with every option, including random merge tables.
  encode.json     ids and character offsets of Tokenizer(BPE) + ByteLevel pre-tokenizer (no normalizer, no added
                  token, no post-processor) for the fixture and for variants of its vocabulary with scalars removed
                  (dropped, or the unknown token, fused or not).
  trim.json       tokens and offsets of one sequence before and after tokenizers' ByteLevel post-processor
                  (`process_offsets`), with the fixture's <mask> (lstrip) matched in the text; texts, pairs, and
                  pre-tokenized word lists (whose offsets restart at 0 for each word).
  decode.json     decoders.ByteLevel().decode(tokens) for token lists.
"""
import json
import os
import random
import sys

import tokenizers
from tokenizers import ByteLevelBPETokenizer, Tokenizer, decoders, models, pre_tokenizers

assert tokenizers.__version__ == "0.23.3", f"expected tokenizers 0.23.3, found {tokenizers.__version__}"

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Resources", "tokenizer-bpe")

CORPUS = [
    "Hello world! Hello there, my friend. How is your day going? The quick brown fox jumps over the lazy dog.",
    "I don't know. DON'T do it. You're right, we'll see, I'm here, she's gone, they've left, he'd go. It's fine.",
    "The year 2024 had 366 days; 12345 numbers like 3.14159, 1,000,000 and $100.00 (or 50%) were counted.",
    "  multiple   spaces\tand\ttabs\nand newlines\n\n end  ",
    "Tokenizers split text into words, then words into subword units that a model can embed and compare.",
    "Sentence embeddings map a sentence to a vector; similar sentences get vectors with a high cosine similarity.",
    "def tokenize(text): return [piece for piece in text.split() if piece]  # comment with x**2 and a_b",
    "https://example.com/path?query=1&other=two#frag user@example.org <html><body>Hi</body></html>",
    "Le petit chat est très mignon, n'est-ce pas ? Où est la bibliothèque ? Ça coûte cher, déjà été.",
    "Der schnelle braune Fuchs springt über den faulen Hund. Größe, Straße, Mädchen, schön.",
    "El niño comió paella en la playa. ¿Dónde está el baño? ¡Qué bueno! Mañana será otro día.",
    "Zażółć gęślą jaźń. Pchnąć w tę łódź jeża lub ośm skrzyń fig. Łódź i Kraków.",
    "Съешь же ещё этих мягких французских булок, да выпей чаю. Привет, как дела? Москва и Россия.",
    "Ξεσκεπάζω την ψυχοφθόρα βδελυγμία. Γειά σου κόσμε! Ελληνικά γράμματα: α β γ δ ε.",
    "日本語のテキストを分割します。東京は日本の首都です。今日はいい天気ですね。",
    "中文文本分词测试。北京是中国的首都。我们今天去公园散步。",
    "한국어 텍스트 토큰화 테스트입니다. 서울은 한국의 수도입니다. 안녕하세요!",
    "مرحبا بالعالم. هذه جملة باللغة العربية للاختبار.",
    "नमस्ते दुनिया। यह हिंदी में एक परीक्षण वाक्य है।",
    "สวัสดีชาวโลก นี่คือประโยคทดสอบภาษาไทย",
    "emoji 😀👍🏽 flags 🇵🇱🇯🇵 family 👨‍👩‍👧 café cafe\u0301 naïve résumé coöperate",
    "Numbers in other scripts: ٣٤٥ ½ ² Ⅻ ① ᛮ, currency € £ ¥ ₹, symbols © ® ™ ° ± × ÷.",
    "<mask> tokens are special. Hello <mask> world. The <s> and </s> markers wrap a sentence.",
    "OpenAI's GPT-2 uses byte-level BPE; RoBERTa reuses it with a 50,265-token vocabulary.",
]


def byte_level_tokenizer():
    """Trains the fixture and returns its tokenizer.json as a dict (RoBERTa layout, legacy merges)."""
    trainer = ByteLevelBPETokenizer(add_prefix_space=False, trim_offsets=True)
    trainer.train_from_iterator(CORPUS * 20, vocab_size=1500, min_frequency=2, special_tokens=[],
                                show_progress=False)
    trained = json.loads(trainer._tokenizer.to_str())
    vocab = {"<s>": 0, "<pad>": 1, "</s>": 2, "<unk>": 3}
    for token, _ in sorted(trained["model"]["vocab"].items(), key=lambda item: item[1]):
        vocab[token] = len(vocab)
    vocab["<mask>"] = len(vocab)

    def added(content, lstrip=False):
        return {"id": vocab[content], "content": content, "single_word": False, "lstrip": lstrip, "rstrip": False,
                "normalized": True, "special": True}

    return {
        "version": "1.0", "truncation": None, "padding": None,
        "added_tokens": [added("<s>"), added("<pad>"), added("</s>"), added("<unk>"), added("<mask>", lstrip=True)],
        "normalizer": None,
        "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True},
        "post_processor": {"type": "RobertaProcessing", "sep": ["</s>", 2], "cls": ["<s>", 0], "trim_offsets": True,
                           "add_prefix_space": False},
        "decoder": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True},
        "model": {"dropout": None, "unk_token": None, "continuing_subword_prefix": "", "end_of_word_suffix": "",
                  "fuse_unk": False, "vocab": vocab,
                  "merges": [m if isinstance(m, str) else " ".join(m) for m in trained["model"]["merges"]]},
    }


# ---------------------------------------------------------------- inputs

WHITE_SPACE = [0x9, 0xA, 0xB, 0xC, 0xD, 0x20, 0x85, 0xA0, 0x1680] + list(range(0x2000, 0x200B)) + [
    0x2028, 0x2029, 0x202F, 0x205F, 0x3000]
NOT_WHITE_SPACE = [0x1C, 0x1D, 0x1E, 0x1F, 0x180E, 0x200B, 0x2060, 0xFEFF]

HANDWRITTEN = [
    "", " ", "  ", "   ", "\t", "\n", "a", "'", "''", "'s", "'S", "'re", "'RE", "'ll", "'l", "'ve", "'v", "'d", "'m",
    "'t", "don't", "DON'T", "Don'T", "I'm you're we'll they've she'd it's", "I'M YOU'RE WE'LL THEY'VE SHE'D IT'S",
    "'dog", " 's", "a's", "x''s", "rock'n'roll", "'''", "'s's", "' s", "'\u0301s",
    "Hello world", " Hello world", "Hello  world", "Hello world  ", "  Hello", "a   b", "a  ", "a \n b", "hello  !",
    "\tHello", "Hello\n\nworld\n", "a\t\tb", "a \t b", " \t", "\t ", "\n\n\n", "a\r\nb", " a", "  a", "a ",
    "\x85\x85b", "a\x85\x85b", "a\u00a0b", "a\u00a0\u00a0b", "\u00a0a", "a \u00a0b", "a\u3000b", "\u3000a", "a\u2028b",
    "a\u1680\u2000\u200ab", "\u202f\u205f", "a\u200bb", "a\ufeffb", "a\u180eb", "a\x1cb\x1fc", "a\x00b\x7fc",
    "café cafe\u0301", "e\u0301\u0301", " \u0301", "\u0301a", "naïve", "ǅemal ʰ ª º µ",
    "12abc3", "$100.00", "3.14", "1,000,000", "٣٤٥ ½ ² Ⅻ ① ᛮ", " 12", "  12", "x²", "a½b",
    "!!!", " !!!", "...?!", "a--b", "(a)", "@#$%^&*", "a.b,c;d:e", " ,", "~`\\|/",
    "日本語のテキスト", "中文 한국어", " 日本", "Ελληνικά русский", "مرحبا", "नमस्ते", "สวัสดี",
    "😀", "😀👍🏽", " 😀", "a😀b", "👨‍👩‍👧", "🇵🇱🇯🇵", "❤️", "a\u200db", "x\ufe0fy",
    "\U0001e4d0\u1c89 \U00010d40", "\ue000\U0010ffff\u0378", "\u00ad-\u00ad",
    "<mask>", "Hello <mask>!", "Hello\t<mask>", "a <mask><mask> b", "  <mask>  ", "x<s>y", "<s>hi</s>",
    "The year 2024 had 366 days.", "Tokenizers split text into words.",
    "Le petit chat est très mignon, n'est-ce pas ?", "Zażółć gęślą jaźń.",
]


def random_texts(seed, count, max_length):
    """Random texts drawn mostly from characters that matter to the pattern, sometimes any code point."""
    rng = random.Random(seed)
    pool = (list("abcXYZ") + list("stremvldSTREMVLD") + ["'"] * 6 + [" "] * 10 + list("0123456789")
            + list("!?.,;:-_()[]{}<>@#$%^&*+=/\\|~`\"") + [chr(c) for c in WHITE_SPACE + NOT_WHITE_SPACE]
            + list("éßΩж日本アア한اहกⅫ½²٣①ªʰǅµ") + ["\u0301", "\u0308", "\u093f", "\u20dd"]
            + ["😀", "👍", "🏽", "\u200d", "\ufe0f", "🇵", "🇱"]
            + ["\x00", "\x7f", "\u00ad", "\ue000", "\u0378", "\U0010ffff", "\U0001e4d0", "\u1c89"])
    texts = []
    for _ in range(count):
        length = rng.randint(0, max_length)
        chars = []
        for _ in range(length):
            if rng.random() < 0.08:
                code = rng.randint(0, 0x10FFFF)
                while 0xD800 <= code <= 0xDFFF:
                    code = rng.randint(0, 0x10FFFF)
                chars.append(chr(code))
            else:
                chars.append(rng.choice(pool))
        texts.append("".join(chars))
    return texts


# ---------------------------------------------------------------- goldens

def classes():
    """[[first code point, class], ...]: 0 letter, 1 number, 2 whitespace, 3 other; surrogates are 3."""
    plain = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)

    def joins(prefix, char):
        return len(plain.pre_tokenize_str(prefix + char)) == 1

    runs = []
    for code in range(0x110000):
        if 0xD800 <= code <= 0xDFFF:
            kind = 3
        else:
            char = chr(code)
            found = [k for k, prefix in enumerate(("a", "1", "!")) if joins(prefix, char)]
            assert len(found) <= 1, (hex(code), found)
            kind = {0: 0, 1: 1, 2: 3}[found[0]] if found else 2
        if not runs or runs[-1][1] != kind:
            runs.append([code, kind])
    return runs


def split_goldens():
    texts = HANDWRITTEN + random_texts(1, 800, 24)
    cases = []
    for text in texts:
        case = {"text": text}
        for prefix in (False, True):
            pieces = pre_tokenizers.ByteLevel(add_prefix_space=prefix, use_regex=True).pre_tokenize_str(text)
            case["prefix" if prefix else "plain"] = [[piece, start, end] for piece, (start, end) in pieces]
        cases.append(case)
    no_regex = []
    for text in HANDWRITTEN[:60]:
        for prefix in (False, True):
            pieces = pre_tokenizers.ByteLevel(add_prefix_space=prefix, use_regex=False).pre_tokenize_str(text)
            no_regex.append({"text": text, "add_prefix_space": prefix,
                             "pieces": [[piece, start, end] for piece, (start, end) in pieces]})
    return {"cases": cases, "no_regex": no_regex}


def model_tokens(model, word):
    try:
        return [[token.id, token.value, token.offsets[0], token.offsets[1]] for token in model.tokenize(word)]
    except Exception as error:  # noqa: BLE001 - the error is the golden
        return {"error": str(error)}


def model_json(model):
    return json.loads(Tokenizer(model).to_str())["model"]


def small_models():
    """Hand-made models exercising each option, and random merge tables."""
    vocab = {"<unk>": 0, "a": 1, "b": 2, "c": 3, "d": 4, "ab": 5, "bc": 6, "abc": 7, "cd": 8, "abcd": 9,
             "##a": 10, "##b": 11, "##c": 12, "##d": 13, "a</w>": 14, "b</w>": 15, "c</w>": 16, "d</w>": 17,
             "é": 18, "<0x61>": 19, "<0xC3>": 20, "<0xA9>": 21, "<0x78>": 22, "aa": 23, "aaa": 24,
             "##ab": 25, "##bc": 26, "bc</w>": 27, "cd</w>": 28, "aé": 29, "abc</w>": 30, "<0xAA>": 31, "<0x23>": 32}
    words = ["a", "ab", "abc", "abcd", "abcdabcd", "aaaa", "aaaaa", "x", "xx", "axb", "axxb", "xab", "abx", "é",
             "aé", "éa", "xé", "日本", "a日b", "ba", "dcba", "abé", "bcd", "xyz", "aéx", "😀a", "ê", "日ê", "aê日ê",
             "日日ê", "ax", "axé"]
    base_merges = [("a", "b"), ("b", "c"), ("ab", "c"), ("c", "d"), ("abc", "d"), ("a", "a"), ("aa", "a"),
                   ("a", "é")]
    prefix_merges = [("a", "##b"), ("##b", "##c"), ("ab", "##c")]
    suffix_merges = [("b", "c</w>"), ("c", "d</w>"), ("a", "bc</w>")]
    configs = [
        ("plain", {}, base_merges),
        ("unk", {"unk_token": "<unk>"}, base_merges),
        ("unk_fused", {"unk_token": "<unk>", "fuse_unk": True}, base_merges),
        ("byte_fallback", {"byte_fallback": True}, base_merges),
        ("byte_fallback_unk", {"byte_fallback": True, "unk_token": "<unk>"}, base_merges),
        ("byte_fallback_unk_fused", {"byte_fallback": True, "unk_token": "<unk>", "fuse_unk": True}, base_merges),
        ("ignore_merges", {"ignore_merges": True}, [("a", "b"), ("b", "c"), ("c", "d")]),
        ("prefix", {"continuing_subword_prefix": "##", "unk_token": "<unk>"}, prefix_merges),
        # tokenizers falls back on the bytes of "##x" (prefix included): byte offsets run past the word.
        ("byte_fallback_prefix", {"byte_fallback": True, "continuing_subword_prefix": "##"}, prefix_merges),
        ("suffix", {"end_of_word_suffix": "</w>"}, suffix_merges),
        ("missing_unk", {"unk_token": "<nope>"}, base_merges),
    ]
    cases = []
    for name, options, merges in configs:
        model = models.BPE(vocab=dict(vocab), merges=list(merges), **options)
        cases.append({"name": name, "model": model_json(model),
                      "words": [[word, model_tokens(model, word)] for word in words]})
    # The same base model with legacy string merges and a #version line (what merges.txt files carry).
    legacy = model_json(models.BPE(vocab=dict(vocab), merges=list(base_merges)))
    legacy["merges"] = ["#version: 0.2"] + [" ".join(pair) for pair in legacy["merges"]]
    legacy_model = Tokenizer.from_str(json.dumps({"model": legacy})).model
    cases.append({"name": "legacy_merges", "model": legacy,
                  "words": [[word, model_tokens(legacy_model, word)] for word in words]})

    # Random merge tables over a small alphabet: merges are drawn from pairs of existing tokens, so several pairs
    # can make the same token ("ab"+"c" and "a"+"bc"), which is what the stale-entry check is about.
    rng = random.Random(7)
    for index in range(30):
        alphabet = list("abcd")[: rng.randint(2, 4)]
        vocab = {char: i for i, char in enumerate(alphabet)}
        merges = []
        for _ in range(rng.randint(1, 40)):
            left, right = rng.choice(list(vocab)), rng.choice(list(vocab))
            if len(left) + len(right) > 8:
                continue
            merged = left + right
            if merged not in vocab:
                vocab[merged] = len(vocab)
            merges.append((left, right))
        model = models.BPE(vocab=dict(vocab), merges=list(merges))
        words = ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 16))) for _ in range(40)]
        cases.append({"name": f"random{index}", "model": model_json(model),
                      "words": [[word, model_tokens(model, word)] for word in words]})
    return cases


def fixture_model_words(fixture, texts):
    """The fixture model on the byte-level words of `texts` (with and without the prefix space)."""
    model = Tokenizer.from_str(json.dumps(fixture)).model
    seen, words = set(), []
    for text in texts:
        for prefix in (False, True):
            for piece, _ in pre_tokenizers.ByteLevel(add_prefix_space=prefix).pre_tokenize_str(text):
                if piece not in seen:
                    seen.add(piece)
                    words.append(piece)
    return [[word, model_tokens(model, word)] for word in words]


# Scalars taken out of the fixture's vocabulary for the encode variants: Ġ (2 UTF-8 bytes, so dropping it shifts
# the byte offsets of the 1-byte scalars after it), Ã and ¤ (lead and continuation bytes of é and of CJK), o.
REMOVED = {"dropped": ["Ġ", "Ã", "¤", "o"]}


def variant(fixture, removed, options):
    """The fixture's tokenizer with `removed` single-scalar tokens taken out of the vocabulary (and the merges
    that use them), the model options changed, and no added token, no post-processor."""
    data = json.loads(json.dumps(fixture))
    model = data["model"]
    model["vocab"] = {token: id for token, id in model["vocab"].items() if token not in removed}
    model["merges"] = [m for m in model["merges"] if not set(m.split(" ")) & set(removed)]
    model.update(options)
    data["added_tokens"] = []
    data["post_processor"] = None
    return data


def encode_goldens(fixture, texts):
    configs = [("fixture", [], {}, False), ("fixture", [], {}, True), ("dropped", REMOVED["dropped"], {}, False),
               ("dropped", REMOVED["dropped"], {}, True), ("unk", REMOVED["dropped"], {"unk_token": "<unk>"}, False),
               ("unk_fused", REMOVED["dropped"], {"unk_token": "<unk>", "fuse_unk": True}, False)]
    out = {"removed": REMOVED["dropped"], "configs": []}
    for name, removed, options, prefix in configs:
        data = variant(fixture, removed, options)
        data["pre_tokenizer"]["add_prefix_space"] = prefix
        tokenizer = Tokenizer.from_str(json.dumps(data))
        cases = []
        for text in texts:
            encoding = tokenizer.encode(text)
            cases.append([encoding.ids, [o for pair in encoding.offsets for o in pair]])
        out["configs"].append({"name": name, "add_prefix_space": prefix, "options": options, "cases": cases})
    out["texts"] = texts
    return out


def trim_goldens(fixture, texts):
    cases = []
    for pre_prefix, post_prefix in ((False, False), (True, True), (False, True), (True, False)):
        data = json.loads(json.dumps(fixture))
        data["pre_tokenizer"]["add_prefix_space"] = pre_prefix
        data["post_processor"] = None
        raw = Tokenizer.from_str(json.dumps(data))
        data["post_processor"] = {"type": "ByteLevel", "add_prefix_space": post_prefix, "trim_offsets": True}
        trimmed = Tokenizer.from_str(json.dumps(data))
        for index, text in enumerate(texts):
            pair = texts[(index * 7 + 3) % len(texts)] if index % 5 == 0 else None
            # Every third text also as pre-tokenized words: each word's offsets start at 0, which is where a token
            # other than the first counts as first (`offsets.0 == 0`).
            words = text.split() if index % 3 == 0 and text.split() else None
            if words is not None:
                pair = None
            before = raw.encode(words or text, pair, is_pretokenized=words is not None)
            after = trimmed.encode(words or text, pair, is_pretokenized=words is not None)
            assert before.tokens == after.tokens
            for sequence in (0, 1) if pair is not None else (0,):
                picked = [i for i, s in enumerate(before.sequence_ids) if s == sequence]
                cases.append({"add_prefix_space": post_prefix, "tokens": [before.tokens[i] for i in picked],
                              "before": [o for i in picked for o in before.offsets[i]],
                              "after": [o for i in picked for o in after.offsets[i]]})
    return cases


def decode_goldens(fixture, texts):
    tokenizer = Tokenizer.from_str(json.dumps(fixture))
    decoder = decoders.ByteLevel()
    lists = [[], ["Hello", "Ġworld"], ["<s>", "Hello", "Ġ<mask>", "</s>"], ["Ġ", "ĠĠ", "Ċ", "ĉ"], ["日本", "Ġx"],
             ["Ã", "©"], ["Ã"], ["©"], ["ðŁ", "ĺ"], ["ðŁĺ", "Ģ"], [" <mask>", "a"], ["a\tb", "Ġc"], ["Āā", "ÿ"],
             ["Ġa", "日", "Ġb"], ["ħ", "Â"], ["\u0144"], ["x\u0143y"]]
    for text in texts:
        lists.append(tokenizer.encode(text, add_special_tokens=False).tokens)
    rng = random.Random(11)
    alphabet = [chr(c) for c in list(range(0x21, 0x7F)) + list(range(0xA1, 0xAD)) + list(range(0xAE, 0x100))
                + list(range(0x100, 0x144))]
    for _ in range(300):
        tokens = []
        for _ in range(rng.randint(0, 8)):
            token = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 4)))
            if rng.random() < 0.1:
                token += rng.choice(["日", " ", "\u0144", "<mask>"])
            tokens.append(token)
        lists.append(tokens)
    return [[tokens, decoder.decode(tokens)] for tokens in lists]


def write(name, value):
    with open(os.path.join(OUT, name), "w", encoding="utf-8") as file:
        json.dump(value, file, ensure_ascii=False, separators=(",", ":"))
        file.write("\n")


def main():
    os.makedirs(OUT, exist_ok=True)
    fixture = byte_level_tokenizer()
    with open(os.path.join(OUT, "tokenizer.json"), "w", encoding="utf-8") as file:
        json.dump(fixture, file, ensure_ascii=False, indent=None, separators=(",", ":"))
        file.write("\n")
    write("classes.json", classes())
    split = split_goldens()
    write("split.json", split)
    texts = HANDWRITTEN + CORPUS + random_texts(2, 150, 40)
    write("model.json", {"fixture": fixture_model_words(fixture, texts), "small": small_models()})
    write("encode.json", encode_goldens(fixture, texts))
    write("trim.json", trim_goldens(fixture, HANDWRITTEN + random_texts(3, 60, 30)))
    write("decode.json", decode_goldens(fixture, HANDWRITTEN + CORPUS))
    print("vocab", len(fixture["model"]["vocab"]), "merges", len(fixture["model"]["merges"]), file=sys.stderr)


if __name__ == "__main__":
    main()
