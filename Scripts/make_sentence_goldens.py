#!/usr/bin/env python3
"""Sentence-embedding goldens from sentence-transformers (the reference of SentenceEncoder.encode).

Writes Resources/goldens/sentence/:
  tiny.json            the tiny fixture (Resources/tiny-bert) and its folder variants (variants.json: pooling
                       configs, Dense + Normalize, prompts), encode options, token embeddings, and the strategies
                       sentence-transformers has no module for (pooler, second-to-last mean), from transformers.
  lowercase.json       the tiny fixture's "lowercase*" variants (do_lower_case true in sentence_bert_config.json,
                       with the fixture's lowercasing tokenizer and with a cased one) on texts whose lowercasing is
                       not plain ASCII; each case also lists, per naive implementation, the texts whose ids it gets
                       wrong (the script fails if a naive implementation gets none wrong).
  minilm-pooling.json  all-MiniLM-L6-v2 raw (unnormalized) vectors for every pooling strategy.
  minilm-options.json  all-MiniLM-L6-v2 with its own folder (mean + Normalize): normalization, truncate_dim,
                       prompt, shorter max length, token embeddings.
  dense-*.safetensors  the seeded random Dense weights the variants name.
Each case stores the token ids the reference fed to the model for each text (prompt and truncation applied), and
one vector (or token matrix) per text, rounded to 8 significant digits. All texts of a case are encoded in one
call (one padded batch: the texts have very different lengths).

Run with the pinned stack (Scripts/setup_venv.sh), after Scripts/fetch_model.sh:
  .venv/bin/python Scripts/make_sentence_goldens.py
"""
import json
import os
import random
import shutil
import sys
import tempfile
import unicodedata

import sentence_transformers
import torch
import transformers
from sentence_transformers import SentenceTransformer
from sentence_transformers.sentence_transformer.modules.pooling import Pooling
from sentence_transformers.base.modules.dense import Dense
from tokenizers import Tokenizer
from tokenizers.normalizers import BertNormalizer, Lowercase, Sequence

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MINILM = os.environ.get("BERT_EMBED_MINILM", os.path.expanduser("~/.cache/bert-embed/all-MiniLM-L6-v2"))
OUT = os.path.join(ROOT, "Resources", "goldens", "sentence")
TINY = os.path.join(ROOT, "Resources", "tiny-bert")

TINY_TEXTS = [
    "A man is eating food.",
    "The quick brown fox jumps over the lazy dog!",
    "Héllo, wörld: naïve café?",
    "東京 and 北京 are cities",
    "",
    "a",
    "Numbers: 3.14, $19.99 & 42%; (done)",
    " ".join(["the time of the people in the world was a year"] * 6),  # over max_seq_length 48
]

# do_lower_case: sentence-transformers 6 prepends tokenizers' Lowercase normalizer to the tokenizer's own
# (base/modules/transformer.py), so lowercasing is Rust's per-character char::to_lowercase after special tokens are
# split off; sentence-transformers before 6 called Python's str.lower() on the text. The texts tell them apart.
LOWERCASE_TEXTS = [
    "HELLO World! The Quick BROWN Fox",
    "ΣΑΣ ΟΔΟΣ",
    "ΟΔΟΣ. Σ ΑΣ\u0301 ΣΑ Α\u0301Σ",  # str.lower()'s final sigma: after a cased letter, not before one
    "İstanbul İZMİR",  # U+0130 -> i + U+0307, the one unconditional multi-scalar lowercase of SpecialCasing.txt
    "ẞ STRAẞE",
    "ǅemal Ǆ ǈ",  # titlecase digraphs
    "Ω \u2126 \u212A \u212B \u1FBC",  # Omega, Ohm, Kelvin and Angstrom signs, Greek capital alpha with prosgegrammeni
    "Ꭰ ᏣᎳᎩ",  # Cherokee: lowercase letters since Unicode 8.0
    "Ა ᲥᲐᲠᲗᲣᲚᲘ",  # Georgian Mtavruli: since Unicode 11.0
    "\uA7CB \uA7DC \U00010D50 \u1C89",  # case pairs of Unicode 16.0 (Python 3.11's str.lower() knows 14.0)
    "Héllo WÖRLD Ça Va ÅNGSTRÖM",  # accents: stripped only when the tokenizer strips them
    "Hello [MASK] World [SEP] [sep] [Mask]",  # special tokens are matched before normalization
    "Straße İstanbul ΟΔΟΣ Ꭰ Ა ǅ Ω Привет МИР 東京 ABC",  # mixed scripts
]

MINILM_TEXTS = [
    "A man is eating food.",
    "The quick brown fox jumps over the lazy dog!",
    "",
    "Héllo, wörld: naïve café in São Paulo.",
    "東京は日本の首都です。",
    "Numbers: 3.14, $19.99 & 42%.",
    "a",
    " ".join(["Mean pooling averages the token vectors of a sentence, weighted by the attention mask, so padding "
              "never leaks into the pooled vector."] * 12),  # over max_seq_length 256
]


def rounded(values):
    return [float(f"{v:.8g}") for v in values]


def token_ids(model, texts, prompt=None):
    features = model.preprocess(texts, prompt=prompt)
    return [[i for i, m in zip(ids, mask) if m] for ids, mask in
            zip(features["input_ids"].tolist(), features["attention_mask"].tolist())]


def sentence_case(name, model, texts, *, variant=None, pooling=None, options=None, kwargs=None):
    """A case run through SentenceTransformer.encode (all texts in one batch)."""
    options = options or {}
    kwargs = dict(kwargs or {})
    prompt = model._resolve_prompt(kwargs.get("prompt"), kwargs.get("prompt_name"))
    vectors = model.encode(texts, batch_size=64, convert_to_numpy=True, **kwargs)
    return {"name": name, "variant": variant, "pooling": pooling, "options": options, "texts": texts,
            "ids": token_ids(model, texts, prompt), "vectors": [rounded(v.tolist()) for v in vectors]}


def token_case(name, model, texts):
    outputs = model.encode(texts, batch_size=64, output_value="token_embeddings")
    return {"name": name, "variant": None, "pooling": None, "options": {}, "output": "token_embeddings",
            "texts": texts, "ids": token_ids(model, texts), "tokens": [[rounded(row) for row in t.tolist()] for t in outputs]}


def transformers_cases(model, texts, strategies):
    """Strategies sentence-transformers has no module for, from transformers' BertModel outputs with the mask."""
    features = model.preprocess(texts)
    mask = features["attention_mask"].unsqueeze(-1).float()
    with torch.inference_mode():
        out = model[0].auto_model(input_ids=features["input_ids"], token_type_ids=features["token_type_ids"],
                                  attention_mask=features["attention_mask"], output_hidden_states=True)
    hidden = out.hidden_states

    def masked_mean(x):
        return (x * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1e-9)

    results = {
        "pooler": out.pooler_output,
        "second-to-last-mean": masked_mean(hidden[-2]),
    }
    if len(hidden) >= 4:
        results["last4-concat"] = masked_mean(torch.cat([hidden[-1], hidden[-2], hidden[-3], hidden[-4]], dim=-1))
        results["last4-sum"] = masked_mean(hidden[-1] + hidden[-2] + hidden[-3] + hidden[-4])
    ids = token_ids(model, texts)
    return [{"name": f"transformers {name}", "variant": None, "pooling": name, "options": {"normalize": False},
             "texts": texts, "ids": ids, "vectors": [rounded(v) for v in results[name].tolist()]} for name in strategies]


def write_dense_weights(spec):
    """The seeded random Dense weights named in variants.json (normal, std 0.3), saved by sentence-transformers."""
    for variant in spec["variants"].values():
        for entry in variant.get("dense_weights", {}).values():
            torch.manual_seed(entry["seed"])
            dense = Dense(entry["in"], entry["out"], bias=entry["bias"])
            with torch.no_grad():
                dense.linear.weight.copy_(0.3 * torch.randn(entry["out"], entry["in"]))
                if entry["bias"]:
                    dense.linear.bias.copy_(0.3 * torch.randn(entry["out"]))
            with tempfile.TemporaryDirectory() as folder:
                dense.save(folder)
                shutil.copyfile(os.path.join(folder, "model.safetensors"), os.path.join(OUT, entry["file"]))


def merge(into, changes):
    """Deep merge for json_update: objects merge key by key, any other value replaces the old one."""
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            merge(into[key], value)
        else:
            into[key] = value


def build_variant(spec, name, into):
    """The variant folder: the base with model.safetensors symlinked, other files copied, then the spec's files."""
    base = TINY if spec["base"] == "tiny-bert" else None
    folder = os.path.join(into, name)
    for directory, _, files in os.walk(base):
        target = os.path.join(folder, os.path.relpath(directory, base))
        os.makedirs(target, exist_ok=True)
        for file in files:
            if file == "model.safetensors":
                os.symlink(os.path.join(directory, file), os.path.join(target, file))
            else:
                shutil.copyfile(os.path.join(directory, file), os.path.join(target, file))
    variant = spec["variants"][name]
    for path, content in variant.get("json", {}).items():
        os.makedirs(os.path.dirname(os.path.join(folder, path)), exist_ok=True)
        with open(os.path.join(folder, path), "w") as f:
            json.dump(content, f, indent=2)
    for path, changes in variant.get("json_update", {}).items():
        with open(os.path.join(folder, path)) as f:
            content = json.load(f)
        merge(content, changes)
        with open(os.path.join(folder, path), "w") as f:
            json.dump(content, f, indent=2, ensure_ascii=False)
    for path, entry in variant.get("dense_weights", {}).items():
        os.makedirs(os.path.dirname(os.path.join(folder, path)), exist_ok=True)
        shutil.copyfile(os.path.join(OUT, entry["file"]), os.path.join(folder, path))
    return folder


def tiny_goldens(spec):
    texts = TINY_TEXTS
    base = SentenceTransformer(TINY, device="cpu")
    cases = [
        sentence_case("folder default (mean)", base, texts),
        sentence_case("normalize_embeddings", base, texts, options={"normalize": True},
                      kwargs={"normalize_embeddings": True}),
        sentence_case("truncate_dim 8", base, texts, options={"truncate_dim": 8}, kwargs={"truncate_dim": 8}),
        sentence_case("truncate_dim 8, normalized", base, texts, options={"truncate_dim": 8, "normalize": True},
                      kwargs={"truncate_dim": 8, "normalize_embeddings": True}),
        sentence_case("explicit prompt", base, texts, options={"prompt": "search: "}, kwargs={"prompt": "search: "}),
        token_case("token embeddings", base, texts),
    ]
    base.max_seq_length = 12
    cases.append(sentence_case("max length 12", base, texts, options={"max_length": 12}))
    base.max_seq_length = 48
    cases += transformers_cases(base, texts, ["pooler", "second-to-last-mean"])
    with tempfile.TemporaryDirectory() as temp:
        for name in spec["variants"]:
            if name.startswith("lowercase"):  # in lowercase.json, on their own texts
                continue
            model = SentenceTransformer(build_variant(spec, name, temp), device="cpu")
            cases.append(sentence_case(f"variant {name}", model, texts, variant=name))
            if name.startswith("prompts"):
                cases.append(sentence_case(f"variant {name}, explicit prompt", model, texts, variant=name,
                                           options={"prompt": "find: "}, kwargs={"prompt": "find: "}))
                cases.append(sentence_case(f"variant {name}, empty prompt", model, texts, variant=name,
                                           options={"prompt": ""}, kwargs={"prompt": ""}))
            if name == "prompts-mean":
                cases.append(sentence_case(f"variant {name}, prompt_name passage", model, texts, variant=name,
                                           options={"prompt_name": "passage"}, kwargs={"prompt_name": "passage"}))
            if name == "dense-normalize":
                cases.append(sentence_case(f"variant {name}, truncate_dim 5", model, texts, variant=name,
                                           options={"truncate_dim": 5}, kwargs={"truncate_dim": 5}))
    return {"model": "tiny-bert", "cases": cases}


def naive_ids(folder, texts):
    """Token ids of the ways do_lower_case could be (and has been) implemented, to show that the goldens tell them
    apart: the folder's tokenizer.json as tokenizers loads it, without sentence-transformers' Lowercase."""
    tokenizer = Tokenizer.from_file(os.path.join(folder, "tokenizer.json"))
    rust_lower = Lowercase()

    def ids(transform, tok=tokenizer):
        return [tok.encode(transform(t)).ids for t in texts]

    stripping = Tokenizer.from_file(os.path.join(folder, "tokenizer.json"))
    stripping.normalizer = BertNormalizer(clean_text=True, handle_chinese_chars=True, strip_accents=None, lowercase=True)
    return {
        "Python str.lower() before the tokenizer (sentence-transformers < 6)": ids(str.lower),
        "per-scalar full lowercase of the whole text before the tokenizer": ids(rust_lower.normalize_str),
        "do_lower_case ignored": ids(lambda t: t),
        "the tokenizer's BertNormalizer with lowercase true (strip_accents left unset)": ids(lambda t: t, stripping),
    }


def check_lowercasing_first():
    """The Swift port replaces sentence-transformers' Sequence([Lowercase(), BertNormalizer(...)]) by the
    BertNormalizer lowercasing last with strip_accents resolved (BertNormalizer.lowercasingFirst): check that the two
    agree for every option on every code point (in runs of 64) and on seeded random strings heavy in combining marks."""
    scalars = [c for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF]
    texts = ["".join(chr(c) for c in scalars[i:i + 64]) for i in range(0, len(scalars), 64)]
    rng = random.Random(5)
    marks = list(range(0x300, 0x370)) + [0x345, 0x1DC0, 0x20D0, 0x3099, 0x0F71, 0x05B0, 0x0130, 0x03A3]
    texts += ["".join(chr(rng.choice(marks) if rng.random() < 0.4 else rng.choice(scalars)) for _ in range(12))
              for _ in range(20000)]
    for lowercase in (True, False):
        for strip in (None, True, False):
            reference = Sequence([Lowercase(), BertNormalizer(lowercase=lowercase, strip_accents=strip)])
            resolved = BertNormalizer(lowercase=True, strip_accents=lowercase if strip is None else strip)
            for text in texts:
                if reference.normalize_str(text) != resolved.normalize_str(text):
                    sys.exit(f"Lowercase + BertNormalizer(lowercase={lowercase}, strip_accents={strip}) differs from "
                             f"lowercasing last on {text!r}")


def lowercase_goldens(spec):
    """The lowercase* variants on LOWERCASE_TEXTS, and the texts each naive implementation gets wrong."""
    check_lowercasing_first()
    cases = []
    wrong_somewhere = {}
    with tempfile.TemporaryDirectory() as temp:
        for name in spec["variants"]:
            if not name.startswith("lowercase"):
                continue
            folder = build_variant(spec, name, temp)
            model = SentenceTransformer(folder, device="cpu")
            print(name, model.tokenizer.backend_tokenizer.normalizer, file=sys.stderr)
            case = sentence_case(f"variant {name}", model, LOWERCASE_TEXTS, variant=name)
            case["wrong_ids"] = {}
            for way, ids in naive_ids(folder, LOWERCASE_TEXTS).items():
                wrong = [i for i, (a, b) in enumerate(zip(ids, case["ids"])) if a != b]
                case["wrong_ids"][way] = wrong
                wrong_somewhere[way] = wrong_somewhere.get(way, []) + wrong
            cases.append(case)
    for way, wrong in wrong_somewhere.items():
        print(f"{way}: wrong on {len(wrong)} texts", file=sys.stderr)
        if not wrong:
            sys.exit(f"the lowercase goldens do not catch: {way}")
    return {"model": "tiny-bert", "python_unicode": unicodedata.unidata_version, "cases": cases}


def minilm_goldens():
    """The long text (truncated at 256 tokens) only where truncation is the point: the naive kernels are slow."""
    texts = MINILM_TEXTS[:-1]
    base = SentenceTransformer(MINILM, device="cpu")
    pooling_cases = []
    modes = [("cls", "cls"), ("max", "max"), ("mean", "mean"), ("mean-sqrt-len", "mean_sqrt_len_tokens"),
             ("weighted-mean", "weightedmean"), ("last-token", "lasttoken")]
    for cli_name, mode in modes:
        model = SentenceTransformer(modules=[base[0], Pooling(384, pooling_mode=mode)], device="cpu")
        pooling_cases.append(sentence_case(f"raw {cli_name}", model, texts, pooling=cli_name,
                                           options={"normalize": False}))
    model = SentenceTransformer(modules=[base[0], Pooling(384, pooling_mode=("cls", "max", "mean"))], device="cpu")
    case = sentence_case("raw cls+max+mean", model, texts, pooling="cls+max+mean", options={"normalize": False})
    pooling_cases.append(case)
    pooling_cases += transformers_cases(base, texts, ["pooler", "last4-concat", "last4-sum", "second-to-last-mean"])

    option_cases = [
        sentence_case("folder default (mean, Normalize), a padded batch with a text over 256 tokens", base,
                      MINILM_TEXTS),
        sentence_case("normalize_embeddings", base, texts, options={"normalize": True},
                      kwargs={"normalize_embeddings": True}),
        sentence_case("truncate_dim 128", base, texts, options={"truncate_dim": 128}, kwargs={"truncate_dim": 128}),
        sentence_case("truncate_dim 128, normalized", base, texts, options={"truncate_dim": 128, "normalize": True},
                      kwargs={"truncate_dim": 128, "normalize_embeddings": True}),
        sentence_case("prompt", base, texts, options={"prompt": "query: "}, kwargs={"prompt": "query: "}),
        token_case("token embeddings", base, texts[:3]),
    ]
    base.max_seq_length = 16
    option_cases.append(sentence_case("max length 16", base, MINILM_TEXTS, options={"max_length": 16}))
    return {"model": "all-MiniLM-L6-v2", "cases": pooling_cases}, {"model": "all-MiniLM-L6-v2", "cases": option_cases}


def main():
    torch.manual_seed(0)
    with open(os.path.join(OUT, "variants.json")) as f:
        spec = json.load(f)
    write_dense_weights(spec)
    versions = {"sentence_transformers": sentence_transformers.__version__, "transformers": transformers.__version__,
                "torch": torch.__version__}
    outputs = {"tiny.json": tiny_goldens(spec), "lowercase.json": lowercase_goldens(spec)}
    if os.path.exists(os.path.join(MINILM, "model.safetensors")):
        outputs["minilm-pooling.json"], outputs["minilm-options.json"] = minilm_goldens()
    else:
        print("all-MiniLM-L6-v2 not found: MiniLM goldens left as they are", file=sys.stderr)
    for file, content in outputs.items():
        with open(os.path.join(OUT, file), "w") as f:
            json.dump({"generator": "Scripts/make_sentence_goldens.py", "versions": versions, **content}, f,
                      ensure_ascii=False, separators=(",", ":"))
        print("wrote", os.path.join(OUT, file), file=sys.stderr)


if __name__ == "__main__":
    main()
