#!/usr/bin/env python3
"""int8 quantization schemes for the encoder's dense layers, simulated exactly in PyTorch: which one keeps the
sentence embeddings at fp32 accuracy (issue 13's bound: min cosine >= 0.998, mean >= 0.9996 against
sentence-transformers fp32; the goal 0.999), before any kernel is written.

Every nn.Linear of the encoder (attention's projections, its output, the feed-forward layers) is replaced by one that
quantizes its weights once and its input on every call as the scheme says, multiplies the integers in float64 (exact
for int32 sums of int8 products), applies the scales and adds the bias in float64, and hands float32 on. Everything
else (embeddings, LayerNorm, softmax, attention's products of activations, pooling) stays float32, as in the
package. The embeddings (sentence-transformers' own pipeline: mean pooling, normalization) are compared with the
unquantized model's by cosine.

Schemes (--schemes, default all):
  s8-token        weights per output channel, symmetric int8 (scale max|w| / 127); inputs per token, symmetric int8
  u8-token        weights as s8-token; inputs per token asymmetric uint8 (scale (max - min) / 255, a zero point):
                  the u8 x s8 form of vpdpbusd (AVX-VNNI, AVX512-VNNI) and of vpmaddubsw; exact int32 sums
  u8-token-sat    u8-token with AVX2 vpmaddubsw's int16 saturation of each pair of products (a[2i] w[2i] +
                  a[2i+1] w[2i+1] clamped to [-32768, 32767]) before the int32 sum; the zero point's correction
                  (zp * column sums) exact
  u7-token-sat    u8-token-sat with inputs on 7 bits (0...127): a pair can no longer saturate
  s8-block32      weights and inputs in blocks of 32 along the input dimension, symmetric int8, one scale per block
                  (llama.cpp's q8_0 x q8_0); each block's int32 sum scaled by its two scales, summed (computed as
                  the float64 product of the dequantized operands: the same in real arithmetic)
  s8-block16      the same in blocks of 16 (the int8 type's weight blocks)
  s8-block64      the same in blocks of 64 (half the scale work)
  s8-block128     the same in blocks of 128 (a quarter of the scale work)
  w8-block32      weights as s8-block32, inputs unquantized (float64): the weights' own share of the error
  w8-block16      the same with weight blocks of 16
  s8-token-ffn32  s8-token, but the feed-forward output layer (intermediate -> hidden, after GELU) in float32
  u8-token-ffn32  u8-token, the feed-forward output layer in float32
  s8-token-ln     s8-token, but for the layers fed by a LayerNorm (query, key, value: the previous layer's output
                  LayerNorm or the embeddings'; the feed-forward input: attention's LayerNorm) the input is divided
                  per channel by s = |gamma| + |beta| of that LayerNorm and the weights' columns multiplied by it
                  before quantizing (the product is unchanged): the LayerNorm's outlier channels no longer set the
                  token's scale. Static, from the weights alone (Outlier Suppression's gamma migration, with beta).
  s8-token-smooth as s8-token-ln with s = sqrt((|gamma| + |beta|) / max |w column|) (SmoothQuant's alpha 0.5, the
                  LayerNorm's affine terms standing in for the calibrated input range)
  s8-token-ln-ffn32 s8-token-ln with the feed-forward output layer in float32
  w8b16-a16-token weights as w8-block16; inputs per token, symmetric int16 (max|x| / 32767): int16 x int8 products
                  (vpmaddwd), each block's int32 sum scaled by the weight's block scale
  w8b16-a12-token the same with inputs on 12 bits (max|x| / 2047): a block's int32 sum stays exact in float32
  w8a16-token     weights as s8-token; inputs per token, symmetric int16 (scale max|x| / 32767): the form of AVX2's
                  exact vpmaddwd (int16 pairs -> int32), weights widened from int8 as they are packed

Symmetric int8 in [-127, 127] never saturates vpmaddubsw: |a| fits 7 bits (vpsignb moves a's sign onto w), so a pair
is at most 2 x 127 x 127 = 32,258; only an asymmetric uint8 input (up to 255) can, which u8-token-sat measures.

  .venv/bin/python Scripts/int8_study.py --model ~/.cache/bert-embed/all-MiniLM-L6-v2 --texts 1000
  .venv/bin/python Scripts/int8_study.py --model ~/.cache/bert-embed/all-mpnet-base-v2 --texts 300 --json-out F

Texts: the paragraphs of Scripts/make_corpus.py (the first --texts). u8-token-sat and u7-token-sat materialize every
pair of products: they run on the first --saturation-texts (default 50) only.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time

import numpy as np
import torch

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

SCHEMES = [
    "s8-token", "u8-token", "u8-token-sat", "u7-token-sat", "s8-block32", "s8-block64", "s8-block128", "w8-block32",
    "w8-block16", "s8-block16", "w8b16-a16-token", "w8b16-a12-token", "s8-token-ffn32",
    "u8-token-ffn32", "s8-token-ln", "s8-token-smooth", "s8-token-ln-ffn32", "w8a16-token", "bf16-weights",
    "bf16-both",
]


def quantize_weight_rows(w):
    """Per output channel, symmetric int8: (integers, scales (N, 1))."""
    scale = w.abs().amax(dim=1, keepdim=True).clamp_min(1e-30) / 127
    return torch.round(w / scale).clamp(-127, 127), scale


def quantize_blocks(x, block):
    """Symmetric int8 per block of `block` along the last dimension: (integers (.., B, block), scales (.., B, 1))."""
    blocks = x.reshape(*x.shape[:-1], x.shape[-1] // block, block)
    scale = blocks.abs().amax(dim=-1, keepdim=True).clamp_min(1e-30) / 127
    return torch.round(blocks / scale).clamp(-127, 127), scale


def saturating_pair_products(a, w, chunk=32):
    """sum over pairs of clamp(a[2i] w[2i] + a[2i+1] w[2i+1], int16), a (T, K) and w (N, K) integers: (T, N).
    float32 is exact here (|pair| < 2^17); the clamped pairs are summed in float64."""
    a32, w32 = a.float(), w.float()
    even, odd = a32[:, None, 0::2], a32[:, None, 1::2]
    out = torch.empty(a.shape[0], w.shape[0], dtype=torch.float64)
    for start in range(0, w.shape[0], chunk):
        pw = w32[start:start + chunk]
        pair_sums = even * pw[None, :, 0::2] + odd * pw[None, :, 1::2]
        out[:, start:start + chunk] = pair_sums.clamp_(-32768, 32767).double().sum(dim=2)
    return out


class QuantizedLinear(torch.nn.Module):
    def __init__(self, linear, scheme, norm=None):
        super().__init__()
        self.scheme = scheme
        w = linear.weight.detach().double()
        self.smooth = None
        if norm is not None and ("-ln" in scheme or "-smooth" in scheme):
            affine = norm.weight.detach().double().abs() + norm.bias.detach().double().abs()
            if "-smooth" in scheme:
                affine = (affine / w.abs().amax(dim=0).clamp_min(1e-12)).sqrt()
            self.smooth = affine.clamp_min(1e-6)
            w = w * self.smooth[None, :]
        self.bias = None if linear.bias is None else linear.bias.detach().double()
        self.in_features = w.shape[1]
        if scheme.startswith("bf16-"):
            self.dequantized_t = w.to(torch.bfloat16).double().T
        elif scheme.startswith("w8b16-"):
            self.block = 16
            self.wq, self.ws = quantize_blocks(w, self.block)
        elif scheme.startswith("s8-block") or scheme.startswith("w8-block"):
            self.block = int(scheme[len("s8-block"):])
            self.wq, self.ws = quantize_blocks(w, self.block)
        else:
            self.wq, self.ws = quantize_weight_rows(w)
            self.column_sums = self.wq.sum(dim=1)  # for the zero point's correction
        if scheme.startswith(("w8b16-", "s8-block", "w8-block")):  # the block schemes' weights, dequantized once
            self.dequantized_t = (self.wq * self.ws).reshape(self.wq.shape[0], -1).T

    def forward(self, x):
        shape = x.shape
        a = x.reshape(-1, self.in_features).double()
        if self.smooth is not None:
            a = a / self.smooth
        if self.scheme.startswith("bf16-"):
            if self.scheme == "bf16-both":
                a = a.float().to(torch.bfloat16).double()
            y = a @ self.dequantized_t
        elif self.scheme.startswith("w8b16-"):
            levels = 32767 if "-a16-" in self.scheme else 2047
            a_scale = a.abs().amax(dim=1, keepdim=True).clamp_min(1e-30) / levels
            aq = torch.round(a / a_scale).clamp(-levels, levels)
            y = (aq @ self.dequantized_t) * a_scale
        elif self.scheme.startswith("w8-block"):
            y = a @ self.dequantized_t
        elif self.scheme.startswith("s8-block"):
            # Each block's exact integer sum times its two scales, summed over blocks: in real arithmetic the same as
            # the dequantized inputs times the dequantized weights, which float64 gives to about 1e-16 (and one
            # matrix product instead of one per block).
            aq, a_scale = quantize_blocks(a, self.block)
            y = (aq * a_scale).reshape(a.shape) @ self.dequantized_t
        elif self.scheme.startswith("s8-token") or self.scheme == "w8a16-token":  # also -ln, -smooth, -ffn32
            levels = 32767 if self.scheme == "w8a16-token" else 127
            a_scale = a.abs().amax(dim=1, keepdim=True).clamp_min(1e-30) / levels
            aq = torch.round(a / a_scale).clamp(-levels, levels)
            y = (aq @ self.wq.T) * a_scale * self.ws.T
        else:
            levels = 127 if self.scheme.startswith("u7") else 255
            low = a.amin(dim=1, keepdim=True).clamp_max(0)
            high = a.amax(dim=1, keepdim=True).clamp_min(0)
            a_scale = (high - low).clamp_min(1e-30) / levels
            zero = torch.round(-low / a_scale)
            aq = (torch.round(a / a_scale) + zero).clamp(0, levels)
            if self.scheme.endswith("-sat"):
                raw = saturating_pair_products(aq, self.wq)
            else:
                raw = aq @ self.wq.T
            y = (raw - zero * self.column_sums[None, :]) * a_scale * self.ws.T
        if self.bias is not None:
            y = y + self.bias
        return y.to(x.dtype).reshape(*shape[:-1], -1)


def is_ffn_output(name):
    """The feed-forward output layer (intermediate -> hidden): BERT's and MPNet's layer.N.output.dense."""
    return name.endswith("output.dense") and "attention" not in name


def feeding_norm(model, name):
    """The LayerNorm whose output is the input of the encoder's linear layer `name` (BERT, MPNet), or None."""
    match = re.match(r"layer\.(\d+)\.(.*)", name)
    if not match:
        return None
    index, rest = int(match.group(1)), match.group(2)
    layers = model.encoder.layer
    if rest in ("attention.self.query", "attention.self.key", "attention.self.value", "attention.attn.q",
                "attention.attn.k", "attention.attn.v"):
        return model.embeddings.LayerNorm if index == 0 else layers[index - 1].output.LayerNorm
    if rest == "intermediate.dense":
        attention = layers[index].attention
        return attention.output.LayerNorm if hasattr(attention, "output") else attention.LayerNorm
    return None


def quantize_model(model, scheme, only=None, others=None):
    auto_model = model[0].auto_model
    encoder = auto_model.encoder
    targets = [(name, module) for name, module in encoder.named_modules() if isinstance(module, torch.nn.Linear)]
    for name, module in targets:
        layer_scheme = scheme
        if (scheme.endswith("-ffn32") and is_ffn_output(name)) or (only and not re.search(only, name)):
            if not others:
                continue
            layer_scheme = others
        parent = encoder.get_submodule(name.rsplit(".", 1)[0]) if "." in name else encoder
        setattr(
            parent, name.rsplit(".", 1)[-1], QuantizedLinear(module, layer_scheme, feeding_norm(auto_model, name)))
    return len(targets)


def load_texts(count, path=None):
    if path:
        # Lines end at \n only: a text may hold a carriage return (the golden texts do; universal newlines split it
        # in two and pushed the last text, the synthetic "word" x 600, out of the first 1,011).
        with open(path, encoding="utf-8", newline="\n") as f:
            return [line.rstrip("\n") for line in f][:count]
    path = os.path.join(tempfile.gettempdir(), "bert-embed-corpus.txt")
    if not os.path.exists(path):
        subprocess.run([sys.executable, os.path.join(ROOT, "Scripts", "make_corpus.py"), path], check=True)
    with open(path, encoding="utf-8") as f:
        texts = [line.rstrip("\n") for line in f if line.strip()]
    return texts[:count]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", required=True)
    parser.add_argument("--texts", type=int, default=1000)
    parser.add_argument("--saturation-texts", type=int, default=50)
    parser.add_argument("--schemes", nargs="*", default=SCHEMES, choices=SCHEMES)
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--only", help="quantize only the linear layers whose name matches this regex (diagnosis)")
    parser.add_argument("--others", choices=SCHEMES, help="with --only: the scheme of the other layers (default float32)")
    parser.add_argument("--json-out")
    parser.add_argument("--texts-file", help="one text per line (empty lines kept) instead of the corpus")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    from sentence_transformers import SentenceTransformer

    texts = load_texts(args.texts, args.texts_file)
    reference_model = SentenceTransformer(args.model, device="cpu")
    reference = reference_model.encode(texts, batch_size=16, normalize_embeddings=True, convert_to_numpy=True)
    reference = reference.astype(np.float64)
    rows = []
    print(f"{os.path.basename(args.model.rstrip('/'))}: {len(texts)} paragraphs")
    print("| scheme | texts | min cosine | mean cosine | texts below 0.999 | seconds |")
    print("| --- | --- | --- | --- | --- | --- |")
    for scheme in args.schemes:
        count = min(len(texts), args.saturation_texts) if scheme.endswith("-sat") else len(texts)
        model = SentenceTransformer(args.model, device="cpu")
        layers = quantize_model(model, scheme, args.only, args.others)
        start = time.time()
        with torch.no_grad():
            ours = model.encode(texts[:count], batch_size=16, normalize_embeddings=True, convert_to_numpy=True)
        seconds = time.time() - start
        ours = ours.astype(np.float64)
        ours /= np.linalg.norm(ours, axis=1, keepdims=True)
        cosines = np.sum(ours * reference[:count], axis=1)
        row = {
            "model": os.path.basename(args.model.rstrip("/")), "scheme": scheme, "texts": count,
            "linear_layers": layers, "min_cosine": float(cosines.min()), "mean_cosine": float(cosines.mean()),
            "below_0_999": int((cosines < 0.999).sum()), "seconds": round(seconds, 1),
        }
        rows.append(row)
        print(f"| {scheme} | {count} | {row['min_cosine']:.6f} | {row['mean_cosine']:.6f} | {row['below_0_999']} "
              f"| {seconds:.0f} |", flush=True)
    if args.json_out:
        with open(args.json_out, "w") as f:
            json.dump(rows, f, indent=1)


if __name__ == "__main__":
    main()
