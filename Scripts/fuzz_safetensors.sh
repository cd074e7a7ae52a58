#!/usr/bin/env bash
# Fuzzes the safetensors reader under libFuzzer + AddressSanitizer (Linux toolchains ship libFuzzer).
# Builds Scripts/fuzz/SafeTensorsFuzzer.swift with Sources/BertEmbedSafeTensors/*.swift into .build-fuzz/ with swiftc
# directly (no Package.swift change), seeds the corpus with the committed fixtures, and runs for SECONDS.
#   Scripts/fuzz_safetensors.sh [SECONDS=60] [extra libFuzzer flags...]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
shift || true
out=.build-fuzz
mkdir -p "$out/corpus"
swiftc -O -sanitize=fuzzer,address -parse-as-library \
    -package-name swift_bert_embed -module-name SafeTensorsFuzz \
    Sources/BertEmbedSafeTensors/*.swift Scripts/fuzz/SafeTensorsFuzzer.swift -o "$out/safetensors-fuzzer"
find Resources/safetensors -name '*.safetensors' -size -8k -exec cp {} "$out/corpus/" \;
cp Resources/safetensors/sharded/model.safetensors.index.json "$out/corpus/index.json"
exec "$out/safetensors-fuzzer" -max_total_time="$seconds" -max_len=4096 -timeout=5 -rss_limit_mb=2048 \
    -print_final_stats=1 "$@" "$out/corpus"
