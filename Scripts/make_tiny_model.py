#!/usr/bin/env python3
"""Makes the tiny random BERT fixture and its encoder goldens.

Writes Resources/tiny-bert/ (a complete sentence-transformers folder: config.json, model.safetensors, vocab.txt,
tokenizer.json, tokenizer_config.json, modules.json, 1_Pooling/config.json, sentence_bert_config.json) and
Resources/goldens/tiny-bert-encoder.json (hidden states after the embeddings and after every layer, and the pooler
output, from transformers' BertModel, for a handful of inputs including a padded batch).

Run with the pinned stack: .venv/bin/python Scripts/make_tiny_model.py  (see Scripts/setup_venv.sh)
"""
import json
import os
import sys

import torch
import transformers
from transformers import BertConfig, BertModel, BertTokenizer

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MINILM = os.environ.get("BERT_EMBED_MINILM", os.path.expanduser("~/.cache/bert-embed/all-MiniLM-L6-v2"))
OUT = os.path.join(ROOT, "Resources", "tiny-bert")
GOLDENS = os.path.join(ROOT, "Resources", "goldens")
SEED = 20261122


def tiny_vocab():
    """Special tokens, every single-character and ##-character piece of bert-base-uncased, and its first 600 words."""
    with open(os.path.join(MINILM, "vocab.txt"), encoding="utf-8") as f:
        full = [line.rstrip("\n") for line in f]
    specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    chars = [t for t in full if not t.startswith("[") and (len(t) == 1 or (t.startswith("##") and len(t) == 3))]
    words = [t for t in full[1996:] if len(t) > 1 and not t.startswith("##")][:600]
    pieces = [t for t in full[1996:] if t.startswith("##") and len(t) > 3][:150]
    vocab, seen = [], set()
    for t in specials + chars + words + pieces:
        if t not in seen:
            seen.add(t)
            vocab.append(t)
    return vocab


def main():
    torch.manual_seed(SEED)
    os.makedirs(OUT, exist_ok=True)
    os.makedirs(GOLDENS, exist_ok=True)
    vocab = tiny_vocab()
    vocab_path = os.path.join(OUT, "vocab.txt")
    with open(vocab_path, "w", encoding="utf-8") as f:
        f.write("\n".join(vocab) + "\n")
    tokenizer = BertTokenizer(vocab=vocab_path, do_lower_case=True, model_max_length=64)
    tokenizer.save_pretrained(OUT)

    config = BertConfig(
        vocab_size=len(vocab), hidden_size=32, num_hidden_layers=2, num_attention_heads=4, intermediate_size=64,
        max_position_embeddings=64, type_vocab_size=2, hidden_act="gelu", layer_norm_eps=1e-12,
        attn_implementation="eager")
    model = BertModel(config, add_pooling_layer=True).eval()
    # Random normal weights everywhere (the default init is small and leaves LayerNorm at identity; make every
    # parameter matter so that a wrong index or transpose cannot hide).
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("LayerNorm.weight"):
                p.copy_(1.0 + 0.2 * torch.randn_like(p))
            else:
                p.copy_(0.2 * torch.randn_like(p))
    model.save_pretrained(OUT, safe_serialization=True)

    # sentence-transformers folder files (mean pooling, like all-MiniLM-L6-v2).
    with open(os.path.join(OUT, "modules.json"), "w") as f:
        json.dump([
            {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
            {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
        ], f, indent=2)
    os.makedirs(os.path.join(OUT, "1_Pooling"), exist_ok=True)
    with open(os.path.join(OUT, "1_Pooling", "config.json"), "w") as f:
        json.dump({"word_embedding_dimension": 32, "pooling_mode_cls_token": False, "pooling_mode_mean_tokens": True,
                   "pooling_mode_max_tokens": False, "pooling_mode_mean_sqrt_len_tokens": False}, f, indent=2)
    with open(os.path.join(OUT, "sentence_bert_config.json"), "w") as f:
        json.dump({"max_seq_length": 48, "do_lower_case": False}, f, indent=2)

    texts = [
        "A man is eating food.",
        "The quick brown fox jumps over the lazy dog!",
        "Héllo, wörld: naïve café?",
        "東京 and 北京 are cities",
        "",
        "a",
    ]
    cases = []
    # Each text alone (no padding).
    for text in texts:
        enc = tokenizer(text, return_tensors="pt")
        cases.append({"name": f"single: {text!r}", "batch": [enc["input_ids"][0].tolist()],
                      "token_type_ids": [enc["token_type_ids"][0].tolist()]})
    # A pair (token type ids 1).
    enc = tokenizer("How old are you?", "I am six years old.", return_tensors="pt")
    cases.append({"name": "pair", "batch": [enc["input_ids"][0].tolist()],
                  "token_type_ids": [enc["token_type_ids"][0].tolist()]})
    # A padded batch of different lengths: goldens come from the padded, masked computation.
    enc = tokenizer(texts[:4], padding=True)
    cases.append({"name": "padded batch", "batch": [[i for i, m in zip(ids, mask) if m]
                                                    for ids, mask in zip(enc["input_ids"], enc["attention_mask"])],
                  "token_type_ids": [[t for t, m in zip(tt, mask) if m]
                                     for tt, mask in zip(enc["token_type_ids"], enc["attention_mask"])],
                  "padded": True})
    # Random ids up to the maximum length.
    g = torch.Generator().manual_seed(SEED)
    cases.append({"name": "random ids, max length", "batch": [torch.randint(0, len(vocab), (64,), generator=g).tolist()],
                  "token_type_ids": [torch.randint(0, 2, (64,), generator=g).tolist()]})

    for case in cases:
        batch = case["batch"]
        longest = max(len(b) for b in batch)
        ids = torch.tensor([b + [0] * (longest - len(b)) for b in batch])
        types = torch.tensor([t + [0] * (longest - len(t)) for t in case["token_type_ids"]])
        mask = torch.tensor([[1] * len(b) + [0] * (longest - len(b)) for b in batch])
        with torch.no_grad():
            out = model(input_ids=ids, token_type_ids=types, attention_mask=mask, output_hidden_states=True)
        case["hidden_states"] = [
            [[round(v, 8) for v in layer[s, :len(b)].flatten().tolist()] for s, b in enumerate(batch)]
            for layer in out.hidden_states]
        case["pooler_output"] = [[round(v, 8) for v in row] for row in out.pooler_output.tolist()]

    with open(os.path.join(GOLDENS, "tiny-bert-encoder.json"), "w") as f:
        json.dump({"generator": "Scripts/make_tiny_model.py", "seed": SEED,
                   "versions": {"torch": torch.__version__, "transformers": transformers.__version__},
                   "hidden_size": 32, "num_hidden_layers": 2, "cases": cases}, f)
    print("wrote", OUT, "and", os.path.join(GOLDENS, "tiny-bert-encoder.json"), file=sys.stderr)


if __name__ == "__main__":
    main()
