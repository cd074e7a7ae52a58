#!/usr/bin/env bash
# Creates .venv/ (git-ignored) with the pinned Python reference stack from Scripts/requirements.txt.
# Only the golden-generation and peer-benchmark scripts need it; building and testing the package do not.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || python3 -m venv .venv
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r Scripts/requirements.txt
echo "$(pwd)/.venv/bin/python"
