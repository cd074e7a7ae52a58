#!/usr/bin/env python3
"""Side-by-side end-to-end benchmark: bert-embed vs sentence-transformers (PyTorch) vs ONNX Runtime, at full and
reduced precision.

All pipelines run on the same texts, the same thread count and length-sorted batches of the same size, end to end
(tokenize, encode, mean-pool, normalize). The peers (--peers, default all whose software is installed):

  st        sentence-transformers, fp32 (also the accuracy reference)
  st-bf16   sentence-transformers with the weights and compute in bfloat16 (model_kwargs={"dtype": torch.bfloat16})
  ort       ONNX Runtime, fp32, on an ONNX export of the same model (all graph optimizations)
  ort-int8  ONNX Runtime on onnxruntime.quantization.quantize_dynamic of that export (its defaults: int8 weights,
            per tensor, activations quantized per batch)
  llama-f16  llama.cpp's CPU backend (built for this machine by Scripts/setup_llama_cpp.sh MODEL, which also
  llama-q8_0 converts the model with convert_hf_to_gguf.py) on the f16 or q8_0 GGUF, through `llama-embedding
            --pooling mean --embd-normalize 2` over the texts; timed as the whole command less the same command on
            the first text alone (its load); texts are fed whole (llama.cpp does not truncate to the model's
            max_seq_length), so compare on texts within it

On a CPU without native bfloat16 (no AVX512-BF16 or AMX) torch runs st-bf16 several times slower than st: leave it
out of --peers for quick runs.

Prints one table, a row per thread count and pipeline: tokens/s, the ratios to sentence-transformers and ONNX Runtime
fp32, min and mean cosine of the pipeline's embeddings against sentence-transformers fp32 on the same texts,
bert-embed's weights_mb (when its bench reports it), peak RSS and load time; then the spread of tokens/s over the
rounds.

  Scripts/setup_venv.sh
  swift build -c release -Xswiftc -target-cpu -Xswiftc native --scratch-path .build-native
  .venv/bin/python Scripts/bench_peers.py --model ~/.cache/bert-embed/all-MiniLM-L6-v2 \\
      --bin .build-native/release/bert-embed --threads 1 2 --runs 3 --repeat 3

Two (or more) bert-embed binaries in one table, each given as LABEL=PATH (a bare PATH is labelled "bert-embed"), and
only the fp32 peers:

  swift build -c release
  .venv/bin/python Scripts/bench_peers.py --model ~/.cache/bert-embed/all-MiniLM-L6-v2 \\
      --bin default=.build/release/bert-embed native=.build-native/release/bert-embed --threads 1 2 --peers st ort

Reduced precision: LABEL=PATH@TYPE runs that binary with `--compute-type TYPE` (float32, bfloat16 or int8), both for
`bert-embed bench` and for the `bert-embed embed` whose vectors are compared; without @TYPE no --compute-type is
passed. Every peer, the machine-readable record (--json-out) and its plot:

  .venv/bin/python Scripts/bench_peers.py --model ~/.cache/bert-embed/all-MiniLM-L6-v2 \\
      --bin fp32=.build/release/bert-embed@float32 bf16=.build/release/bert-embed@bfloat16 \\
      --peers st st-bf16 ort ort-int8 --threads 1 2 --json-out bench.json
  python3 Scripts/plot_bench.py bench.json bench.svg

--peers with no names runs the bert-embed binaries alone (sentence-transformers fp32 still encodes the texts once,
as the accuracy reference).

Every measurement is its own process: each bert-embed binary is run as `bert-embed bench --json`, and every peer
runs in a fresh Python process (this script re-invoking itself with a hidden --worker mode) per thread count and
round, so no thread pool (torch's OpenMP pool, ONNX Runtime's spinning pool) outlives its measurement and competes
with the next one for the cores. The model facts (max sequence length, token count), the ONNX export and its int8
quantization (both cached in the temp directory, bert-embed-MODEL.auto.onnx and bert-embed-MODEL.auto.int8.onnx) are computed
in a worker too; this process imports neither torch nor the tokenizers.

--runs N: timed passes within one process after one warm-up pass; a process reports the median of its passes.
--repeat R: the whole round (every pipeline at every thread count) is repeated R times, interleaved (round 1 runs
all pipelines, then round 2, ...), the pipelines' order rotating by one each round. The main table reports the median
over the rounds of each pipeline's tokens/s and the ratios of those medians; the second table the min-max over the
rounds. bert-embed's peak RSS and load time are medians over the rounds too.

Cosines: each peer saves its embeddings the first time it runs (round 1, its first thread count); each bert-embed
binary's come from one `bert-embed embed --normalize` after the rounds (all cores). The reference is the first
sentence-transformers fp32 run, or, when st is not among the peers, one encode in the preparing worker.

--json-out FILE: a JSON list with one record per pipeline and thread count: pipeline (bert-embed, st, st-bf16, ort,
ort-int8), label, threads, tokens_per_s (median over the rounds), tokens_per_s_rounds, min_cosine, mean_cosine,
compute_type, cpu (model name from /proc/cpuinfo), date (UTC, start of the run), and for context weights_mb
(bert-embed only, when it reports it), model, texts, tokens, batch_size, runs.

Texts: --input FILE (one per line), default the paragraphs written by Scripts/make_corpus.py.
"""
import argparse
import datetime
import importlib.util
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_BIN = os.path.join(ROOT, ".build-native", "release", "bert-embed")

# key: (label in the tables, short name for the ratio columns, compute type, modules it needs)
PEERS = {
    "st": ("sentence-transformers", "ST", "float32", ["torch", "sentence_transformers"]),
    "st-bf16": ("sentence-transformers bf16", "ST-bf16", "bfloat16", ["torch", "sentence_transformers"]),
    "ort": ("ONNX Runtime", "ORT", "float32", ["torch", "onnx", "onnxruntime"]),
    "ort-int8": ("ONNX Runtime int8", "ORT-int8", "int8", ["torch", "onnx", "onnxruntime"]),
    "llama-f16": ("llama.cpp f16", "llama-f16", "float16", []),
    "llama-q8_0": ("llama.cpp q8_0", "llama-q8_0", "q8_0", []),
}
LLAMA_CPP_DIR = os.environ.get("LLAMA_CPP_DIR", os.path.expanduser("~/.cache/bert-embed/llama.cpp-0.3.36"))


def llama_files(model_dir, kind):
    """(llama-embedding binary, GGUF file) of peer `kind` for the model, as Scripts/setup_llama_cpp.sh lays them out."""
    name = os.path.basename(os.path.normpath(model_dir))
    return (os.path.join(LLAMA_CPP_DIR, "bin", "llama-embedding"),
            os.path.join(LLAMA_CPP_DIR, f"{name}-{kind[len('llama-'):]}.gguf"))


def load_texts(path, limit):
    if path is None:
        path = os.path.join(tempfile.gettempdir(), "bert-embed-corpus.txt")
        subprocess.run([sys.executable, os.path.join(ROOT, "Scripts", "make_corpus.py"), path], check=True)
    with open(path, encoding="utf-8") as f:
        texts = [line.rstrip("\n") for line in f if line.strip()]
    return texts[:limit] if limit else texts


def onnx_path_for(model_dir):
    """Where the fp32 export of a model is cached: the temp directory, named after the model's folder and the exporter
    (".auto": AutoModel, the model's own class; earlier exports loaded every model as a BertModel, wrong for MPNet, and
    must not be reused)."""
    name = os.path.basename(os.path.normpath(model_dir))
    return os.path.join(tempfile.gettempdir(), f"bert-embed-{name}.auto.onnx")


def int8_path(onnx_path):
    """Where the quantized model is cached: next to the fp32 export."""
    return os.path.splitext(onnx_path)[0] + ".int8.onnx"


# ---- workers: each runs in a fresh Python process (python bench_peers.py --worker ...) ----

def token_count(tokenizer, texts, max_length):
    return sum(len(ids) for ids in tokenizer(texts, truncation=True, max_length=max_length)["input_ids"])


def export_onnx(model_dir, path):
    """The model's own transformers class (AutoModel: BertModel, MPNetModel, ...) exported with the inputs it takes
    (MPNet has no token_type_ids)."""
    import inspect
    import torch
    from transformers import AutoModel
    encoder = AutoModel.from_pretrained(model_dir, attn_implementation="eager").eval()
    names = ["input_ids", "attention_mask"]
    if "token_type_ids" in inspect.signature(encoder.forward).parameters:
        names.append("token_type_ids")

    class Wrapper(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.encoder = encoder

        def forward(self, *inputs):
            return self.encoder(**dict(zip(names, inputs))).last_hidden_state

    model = Wrapper().eval()
    ids = torch.ones(2, 16, dtype=torch.long)
    partial = path + ".partial.onnx"
    with torch.no_grad():
        torch.onnx.export(
            model, (ids, torch.ones_like(ids), torch.zeros_like(ids))[:len(names)], partial, dynamo=False,
            input_names=names, output_names=["last_hidden_state"],
            dynamic_axes={n: {0: "batch", 1: "seq"} for n in names + ["last_hidden_state"]},
            opset_version=17)
    os.replace(partial, path)


def quantize_onnx(src, dst):
    """onnxruntime's dynamic quantization with its defaults (QInt8 weights, per tensor, activations per batch)."""
    from onnxruntime.quantization import QuantType, quantize_dynamic
    partial = dst + ".partial.onnx"
    quantize_dynamic(src, partial, weight_type=QuantType.QInt8)
    os.replace(partial, dst)


def worker_prep(args, texts):
    """Max sequence length and token count (sentence-transformers' settings, HF tokenizer); exports the ONNX model
    and quantizes it when an ONNX peer runs; with --save-npy, the fp32 reference embeddings."""
    from transformers import AutoTokenizer
    from sentence_transformers import SentenceTransformer
    tokenizer = AutoTokenizer.from_pretrained(args.model)
    model = SentenceTransformer(args.model, device="cpu")
    max_length = model.max_seq_length
    tokens = token_count(tokenizer, texts, max_length)
    if args.save_npy:
        np.save(args.save_npy, model.encode(texts, batch_size=args.batch_size, normalize_embeddings=True,
                                            convert_to_numpy=True))
    peers = args.peers or []
    if ("ort" in peers or "ort-int8" in peers) and not os.path.exists(args.onnx):
        export_onnx(args.model, args.onnx)
    quantized = int8_path(args.onnx)
    if "ort-int8" in peers and (not os.path.exists(quantized)
                                or os.path.getmtime(quantized) < os.path.getmtime(args.onnx)):
        quantize_onnx(args.onnx, quantized)
    return {"max_length": max_length, "tokens": tokens}


def bench_st(model_dir, texts, threads, batch, runs, bf16=False):
    import torch
    from sentence_transformers import SentenceTransformer
    torch.set_num_threads(threads)
    # transformers 5 spells it dtype (torch_dtype is its deprecated alias).
    model_kwargs = {"dtype": torch.bfloat16} if bf16 else None
    model = SentenceTransformer(model_dir, device="cpu", model_kwargs=model_kwargs)
    model.encode(texts[:batch], batch_size=batch)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        out = model.encode(texts, batch_size=batch, normalize_embeddings=True, convert_to_numpy=True)
        times.append(time.perf_counter() - start)
    return times, out


def ort_session(onnx_path, threads):
    """An ONNX Runtime CPU session on `threads` intra-op threads, every graph optimization on."""
    import onnxruntime as ort
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    return ort.InferenceSession(onnx_path, options, providers=["CPUExecutionProvider"])


def bench_ort(model_dir, onnx_path, texts, threads, batch, runs, max_length):
    from transformers import AutoTokenizer
    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    session = ort_session(onnx_path, threads)
    inputs = [i.name for i in session.get_inputs()]  # the export's: token_type_ids only where the model takes them
    order = np.argsort([-len(t) for t in texts], kind="stable")

    def run():
        results = [None] * len(texts)
        for start in range(0, len(texts), batch):
            idx = order[start:start + batch]
            enc = tokenizer([texts[i] for i in idx], padding=True, truncation=True, max_length=max_length,
                            return_tensors="np")
            feeds = {name: enc[name].astype(np.int64) for name in inputs}
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


def bench_llama(kind, model_dir, input_path, texts, threads, batch, runs):
    """llama-embedding over the texts: seconds per run less the run on the first text alone, and the vectors."""
    binary, gguf = llama_files(model_dir, kind)
    longest = max(len(t.encode("utf-8")) for t in texts)  # tokens <= bytes + 2: a context that holds any text
    context = max(2048, min(8192, longest + 8))  # also the batch: llama.cpp packs texts into it

    def run(path):
        cmd = [binary, "-m", gguf, "-f", path, "--pooling", "mean", "--embd-normalize", "2",
               "--embd-output-format", "json", "-t", str(threads), "-tb", str(threads), "-b", str(context),
               "-ub", str(context), "-c", str(context), "--no-warmup", "--no-repack"]
        # --no-repack: 0.3.36's repacking of q8_0 weights for AMX raises SIGILL on Sapphire Rapids (it prints no
        # vectors); the plain kernels run on every CPU.
        # Its log thread prints the vectors and now and then exits before printing all of them (0.3.36, seen on
        # one text in three): such a run is repeated, and only complete runs are timed.
        for _ in range(10):
            start = time.perf_counter()
            result = subprocess.run(cmd, capture_output=True, text=True)
            seconds = time.perf_counter() - start
            if result.returncode != 0:
                sys.exit(f"{' '.join(cmd)} failed ({result.returncode}):\n{result.stderr[-2000:]}")
            try:
                data = json.loads(result.stdout[result.stdout.find("{"):])["data"]
            except json.JSONDecodeError:
                continue
            vectors = [d["embedding"] for d in sorted(data, key=lambda d: d["index"])]
            return seconds, np.array(vectors, dtype=np.float64)
        sys.exit(f"{' '.join(cmd)}: its output was cut short ten times")

    one = os.path.join(os.path.dirname(os.path.abspath(input_path)), f"{kind}-one.txt")
    with open(one, "w", encoding="utf-8") as f:
        f.write(texts[0] + "\n")
    run(input_path)  # warm-up: the file cache
    times, out = [], None
    for _ in range(runs):
        whole, out = run(input_path)
        load, _ = run(one)
        times.append(max(1e-9, whole - load))
    if out.shape[0] != len(texts):
        sys.exit(f"{kind}: {out.shape[0]} vectors for {len(texts)} texts")
    return times, out


def worker_main(args):
    texts = load_texts(args.input, 0)
    if args.worker == "prep":
        result = worker_prep(args, texts)
    else:
        threads = args.threads[0]
        if args.worker in ("st", "st-bf16"):
            times, vectors = bench_st(args.model, texts, threads, args.batch_size, args.runs,
                                      bf16=args.worker == "st-bf16")
        elif args.worker.startswith("llama-"):
            times, vectors = bench_llama(args.worker, args.model, args.input, texts, threads, args.batch_size,
                                         args.runs)
        else:
            onnx_path = int8_path(args.onnx) if args.worker == "ort-int8" else args.onnx
            times, vectors = bench_ort(args.model, onnx_path, texts, threads, args.batch_size, args.runs,
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


def compute_type_args(compute_type):
    return ["--compute-type", compute_type] if compute_type else []


def bench_swift(binary, model_dir, input_path, threads, batch, runs, compute_type):
    cmd = [binary, "bench", "--model", model_dir, "--input", input_path, "--threads", str(threads),
           "--batch-size", str(batch), "--runs", str(runs), *compute_type_args(compute_type), "--json"]
    result = subprocess.run(cmd, capture_output=True, text=True)
    if result.returncode != 0:
        hint = " (does this binary know --compute-type?)" if compute_type else ""
        sys.exit(f"{' '.join(cmd)} failed ({result.returncode}){hint}:\n{result.stderr}")
    return json.loads(result.stdout)


def swift_embeddings(binary, model_dir, input_path, out, compute_type):
    cmd = [binary, "embed", "--model", model_dir, "--format", "npy", "--output", out, "--normalize",
           *compute_type_args(compute_type)]
    with open(input_path, "rb") as stdin:
        result = subprocess.run(cmd, stdin=stdin, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if result.returncode != 0:
        sys.exit(f"{' '.join(cmd)} < {input_path} failed ({result.returncode}):\n{result.stderr}")
    return np.load(out)


def parse_bins(specs):
    """[LABEL=]PATH[@TYPE]; a bare PATH is labelled "bert-embed" (or by its path when there are several bare
    paths), with "@TYPE" appended when it has a compute type. Returns (label, path, compute type or None)."""
    parsed = [split_bin(spec) for spec in specs]
    bare = sum(1 for label, _, _ in parsed if not label)
    bins = []
    for label, path, compute_type in parsed:
        if not label:
            label = ("bert-embed" if bare == 1 else path) + (f"@{compute_type}" if compute_type else "")
        if any(label == other for other, _, _ in bins):
            sys.exit(f"--bin: label {label!r} given twice")
        path = os.path.expanduser(path)
        if not (os.path.isfile(path) and os.access(path, os.X_OK)):
            sys.exit(f"--bin: {path} is not an executable file")
        bins.append((label, path, compute_type))
    return bins


def split_bin(spec):
    label, path = split_label(spec)
    head, sep, tail = path.rpartition("@")
    # PATH@TYPE, unless the whole of it names a file (a binary whose name has an @ in it).
    if sep and head and re.fullmatch(r"[A-Za-z0-9_.-]+", tail) and not os.path.isfile(os.path.expanduser(path)):
        return label, head, tail
    return label, path, None


def split_label(spec):
    label, sep, path = spec.partition("=")
    if sep and label and os.sep not in label:
        return label, path
    return None, spec


def cpu_name():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    if sys.platform == "darwin":
        result = subprocess.run(["sysctl", "-n", "machdep.cpu.brand_string"], capture_output=True, text=True)
        if result.returncode == 0 and result.stdout.strip():
            return result.stdout.strip()
    return platform.processor() or platform.machine()


def cosines(ours, reference):
    """Min and mean cosine of each row against the reference's, and the max abs difference (float64)."""
    if ours.shape != reference.shape:
        sys.exit(f"embeddings of shape {ours.shape}, the reference's {reference.shape}")
    a, b = ours.astype(np.float64), reference.astype(np.float64)
    cos = (a * b).sum(1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))
    return float(cos.min()), float(cos.mean()), float(np.abs(a - b).max())


def fmt_tps(value):
    return f"{value:,.0f} tok/s"


def fmt_opt(value, spec):
    return "-" if value is None else format(value, spec)


def median_or_none(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", required=True)
    parser.add_argument("--bin", nargs="+", default=[DEFAULT_BIN], metavar="[LABEL=]PATH[@TYPE]",
                        help="one or more bert-embed binaries (default: .build-native/release/bert-embed, "
                        "labelled bert-embed); @TYPE passes --compute-type TYPE to it")
    parser.add_argument("--peers", nargs="*", choices=list(PEERS), metavar="PEER",
                        help=f"peer pipelines to run, any of {', '.join(PEERS)} (default: all whose Python "
                        "packages are installed); none: the bert-embed binaries only")
    parser.add_argument("--input")
    parser.add_argument("--limit", type=int, default=0, help="use only the first N texts")
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--runs", type=int, default=3, help="timed passes per process, median (default 3)")
    parser.add_argument("--repeat", type=int, default=3,
                        help="rounds of every pipeline at every thread count, median over rounds (default 3)")
    parser.add_argument("--json-out", metavar="FILE", help="also write every measurement to FILE as JSON")
    # Hidden: the worker processes.
    parser.add_argument("--worker", choices=["prep", *PEERS], help=argparse.SUPPRESS)
    parser.add_argument("--worker-out", help=argparse.SUPPRESS)
    parser.add_argument("--onnx", help=argparse.SUPPRESS)
    parser.add_argument("--max-length", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--save-npy", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        return worker_main(args)
    if args.repeat < 1 or args.runs < 1:
        parser.error("--repeat and --runs must be at least 1")

    def missing(key):
        if key.startswith("llama-"):
            absent = [path for path in llama_files(os.path.expanduser(args.model), key) if not os.path.exists(path)]
            return [f"{', '.join(absent)} (Scripts/setup_llama_cpp.sh MODEL)"] if absent else []
        return [m for m in PEERS[key][3] if importlib.util.find_spec(m) is None]
    for module in ("torch", "transformers", "sentence_transformers"):  # the preparing worker and the reference
        if importlib.util.find_spec(module) is None:
            sys.exit(f"{module} is not installed (Scripts/setup_venv.sh, then run with .venv/bin/python)")
    if args.peers is None:
        peers = [key for key in PEERS if not missing(key)]
        for key in PEERS:
            if missing(key):
                print(f"skipping {key}: {', '.join(missing(key))} not installed", file=sys.stderr)
    else:
        peers = list(dict.fromkeys(args.peers))
        for key in peers:
            if missing(key):
                sys.exit(f"--peers {key}: {', '.join(missing(key))} not installed")
    args.peers = peers

    bins = parse_bins(args.bin)
    for label, _, _ in bins:
        if label in (PEERS[key][0] for key in peers):
            sys.exit(f"--bin: label {label!r} is a peer's")
    args.model = os.path.expanduser(args.model)
    texts = load_texts(args.input, args.limit)
    args.onnx = onnx_path_for(args.model)
    date = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
    cpu = cpu_name()

    with tempfile.TemporaryDirectory(prefix="bench-peers-") as tmp:
        input_path = os.path.join(tmp, "input.txt")
        with open(input_path, "w", encoding="utf-8") as f:
            f.write("\n".join(texts) + "\n")
        reference_npy = os.path.join(tmp, "st.npy")  # sentence-transformers fp32
        prep_extra = ["--peers", *peers] + ([] if "st" in peers else ["--save-npy", reference_npy])
        prep = run_worker("prep", args, input_path, tmp, extra=prep_extra)
        tokens, max_length = prep["tokens"], prep["max_length"]

        print(f"machine: {cpu}, {platform.machine()}, {os.cpu_count()} cores")
        print(f"model: {args.model}; {len(texts)} texts, {tokens} tokens (mean {tokens / len(texts):.1f}, "
              f"max length {max_length}); batch {args.batch_size}; median of {args.repeat} rounds, "
              f"each the median of {args.runs} runs in a fresh process")
        for label, path, compute_type in bins:
            print(f"{label}: {path}" + (f" --compute-type {compute_type}" if compute_type else ""))
        sys.stdout.flush()

        # pipelines: dicts with name (the label), kind ("swift" or a peer key), path and compute type
        pipelines = [{"name": label, "kind": "swift", "path": path, "compute_type": compute_type}
                     for label, path, compute_type in bins]
        pipelines += [{"name": PEERS[key][0], "kind": key, "path": None, "compute_type": PEERS[key][2]}
                      for key in peers]
        tps = {(p["name"], t): [] for p in pipelines for t in args.threads}
        swift_info = {(label, t): [] for label, _, _ in bins for t in args.threads}
        npy = {p["name"]: os.path.join(tmp, f"{p['kind']}.npy" if p["kind"] != "swift" else f"bin{i}.npy")
               for i, p in enumerate(pipelines)}

        for rnd in range(args.repeat):
            shift = rnd % len(pipelines)
            order = pipelines[shift:] + pipelines[:shift]
            for threads in args.threads:
                for p in order:
                    name, kind = p["name"], p["kind"]
                    print(f"round {rnd + 1}/{args.repeat}, {threads} thread(s): {name}", file=sys.stderr, flush=True)
                    if kind == "swift":
                        result = bench_swift(p["path"], args.model, input_path, threads, args.batch_size, args.runs,
                                             p["compute_type"])
                        tps[name, threads].append(result["tokens_per_s"])
                        swift_info[name, threads].append(result)
                        continue
                    extra = []
                    if not os.path.exists(npy[name]):
                        extra += ["--save-npy", npy[name]]
                    if kind in ("ort", "ort-int8"):
                        extra += ["--max-length", str(max_length)]
                    result = run_worker(kind, args, input_path, tmp, threads, extra)
                    tps[name, threads].append(tokens / result["seconds"])

        for p in pipelines:
            if p["kind"] == "swift":
                swift_embeddings(p["path"], args.model, input_path, npy[p["name"]], p["compute_type"])
        reference = np.load(reference_npy)
        cos = {p["name"]: cosines(np.load(npy[p["name"]]), reference) for p in pipelines}

    med = {key: statistics.median(values) for key, values in tps.items()}
    for p in pipelines:
        if p["kind"] == "swift":
            results = [r for t in args.threads for r in swift_info[p["name"], t]]
            # A binary without --compute-type computes in float32.
            reported = {r["compute_type"] for r in results if r.get("compute_type")}
            p["compute_type"] = "/".join(sorted(reported)) or p["compute_type"] or "float32"
            p["weights_mb"] = median_or_none(r.get("weights_mb") for r in results)
        else:
            p["weights_mb"] = None
    ratio_refs = [(PEERS[key][0], PEERS[key][1]) for key in ("st", "ort") if key in peers]
    show_weights = any(p["weights_mb"] is not None for p in pipelines)

    header = ["threads", "pipeline", "compute", "tokens/s"] + [f"vs {short}" for _, short in ratio_refs]
    header += ["min cosine", "mean cosine"] + (["weights"] if show_weights else [])
    header += ["peak RSS encoding / loading", "load time"]
    print()
    print("| " + " | ".join(header) + " |")
    print("|" + " --- |" * len(header))
    for threads in args.threads:
        for p in pipelines:
            name = p["name"]
            cells = [str(threads), name, p["compute_type"], fmt_tps(med[name, threads])]
            cells += [f"{med[name, threads] / med[ref, threads]:.2f}x" for ref, _ in ratio_refs]
            cells += [f"{cos[name][0]:.7f}", f"{cos[name][1]:.7f}"]
            if show_weights:
                cells.append(fmt_opt(p["weights_mb"], ".0f") + (" MB" if p["weights_mb"] is not None else ""))
            if p["kind"] == "swift":
                results = swift_info[name, threads]
                cells += [f"{fmt_opt(median_or_none(r.get('encode_peak_rss_mb') for r in results), '.0f')} / "
                          f"{fmt_opt(median_or_none(r.get('load_peak_rss_mb') for r in results), '.0f')} MB",
                          f"{fmt_opt(median_or_none(r.get('load_ms') for r in results), '.0f')} ms"]
            else:
                cells += ["-", "-"]
            print("| " + " | ".join(cells) + " |")

    print()
    print(f"tokens/s over {args.repeat} rounds: min-max (spread = (max - min) / median)")
    print()
    print("| " + " | ".join(["pipeline"] + [f"{t} thread{'s' if t != 1 else ''}" for t in args.threads]) + " |")
    print("|" + " --- |" * (len(args.threads) + 1))
    for p in pipelines:
        cells = [p["name"]]
        for threads in args.threads:
            values = tps[p["name"], threads]
            lo, hi = min(values), max(values)
            cells.append(f"{lo:,.0f}-{hi:,.0f} ({(hi - lo) / med[p['name'], threads]:.1%})")
        print("| " + " | ".join(cells) + " |")

    notes = []
    for label, _, _ in bins:
        counted = {r["tokens"] for runs in (swift_info[label, t] for t in args.threads) for r in runs}
        if counted != {tokens}:
            notes.append(f"warning: {label} counted {', '.join(map(str, sorted(counted)))} tokens, "
                         f"the HF tokenizer {tokens}")
    reference_note = ("its first run" if "st" in peers else "one encode in the preparing worker")
    notes.append(f"cosines against sentence-transformers fp32 ({reference_note}); max abs difference: " +
                 ", ".join(f"{p['name']} {cos[p['name']][2]:.1e}" for p in pipelines))
    print()
    print("\n".join(notes))

    if args.json_out:
        records = []
        for threads in args.threads:
            for p in pipelines:
                name = p["name"]
                records.append({
                    "pipeline": "bert-embed" if p["kind"] == "swift" else p["kind"],
                    "label": name,
                    "threads": threads,
                    "tokens_per_s": med[name, threads],
                    "tokens_per_s_rounds": tps[name, threads],
                    "min_cosine": cos[name][0],
                    "mean_cosine": cos[name][1],
                    "compute_type": p["compute_type"],
                    "cpu": cpu,
                    "date": date,
                    "weights_mb": p["weights_mb"],
                    "model": args.model,
                    "texts": len(texts),
                    "tokens": tokens,
                    "batch_size": args.batch_size,
                    "runs": args.runs,
                })
        with open(args.json_out, "w") as f:
            json.dump(records, f, indent=1)
            f.write("\n")
        print(f"wrote {len(records)} records to {args.json_out}", file=sys.stderr)


if __name__ == "__main__":
    main()
