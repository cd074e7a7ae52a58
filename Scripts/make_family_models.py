#!/usr/bin/env python3
"""Makes tiny random models of the BERT-like families and their encoder goldens.

Writes Resources/families/<name>/ (config.json, model.safetensors, saved by transformers' own classes) and
Resources/goldens/families/<name>.json (every hidden state and the pooler output, from transformers, for random id
sequences, a padded batch, a sequence holding the padding id, and a long one), for:

  roberta                RobertaModel (positions from padding_idx + 1, one token type)
  xlm-roberta            XLMRobertaForMaskedLM (weights under the "roberta." prefix, with an unused lm_head)
  camembert              CamembertModel
  distilbert             DistilBertModel (its own weight names, no token types, no pooler)
  distilbert-sinusoidal  DistilBertModel with sinusoidal_pos_embds, its position table left out of the checkpoint
                         (transformers recomputes it; so must the loader)
  mpnet                  MPNetModel (the relative position bias; a 200-token sequence reaches the far buckets)

Run with the pinned stack: .venv/bin/python Scripts/make_family_models.py  (see Scripts/setup_venv.sh)
"""
import json
import os
import sys

import torch
import transformers
from safetensors.torch import load_file, save_file
from transformers import (
    CamembertConfig, CamembertModel, DistilBertConfig, DistilBertModel, MPNetConfig, MPNetModel, RobertaConfig,
    RobertaModel, XLMRobertaConfig, XLMRobertaForMaskedLM)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MODELS = os.path.join(ROOT, "Resources", "families")
GOLDENS = os.path.join(ROOT, "Resources", "goldens", "families")
SEED = 20261130
VOCAB = 100
COMMON = dict(hidden_size=32, num_hidden_layers=2, num_attention_heads=4, intermediate_size=64)


def families():
    roberta_like = dict(vocab_size=VOCAB, max_position_embeddings=80, type_vocab_size=1, layer_norm_eps=1e-5,
                        pad_token_id=1, **COMMON)
    distil = dict(vocab_size=VOCAB, dim=32, n_layers=2, n_heads=4, hidden_dim=64, activation="gelu")
    return {
        "roberta": (RobertaModel, RobertaConfig(**roberta_like), 1),
        "xlm-roberta": (XLMRobertaForMaskedLM, XLMRobertaConfig(**roberta_like), 1),
        "camembert": (CamembertModel, CamembertConfig(**roberta_like), 1),
        "distilbert": (DistilBertModel, DistilBertConfig(max_position_embeddings=64, **distil), 0),
        "distilbert-sinusoidal": (
            DistilBertModel, DistilBertConfig(max_position_embeddings=64, sinusoidal_pos_embds=True, **distil), 0),
        "mpnet": (MPNetModel, MPNetConfig(vocab_size=VOCAB, max_position_embeddings=260, layer_norm_eps=1e-5, **COMMON), 1),
    }


def cases(pad_id, max_tokens, generator):
    """Id sequences: (name, batch, padded)."""
    def random_ids(n):
        return [int(v) for v in torch.randint(3, VOCAB, (n,), generator=generator)]
    result = [(f"random, {n} tokens", [random_ids(n)], False) for n in (1, 5, 17, 40)]
    result.append(("padded batch", [random_ids(n) for n in (12, 3, 30, 7)], True))
    with_pad = random_ids(9)
    with_pad[4] = pad_id
    result.append(("the padding id inside a sequence", [with_pad], False))
    result.append((f"random, {max_tokens} tokens (the longest)", [random_ids(max_tokens)], False))
    return result


def main():
    os.makedirs(GOLDENS, exist_ok=True)
    for name, (cls, config, pad_id) in families().items():
        torch.manual_seed(SEED)
        config._attn_implementation = "eager"
        model = cls(config).eval()
        with torch.no_grad():
            for parameter_name, p in model.named_parameters():
                if "position_embeddings" in parameter_name and getattr(config, "sinusoidal_pos_embds", False):
                    continue  # keep transformers' sinusoids
                if parameter_name.endswith(("LayerNorm.weight", "layer_norm.weight")):
                    p.copy_(1.0 + 0.2 * torch.randn_like(p))
                elif "relative_attention_bias" in parameter_name:
                    p.copy_(torch.randn_like(p))
                else:
                    p.copy_(0.2 * torch.randn_like(p))
        out = os.path.join(MODELS, name)
        os.makedirs(out, exist_ok=True)
        model.save_pretrained(out, safe_serialization=True)
        if name == "distilbert-sinusoidal":  # leave the table out: the loader must recompute it
            path = os.path.join(out, "model.safetensors")
            tensors = load_file(path)
            del tensors["embeddings.position_embeddings.weight"]
            save_file(tensors, path, metadata={"format": "pt"})
        encoder = model.roberta if name == "xlm-roberta" else model
        positions = config.max_position_embeddings - (pad_id + 1 if name != "distilbert" and "distil" not in name else 0)
        longest = 200 if name == "mpnet" else positions
        generator = torch.Generator().manual_seed(SEED)
        records = []
        for case_name, batch, padded in cases(pad_id, longest, generator):
            length = max(len(b) for b in batch)
            ids = torch.tensor([b + [pad_id] * (length - len(b)) for b in batch])
            mask = torch.tensor([[1] * len(b) + [0] * (length - len(b)) for b in batch])
            with torch.no_grad():
                result = encoder(input_ids=ids, attention_mask=mask, output_hidden_states=True)
            pooled = getattr(result, "pooler_output", None)
            records.append({
                "name": case_name, "batch": batch, "padded": padded,
                "hidden_states": [[[round(v, 8) for v in layer[s, :len(b)].flatten().tolist()]
                                   for s, b in enumerate(batch)] for layer in result.hidden_states],
                "pooler_output": [] if pooled is None else [[round(v, 8) for v in row] for row in pooled.tolist()],
            })
        with open(os.path.join(GOLDENS, name + ".json"), "w") as f:
            json.dump({"generator": "Scripts/make_family_models.py", "seed": SEED, "model": name,
                       "versions": {"torch": torch.__version__, "transformers": transformers.__version__},
                       "hidden_size": 32, "num_hidden_layers": 2, "cases": records}, f)
        print("wrote", out, file=sys.stderr)


if __name__ == "__main__":
    main()
