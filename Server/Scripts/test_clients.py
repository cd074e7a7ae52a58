#!/usr/bin/env python3
"""The server against clients nobody here wrote, and its failure behaviour from outside the process.

  Server/Scripts/test_clients.py SERVER_BINARY BERT_EMBED_BINARY MODEL_DIR [--requests 10000]

Runs with a Python that has openai, huggingface_hub and numpy (Scripts/setup_hub_python.sh makes one). Checks:
  0. a --model that is neither a folder nor a repository id ("", "@", "@main") is refused with a message, not a trap;
  1. openai's client.embeddings.create (its default, which asks for base64, and encoding_format="float") and
     huggingface_hub's InferenceClient.feature_extraction (TEI's /embed) give `bert-embed embed`'s vectors bit for bit;
  2. malformed JSON, wrong types, empty input, a 10 MB body, a slow client, a client that leaves mid-request: each a
     clear 4xx (or a closed connection) while the server keeps serving;
  3. resident memory stays flat over --requests requests (after a warm-up of a tenth of them);
  4. SIGTERM: a request in flight finishes with 200, the process exits 0, nothing new is accepted.
Exits non-zero on the first failure, naming it.
"""
import argparse
import json
import os
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

import numpy as np
from huggingface_hub import InferenceClient
from openai import OpenAI

TEXTS = ["A man is eating food.", "Ünïcödé and 東京 \"quoted\"", "", "The cat sat on the mat. " * 20]


def fail(message):
    print(f"FAIL: {message}", file=sys.stderr)
    sys.exit(1)


def check(condition, message):
    if not condition:
        fail(message)


def bits(vector):
    """The float32 bit patterns of a vector (floats from JSON are float32 shortest decimals, so exact)."""
    return [struct.unpack("<I", struct.pack("<f", float(x)))[0] for x in vector]


def start(server, model, *extra):
    process = subprocess.Popen(
        [server, "--model", model, "--port", "0", *extra], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    line = process.stdout.readline().decode()
    check(line.startswith("listening on "), f"the server did not start: {line!r}")
    return process, line.split()[-1].strip()


def post(base, path, body, timeout=60):
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    request = urllib.request.Request(base + path, data=data, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("server")
    parser.add_argument("bert_embed")
    parser.add_argument("model")
    parser.add_argument("--requests", type=int, default=10_000)
    options = parser.parse_args()

    expected = [json.loads(line) for line in subprocess.run(
        [options.bert_embed, "embed", "--model", options.model, "--quiet"], input="\n".join(TEXTS).encode(),
        capture_output=True, check=True).stdout.decode().splitlines()]
    check(len(expected) == len(TEXTS), "bert-embed embed gave the wrong number of rows")
    # 0. Model names that are neither a folder nor a repository id: refused with a message (they used to index an
    # empty array and trap).
    for name in ["", "@", "@main"]:
        refused = subprocess.run([options.server, "--model", name, "--port", "0"], capture_output=True, timeout=60)
        check(refused.returncode > 0 and b"nor a Hugging Face repository id" in refused.stderr,
              f"--model {name!r}: exit {refused.returncode}, {refused.stderr.decode(errors='replace')[-300:]}")
    print("model names neither a folder nor a repository id: refused with a message")
    process, base = start(options.server, options.model, "--auto-truncate")  # as `embed` truncates
    host, port = base.rsplit("//", 1)[1].split(":")
    try:
        # 1. Real clients.
        client = OpenAI(base_url=base + "/v1", api_key="unused")
        for kwargs in ({}, {"encoding_format": "float"}):
            response = client.embeddings.create(model="m", input=TEXTS, **kwargs)
            got = [item.embedding for item in sorted(response.data, key=lambda item: item.index)]
            check([bits(v) for v in got] == [bits(v) for v in expected], f"openai {kwargs or 'default'}: vectors differ")
            check(response.usage.prompt_tokens > 0, "openai: no token usage")
        single = client.embeddings.create(model="m", input=TEXTS[0], encoding_format="float").data[0].embedding
        check(bits(single) == bits(expected[0]), "openai: a single string differs")
        print("openai client: equal to bert-embed embed, default (base64) and float")
        inference = InferenceClient(model=base)
        for index, text in enumerate(TEXTS[:2]):
            vector = np.asarray(inference.feature_extraction(text, normalize=False)).reshape(-1)
            check(bits(vector.astype(np.float32)) == bits(expected[index]), f"InferenceClient: text {index} differs")
        print("huggingface_hub InferenceClient.feature_extraction: equal to bert-embed embed")

        # 2. Bad requests: a 4xx with a JSON error, and the server keeps serving.
        for path, body, status in [
            ("/v1/embeddings", b'{"input": ["a",', 400),
            ("/embed", b'{"inputs": ["a",', 422),
            ("/v1/embeddings", b'{"input": 5}', 400),
            ("/v1/embeddings", b'{"input": []}', 400),
        ]:
            answer, data = post(base, path, body)
            check(answer == status, f"{path} {body[:30]!r}: {answer} (expected {status}): {data[:200]!r}")
            check("error" in json.loads(data), f"{path}: the error body is not JSON with an error: {data[:200]!r}")
        # A 10 MB body: 413 at once (the declared length is over the limit), the rest of the upload not awaited.
        big = socket.create_connection((host, int(port)))
        body = b'{"inputs": "' + b"x" * (10 << 20) + b'"}'
        big.send(b"POST /embed HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(body))
        def upload():
            try:
                big.sendall(body)
            except OSError:
                pass  # the server answered and closed: the upload was not awaited
        sender = threading.Thread(target=upload, daemon=True)
        sender.start()
        big.settimeout(10)
        answer = big.recv(65536)
        check(answer.startswith(b"HTTP/1.1 413"), f"a 10 MB body got {answer[:80]!r}")
        check(b"larger than" in answer, f"the 413 does not say why: {answer[:300]!r}")
        big.close()
        # A slow client (headers byte by byte) is still answered; one that leaves mid-body leaves no trace.
        slow = socket.create_connection((host, int(port)))
        body = json.dumps({"inputs": "slow"}).encode()
        request = b"POST /embed HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(body)
        for byte in request + body:
            slow.send(bytes([byte]))
            time.sleep(0.002)
        check(b"200 OK" in slow.recv(65536), "a slow client was not answered")
        slow.close()
        for _ in range(50):
            gone = socket.create_connection((host, int(port)))
            gone.send(b"POST /embed HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n{\"inputs\": \"abc")
            gone.close()
        check(post(base, "/embed", {"inputs": "still serving"})[0] == 200, "the server stopped serving")
        print("bad requests: 4xx with JSON errors; slow and vanishing clients handled; still serving")

        # 3. Memory over many requests.
        warmup = max(1, options.requests // 10)
        def batch(count):
            for number in range(count):
                if number % 50 == 49:
                    post(base, "/embed", b'{"inputs": ')  # malformed now and then
                elif number % 10 == 9:
                    post(base, "/v1/embeddings", {"input": TEXTS})
                else:
                    post(base, "/embed", {"inputs": f"query number {number}"})
        batch(warmup)
        before = rss_kb(process.pid)
        started = time.time()
        batch(options.requests - warmup)
        after = rss_kb(process.pid)
        print(f"memory: {before} kB after {warmup} requests, {after} kB after {options.requests} "
              f"({options.requests - warmup} requests in {time.time() - started:.1f} s)")
        check(after <= before * 1.10 + 4096, f"resident memory grew from {before} to {after} kB")

        # 4. SIGTERM while a request runs: it finishes, then the process exits 0.
        result = {}
        long_request = {"inputs": [f"sentence {i} " + "word " * 100 for i in range(512)], "truncate": True}
        thread = threading.Thread(target=lambda: result.update(answer=post(base, "/embed", long_request)))
        thread.start()
        deadline = time.time() + 10
        while b"bert_embed_queue_depth 512" not in urllib.request.urlopen(base + "/metrics").read():
            check(time.time() < deadline and thread.is_alive(), "the long request was never seen in flight")
        process.send_signal(signal.SIGTERM)  # while the request is in flight
        thread.join(60)
        check(result.get("answer", (0,))[0] == 200, f"the request in flight during SIGTERM got {result.get('answer', (0, b''))[0]}")
        check(process.wait(30) == 0, f"the server exited with {process.returncode} after SIGTERM")
        try:
            answer = post(base, "/health", b"", timeout=5)[0]
        except OSError:
            answer = "refused"
        check(answer in ("refused", 503), f"a request after shutdown got {answer}")
        print("SIGTERM: the request in flight finished with 200, exit status 0, new connections refused")
    finally:
        if process.poll() is None:
            process.kill()
    print("all client checks passed")


if __name__ == "__main__":
    main()
