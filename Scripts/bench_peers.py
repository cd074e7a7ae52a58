#!/usr/bin/env python3
"""Side-by-side end-to-end benchmark: bert-embed vs sentence-transformers (PyTorch) vs ONNX Runtime.

All pipelines run on the same texts, the same thread count and length-sorted batches of the same size, fp32, end to
end (tokenize, encode, mean-pool, normalize). Prints one table with tokens/s and the ratios, a second with the spread
over the rounds, and checks that each bert-embed binary's embeddings equal sentence-transformers' (min cosine).

  Scripts/setup_venv.sh
  swift build -c release -Xswiftc -target-cpu -Xswiftc native --scratch-path .build-native
  .venv/bin/python Scripts/bench_peers.py --model ~/.cache/bert-embed/all-MiniLM-L6-v2 \\
      --bin .build-native/release/bert-embed --threads 1 2 --runs 3 --repeat 3

Two (or more) bert-embed binaries in one table, each given as LABEL=PATH (a bare PATH is labelled "bert-embed"):

  swift build -c release
  .venv/bin/python Scripts/bench_peers.py --model ~/.cache/bert-embed/all-MiniLM-L6-v2 \\
      --bin default=.build/release/bert-embed native=.build-native/release/bert-embed --threads 1 2

Every measurement is its own process: each bert-embed binary is run as `bert-embed bench --json`, and
sentence-transformers and ONNX Runtime each run in a fresh Python process (this script re-invoking itself with a
hidden --worker mode) per thread count and round, so no thread pool (torch's OpenMP pool, ONNX Runtime's spinning
pool) outlives its measurement and competes with the next one for the cores. The model facts (max sequence length,
token count) and the ONNX export (cached in the temp directory) are computed in a worker too; this process imports
neither torch nor the tokenizers.

--runs N: timed passes within one process after one warm-up pass; a process reports the median of its passes.
--repeat R: the whole round (every pipeline at every thread count) is repeated R times, interleaved (round 1 runs
all pipelines, then round 2, ...), the pipelines' order rotating by one each round. The main table reports the median
over the rounds of each pipeline's tokens/s and the ratios of those medians; the second table the min-max over the
rounds. bert-embed's peak RSS and load time are medians over the rounds too.

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
DEFAULT_BIN = os.path.join(ROOT, ".build-native", "release", "bert-embed")
ST, ORT = "sentence-transformers", "ONNX Runtime"


def load_texts(path, limit):
    if path is None:
        path = os.path.join(tempfile.gettempdir(), "bert-embed-corpus.txt")
        subprocess.run([sys.executable, os.path.join(ROOT, "Scripts", "make_corpus.py"), path], check=True)
    with open(path, encoding="utf-8") as f:
        texts = [line.rstrip("\n") for line in f if line.strip()]
    return texts[:limit] if limit else texts


# ---- workers: each runs in a fresh Python process (python bench_peers.py --worker ...) ----

def token_count(tokenizer, texts, max_length):
    return sum(len(ids) for ids in tokenizer(texts, truncation=True, max_length=max_length)["input_ids"])


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


def worker_prep(args, texts):
    """Max sequence length and token count (sentence-transformers' settings, HF tokenizer); exports the ONNX model."""
    from transformers import AutoTokenizer
    from sentence_transformers import SentenceTransformer
    tokenizer = AutoTokenizer.from_pretrained(args.model)
    max_length = SentenceTransformer(args.model, device="cpu").max_seq_length
    tokens = token_count(tokenizer, texts, max_length)
    if not os.path.exists(args.onnx):
        export_onnx(args.model, args.onnx)
    return {"max_length": max_length, "tokens": tokens}


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
    return times, out


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
    return times, out


def worker_main(args):
    texts = load_texts(args.input, 0)
    if args.worker == "prep":
        result = worker_prep(args, texts)
    else:
        if args.worker == "st":
            times, vectors = bench_st(args.model, texts, args.threads[0], args.batch_size, args.runs)
        else:
            times, vectors = bench_ort(args.model, args.onnx, texts, args.threads[0], args.batch_size, args.runs,
                                       args.max_length)
        if args.save_npy:
            np.save(args.save_npy, vectors)
        result = {"seconds": statistics.median(times), "times": times}
    with open(args.worker_out, "w") as f:
        json.dump(result, f)


# ---- the parent: runs the workers and the bert-embed binaries, prints the tables ----

def run_worker(kind, args, input_path, out_dir, threads=None, extra=()):
    out = os.path.join(out_dir, f"worker-{kind}.json")
    cmd = [sys.executable, os.path.abspath(__file__), "--worker", kind, "--worker-out", out, "--model", args.model,
           "--input", input_path, "--onnx", args.onnx, "--batch-size", str(args.batch_size), "--runs", str(args.runs),
           *extra]
    if threads is not None:
        cmd += ["--threads", str(threads)]
    # The worker's stdout goes to stderr: this process's stdout is only the report.
    subprocess.run(cmd, check=True, stdout=sys.stderr)
    with open(out) as f:
        return json.load(f)


def bench_swift(binary, model_dir, input_path, threads, batch, runs):
    cmd = [binary, "bench", "--model", model_dir, "--input", input_path, "--threads", str(threads),
           "--batch-size", str(batch), "--runs", str(runs), "--json"]
    result = subprocess.run(cmd, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed ({result.returncode}):\n{result.stderr}")
    return json.loads(result.stdout)


def swift_embeddings(binary, model_dir, input_path, out_dir):
    out = os.path.join(out_dir, "bert-embed.npy")
    with open(input_path, "rb") as stdin:
        subprocess.run([binary, "embed", "--model", model_dir, "--format", "npy", "--output", out, "--normalize"],
                       stdin=stdin, check=True)
    return np.load(out)


def parse_bins(specs):
    """LABEL=PATH or PATH (labelled "bert-embed", or by its path when there are several bare paths)."""
    bare = sum(1 for s in specs if not split_label(s)[0])
    bins = []
    for spec in specs:
        label, path = split_label(spec)
        if not label:
            label = "bert-embed" if bare == 1 else path
        if any(label == other for other, _ in bins):
            sys.exit(f"--bin: label {label!r} given twice")
        path = os.path.expanduser(path)
        if not (os.path.isfile(path) and os.access(path, os.X_OK)):
            sys.exit(f"--bin: {path} is not an executable file")
        bins.append((label, path))
    return bins


def split_label(spec):
    label, sep, path = spec.partition("=")
    if sep and label and os.sep not in label:
        return label, path
    return None, spec


def fmt_tps(value):
    return f"{value:,.0f} tok/s"


def fmt_opt(value, spec):
    return "-" if value is None else format(value, spec)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", required=True)
    parser.add_argument("--bin", nargs="+", default=[DEFAULT_BIN], metavar="[LABEL=]PATH",
                        help="one or more bert-embed binaries (default: .build-native/release/bert-embed, "
                        "labelled bert-embed)")
    parser.add_argument("--input")
    parser.add_argument("--limit", type=int, default=0, help="use only the first N texts")
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--runs", type=int, default=3, help="timed passes per process, median (default 3)")
    parser.add_argument("--repeat", type=int, default=3,
                        help="rounds of every pipeline at every thread count, median over rounds (default 3)")
    parser.add_argument("--skip-st", action="store_true")
    # Hidden: the worker processes.
    parser.add_argument("--worker", choices=["prep", "st", "ort"], help=argparse.SUPPRESS)
    parser.add_argument("--worker-out", help=argparse.SUPPRESS)
    parser.add_argument("--onnx", help=argparse.SUPPRESS)
    parser.add_argument("--max-length", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--save-npy", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        return worker_main(args)
    if args.repeat < 1 or args.runs < 1:
        parser.error("--repeat and --runs must be at least 1")

    bins = parse_bins(args.bin)
    args.model = os.path.expanduser(args.model)
    texts = load_texts(args.input, args.limit)
    args.onnx = os.path.join(tempfile.gettempdir(),
                             f"bert-embed-{os.path.basename(os.path.normpath(args.model))}.onnx")

    with tempfile.TemporaryDirectory(prefix="bench-peers-") as tmp:
        input_path = os.path.join(tmp, "input.txt")
        with open(input_path, "w", encoding="utf-8") as f:
            f.write("\n".join(texts) + "\n")
        prep = run_worker("prep", args, input_path, tmp)
        tokens, max_length = prep["tokens"], prep["max_length"]

        print(f"machine: {platform.machine()}, {os.cpu_count()} cores, {platform.processor() or platform.platform()}")
        print(f"model: {args.model}; {len(texts)} texts, {tokens} tokens (mean {tokens / len(texts):.1f}, "
              f"max length {max_length}); batch {args.batch_size}; median of {args.repeat} rounds, "
              f"each the median of {args.runs} runs in a fresh process")
        for label, path in bins:
            print(f"{label}: {path}")
        sys.stdout.flush()

        # pipelines: (name, kind, binary path or None)
        pipelines = [(label, "swift", path) for label, path in bins]
        if not args.skip_st:
            pipelines.append((ST, "st", None))
        pipelines.append((ORT, "ort", None))
        tps = {(name, t): [] for name, _, _ in pipelines for t in args.threads}
        swift_info = {(label, t): [] for label, _ in bins for t in args.threads}
        st_npy = os.path.join(tmp, "st.npy")

        for rnd in range(args.repeat):
            shift = rnd % len(pipelines)
            order = pipelines[shift:] + pipelines[:shift]
            for threads in args.threads:
                for name, kind, path in order:
                    print(f"round {rnd + 1}/{args.repeat}, {threads} thread(s): {name}", file=sys.stderr, flush=True)
                    if kind == "swift":
                        result = bench_swift(path, args.model, input_path, threads, args.batch_size, args.runs)
                        tps[name, threads].append(result["tokens_per_s"])
                        swift_info[name, threads].append(result)
                        continue
                    extra = []
                    if kind == "st" and not os.path.exists(st_npy):
                        extra = ["--save-npy", st_npy]
                    if kind == "ort":
                        extra = ["--max-length", str(max_length)]
                    result = run_worker(kind, args, input_path, tmp, threads, extra)
                    tps[name, threads].append(tokens / result["seconds"])

        med = {key: statistics.median(values) for key, values in tps.items()}
        peers = [p for p in (ST, ORT) if not (p == ST and args.skip_st)]
        short = {ST: "ST", ORT: "ORT"}
        one = len(bins) == 1

        header = ["threads"] + peers
        for label, _ in bins:
            header += [label] + [("" if one else f"{label} ") + f"vs {short[p]}" for p in peers]
        for label, _ in bins:
            header += [f"{label} peak RSS encoding / loading", "load time" if one else f"{label} load time"]
        print()
        print("| " + " | ".join(header) + " |")
        print("|" + " --- |" * len(header))
        for threads in args.threads:
            cells = [str(threads)] + [fmt_tps(med[p, threads]) for p in peers]
            for label, _ in bins:
                ours = med[label, threads]
                cells += [fmt_tps(ours)] + [f"{ours / med[p, threads]:.2f}x" for p in peers]
            for label, _ in bins:
                results = swift_info[label, threads]

                def median_of(key):
                    values = [r[key] for r in results if r.get(key) is not None]
                    return statistics.median(values) if values else None
                cells += [f"{fmt_opt(median_of('encode_peak_rss_mb'), '.0f')} / "
                          f"{fmt_opt(median_of('load_peak_rss_mb'), '.0f')} MB",
                          f"{fmt_opt(median_of('load_ms'), '.0f')} ms"]
            print("| " + " | ".join(cells) + " |")

        names = [label for label, _ in bins] + peers
        print()
        print(f"tokens/s over {args.repeat} rounds: min-max (spread = (max - min) / median)")
        print()
        print("| " + " | ".join(["threads"] + names) + " |")
        print("|" + " --- |" * (len(names) + 1))
        for threads in args.threads:
            cells = [str(threads)]
            for name in names:
                values = tps[name, threads]
                lo, hi = min(values), max(values)
                cells.append(f"{lo:,.0f}-{hi:,.0f} ({(hi - lo) / med[name, threads]:.1%})")
            print("| " + " | ".join(cells) + " |")

        notes = []
        for label, _ in bins:
            counted = {r["tokens"] for runs in (swift_info[label, t] for t in args.threads) for r in runs}
            if counted != {tokens}:
                notes.append(f"warning: {label} counted {', '.join(map(str, sorted(counted)))} tokens, "
                             f"the HF tokenizer {tokens}")
        if not args.skip_st:
            st_vectors = np.load(st_npy)
            for label, path in bins:
                ours = swift_embeddings(path, args.model, input_path, tmp)
                cos = (ours * st_vectors).sum(1) / (np.linalg.norm(ours, axis=1) * np.linalg.norm(st_vectors, axis=1))
                notes.append(f"{label} vs sentence-transformers: min cosine {cos.min():.7f}, "
                             f"max abs diff {np.abs(ours - st_vectors).max():.2e}")
        if notes:
            print()
            print("\n".join(notes))


if __name__ == "__main__":
    main()
