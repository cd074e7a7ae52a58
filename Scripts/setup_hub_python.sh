#!/usr/bin/env bash
# Creates a small virtual environment with the Python clients the tests run against our code: huggingface_hub (the
# download tests' mock Hub and shared cache; the server's /embed through InferenceClient), openai (the server's
# /v1/embeddings) and numpy (which both clients decode vectors with), pinned as in Scripts/requirements.txt, and
# prints its python's path. Idempotent. Lives next to the fetched models ($BERT_EMBED_CACHE, default
# ~/.cache/bert-embed).
set -euo pipefail
cd "$(dirname "$0")/.."
pins="$(grep -E '^(huggingface_hub|openai|numpy)==' Scripts/requirements.txt | sort | tr '\n' ' ')"
venv="${BERT_EMBED_CACHE:-$HOME/.cache/bert-embed}/client-python-$(echo "$pins" | cksum | cut -d' ' -f1)"
if ! "$venv/bin/python" -c "import huggingface_hub, openai, numpy" 2>/dev/null; then
  python3 -m venv "$venv" >&2
  # shellcheck disable=SC2086
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check $pins >&2
fi
echo "$venv/bin/python"
