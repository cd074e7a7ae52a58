#!/usr/bin/env python3
"""Encoder goldens for the real all-MiniLM-L6-v2: every hidden state (embeddings + 6 layers) from transformers.

Writes Resources/goldens/minilm-encoder/: cases.json (texts and their input ids, from the model's own tokenizer)
and hidden-<L>.f32 (L = 0..6): the hidden states of all tokens of all texts concatenated, float32 little-endian,
rows in the order of cases.json, 384 columns. The padded batch forward of transformers is the reference (with its
attention mask), and only the real tokens' rows are stored.

Run: Scripts/fetch_model.sh && .venv/bin/python Scripts/make_minilm_goldens.py
"""
import json
import os

import numpy as np
import torch
import transformers
from transformers import AutoTokenizer, BertModel

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MINILM = os.environ.get("BERT_EMBED_MINILM", os.path.expanduser("~/.cache/bert-embed/all-MiniLM-L6-v2"))
OUT = os.path.join(ROOT, "Resources", "goldens", "minilm-encoder")

TEXTS = [
    "A man is eating food.",
    "A man is eating a piece of bread.",
    "The girl is carrying a baby.",
    "A man is riding a horse.",
    "A woman is playing violin.",
    "Two men pushed carts through the woods.",
    "A man is riding a white horse on an enclosed ground.",
    "A monkey is playing drums.",
    "Someone in a gorilla costume is playing a set of drums.",
    "What is the capital of France?",
    "Paris is the capital and most populous city of France.",
    "The new movie is awesome!",
    "Héllo, wörld: naïve café, São Paulo, Zürich.",
    "東京は日本の首都です。",
    "Москва — столица России.",
    "Το Αιγαίο πέλαγος είναι όμορφο.",
    "I ❤️ emoji 🎉🎉 and symbols ©®™ ± § ¶.",
    "",
    "a",
    "OK",
    "The the the the the the the the the the.",
    "Supercalifragilisticexpialidocious antidisestablishmentarianism pneumonoultramicroscopicsilicovolcanoconiosis",
    "Numbers: 3.14159, 2,718, 1e-12, 42%, $19.99, #1.",
    "URLs like https://example.com/a?b=c&d=e should tokenize too.",
    "Tabs\tand\nnewlines  and   spaces.",
    "A sentence-transformers model maps sentences & paragraphs to a 384 dimensional dense vector space and can be "
    "used for tasks like clustering or semantic search. It was trained with a contrastive objective on over one "
    "billion sentence pairs, and it truncates input longer than 256 word pieces by default.",
    "BERT gives one vector per token; a sentence vector is pooled from them.",
    "Padding must never leak into a pooled vector.",
    "Mean pooling averages the token vectors, weighted by the attention mask.",
    "CLS pooling takes the first token's hidden state.",
    "Max pooling takes the element-wise maximum over the tokens.",
    "The weather is lovely today, isn't it?",
]


def main():
    os.makedirs(OUT, exist_ok=True)
    tokenizer = AutoTokenizer.from_pretrained(MINILM)
    model = BertModel.from_pretrained(MINILM, attn_implementation="eager").eval()
    enc = tokenizer(TEXTS, padding=True, return_tensors="pt")
    with torch.no_grad():
        out = model(**enc, output_hidden_states=True)
    lengths = enc["attention_mask"].sum(dim=1).tolist()
    cases = [{"text": t, "input_ids": enc["input_ids"][i, :n].tolist()} for i, (t, n) in enumerate(zip(TEXTS, lengths))]
    for layer, states in enumerate(out.hidden_states):
        rows = np.concatenate([states[i, :n].numpy() for i, n in enumerate(lengths)]).astype("<f4")
        rows.tofile(os.path.join(OUT, f"hidden-{layer}.f32"))
    with open(os.path.join(OUT, "cases.json"), "w", encoding="utf-8") as f:
        json.dump({"generator": "Scripts/make_minilm_goldens.py",
                   "versions": {"torch": torch.__version__, "transformers": transformers.__version__},
                   "hidden_size": 384, "layers": len(out.hidden_states), "cases": cases}, f, ensure_ascii=False, indent=1)
    print("tokens:", sum(lengths))


if __name__ == "__main__":
    main()
