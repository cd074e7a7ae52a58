#!/usr/bin/env python3
"""Side-by-side end-to-end benchmark: bert-embed vs sentence-transformers (PyTorch) vs ONNX Runtime.

All three run in the same invocation on the same texts, the same thread count and length-sorted batches of the same
size, fp32, end to end (tokenize, encode, mean-pool, normalize). Prints one table with tokens/s and the ratios, and checks
that bert-embed's embeddings equal sentence-transformers' (min cosine).

  Scripts/setup_venv.sh
  swift build -c release -Xswiftc -target-cpu -Xswiftc native --scratch-path .build-native
  .venv/bin/python Scripts/bench_peers.py --model ~/.cache/bert-embed/all-MiniLM-L6-v2 \
      --bin .build-native/release/bert-embed --threads 1 2 --runs 3

Texts: --input FILE (one per line), default the paragraphs written by Scripts/make_corpus.py.
"""
import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def load_texts(path, limit):
    if path is None:
        path = os.path.join(tempfile.gettempdir(), "bert-embed-corpus.txt")
        subprocess.run([sys.executable, os.path.join(ROOT, "Scripts", "make_corpus.py"), path], check=True)
    with open(path, encoding="utf-8") as f:
        texts = [line.rstrip("\n") for line in f if line.strip()]
    return texts[:limit] if limit else texts


def token_count(tokenizer, texts, max_length):
    return sum(len(ids) for ids in tokenizer(texts, truncation=True, max_length=max_length)["input_ids"])


def bench_st(model_dir, texts, threads, batch, runs):
    import torch
    from sentence_transformers import SentenceTransformer
    torch.set_num_threads(threads)
    model = SentenceTransformer(model_dir, device="cpu")
    model.encode(texts[:batch], batch_size=batch)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        out = model.encode(texts, batch_size=batch, normalize_embeddings=True, convert_to_numpy=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times), out, model


def export_onnx(model_dir, path):
    import torch
    from transformers import BertModel
    bert = BertModel.from_pretrained(model_dir, attn_implementation="eager").eval()

    class Wrapper(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.bert = bert

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.bert(input_ids=input_ids, attention_mask=attention_mask,
                             token_type_ids=token_type_ids).last_hidden_state

    model = Wrapper().eval()
    ids = torch.ones(2, 16, dtype=torch.long)
    with torch.no_grad():
        torch.onnx.export(
            model, (ids, torch.ones_like(ids), torch.zeros_like(ids)), path, dynamo=False,
            input_names=["input_ids", "attention_mask", "token_type_ids"], output_names=["last_hidden_state"],
            dynamic_axes={n: {0: "batch", 1: "seq"} for n in ["input_ids", "attention_mask", "token_type_ids",
                                                              "last_hidden_state"]},
            opset_version=17)


def bench_ort(model_dir, onnx_path, texts, threads, batch, runs, max_length):
    import onnxruntime as ort
    from transformers import AutoTokenizer
    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    session = ort.InferenceSession(onnx_path, options, providers=["CPUExecutionProvider"])
    order = np.argsort([-len(t) for t in texts], kind="stable")

    def run():
        out = np.zeros((len(texts), 0), dtype=np.float32)
        results = [None] * len(texts)
        for start in range(0, len(texts), batch):
            idx = order[start:start + batch]
            enc = tokenizer([texts[i] for i in idx], padding=True, truncation=True, max_length=max_length,
                            return_tensors="np")
            feeds = {"input_ids": enc["input_ids"].astype(np.int64),
                     "attention_mask": enc["attention_mask"].astype(np.int64),
                     "token_type_ids": enc["token_type_ids"].astype(np.int64)}
            hidden = session.run(None, feeds)[0]
            mask = enc["attention_mask"][..., None].astype(np.float32)
            pooled = (hidden * mask).sum(1) / np.clip(mask.sum(1), 1e-9, None)
            pooled /= np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None)
            for j, i in enumerate(idx):
                results[i] = pooled[j]
        return np.stack(results)

    run()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        out = run()
        times.append(time.perf_counter() - start)
    return statistics.median(times), out


def bench_swift(binary, model_dir, input_path, threads, batch, runs):
    cmd = [binary, "bench", "--model", model_dir, "--input", input_path, "--threads", str(threads),
           "--batch-size", str(batch), "--runs", str(runs), "--json"]
    result = subprocess.run(cmd, check=True, capture_output=True, text=True)
    return json.loads(result.stdout)


def swift_embeddings(binary, model_dir, input_path):
    with tempfile.NamedTemporaryFile(suffix=".npy", delete=False) as f:
        out = f.name
    subprocess.run([binary, "embed", "--model", model_dir, "--format", "npy", "--output", out, "--normalize"],
                   stdin=open(input_path, "rb"), check=True)
    return np.load(out)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", required=True)
    parser.add_argument("--bin", default=os.path.join(ROOT, ".build-native", "release", "bert-embed"))
    parser.add_argument("--input")
    parser.add_argument("--limit", type=int, default=0, help="use only the first N texts")
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--skip-st", action="store_true")
    args = parser.parse_args()

    texts = load_texts(args.input, args.limit)
    input_path = os.path.join(tempfile.gettempdir(), "bert-embed-bench-input.txt")
    with open(input_path, "w", encoding="utf-8") as f:
        f.write("\n".join(texts) + "\n")

    from transformers import AutoTokenizer
    tokenizer = AutoTokenizer.from_pretrained(args.model)
    from sentence_transformers import SentenceTransformer
    max_length = SentenceTransformer(args.model, device="cpu").max_seq_length
    tokens = token_count(tokenizer, texts, max_length)
    onnx_path = os.path.join(tempfile.gettempdir(), f"bert-embed-{os.path.basename(os.path.normpath(args.model))}.onnx")
    if not os.path.exists(onnx_path):
        export_onnx(args.model, onnx_path)

    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, {platform.processor() or platform.platform()}")
    print(f"model: {args.model}; {len(texts)} texts, {tokens} tokens (mean {tokens / len(texts):.1f}, "
          f"max length {max_length}); batch {args.batch_size}; median of {args.runs} runs")
    rows = []
    st_vectors = None
    for threads in args.threads:
        row = {"threads": threads}
        # bert-embed first: the peers leave worker threads behind in this process (torch's OpenMP pool, ONNX
        # Runtime's spinning pool) that would compete with the child process for the cores.
        swift = bench_swift(args.bin, args.model, input_path, threads, args.batch_size, args.runs)
        if not args.skip_st:
            seconds, st_vectors, _ = bench_st(args.model, texts, threads, args.batch_size, args.runs)
            row["st"] = tokens / seconds
        seconds, ort_vectors = bench_ort(args.model, onnx_path, texts, threads, args.batch_size, args.runs, max_length)
        row["ort"] = tokens / seconds
        row["swift"] = swift["tokens_per_s"]
        row["swift_tokens"] = swift["tokens"]
        row["peak_rss_mb"] = swift["encode_peak_rss_mb"]
        row["load_peak_rss_mb"] = swift["load_peak_rss_mb"]
        row["load_ms"] = swift["load_ms"]
        rows.append(row)

    print()
    print("| threads | sentence-transformers | ONNX Runtime | bert-embed | vs ST | vs ORT | bert-embed peak RSS encoding / loading | load time |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for row in rows:
        st = row.get("st")
        print(f"| {row['threads']} | {st:,.0f} tok/s | " if st else f"| {row['threads']} | - | ", end="")
        print(f"{row['ort']:,.0f} tok/s | {row['swift']:,.0f} tok/s | "
              f"{(row['swift'] / st) if st else float('nan'):.2f}x | {row['swift'] / row['ort']:.2f}x | "
              f"{row['peak_rss_mb']:.0f} / {row['load_peak_rss_mb']:.0f} MB | {row['load_ms']:.0f} ms |")
    if rows[0]["swift_tokens"] != tokens:
        print(f"warning: bert-embed counted {rows[0]['swift_tokens']} tokens, the HF tokenizer {tokens}")
    if st_vectors is not None:
        ours = swift_embeddings(args.bin, args.model, input_path)
        cos = (ours * st_vectors).sum(1) / (np.linalg.norm(ours, axis=1) * np.linalg.norm(st_vectors, axis=1))
        print(f"\nbert-embed vs sentence-transformers: min cosine {cos.min():.7f}, "
              f"max abs diff {np.abs(ours - st_vectors).max():.2e}")


if __name__ == "__main__":
    main()
