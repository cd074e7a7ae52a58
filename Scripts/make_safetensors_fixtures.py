#!/usr/bin/env python3
"""Writes the safetensors loader's fixtures into Resources/safetensors/ and Resources/config/.

Valid files come from the pinned `safetensors` package (torch backend); broken files are hand-crafted bytes,
one rule each, and the script checks which of them the reference implementation also rejects (recorded in
broken/manifest.json). Values are random normal with a fixed seed. With all-MiniLM-L6-v2 present, it also writes
spot-check values of the real model as read by Python safetensors.

Run:  .venv/bin/python Scripts/make_safetensors_fixtures.py   (see Scripts/setup_venv.sh)
"""
import json
import os
import struct
from pathlib import Path

import numpy as np
import torch
from safetensors import safe_open
from safetensors.torch import load as st_load, save as st_save, save_file

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "Resources" / "safetensors"
CONFIG_OUT = ROOT / "Resources" / "config"
MINILM = Path(os.environ.get("BERT_EMBED_MINILM", Path.home() / ".cache/bert-embed/all-MiniLM-L6-v2"))
GEN = torch.Generator().manual_seed(20240611)


def randn(*shape):
    return torch.randn(*shape, generator=GEN)


def describe(tensors, header_path):
    """Expected values: dtype, shape, data_offsets from the header, float32 bits when float-convertible, raw bytes."""
    header = read_header(header_path)
    out = {}
    for name, t in tensors.items():
        entry = {"dtype": header[name]["dtype"], "shape": list(t.shape), "data_offsets": header[name]["data_offsets"]}
        raw = t.contiguous().reshape(-1).view(torch.uint8).numpy().tobytes() if t.numel() else b""
        entry["bytes_hex"] = raw.hex()
        if t.dtype in (torch.float32, torch.float16, torch.bfloat16):
            entry["float32_bits"] = [int(b) for b in t.to(torch.float32).contiguous().reshape(-1).view(torch.int32).numpy().astype(np.uint32).ravel()]
        out[name] = entry
    return out


def read_header(path):
    data = Path(path).read_bytes()
    (n,) = struct.unpack("<Q", data[:8])
    return json.loads(data[8 : 8 + n])


def pack(header_bytes, buffer):
    return struct.pack("<Q", len(header_bytes)) + header_bytes + buffer


def write_valid():
    OUT.mkdir(parents=True, exist_ok=True)
    half_specials = torch.tensor([0.0, -0.0, 1.0, -2.5, 65504.0, 6.1035e-05, 5.96e-08, -3.0e-06,
                                  float("inf"), float("-inf"), float("nan")], dtype=torch.float16)
    tensors = {
        "f32": randn(3, 5),
        "f16": torch.cat([randn(7).to(torch.float16), half_specials]),
        "bf16": torch.cat([randn(2, 3).to(torch.bfloat16).ravel(),
                           torch.tensor([float("inf"), -0.0, 1e-39], dtype=torch.bfloat16)]),
        "f64": randn(4).to(torch.float64),
        "i64": torch.arange(512, dtype=torch.int64).reshape(1, 512)[:, :6].contiguous() * -3,
        "i32": (randn(5) * 1000).to(torch.int32),
        "i16": (randn(3) * 1000).to(torch.int16),
        "i8": (randn(4) * 50).to(torch.int8),
        "u8": (randn(4).abs() * 50).to(torch.uint8),
        "u16": (randn(2).abs() * 1000).to(torch.uint16),
        "u32": (randn(2).abs() * 1000).to(torch.uint32),
        "u64": (randn(2).abs() * 1000).to(torch.uint64),
        "bool": randn(5) > 0,
        "f8_e4m3": randn(3).to(torch.float8_e4m3fn),
        "f8_e5m2": randn(3).to(torch.float8_e5m2),
        "scalar": randn(()),
        "empty": torch.zeros(0, 3),
    }
    path = OUT / "dtypes.safetensors"
    save_file(tensors, str(path), metadata={"format": "pt", "note": "every dtype"})
    expected = {"dtypes.safetensors": {"metadata": {"format": "pt", "note": "every dtype"},
                                       "tensors": describe(tensors, path)}}

    # Unaligned: a 3-byte U8 first pushes the F32, F16 and BF16 data to odd offsets (the writer never does this,
    # so it is written by hand; the reference reads it).
    f32, f16, bf16 = randn(2, 2), randn(3).to(torch.float16), randn(3).to(torch.bfloat16)
    u8 = torch.tensor([7, 8, 9], dtype=torch.uint8)
    parts = [("a_u8", "U8", u8), ("b_f32", "F32", f32), ("c_f16", "F16", f16), ("d_bf16", "BF16", bf16)]
    header, buffer = {}, b""
    for name, dtype, t in parts:
        raw = t.contiguous().view(torch.uint8).numpy().tobytes()
        header[name] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [len(buffer), len(buffer) + len(raw)]}
        buffer += raw
    path = OUT / "unaligned.safetensors"
    path.write_bytes(pack(json.dumps(header).encode(), buffer))
    loaded = st_load(path.read_bytes())
    assert all(torch.equal(loaded[n].view(torch.uint8), t.view(torch.uint8)) for n, _, t in parts)
    expected["unaligned.safetensors"] = {"metadata": {}, "tensors": describe({n: t for n, _, t in parts}, path)}

    # Sharded: two shards and the index transformers writes.
    shard_dir = OUT / "sharded"
    shard_dir.mkdir(exist_ok=True)
    shards = {"model-00001-of-00002.safetensors": {"alpha": randn(2, 3), "beta": randn(4).to(torch.float16)},
              "model-00002-of-00002.safetensors": {"gamma": randn(3), "delta": randn(1, 2).to(torch.bfloat16)}}
    weight_map, total = {}, 0
    for shard, ts in shards.items():
        save_file(ts, str(shard_dir / shard), metadata={"format": "pt"})
        for name, t in ts.items():
            weight_map[name] = shard
            total += t.numel() * t.element_size()
    index = {"metadata": {"total_size": total}, "weight_map": dict(sorted(weight_map.items()))}
    (shard_dir / "model.safetensors.index.json").write_text(json.dumps(index, indent=2) + "\n")
    expected["sharded"] = {"tensors": {n: {"shard": s, **describe(shards[s], shard_dir / s)[n]}
                                       for n, s in weight_map.items()}}

    # Broken sharded checkpoints, one rule each (the shards are copies of the valid ones).
    def broken_index(folder, weight_map, raw=None):
        d = OUT / "sharded-broken" / folder
        d.mkdir(parents=True, exist_ok=True)
        first = "model-00001-of-00002.safetensors"
        (d / first).write_bytes((shard_dir / first).read_bytes())
        text = raw if raw is not None else json.dumps({"metadata": {}, "weight_map": weight_map}, indent=2)
        (d / "model.safetensors.index.json").write_text(text)

    shard1 = "model-00001-of-00002.safetensors"
    broken_index("missing-shard", {"alpha": shard1, "gamma": "model-00002-of-00002.safetensors"})
    broken_index("tensor-not-in-shard", {"alpha": shard1, "omega": shard1})
    broken_index("path-traversal", {"alpha": shard1, "beta": "../sharded/" + shard1})
    broken_index("absolute-path", {"alpha": "/etc/passwd"})
    broken_index("not-json", None, raw='{"weight_map": {"alpha": ')
    broken_index("no-weight-map", None, raw='{"metadata": {}}')
    broken_index("duplicate-tensor", None, raw='{"weight_map": {"alpha": "%s", "alpha": "%s"}}' % (shard1, shard1))

    (OUT / "expected.json").write_text(json.dumps(expected, indent=1, sort_keys=True) + "\n")


def write_broken():
    d = OUT / "broken"
    d.mkdir(parents=True, exist_ok=True)
    ok_entry = '"t":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}'
    buf8 = struct.pack("<2f", 0.5, -1.25)

    def h(text, buffer=buf8):
        return pack(text.encode("utf-8") if isinstance(text, str) else text, buffer)

    cases = {
        # name: (bytes, expected SafeTensorsError case, tensor named in the message or None)
        "file-too-short": (b"\x05\x00\x00\x00\x00", "fileTooShort", None),
        "header-too-large": (struct.pack("<Q", 1 << 40) + b"{}", "headerTooLarge", None),
        "header-beyond-file": (struct.pack("<Q", 1000) + b"{" + ok_entry.encode() + b"}", "headerBeyondFile", None),
        "header-not-utf8": (h(b'{"t\xff":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}'), "headerNotUTF8", None),
        "header-not-json": (h('{' + ok_entry), "headerNotJSON", None),
        "header-trailing-nul": (h('{' + ok_entry + '}\x00\x00'), "headerNotJSON", None),
        "header-not-object": (h('[1, 2]'), "headerNotObject", None),
        "duplicate-tensor": (h('{' + ok_entry + ',' + ok_entry + '}'), "duplicateTensor", "t"),
        "entry-not-object": (h('{"t":[0,8]}'), "invalidEntry", "t"),
        "entry-duplicate-key": (h('{"t":{"dtype":"F32","dtype":"F32","shape":[2],"data_offsets":[0,8]}}'), "invalidEntry", "t"),
        "missing-dtype": (h('{"t":{"shape":[2],"data_offsets":[0,8]}}'), "missingKey", "t"),
        "missing-shape": (h('{"t":{"dtype":"F32","data_offsets":[0,8]}}'), "missingKey", "t"),
        "missing-offsets": (h('{"t":{"dtype":"F32","shape":[2]}}'), "missingKey", "t"),
        "dtype-not-string": (h('{"t":{"dtype":32,"shape":[2],"data_offsets":[0,8]}}'), "wrongType", "t"),
        "shape-not-list": (h('{"t":{"dtype":"F32","shape":"2","data_offsets":[0,8]}}'), "wrongType", "t"),
        "shape-float": (h('{"t":{"dtype":"F32","shape":[2.0],"data_offsets":[0,8]}}'), "wrongType", "t"),
        "offsets-three": (h('{"t":{"dtype":"F32","shape":[2],"data_offsets":[0,8,8]}}'), "wrongType", "t"),
        "offsets-negative": (h('{"t":{"dtype":"F32","shape":[2],"data_offsets":[-8,0]}}'), "wrongType", "t"),
        "unknown-dtype": (h('{"t":{"dtype":"F12","shape":[2],"data_offsets":[0,8]}}'), "unknownDType", "t"),
        "negative-dimension": (h('{"t":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}'), "negativeDimension", "t"),
        "shape-overflow": (h('{"t":{"dtype":"F32","shape":[4611686018427387904,4],"data_offsets":[0,8]}}'), "shapeOverflow", "t"),
        "bytes-overflow": (h('{"t":{"dtype":"F32","shape":[4611686018427387904],"data_offsets":[0,8]}}'), "shapeOverflow", "t"),
        "partial-byte": (h('{"t":{"dtype":"F4","shape":[3],"data_offsets":[0,2]}}', b"\0\0"), "partialByte", "t"),
        "reversed-offsets": (h('{"t":{"dtype":"F32","shape":[2],"data_offsets":[8,0]}}'), "reversedOffsets", "t"),
        "offsets-outside-buffer": (h('{"t":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}'), "offsetsOutsideBuffer", "t"),
        "size-mismatch": (h('{"t":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}'), "sizeMismatch", "t"),
        "overlapping": (h('{"t":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},'
                          '"u":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}'), "overlappingTensors", "u"),
        "gap": (h('{"t":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},'
                  '"u":{"dtype":"U8","shape":[2],"data_offsets":[6,8]}}'), "uncoveredBytes", "u"),
        "trailing-bytes": (h('{' + ok_entry + '}', buf8 + b"\0\0\0\0"), "uncoveredBytes", None),
        "metadata-not-strings": (h('{"__metadata__":{"format":1},' + ok_entry + '}'), "invalidMetadata", None),
        "deep-nesting": (h('{"__metadata__":' + "[" * 1000 + "]" * 1000 + '}'), "headerNotJSON", None),
    }
    manifest = {}
    for name, (raw, error, tensor) in cases.items():
        (d / f"{name}.safetensors").write_bytes(raw)
        try:
            st_load(raw)
            reference = "accepts"
        except Exception as e:  # noqa: BLE001 - any rejection counts
            reference = "rejects: " + str(e).splitlines()[0][:160]
        manifest[name] = {"error": error, "tensor": tensor, "reference": reference}
        assert len(raw) < 4096, name
    (d / "manifest.json").write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")


def write_prefixed_bert():
    """A one-layer BERT (hidden 4) as BertForMaskedLM would save it: `bert.` prefix, legacy LayerNorm gamma/beta,
    the MLM head and the position_ids buffer (both unused by the encoder)."""
    h, i, v, p, t = 4, 8, 10, 6, 2
    names = {
        "bert.embeddings.word_embeddings.weight": (v, h), "bert.embeddings.position_embeddings.weight": (p, h),
        "bert.embeddings.token_type_embeddings.weight": (t, h),
        "bert.embeddings.LayerNorm.gamma": (h,), "bert.embeddings.LayerNorm.beta": (h,),
    }
    for part in ("query", "key", "value"):
        names[f"bert.encoder.layer.0.attention.self.{part}.weight"] = (h, h)
        names[f"bert.encoder.layer.0.attention.self.{part}.bias"] = (h,)
    names.update({
        "bert.encoder.layer.0.attention.output.dense.weight": (h, h), "bert.encoder.layer.0.attention.output.dense.bias": (h,),
        "bert.encoder.layer.0.attention.output.LayerNorm.gamma": (h,), "bert.encoder.layer.0.attention.output.LayerNorm.beta": (h,),
        "bert.encoder.layer.0.intermediate.dense.weight": (i, h), "bert.encoder.layer.0.intermediate.dense.bias": (i,),
        "bert.encoder.layer.0.output.dense.weight": (h, i), "bert.encoder.layer.0.output.dense.bias": (h,),
        "bert.encoder.layer.0.output.LayerNorm.gamma": (h,), "bert.encoder.layer.0.output.LayerNorm.beta": (h,),
        "bert.pooler.dense.weight": (h, h), "bert.pooler.dense.bias": (h,),
        "cls.predictions.bias": (v,), "cls.predictions.transform.dense.weight": (h, h),
    })
    tensors = {n: randn(*s) for n, s in names.items()}
    tensors["bert.embeddings.position_ids"] = torch.arange(p, dtype=torch.int64).reshape(1, p)
    d = OUT / "bert-prefixed"
    d.mkdir(exist_ok=True)
    save_file(tensors, str(d / "model.safetensors"), metadata={"format": "pt"})
    config = {"model_type": "bert", "architectures": ["BertForMaskedLM"], "hidden_size": h, "intermediate_size": i,
              "vocab_size": v, "max_position_embeddings": p, "type_vocab_size": t, "num_hidden_layers": 1,
              "num_attention_heads": 2, "hidden_act": "gelu"}
    (d / "config.json").write_text(json.dumps(config, indent=2) + "\n")


def write_configs():
    CONFIG_OUT.mkdir(parents=True, exist_ok=True)
    configs = {
        "valid-empty.json": "{}",
        "valid-integral-floats.json": '{"hidden_size": 384.0, "num_attention_heads": 1.2e1, "num_hidden_layers": 6,'
                                      ' "intermediate_size": 1536, "layer_norm_eps": 1e-7, "hidden_act": "gelu_new",'
                                      ' "pad_token_id": null, "position_embedding_type": "absolute", "model_type": "bert",'
                                      ' "is_decoder": false, "unknown_key": [1, {"x": null}]}',
        "valid-duplicate-last-wins.json": '{"hidden_act": "relu", "hidden_act": "gelu_fast"}',
        "not-json.json": '{"hidden_size": 384,',
        "not-object.json": '[{"hidden_size": 384}]',
        "not-divisible.json": '{"hidden_size": 384, "num_attention_heads": 5}',
        "zero-layers.json": '{"num_hidden_layers": 0}',
        "negative-vocab.json": '{"vocab_size": -5}',
        "absurd-size.json": '{"intermediate_size": 1e12}',
        "non-integral.json": '{"hidden_size": 384.5}',
        "wrong-type-size.json": '{"hidden_size": "384"}',
        "bool-size.json": '{"num_hidden_layers": true}',
        "unsupported-activation.json": '{"hidden_act": "quick_gelu"}',
        "activation-not-string.json": '{"hidden_act": 1}',
        "relative-position.json": '{"position_embedding_type": "relative_key"}',
        "unsupported-model-type.json": '{"model_type": "nomic_bert"}',
        "decoder.json": '{"is_decoder": true}',
        "zero-eps.json": '{"layer_norm_eps": 0}',
        "eps-string.json": '{"layer_norm_eps": "1e-12"}',
        "pad-float.json": '{"pad_token_id": 0.5}',
    }
    for name, text in configs.items():
        (CONFIG_OUT / name).write_text(text + "\n")


def write_minilm_spotcheck():
    path = MINILM / "model.safetensors"
    if not path.exists():
        print(f"skipping MiniLM spot checks: {path} not found")
        return
    rng = np.random.default_rng(7)
    checks = {}
    with safe_open(str(path), framework="np") as f:
        names = sorted(f.keys())
        picked = [n for n in names if n.startswith("embeddings.") or ".layer.0." in n or ".layer.5." in n
                  or n.startswith("pooler.")]
        for name in picked:
            t = f.get_tensor(name)
            flat = t.ravel()
            if t.dtype != np.float32:
                checks[name] = {"dtype": str(t.dtype), "shape": list(t.shape), "values": [int(x) for x in flat[:4]]}
                continue
            idx = sorted({0, flat.size - 1, *[int(i) for i in rng.integers(0, flat.size, 4)]})
            checks[name] = {"dtype": "F32", "shape": list(t.shape), "indices": idx,
                            "float32_bits": [int(flat[i:i + 1].view(np.uint32)[0]) for i in idx],
                            "values": [float(flat[i]) for i in idx]}
    out = {"tensor_names": names, "checks": checks}
    (OUT / "minilm-spotcheck.json").write_text(json.dumps(out, indent=1, sort_keys=True) + "\n")


if __name__ == "__main__":
    write_valid()
    write_broken()
    write_prefixed_bert()
    write_configs()
    write_minilm_spotcheck()
    print("wrote", OUT, CONFIG_OUT)
