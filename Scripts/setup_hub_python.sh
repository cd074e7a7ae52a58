#!/usr/bin/env bash
# Creates a small virtual environment with Python's huggingface_hub only (pinned as in Scripts/requirements.txt), for
# the download tests that check the mock Hub against the real client and the shared cache both ways, and prints its
# python's path. Idempotent. Lives next to the fetched models ($BERT_EMBED_CACHE, default ~/.cache/bert-embed).
set -euo pipefail
cd "$(dirname "$0")/.."
version="$(sed -n 's/^huggingface_hub==//p' Scripts/requirements.txt)"
venv="${BERT_EMBED_CACHE:-$HOME/.cache/bert-embed}/hub-python-$version"
if ! "$venv/bin/python" -c "import huggingface_hub" 2>/dev/null; then
  python3 -m venv "$venv" >&2
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "huggingface_hub==$version" >&2
fi
echo "$venv/bin/python"
