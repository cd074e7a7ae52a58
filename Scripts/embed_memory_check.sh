#!/usr/bin/env bash
# `bert-embed embed` over 1,000,000 input lines keeps its peak resident memory at what one chunk needs (the weights
# plus one chunk of 4,096 texts, measured on a run of exactly one chunk) and loses no line: the output has one row per
# input line, and sampled rows (first, second, middle, last) equal the vectors of those texts embedded alone.
#   Scripts/embed_memory_check.sh [BERT_EMBED_BINARY] [MODEL_DIR] [LINES]
# Defaults: .build/release/bert-embed, Resources/families/mpnet, 1000000. Figures for BENCHMARKS.md; not run by CI
# (a few minutes of one core).
set -euo pipefail
cd "$(dirname "$0")/.."
binary="${1:-.build/release/bert-embed}"
model="${2:-Resources/families/mpnet}"
lines="${3:-1000000}"
# GNU time, for the peak resident set size (the package lists read first on a fresh machine that has none).
[ -x /usr/bin/time ] || apt-get install -y -q time >/dev/null 2>&1 \
  || { apt-get update -q >/dev/null && apt-get install -y -q time >/dev/null; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
text() { python3 -c "import sys; n = int(sys.argv[1]); [print(f'line {i}: ' + 'word ' * (i % 23) + str(i * 7919 % 100003)) for i in range(n)]" "$1"; }
peak_kb() { awk '/Maximum resident set size/ {print $6}' "$1"; }
text 4096 > "$work/one-chunk.txt"
/usr/bin/time -v "$binary" embed --model "$model" --quiet < "$work/one-chunk.txt" > /dev/null 2> "$work/one.time"
one="$(peak_kb "$work/one.time")"
start=$(date +%s)
text "$lines" | /usr/bin/time -v "$binary" embed --model "$model" --quiet 2> "$work/all.time" > "$work/out.jsonl"
seconds=$(( $(date +%s) - start ))
all="$(peak_kb "$work/all.time")"
rows="$(wc -l < "$work/out.jsonl")"
echo "peak RSS: one chunk (4,096 lines) $one kB; $lines lines $all kB; $rows rows in ${seconds} s"
[ "$rows" = "$lines" ] || { echo "FAIL: $rows rows for $lines lines" >&2; exit 1; }
for index in 0 1 $((lines / 2)) $((lines - 1)); do
  line="$(text "$lines" | sed -n "$((index + 1))p")"
  alone="$("$binary" embed --model "$model" --quiet "$line")"
  [ "$alone" = "$(sed -n "$((index + 1))p" "$work/out.jsonl")" ] || { echo "FAIL: row $index differs" >&2; exit 1; }
done
echo "rows 0, 1, $((lines / 2)), $((lines - 1)) equal their texts embedded alone"
limit=$(( one * 11 / 10 + 16384 ))
[ "$all" -le "$limit" ] || { echo "FAIL: peak $all kB over the one-chunk bound $limit kB" >&2; exit 1; }
echo "within the one-chunk bound (one chunk x 1.1 + 16 MB = $limit kB)"
