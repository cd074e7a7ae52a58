#!/usr/bin/env python3
"""Load on embedding servers, side by side: bert-embed-server and infinity-emb serving the same model, and two
bert-embed-server replicas behind nginx, under the same load generator (wrk, keep-alive connections).

  python Server/Scripts/bench_load.py --server Server/.build/release/bert-embed-server --model DIR \\
      --corpus corpus.txt [--infinity PATH/TO/infinity_emb] [--nginx] [--duration 10] [--json-out results.json]

For each server, concurrency 1, 8 and 64 connections, requests of 1 and of 32 sentences (rotating over sentences of
the corpus; OpenAI-style bodies {"input": [...]}): sentences/s, requests/s, p50 and p99 latency, and any non-2xx
answer (a run with errors is marked). Requests still in flight when a run ends are not counted (wrk), so the
saturated point (64 x 32) runs 4x longer. The load generator runs on the same machine: state the CPU with the figures.
Not a test: figures for BENCHMARKS.md.
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.request


def sentences(corpus, count):
    found = []
    with open(corpus, encoding="utf-8") as source:
        for paragraph in source:
            for sentence in re.split(r"(?<=[.!?])\s+", paragraph.strip()):
                if 20 <= len(sentence) <= 300:
                    found.append(sentence)
                if len(found) >= count:
                    return found
    return found


def lua_script(path, route, bodies):
    with open(path, "w") as script:
        script.write("local bodies = {\n")
        for body in bodies:
            script.write("  [==[" + body + "]==],\n")
        script.write("}\nlocal n = 0\nrequest = function()\n  n = n % #bodies + 1\n")
        script.write(f'  return wrk.format("POST", "{route}", {{["Content-Type"] = "application/json"}}, bodies[n])\n')
        script.write("end\n")


def wrk(url, script, connections, duration):
    output = subprocess.run(
        ["wrk", "-t", "1", "-c", str(connections), "-d", f"{duration}s", "--latency", "--timeout", "30s", "-s", script,
         url], capture_output=True, text=True, check=True).stdout

    def seconds(percentile):
        found = re.search(percentile + r"%\s+([\d.]+)(us|ms|s|m)\b", output)
        if not found:  # no request finished in time
            print(output, file=sys.stderr)
            return float("nan")
        value, unit = found.groups()
        return float(value) * {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0}[unit]

    requests = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    p50, p99 = seconds("50"), seconds("99")
    errors = sum(int(x) for x in re.findall(r"Non-2xx or 3xx responses: (\d+)", output))
    errors += sum(int(x) for x in re.findall(r"Socket errors: .*?timeout (\d+)", output))
    return requests, p50, p99, errors


def wait(url, process, seconds=300):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if process.poll() is not None:
            sys.exit(f"the server exited with {process.returncode}")
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return
        except Exception:
            time.sleep(0.5)
    sys.exit(f"{url} did not answer")


def run_series(name, url, route, pool, options, results):
    for batch in (1, 32):
        bodies = [json.dumps({"input": pool[i:i + batch], "model": "m"})
                  for i in range(0, min(len(pool), 200 * batch), batch)][:200]
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
            script = handle.name
        lua_script(script, route, bodies)
        for connections in (1, 8, 64):
            # 64 connections of 32 sentences keep 2,048 sentences in flight: seconds per answer, so that point runs
            # 4x longer for its latencies to reach a steady state.
            duration = options.duration * (4 if batch * connections >= 2048 else 1)
            requests, p50, p99, errors = wrk(url, script, connections, duration)
            row = {"server": name, "batch": batch, "connections": connections, "requests_per_s": requests,
                   "sentences_per_s": requests * batch, "p50_ms": p50 * 1e3, "p99_ms": p99 * 1e3, "errors": errors}
            results.append(row)
            print(f"{name:28} batch {batch:2}  {connections:2} conn  {requests * batch:8.1f} sentences/s  "
                  f"p50 {p50 * 1e3:8.1f} ms  p99 {p99 * 1e3:8.1f} ms" + (f"  ERRORS {errors}" if errors else ""),
                  flush=True)
        os.unlink(script)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--server", required=True)
    parser.add_argument("--model", required=True)
    parser.add_argument("--corpus", required=True)
    parser.add_argument("--infinity")
    parser.add_argument("--nginx", action="store_true")
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--json-out")
    parser.add_argument("--skip-ours", action="store_true", help="only the peers (and nginx)")
    options = parser.parse_args()
    pool = sentences(options.corpus, 6400)
    results = []
    ours = ["--model", options.model, "--max-client-batch-size", "64", "--max-concurrent-inputs", "1000000"]

    if not options.skip_ours:
        process = subprocess.Popen([options.server, *ours, "--port", "18080"], stdout=subprocess.DEVNULL)
        try:
            wait("http://127.0.0.1:18080/health", process)
            run_series("bert-embed-server", "http://127.0.0.1:18080", "/v1/embeddings", pool, options, results)
        finally:
            process.terminate()
            process.wait()

    if options.infinity:
        process = subprocess.Popen(
            [options.infinity, "v2", "--model-id", options.model, "--engine", "torch", "--device", "cpu",
             "--port", "17997", "--batch-size", "32"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait("http://127.0.0.1:17997/health", process)
            run_series("infinity-emb (torch, cpu)", "http://127.0.0.1:17997", "/embeddings", pool, options, results)
        finally:
            process.terminate()
            process.wait()

    if options.nginx:
        replicas = [subprocess.Popen([options.server, *ours, "--port", str(port), "--threads", "1"],
                                     stdout=subprocess.DEVNULL) for port in (18081, 18082)]
        folder = tempfile.mkdtemp()
        config = os.path.join(folder, "nginx.conf")
        with open(config, "w") as out:
            out.write(f"""worker_processes 1; pid {folder}/nginx.pid; error_log {folder}/error.log;
events {{ worker_connections 1024; }}
http {{ access_log off; client_body_temp_path {folder}; proxy_temp_path {folder};
  upstream replicas {{ least_conn; server 127.0.0.1:18081; server 127.0.0.1:18082; keepalive 64; }}
  server {{ listen 127.0.0.1:18090; client_max_body_size 2m;
    location / {{ proxy_pass http://replicas; proxy_http_version 1.1; proxy_set_header Connection ""; }} }} }}
""")
        nginx = subprocess.Popen(["nginx", "-c", config, "-g", "daemon off;"])
        try:
            for port, replica in zip((18081, 18082), replicas):
                wait(f"http://127.0.0.1:{port}/health", replica)
            wait("http://127.0.0.1:18090/health", nginx)
            run_series("2 replicas (1 thread) + nginx", "http://127.0.0.1:18090", "/v1/embeddings", pool, options,
                       results)
        finally:
            nginx.terminate()
            for replica in replicas:
                replica.terminate()
                replica.wait()
    if options.json_out:
        with open(options.json_out, "w") as out:
            cpu = re.search(r"model name\s*:\s*(.*)", open("/proc/cpuinfo").read())
            json.dump({"cpu": cpu.group(1) if cpu else "unknown",
                       "duration_s": options.duration, "results": results}, out, indent=1)


if __name__ == "__main__":
    main()
