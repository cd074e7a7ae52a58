#!/usr/bin/env python3
"""Goldens for embedding quantization: sentence-transformers' quantize_embeddings on seeded random embeddings.

Writes Resources/goldens/quantization.json. Run: .venv/bin/python Scripts/make_quantization_goldens.py
"""
import json
import os

import numpy as np
import sentence_transformers
from sentence_transformers.quantization import quantize_embeddings

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def main():
    rng = np.random.default_rng(20261122)
    embeddings = rng.standard_normal((7, 21)).astype(np.float32)  # 21: not a multiple of 8 (binary padding)
    embeddings[3, 5] = 0.0  # exactly zero: "> 0" is false
    embeddings[:, 7] = 0.25  # a constant column: step 0 becomes 1
    cases = {p: quantize_embeddings(embeddings, precision=p).tolist() for p in ["int8", "uint8", "binary", "ubinary"]}
    ranges = np.stack([embeddings.min(0) - 0.5, embeddings.max(0) + 0.5]).astype(np.float32)
    cases["int8_ranges"] = quantize_embeddings(embeddings, precision="int8", ranges=ranges).tolist()
    with open(os.path.join(ROOT, "Resources", "goldens", "quantization.json"), "w") as f:
        json.dump({"generator": "Scripts/make_quantization_goldens.py",
                   "sentence_transformers": sentence_transformers.__version__,
                   "embeddings": embeddings.tolist(), "ranges": ranges.tolist(), "cases": cases}, f)


if __name__ == "__main__":
    main()
