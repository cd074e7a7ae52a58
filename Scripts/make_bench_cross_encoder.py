#!/usr/bin/env python3
"""Builds a benchmark cross-encoder of the exact shape of cross-encoder/ms-marco-MiniLM-L-6-v2 from the real
all-MiniLM-L6-v2 folder, for Scripts/bench_rerank.py (no real reranker checkpoint is reachable offline).

  Scripts/fetch_model.sh all-MiniLM-L6-v2
  .venv/bin/python Scripts/make_bench_cross_encoder.py            # -> ~/.cache/bert-embed/bench-cross-encoder-minilm
  .venv/bin/python Scripts/make_bench_cross_encoder.py [OUTPUT] [--source DIR] [--seed N]

The model: BertForSequenceClassification, num_labels 1 (6 layers, hidden 384, 12 heads, intermediate 1536, vocab
30522, max_position_embeddings 512: ms-marco-MiniLM-L-6-v2's shape). Its body (bert.*: embeddings, encoder and
pooler) is all-MiniLM-L6-v2's BertModel weights, loaded as they are; if the source checkpoint has no pooler, the
pooler keeps its seeded random initialization (transformers' init under torch.manual_seed(seed)). The classifier
(Linear 384 -> 1) is seeded random: weight normal with std CLASSIFIER_STD, bias normal with std CLASSIFIER_BIAS_STD,
so that the logits spread over a few units, as a real reranker's do (the sigmoid scores then are neither all 0.5
nor saturated). Scores mean nothing: this is a benchmark model only, never committed.

The folder, as ms-marco-MiniLM-L-6-v2 ships (a plain Hugging Face folder, no modules.json): config.json and
model.safetensors (save_pretrained, float32), and the source's tokenizer files copied byte for byte (tokenizer.json,
vocab.txt, tokenizer_config.json: BertTokenizer, model_max_length 512, special_tokens_map.json). sentence-transformers'
CrossEncoder loads it with max length 512 and the Sigmoid activation (its default for one label).

Deterministic (the seed fixes every random weight; the same inputs give byte-identical files) and idempotent: the
folder is written next to the output under a temporary name and then replaces the output folder.
"""
import argparse
import os
import shutil
import sys
import tempfile

import torch
from safetensors.torch import load_file
from transformers import BertConfig, BertForSequenceClassification

DEFAULT_SOURCE = os.path.join(os.path.expanduser("~"), ".cache", "bert-embed", "all-MiniLM-L6-v2")
DEFAULT_OUTPUT = os.path.join(os.path.expanduser("~"), ".cache", "bert-embed", "bench-cross-encoder-minilm")
SEED = 20261208
CLASSIFIER_STD = 2.0
CLASSIFIER_BIAS_STD = 0.5
TOKENIZER_FILES = ["tokenizer.json", "vocab.txt", "tokenizer_config.json", "special_tokens_map.json"]
# The shape of cross-encoder/ms-marco-MiniLM-L-6-v2.
SHAPE = dict(model_type="bert", hidden_size=384, num_hidden_layers=6, num_attention_heads=12, intermediate_size=1536,
             vocab_size=30522, max_position_embeddings=512, type_vocab_size=2, hidden_act="gelu")


def body_state_dict(source):
    """The source's BertModel weights, keys without a "bert." prefix (a BertModel checkpoint has none; a *For* model's
    body has it)."""
    weights = load_file(os.path.join(source, "model.safetensors"))
    if any(key.startswith("bert.") for key in weights):
        weights = {key[len("bert."):]: value for key, value in weights.items() if key.startswith("bert.")}
    return weights


def build(source, seed):
    config = BertConfig.from_pretrained(source)
    for key, value in SHAPE.items():
        if getattr(config, key) != value:
            sys.exit(f"{source}: {key} {getattr(config, key)!r}, ms-marco-MiniLM-L-6-v2 has {value!r}")
    config.num_labels = 1
    config.architectures = ["BertForSequenceClassification"]
    torch.manual_seed(seed)
    model = BertForSequenceClassification(config).eval()
    weights = body_state_dict(source)
    weights.pop("embeddings.position_ids", None)  # a buffer in old checkpoints, not a parameter
    result = model.bert.load_state_dict(weights, strict=False)
    missing = [key for key in result.missing_keys if not key.startswith("pooler.")]
    if missing or result.unexpected_keys:
        sys.exit(f"{source}: missing {missing}, unexpected {result.unexpected_keys}")
    pooler = "random (seeded)" if result.missing_keys else "from the source"
    generator = torch.Generator().manual_seed(seed + 1)
    with torch.no_grad():
        classifier = model.classifier
        classifier.weight.copy_(CLASSIFIER_STD * torch.randn(classifier.weight.shape, generator=generator))
        classifier.bias.copy_(CLASSIFIER_BIAS_STD * torch.randn(classifier.bias.shape, generator=generator))
    return model, pooler


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--source", default=DEFAULT_SOURCE, help="the all-MiniLM-L6-v2 folder (Scripts/fetch_model.sh)")
    parser.add_argument("output", nargs="?", default=DEFAULT_OUTPUT, metavar="OUTPUT",
                        help="the folder to write (default ~/.cache/bert-embed/bench-cross-encoder-minilm)")
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args()
    source = os.path.expanduser(args.source)
    output = os.path.abspath(os.path.expanduser(args.output))
    if not os.path.isfile(os.path.join(source, "model.safetensors")):
        sys.exit(f"{source}: no model.safetensors (run Scripts/fetch_model.sh all-MiniLM-L6-v2)")

    model, pooler = build(source, args.seed)
    parent = os.path.dirname(output)
    os.makedirs(parent, exist_ok=True)
    staging = tempfile.mkdtemp(prefix=os.path.basename(output) + ".partial-", dir=parent)
    try:
        model.save_pretrained(staging, safe_serialization=True)
        for name in TOKENIZER_FILES:
            shutil.copyfile(os.path.join(source, name), os.path.join(staging, name))
        os.chmod(staging, 0o755)
        for name in os.listdir(staging):  # save_pretrained may leave a temporary file's mode 0600
            os.chmod(os.path.join(staging, name), 0o644)
        if os.path.isdir(output):
            shutil.rmtree(output)
        os.replace(staging, output)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    print(f"wrote {output}: BertForSequenceClassification (num_labels 1), body from {source} "
          f"(pooler {pooler}), classifier seeded random (seed {args.seed})", file=sys.stderr)
    print(output)


if __name__ == "__main__":
    main()
