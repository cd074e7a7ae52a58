#!/usr/bin/env python3
"""Side-by-side reranking benchmark: `bert-embed rerank` against sentence-transformers' CrossEncoder.rank, on the same
query and documents, at the same thread count, on the same machine in the same run.

The model: a cross-encoder of the exact shape of cross-encoder/ms-marco-MiniLM-L-6-v2 (BertForSequenceClassification,
6 layers, width 384, one label, sigmoid scores) built by Scripts/make_bench_cross_encoder.py from the real
all-MiniLM-L6-v2 weights and a seeded random classifier (no real reranker checkpoint is reachable offline; the speed of
a model of this shape does not depend on its weights). The full run:

  Scripts/setup_venv.sh
  Scripts/fetch_model.sh all-MiniLM-L6-v2
  .venv/bin/python Scripts/make_bench_cross_encoder.py        # -> ~/.cache/bert-embed/bench-cross-encoder-minilm
  swift build -c release
  .venv/bin/python Scripts/bench_rerank.py --bin .build/release/bert-embed --threads 1 2 --runs 1 --repeat 3 \\
      --json-out rerank.json

Its length: sentence-transformers scores about 18 documents/s at one thread on a 2-core AMD EPYC (pairs of ~88
tokens), so one pass of 3 queries x 1,000 documents takes ~3 minutes there; the run above (3 rounds, threads 1 and 2,
both pipelines, one pass each) roughly 30-40 minutes. --runs 3 triples it; --queries 1 divides it by three.

Several binaries, and reduced precision, as in Scripts/bench_peers.py: each --bin is [LABEL=]PATH[@TYPE], @TYPE passing
`--compute-type TYPE` (float32 or bfloat16):

  .venv/bin/python Scripts/bench_rerank.py --bin fp32=.build/release/bert-embed@float32 \\
      bf16=.build/release/bert-embed@bfloat16 --threads 1 2

Documents: the first --documents N (default 1,000) paragraphs of --input (one per line; default the corpus written by
`python3 Scripts/make_corpus.py /tmp/bert-embed-corpus.txt`, made when missing). Queries: the first --queries K
(default 3) of the fixed natural questions in QUERIES. Every query is reranked against all N documents.

The pipelines, each measured in its own fresh process per thread count and round (no thread pool outlives its
measurement; OMP_NUM_THREADS, MKL_NUM_THREADS and RAYON_NUM_THREADS (the Rust tokenizer's batch pool) are set to the
thread count for every process, and the Python worker also calls torch.set_num_threads):

  sentence-transformers  a worker process (this script re-invoking itself with a hidden --worker mode) times
                         CrossEncoder(model, device="cpu") (load, imports excluded), one warm-up
                         rank(query, documents[:batch size]), then --runs passes, each rank(query, documents,
                         batch_size=B) for every query; the median pass is its scoring time (model loaded once,
                         excluded). With load: the load time plus the scoring time of one query.
  bert-embed             `bert-embed rerank --model DIR --query Q --json --quiet --threads T --batch-size B
                         < documents` timed as a whole process (start, load, scoring, printing), --runs times per query,
                         median; and the same command on the first document alone, whose time is the process's fixed
                         cost (start, load, one pair). Scoring time: total minus the one-document run, for N - 1
                         documents. With load: the whole command on the N documents.

documents/s = documents x queries / scoring time summed over the queries (bert-embed: (N - 1) x queries); tokens/s the
same with the pairs' tokens as CrossEncoder tokenizes them (query and document together, truncated at its max length,
no padding; bert-embed: without the first document's pairs). --repeat R rounds, interleaved (round 1 runs every
pipeline at every thread count, then round 2, ...), the pipelines' order rotating by one each round; the table reports
the medians over the rounds, then the spread.

Correctness, per query: bert-embed's ranking (the first full run of each binary) against sentence-transformers' (its
first worker): the top-10 corpus indices identical ("yes"; "no (near-tie)" when they differ only where
sentence-transformers' own scores are within 1e-5 of each other), and the max absolute score difference over all the
documents.

--json-out FILE: a JSON list, one record per pipeline and thread count: pipeline (bert-embed or st), label, threads,
compute_type, documents_per_s (median over the rounds) and documents_per_s_rounds, tokens_per_s, scoring_s (per query),
load_s (sentence-transformers: CrossEncoder construction; bert-embed: the one-document run), total_s_with_load (per
query), speedup_vs_st, speedup_with_load_vs_st, top10_equal, max_abs_score_diff, and for context import_s
(sentence-transformers: importing torch and sentence_transformers), cpu, date, model, documents, queries, tokens,
max_length, batch_size, runs.
"""
import argparse
import datetime
import importlib.util
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time

SCRIPTS = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(SCRIPTS)
sys.path.insert(0, SCRIPTS)
from bench_peers import compute_type_args, cpu_name, parse_bins  # noqa: E402

DEFAULT_BIN = os.path.join(ROOT, ".build", "release", "bert-embed")
DEFAULT_MODEL = os.path.join("~", ".cache", "bert-embed", "bench-cross-encoder-minilm")
DEFAULT_INPUT = "/tmp/bert-embed-corpus.txt"
ST_LABEL = "sentence-transformers"
TOP = 10
TIE = 1e-5
QUERIES = [
    "How do I read a text file line by line?",
    "What happens when an exception is raised inside a with statement?",
    "When are the default values of function arguments evaluated?",
    "How can I sort a list of dictionaries by one of their keys?",
    "What is the difference between a list and a tuple?",
]


def load_documents(path, limit):
    if path is None:
        path = DEFAULT_INPUT
        if not os.path.exists(path):
            subprocess.run([sys.executable, os.path.join(SCRIPTS, "make_corpus.py"), path], check=True,
                           stdout=sys.stderr)
    with open(path, encoding="utf-8", newline="\n") as f:
        documents = [line.rstrip("\n").rstrip("\r") for line in f if line.strip()]
    if len(documents) < limit:
        sys.exit(f"{path}: {len(documents)} paragraphs, --documents {limit} wanted")
    return documents[:limit]


def thread_env(threads):
    env = dict(os.environ)
    for name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "RAYON_NUM_THREADS"):
        env[name] = str(threads)
    return env


# ---- workers: each runs in a fresh Python process (python bench_rerank.py --worker ...) ----

def worker_main(args):
    start = time.perf_counter()
    import numpy as np
    import torch
    from sentence_transformers import CrossEncoder
    import_s = time.perf_counter() - start
    with open(args.docs, encoding="utf-8", newline="\n") as f:
        documents = [line.rstrip("\n") for line in f]
    with open(args.queries_file, encoding="utf-8") as f:
        queries = json.load(f)
    if args.threads:
        torch.set_num_threads(args.threads[0])

    start = time.perf_counter()
    model = CrossEncoder(args.model, device="cpu")
    load_s = time.perf_counter() - start

    if args.worker == "prep":
        # What CrossEncoder feeds the model: each pair tokenized together, truncated at max_seq_length.
        tokens, tokens_first = [], []
        for query in queries:
            count = 0
            for i in range(0, len(documents), args.batch_size):
                features = model.preprocess([[query, d] for d in documents[i:i + args.batch_size]])
                count += int(features["attention_mask"].sum())
            tokens.append(count)
            tokens_first.append(int(model.preprocess([[query, documents[0]]])["attention_mask"].sum()))
        longest = max(len(model.tokenizer(q, d)["input_ids"]) for q in queries for d in documents)
        result = {"tokens": tokens, "tokens_first": tokens_first, "max_length": model.max_seq_length,
                  "longest_pair": longest,
                  "activation": type(model.activation_fn).__name__, "tokenizer": type(model.tokenizer).__name__,
                  "attn_implementation": getattr(model.model.config, "_attn_implementation", None),
                  "torch": torch.__version__, "num_threads": torch.get_num_threads()}
    else:
        model.rank(queries[0], documents[:args.batch_size], batch_size=args.batch_size, show_progress_bar=False)
        passes, ranked = [], None
        for _ in range(args.runs):
            times, results = [], []
            for query in queries:
                start = time.perf_counter()
                results.append(model.rank(query, documents, batch_size=args.batch_size, show_progress_bar=False))
                times.append(time.perf_counter() - start)
            passes.append(times)
            ranked = ranked or results
        middle = sorted(range(len(passes)), key=lambda i: sum(passes[i]))[(len(passes) - 1) // 2]
        result = {"scoring_s": passes[middle], "passes": passes, "load_s": load_s, "import_s": import_s,
                  "num_threads": torch.get_num_threads()}
        if args.save_scores:
            scores = np.zeros((len(queries), len(documents)), dtype=np.float64)
            for q, hits in enumerate(ranked):
                for hit in hits:
                    scores[q, hit["corpus_id"]] = hit["score"]
            result["scores"] = scores.tolist()
            result["order"] = [[hit["corpus_id"] for hit in hits] for hits in ranked]
    with open(args.worker_out, "w") as f:
        json.dump(result, f)


# ---- the parent: runs the workers and the bert-embed binaries, prints the tables ----

def run_worker(kind, args, paths, threads, save_scores=False):
    out = os.path.join(paths["tmp"], f"worker-{kind}.json")
    cmd = [sys.executable, os.path.abspath(__file__), "--worker", kind, "--worker-out", out, "--model", args.model,
           "--docs", paths["docs"], "--queries-file", paths["queries"], "--batch-size", str(args.batch_size),
           "--runs", str(args.runs), "--threads", str(threads)]
    if save_scores:
        cmd.append("--save-scores")
    # The worker's stdout goes to stderr: this process's stdout is only the report.
    subprocess.run(cmd, check=True, stdout=sys.stderr, env=thread_env(threads))
    with open(out) as f:
        return json.load(f)


def rerank_command(binary, args, query, threads, compute_type):
    return [binary, "rerank", "--model", args.model, "--query", query, "--json", "--quiet", "--threads",
            str(threads), "--batch-size", str(args.batch_size), *compute_type_args(compute_type)]


def timed_rerank(cmd, docs_path, threads):
    with open(docs_path, "rb") as stdin:
        start = time.perf_counter()
        result = subprocess.run(cmd, stdin=stdin, capture_output=True, env=thread_env(threads))
        seconds = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit(f"{' '.join(cmd)} < {docs_path} failed ({result.returncode}):\n{result.stderr.decode()}")
    return seconds, result.stdout


def parse_ranking(stdout, documents, cmd):
    hits = [json.loads(line) for line in stdout.decode("utf-8").splitlines() if line.strip()]
    order = [hit["index"] for hit in hits]
    if sorted(order) != list(range(len(documents))):
        sys.exit(f"{' '.join(cmd)}: {len(hits)} results, not a ranking of the {len(documents)} documents")
    for hit in hits:
        if hit["text"] != documents[hit["index"]]:
            sys.exit(f"{' '.join(cmd)}: document {hit['index']} read back as {hit['text'][:80]!r}")
    scores = [0.0] * len(documents)
    for hit in hits:
        scores[hit["index"]] = float(hit["score"])
    return order, scores


def bench_swift(binary, args, queries, paths, threads, compute_type, documents, keep):
    """Per query: the median over --runs of the whole command on every document and on the first one alone.
    keep: a dict to receive the first full run's ranking per query."""
    full, single = [], []
    for q, query in enumerate(queries):
        cmd = rerank_command(binary, args, query, threads, compute_type)
        totals, ones = [], []
        for _ in range(args.runs):
            seconds, stdout = timed_rerank(cmd, paths["docs"], threads)
            totals.append(seconds)
            if q not in keep:
                keep[q] = parse_ranking(stdout, documents, cmd)
            ones.append(timed_rerank(cmd, paths["one"], threads)[0])
        full.append(statistics.median(totals))
        single.append(statistics.median(ones))
    return full, single


def compare(order, scores, reference_order, reference_scores):
    """("yes" | "no (near-tie)" | "no", max abs score difference) of one query's ranking against the reference."""
    diff = max(abs(a - b) for a, b in zip(scores, reference_scores))
    top, ref_top = order[:TOP], reference_order[:TOP]
    if top == ref_top:
        return "yes", diff
    # Where the orders part, are the reference's scores of the documents involved within TIE of each other?
    first = next(i for i, (a, b) in enumerate(zip(top, ref_top)) if a != b)
    involved = set(top[first:]) | set(ref_top[first:])
    values = [reference_scores[i] for i in involved]
    boundary = reference_scores[reference_order[TOP - 1]] if len(reference_order) >= TOP else None
    near = max(values) - min(values) <= TIE or (boundary is not None and all(abs(v - boundary) <= TIE for v in values))
    return ("no (near-tie)" if near else "no"), diff


def fmt_seconds(value):
    return f"{value:.3f} s" if value < 10 else f"{value:.2f} s"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", default=DEFAULT_MODEL,
                        help="a cross-encoder folder (default ~/.cache/bert-embed/bench-cross-encoder-minilm, made "
                        "by Scripts/make_bench_cross_encoder.py)")
    parser.add_argument("--bin", nargs="+", default=[DEFAULT_BIN], metavar="[LABEL=]PATH[@TYPE]",
                        help="one or more bert-embed binaries (default: .build/release/bert-embed, labelled "
                        "bert-embed); @TYPE passes --compute-type TYPE to it")
    parser.add_argument("--input", help=f"documents, one per line (default {DEFAULT_INPUT}, from make_corpus.py)")
    parser.add_argument("--documents", type=int, default=1000, help="the first N paragraphs (default 1000)")
    parser.add_argument("--queries", type=int, default=3, help=f"the first K of the {len(QUERIES)} fixed queries "
                        "(default 3)")
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--batch-size", type=int, default=32, help="pairs per forward pass, both pipelines "
                        "(default 32: both defaults)")
    parser.add_argument("--runs", type=int, default=1, help="timed passes per process (sentence-transformers) or "
                        "invocations per query (bert-embed), median (default 1: a pass of 1,000 documents is long)")
    parser.add_argument("--repeat", type=int, default=3, help="rounds, interleaved, median over rounds (default 3)")
    parser.add_argument("--json-out", metavar="FILE", help="also write every measurement to FILE as JSON")
    # Hidden: the worker processes.
    parser.add_argument("--worker", choices=["prep", "st"], help=argparse.SUPPRESS)
    parser.add_argument("--worker-out", help=argparse.SUPPRESS)
    parser.add_argument("--docs", help=argparse.SUPPRESS)
    parser.add_argument("--queries-file", help=argparse.SUPPRESS)
    parser.add_argument("--save-scores", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.model = os.path.expanduser(args.model)
    if args.worker:
        return worker_main(args)
    if args.repeat < 1 or args.runs < 1 or args.documents < 2 or args.batch_size < 1:
        parser.error("--repeat, --runs and --batch-size must be at least 1, --documents at least 2")
    if not 1 <= args.queries <= len(QUERIES):
        parser.error(f"--queries: 1 to {len(QUERIES)}")
    for module in ("torch", "transformers", "sentence_transformers"):
        if importlib.util.find_spec(module) is None:
            sys.exit(f"{module} is not installed (Scripts/setup_venv.sh, then run with .venv/bin/python)")
    if not os.path.isfile(os.path.join(args.model, "config.json")):
        sys.exit(f"{args.model}: no config.json (.venv/bin/python Scripts/make_bench_cross_encoder.py)")
    bins = parse_bins(args.bin)
    if any(label == ST_LABEL for label, _, _ in bins):
        sys.exit(f"--bin: label {ST_LABEL!r} is the peer's")
    for label, path, _ in bins:
        if subprocess.run([path, "rerank", "--help"], capture_output=True).returncode != 0:
            sys.exit(f"--bin {label}: {path} has no rerank command (an older build?)")
    documents = load_documents(args.input, args.documents)
    queries = QUERIES[:args.queries]
    n = len(documents)
    date = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")
    cpu = cpu_name()

    with tempfile.TemporaryDirectory(prefix="bench-rerank-") as tmp:
        paths = {"tmp": tmp, "docs": os.path.join(tmp, "documents.txt"), "one": os.path.join(tmp, "one.txt"),
                 "queries": os.path.join(tmp, "queries.json")}
        with open(paths["docs"], "w", encoding="utf-8", newline="\n") as f:
            f.write("\n".join(documents) + "\n")
        with open(paths["one"], "w", encoding="utf-8", newline="\n") as f:
            f.write(documents[0] + "\n")
        with open(paths["queries"], "w", encoding="utf-8") as f:
            json.dump(queries, f)
        prep = run_worker("prep", args, paths, max(args.threads))
        tokens = sum(prep["tokens"])

        print(f"machine: {cpu}, {platform.machine()}, {os.cpu_count()} cores")
        print(f"model: {args.model} (CrossEncoder: max length {prep['max_length']}, activation {prep['activation']}, "
              f"{prep['tokenizer']}, attention {prep['attn_implementation']}, torch {prep['torch']})")
        print(f"{n} documents x {len(queries)} quer{'y' if len(queries) == 1 else 'ies'}: {tokens} pair tokens "
              f"(mean {tokens / (n * len(queries)):.1f} per pair, longest pair {prep['longest_pair']}); "
              f"batch {args.batch_size}; median of {args.repeat} rounds, each the median of {args.runs} runs")
        for q, query in enumerate(queries):
            print(f"query {q + 1}: {query!r} ({prep['tokens'][q]} tokens)")
        for label, path, compute_type in bins:
            print(f"{label}: {path}" + (f" --compute-type {compute_type}" if compute_type else ""))
        sys.stdout.flush()

        # compute_arg: the --compute-type passed (None: none, the binary's default float32)
        pipelines = [{"name": label, "kind": "swift", "path": path, "compute_arg": compute_type,
                      "compute_type": compute_type or "float32"} for label, path, compute_type in bins]
        pipelines.append({"name": ST_LABEL, "kind": "st", "path": None, "compute_arg": None, "compute_type": "float32"})
        # per (name, threads): a list over rounds of dicts scoring_s (summed over queries), load_s, total_s (per query)
        rounds = {(p["name"], t): [] for p in pipelines for t in args.threads}
        rankings = {p["name"]: {} for p in pipelines}  # name -> query -> (order, scores)
        import_s = []

        for rnd in range(args.repeat):
            shift = rnd % len(pipelines)
            order = pipelines[shift:] + pipelines[:shift]
            for threads in args.threads:
                for p in order:
                    name = p["name"]
                    print(f"round {rnd + 1}/{args.repeat}, {threads} thread(s): {name}", file=sys.stderr, flush=True)
                    if p["kind"] == "swift":
                        full, single = bench_swift(p["path"], args, queries, paths, threads, p["compute_arg"],
                                                   documents, rankings[name])
                        scoring = sum(f - s for f, s in zip(full, single))
                        rounds[name, threads].append({
                            "scoring_s": scoring, "documents_per_s": (n - 1) * len(queries) / scoring,
                            "tokens_per_s": (tokens - sum(prep["tokens_first"])) / scoring,
                            "load_s": statistics.mean(single), "total_s": statistics.mean(full)})
                    else:
                        save = not rankings[name]
                        result = run_worker("st", args, paths, threads, save_scores=save)
                        if save:
                            for q in range(len(queries)):
                                rankings[name][q] = (result["order"][q], result["scores"][q])
                        scoring = sum(result["scoring_s"])
                        import_s.append(result["import_s"])
                        rounds[name, threads].append({
                            "scoring_s": scoring, "documents_per_s": n * len(queries) / scoring,
                            "tokens_per_s": tokens / scoring, "load_s": result["load_s"],
                            "total_s": result["load_s"] + scoring / len(queries)})

    reference = rankings[ST_LABEL]
    checks = {}
    for p in pipelines:
        if p["kind"] == "swift":
            per_query = [compare(*rankings[p["name"]][q], *reference[q]) for q in range(len(queries))]
            equal = "yes" if all(e == "yes" for e, _ in per_query) else \
                "no" if any(e == "no" for e, _ in per_query) else "no (near-tie)"
            checks[p["name"]] = (equal, max(d for _, d in per_query), per_query)
        else:
            checks[p["name"]] = ("(reference)", None, [])

    def med(name, threads, key):
        return statistics.median(r[key] for r in rounds[name, threads])

    header = ["threads", "pipeline", "compute", "documents/s (scoring)", "tokens/s", "scoring s/query",
              "load", "total s/query with load", "vs ST (scoring)", "vs ST (with load)", "top-10 equal",
              "max abs score diff"]
    print()
    print("| " + " | ".join(header) + " |")
    print("|" + " --- |" * len(header))
    records = []
    for threads in args.threads:
        st_dps, st_total = med(ST_LABEL, threads, "documents_per_s"), med(ST_LABEL, threads, "total_s")
        for p in pipelines:
            name = p["name"]
            dps, total = med(name, threads, "documents_per_s"), med(name, threads, "total_s")
            equal, diff, _ = checks[name]
            cells = [str(threads), name, p["compute_type"], f"{dps:,.1f}", f"{med(name, threads, 'tokens_per_s'):,.0f}",
                     fmt_seconds(med(name, threads, "scoring_s") / len(queries)),
                     fmt_seconds(med(name, threads, "load_s")), fmt_seconds(total), f"{dps / st_dps:.2f}x",
                     f"{st_total / total:.2f}x", equal, "-" if diff is None else f"{diff:.1e}"]
            print("| " + " | ".join(cells) + " |")
            records.append({
                "pipeline": "bert-embed" if p["kind"] == "swift" else "st", "label": name, "threads": threads,
                "compute_type": p["compute_type"], "documents_per_s": dps,
                "documents_per_s_rounds": [r["documents_per_s"] for r in rounds[name, threads]],
                "tokens_per_s": med(name, threads, "tokens_per_s"),
                "scoring_s": med(name, threads, "scoring_s") / len(queries), "load_s": med(name, threads, "load_s"),
                "total_s_with_load": total, "speedup_vs_st": dps / st_dps, "speedup_with_load_vs_st": st_total / total,
                "top10_equal": equal, "max_abs_score_diff": diff,
                "import_s": statistics.median(import_s) if p["kind"] == "st" else None,
                "cpu": cpu, "date": date, "model": args.model, "documents": n, "queries": len(queries),
                "tokens": tokens, "max_length": prep["max_length"], "batch_size": args.batch_size, "runs": args.runs})

    print()
    print(f"documents/s over {args.repeat} rounds: min-max (spread = (max - min) / median)")
    print()
    print("| " + " | ".join(["pipeline"] + [f"{t} thread{'s' if t != 1 else ''}" for t in args.threads]) + " |")
    print("|" + " --- |" * (len(args.threads) + 1))
    for p in pipelines:
        cells = [p["name"]]
        for threads in args.threads:
            values = [r["documents_per_s"] for r in rounds[p["name"], threads]]
            lo, hi = min(values), max(values)
            cells.append(f"{lo:,.1f}-{hi:,.1f} ({(hi - lo) / med(p['name'], threads, 'documents_per_s'):.1%})")
        print("| " + " | ".join(cells) + " |")

    print()
    print("scoring: sentence-transformers rank() with the model loaded (median pass); bert-embed the whole command "
          f"minus the same command on one document ({n - 1} documents). load: CrossEncoder(...) construction "
          f"(imports excluded: {statistics.median(import_s):.2f} s) / the one-document bert-embed command. with load: "
          "load + one query's scoring / the whole bert-embed command.")
    for p in pipelines:
        if p["kind"] == "swift":
            per_query = checks[p["name"]][2]
            print(f"{p['name']} against sentence-transformers, per query (top-10 equal, max abs score diff): " +
                  ", ".join(f"{e} {d:.1e}" for e, d in per_query))

    if args.json_out:
        with open(args.json_out, "w") as f:
            json.dump(records, f, indent=1)
            f.write("\n")
        print(f"wrote {len(records)} records to {args.json_out}", file=sys.stderr)


if __name__ == "__main__":
    main()
