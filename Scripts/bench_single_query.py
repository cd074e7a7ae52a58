#!/usr/bin/env python3
"""Single-query latency, side by side: bert-embed (each compute type) and ONNX Runtime fp32 / int8 on one short text.

Each pipeline embeds the same text end to end (tokenize, encode, mean-pool, normalize) --runs times after one warm-up
run; the median wall time per query is reported, for each thread count, in rounds that alternate the pipelines.
bert-embed is timed by its own `bench --runs N --json` (1 / sentences_per_s: the median encode of the one text); ONNX Runtime in this
process, on the export and dynamic quantization that Scripts/bench_peers.py makes (cached in the temp directory:
run bench_peers.py with --peers ort ort-int8 once first); llama.cpp (--llama-server BIN --gguf F ...) through its
HTTP server (`llama-server --embeddings --pooling mean -np 1`, one slot, its fastest route for one query), timed
from this process over one kept-alive connection, so the HTTP round trip is included.

  .venv/bin/python Scripts/bench_single_query.py --model ~/.cache/bert-embed/all-MiniLM-L6-v2 \\
      --bin .build/release/bert-embed --types float32 int8 --threads 1 2 --rounds 2
"""
import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import tempfile
import time

import numpy as np

QUERY = "How do I bake bread at home?"


def median_ms(run, runs):
    """The median wall time of `runs` calls of `run` after one warm-up call, in milliseconds."""
    run()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def bert_embed_ms(binary, model, compute_type, threads, runs, query_file):
    output = subprocess.run(
        [binary, "bench", "--model", model, "--input", query_file, "--threads", str(threads), "--compute-type",
         compute_type, "--runs", str(runs), "--json"], check=True, capture_output=True, text=True).stdout
    return 1000 / json.loads(output)["sentences_per_s"]  # one text per run (encode_s_median has 2 decimals)


def ort_ms(model, onnx_path, threads, runs):
    from transformers import AutoTokenizer
    from bench_peers import ort_session  # Scripts/ is this script's directory, first on sys.path
    tokenizer = AutoTokenizer.from_pretrained(model)
    session = ort_session(onnx_path, threads)
    inputs = [i.name for i in session.get_inputs()]  # token_type_ids only where the model takes them

    def run():
        enc = tokenizer([QUERY], truncation=True, return_tensors="np")
        feeds = {name: enc[name].astype(np.int64) for name in inputs}
        hidden = session.run(None, feeds)[0]
        mask = enc["attention_mask"][..., None].astype(np.float32)
        pooled = (hidden * mask).sum(1) / np.clip(mask.sum(1), 1e-9, None)
        return pooled / np.linalg.norm(pooled, axis=1, keepdims=True)

    return median_ms(run, runs)


def llama_server_ms(server, gguf, threads, runs):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen(
        [server, "-m", gguf, "--embeddings", "--pooling", "mean", "-np", "1", "-t", str(threads), "-tb",
         str(threads), "--host", "127.0.0.1", "--port", str(port), "--no-repack"],  # AMX repacking: SIGILL (0.3.36)
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        body = json.dumps({"content": QUERY})
        for _ in range(300):  # wait for the model to load
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                connection.request("GET", "/health")
                if connection.getresponse().status == 200:
                    break
            except OSError:
                pass
            time.sleep(0.1)
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

        def run():
            connection.request("POST", "/embedding", body, {"Content-Type": "application/json"})
            response = connection.getresponse()
            data = response.read()
            if response.status != 200:
                raise RuntimeError(f"llama-server answered {response.status}: {data[:200]!r}")

        return median_ms(run, runs)
    finally:
        process.terminate()
        process.wait()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", required=True)
    parser.add_argument("--bin", default=".build/release/bert-embed")
    parser.add_argument("--types", nargs="+", default=["float32", "bfloat16", "int8"])
    parser.add_argument("--threads", nargs="+", type=int, default=[1, 2])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--llama-server", help="llama.cpp's llama-server (Scripts/setup_llama_cpp.sh builds it)")
    parser.add_argument("--gguf", nargs="*", default=[], help="GGUF files for --llama-server (f16, q8_0)")
    args = parser.parse_args()
    name = os.path.basename(os.path.normpath(args.model))
    from bench_peers import int8_path as quantized_path, onnx_path_for
    onnx_path = onnx_path_for(args.model)
    int8_path = quantized_path(onnx_path)
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
        f.write(QUERY + "\n")
        query_file = f.name
    pipelines = [(f"bert-embed {t}", lambda threads, t=t: bert_embed_ms(
        args.bin, args.model, t, threads, args.runs, query_file)) for t in args.types]
    for label, path in (("ONNX Runtime fp32", onnx_path), ("ONNX Runtime int8", int8_path)):
        if os.path.exists(path):
            pipelines.append((label, lambda threads, path=path: ort_ms(args.model, path, threads, args.runs)))
        else:
            print(f"{label}: {path} missing (run Scripts/bench_peers.py --peers ort ort-int8 first)")
    for gguf in args.gguf if args.llama_server else []:
        label = "llama.cpp " + os.path.splitext(os.path.basename(gguf))[0].rsplit("-", 1)[-1] + " (llama-server)"
        pipelines.append((label, lambda threads, gguf=gguf: llama_server_ms(args.llama_server, gguf, threads, args.runs)))
    results = {}
    for round_index in range(args.rounds):
        for threads in args.threads:
            for label, measure in pipelines:
                results.setdefault((label, threads), []).append(measure(threads))
                print(f"round {round_index + 1}: {label}, {threads} thread(s): "
                      f"{results[(label, threads)][-1]:.2f} ms", flush=True)
    os.unlink(query_file)
    print(f"\n{name}, \"{QUERY}\", median of {args.runs} queries, min-max over {args.rounds} rounds (ms)\n")
    print("| pipeline | " + " | ".join(f"{t} thread{'s' if t > 1 else ''}" for t in args.threads) + " |")
    print("| --- |" + " --- |" * len(args.threads))
    for label, _ in pipelines:
        cells = []
        for threads in args.threads:
            values = results[(label, threads)]
            cells.append(f"{min(values):.2f}-{max(values):.2f}")
        print(f"| {label} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
