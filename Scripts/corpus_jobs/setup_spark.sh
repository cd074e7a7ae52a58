#!/usr/bin/env bash
# Creates a virtual environment with pyspark (pinned in Scripts/requirements.txt) for the Spark corpus recipe's check,
# and prints its python's path. Idempotent. Needs Java 17+ on the PATH (Spark's JVM). Lives next to the fetched models
# ($BERT_EMBED_CACHE, default ~/.cache/bert-embed).
set -euo pipefail
cd "$(dirname "$0")/../.."
pin="$(grep -E '^pyspark==' Scripts/requirements.txt)"
venv="${BERT_EMBED_CACHE:-$HOME/.cache/bert-embed}/spark-python-${pin#pyspark==}"
if ! "$venv/bin/python" -c "import pyspark" 2>/dev/null; then
  python3 -m venv "$venv" >&2
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "$pin" >&2
fi
echo "$venv/bin/python"
