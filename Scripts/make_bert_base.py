#!/usr/bin/env python3
"""A BERT-base-shaped model for benchmarks: transformers' BertConfig() defaults (12 layers, 768 wide, 12 heads,
3072 intermediate), seeded random weights, the all-MiniLM-L6-v2 (bert-base-uncased) vocabulary, saved as safetensors
in a sentence-transformers folder with mean pooling and Normalize, max_seq_length 256.

  .venv/bin/python Scripts/make_bert_base.py [DEST]   (default ~/.cache/bert-embed/bert-base-random)
"""
import json
import os
import shutil
import sys

import torch
from transformers import BertConfig, BertModel

MINILM = os.environ.get("BERT_EMBED_MINILM", os.path.expanduser("~/.cache/bert-embed/all-MiniLM-L6-v2"))


def main():
    dest = sys.argv[1] if len(sys.argv) > 1 else os.path.expanduser("~/.cache/bert-embed/bert-base-random")
    os.makedirs(dest, exist_ok=True)
    torch.manual_seed(12345)
    model = BertModel(BertConfig()).eval()
    model.save_pretrained(dest, safe_serialization=True)
    for name in ["vocab.txt", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json"]:
        shutil.copy(os.path.join(MINILM, name), os.path.join(dest, name))
    with open(os.path.join(dest, "modules.json"), "w") as f:
        json.dump([
            {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
            {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
            {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
        ], f, indent=2)
    os.makedirs(os.path.join(dest, "1_Pooling"), exist_ok=True)
    os.makedirs(os.path.join(dest, "2_Normalize"), exist_ok=True)
    with open(os.path.join(dest, "1_Pooling", "config.json"), "w") as f:
        json.dump({"word_embedding_dimension": 768, "pooling_mode_mean_tokens": True}, f)
    with open(os.path.join(dest, "sentence_bert_config.json"), "w") as f:
        json.dump({"max_seq_length": 256, "do_lower_case": False}, f)
    print(dest)


if __name__ == "__main__":
    main()
