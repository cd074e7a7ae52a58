#!/usr/bin/env bash
# Fuzzes the safetensors reader, the tokenizers, the JSON parser and the sentence-transformers folder reader under
# libFuzzer + AddressSanitizer (Linux toolchains ship libFuzzer): swiftc directly, no Package.swift change.
#
#   Scripts/fuzz.sh [text|file|json|folder|safetensors] [SECONDS=60] [extra libFuzzer flags...]
#   Scripts/fuzz.sh smoke [SECONDS=10]     every harness built and run SECONDS (what .ci/run does, so none rots)
#
#   text  Scripts/fuzz/TokenizerTextFuzzer.swift: arbitrary text (and pairs, truncation, options) through fixed
#         tokenizers (BERT fast path, Unigram, byte-level BPE, WordPiece on the general pipeline), checking offsets,
#         ids, type ids, truncation, encodeIds == encode().ids, fast path == general path, decode.
#   file  Scripts/fuzz/TokenizerFileFuzzer.swift: the input as a tokenizer.json (loaded, then a few texts encoded),
#         or, after a 0x00 byte, a raw SentencePiece precompiled_charsmap blob.
#   json  Scripts/fuzz/JSONParserFuzzer.swift: JSONParser.parse on arbitrary bytes; an accepted document written
#         back parses to an equal value.
#   safetensors Scripts/fuzz/SafeTensorsFuzzer.swift: the input as a whole safetensors file (every tensor read) and
#         as a JSON document; seeded with the small committed .safetensors fixtures and a shard index.
#   folder Scripts/fuzz/ModelFolderFuzzer.swift: a committed fixture folder with files replaced, added or deleted by
#         the input, loaded as a SentenceEncoder, CrossEncoder or SparseEncoder; when it loads, fixed texts are
#         encoded and dimensions, batch = alone, normalization and sparse indices checked.
#
# Build (into .build-fuzz-tok/, rebuilt when a source is newer than the binary):
#   1. each library module a harness needs, once, as one object plus its .swiftmodule, with -enable-testing (so that a
#      harness outside the module sees internal API through @testable import), e.g. BertEmbedTokenizer:
#        swiftc -O -sanitize=fuzzer,address -parse-as-library -swift-version 6 -package-name swift_bert_embed \
#          -module-name BertEmbedTokenizer -I .build-fuzz-tok/modules -enable-testing -wmo -c -emit-module \
#          -emit-module-path .build-fuzz-tok/modules/BertEmbedTokenizer.swiftmodule \
#          $(find Sources/BertEmbedTokenizer -name '*.swift') -o .build-fuzz-tok/BertEmbedTokenizer.o
#      (BertEmbedJSON first; BertEmbedKernels with AddressSanitizer only: coverage of the SIMD kernels would only slow
#      the search). The tokenizer object is shared by the text, file and folder harnesses.
#   2. the text and file harnesses each as their own module, linked with those objects:
#        swiftc ... -module-name TokenizerTextFuzzer -I .build-fuzz-tok/modules Scripts/fuzz/TokenizerTextFuzzer.swift \
#          .build-fuzz-tok/BertEmbedTokenizer.o .build-fuzz-tok/BertEmbedJSON.o -o .build-fuzz-tok/text-fuzzer
#      The json harness is compiled into the module BertEmbedJSON with Sources/BertEmbedJSON/*.swift, the safetensors
#      harness into BertEmbedSafeTensors with its sources, the folder harness into BertEmbed with Sources/BertEmbed/**
#      (linked with every other library module's object from step 1).
#   The linker (gold) prints "Cannot export local symbol '__asan_...'" warnings: harmless, filtered out.
#
# Corpus: .build-fuzz-tok/corpus-KIND/ collects what libFuzzer finds (kept between runs); the seeds are regenerated
# into .build-fuzz-tok/seeds-KIND/ from the committed fixtures by Scripts/fuzz/make_tokenizer_seeds.py (python3,
# standard library only; without python3 the committed tokenizer.json / JSON files under the size limit are copied).
# Dictionaries: Scripts/fuzz/tokenizer_text.dict (text), Scripts/fuzz/tokenizer_json.dict (file, json).
#
# Flags: -max_len (text 1024, file and json 16384), -timeout=10, -rss_limit_mb=2048, -print_final_stats=1, one
# process (no -jobs/-workers: one core). Crash, timeout and leak reproducers go to $FUZZ_ARTIFACTS (default
# .build-fuzz-tok/artifacts/), named KIND-crash-SHA1 and so on. Reproduce one: .build-fuzz-tok/KIND-fuzzer
# FILE (run from the repository root: the text harness loads its tokenizers from ./Resources). Minimize one: add
# -minimize_crash=1 -runs=10000 FILE. The file harness writes its tokenizer.json under .build-fuzz-tok/tmp/.
#
# Differential checks of a corpus against the reference implementations (after a run; each harness appends one line
# per input to the file named by its environment variable):
#   FUZZ_TOK_DUMP=/tmp/d.jsonl .build-fuzz-tok/text-fuzzer -runs=0 .build-fuzz-tok/corpus-text
#   .venv/bin/python Scripts/fuzz/compare_with_hf.py /tmp/d.jsonl           # ids, type ids, offsets vs tokenizers
#   FUZZ_TOK_DUMP=/tmp/f.jsonl .build-fuzz-tok/file-fuzzer -runs=0 .build-fuzz-tok/corpus-file
#   RUST_BACKTRACE=0 .venv/bin/python Scripts/fuzz/compare_files_with_hf.py /tmp/f.jsonl 2>/dev/null
#   FUZZ_JSON_DUMP=/tmp/j.txt .build-fuzz-tok/json-fuzzer -runs=0 .build-fuzz-tok/corpus-json
#   python3 Scripts/fuzz/compare_json_with_python.py /tmp/j.txt               # accept/reject vs Python's json
# (set LSAN_OPTIONS=suppressions=$PWD/Scripts/fuzz/lsan.supp and, for the file harness, TMPDIR as below).
#
# LeakSanitizer does not see Swift's enum payload pointers whose spare bits hold the case tag; the tokenizers the
# text harness loads once (in LLVMFuzzerInitialize) are reported leaked at exit unless suppressed:
# Scripts/fuzz/lsan.supp suppresses exactly the allocations made under LLVMFuzzerInitialize, and a leak of
# swift-corelibs-foundation (NSRegularExpression patterns over 256 UTF-16 units leak their copy; see that file).
set -euo pipefail
cd "$(dirname "$0")/.."
kind="${1:-text}"
if [[ "$kind" == smoke ]]; then
    mkdir -p .build-fuzz-tok
    for each in safetensors json text file folder; do
        log=".build-fuzz-tok/smoke-$each.log"
        if ! "$0" "$each" "${2:-10}" >"$log" 2>&1; then
            tail -60 "$log" >&2
            echo "fuzz smoke: the $each harness failed (full log: $log)" >&2
            exit 1
        fi
        echo "fuzz smoke: $each $(grep -m1 -o 'number_of_executed_units: *[0-9]*' "$log" | tr -s ' ')" >&2
    done
    exit 0
fi
seconds="${2:-60}"
shift 2 || shift $# || true
case "$kind" in
text) harness=Scripts/fuzz/TokenizerTextFuzzer.swift max_len=1024 dict=Scripts/fuzz/tokenizer_text.dict ;;
file) harness=Scripts/fuzz/TokenizerFileFuzzer.swift max_len=16384 dict=Scripts/fuzz/tokenizer_json.dict ;;
json) harness=Scripts/fuzz/JSONParserFuzzer.swift max_len=16384 dict=Scripts/fuzz/tokenizer_json.dict ;;
folder) harness=Scripts/fuzz/ModelFolderFuzzer.swift max_len=16384 dict=Scripts/fuzz/model_folder.dict ;;
safetensors) harness=Scripts/fuzz/SafeTensorsFuzzer.swift max_len=4096 dict= ;;
*)
    echo "usage: $0 [text|file|json|folder|safetensors|smoke] [SECONDS] [libFuzzer flags...]" >&2
    exit 2
    ;;
esac
out=.build-fuzz-tok
binary="$out/$kind-fuzzer"
flags=(-O -sanitize=fuzzer,address -parse-as-library -swift-version 6 -package-name swift_bert_embed)
mkdir -p "$out/modules" "$out/tmp" "$out/corpus-$kind"

# Whether $1 is missing or older than any of the other files.
stale() {
    local target="$1"
    shift
    [[ ! -e "$target" ]] && return 0
    [[ -n "$(find "$@" -newer "$target" -print -quit)" ]]
}

quiet() { grep -v "Cannot export local symbol" || true; }

# Builds $out/MODULE.o and its .swiftmodule from Sources/MODULE/**/*.swift when stale (whole module, -enable-testing
# so that a harness outside the module sees its internal API through @testable import), depending on the objects
# named after it: build_module MODULE SANITIZERS [OBJECT...]
build_module() {
    local module="$1" sanitizers="$2" sources
    shift 2
    mapfile -t sources < <(find "Sources/$module" -name '*.swift' | sort)
    if stale "$out/$module.o" "${sources[@]}" "$@"; then
        echo "building $out/$module.o" >&2
        swiftc "${flags[@]/-sanitize=fuzzer,address/-sanitize=$sanitizers}" -module-name "$module" -I "$out/modules" \
            -enable-testing -wmo -c -emit-module -emit-module-path "$out/modules/$module.swiftmodule" "${sources[@]}" \
            -o "$out/$module.o" 2>&1 | quiet
    fi
}

json_sources=(Sources/BertEmbedJSON/*.swift)
if [[ "$kind" == json ]]; then
    if stale "$binary" "${json_sources[@]}" "$harness"; then
        echo "building $binary" >&2
        swiftc "${flags[@]}" -module-name BertEmbedJSON "${json_sources[@]}" "$harness" -o "$binary" 2>&1 | quiet
    fi
else
    build_module BertEmbedJSON fuzzer,address
fi
if [[ "$kind" == folder ]]; then
    # One object and .swiftmodule per library module, in dependency order (BertEmbedKernels with AddressSanitizer
    # only: coverage of the SIMD kernels would only slow the search); then BertEmbed with the harness.
    objects=("$out/BertEmbedJSON.o")
    for module in BertEmbedTokenizer BertEmbedSafeTensors BertEmbedKernels BertEmbedModel; do
        sanitizers=fuzzer,address
        [[ "$module" == BertEmbedKernels ]] && sanitizers=address
        build_module "$module" "$sanitizers" "${objects[@]}"
        objects+=("$out/$module.o")
    done
    mapfile -t facade_sources < <(find Sources/BertEmbed -name '*.swift' | sort)
    if stale "$binary" "${facade_sources[@]}" "$harness" "${objects[@]}"; then
        echo "building $binary" >&2
        swiftc "${flags[@]}" -module-name BertEmbed -I "$out/modules" "${facade_sources[@]}" "$harness" \
            "${objects[@]}" -o "$binary" 2>&1 | quiet
    fi
elif [[ "$kind" == safetensors ]]; then
    safetensors_sources=(Sources/BertEmbedSafeTensors/*.swift)
    if stale "$binary" "${safetensors_sources[@]}" "$harness" "$out/BertEmbedJSON.o"; then
        echo "building $binary" >&2
        swiftc "${flags[@]}" -module-name BertEmbedSafeTensors -I "$out/modules" "${safetensors_sources[@]}" \
            "$harness" "$out/BertEmbedJSON.o" -o "$binary" 2>&1 | quiet
    fi
elif [[ "$kind" != json ]]; then
    # text and file: the tokenizer module built once (shared with the folder harness), the harness its own module.
    build_module BertEmbedTokenizer fuzzer,address "$out/BertEmbedJSON.o"
    if stale "$binary" "$harness" "$out/BertEmbedTokenizer.o"; then
        echo "building $binary" >&2
        swiftc "${flags[@]}" -module-name "$(basename "$harness" .swift)" -I "$out/modules" "$harness" \
            "$out/BertEmbedTokenizer.o" "$out/BertEmbedJSON.o" -o "$binary" 2>&1 | quiet
    fi
fi
[[ -x "$binary" ]] || { echo "build failed: no $binary" >&2; exit 1; }

seeds="$out/seeds-$kind"
rm -rf "$seeds"
mkdir -p "$seeds"
if [[ "$kind" == safetensors ]]; then
    find Resources/safetensors -name '*.safetensors' -size -8k -exec cp {} "$seeds/" \;
    cp Resources/safetensors/sharded/model.safetensors.index.json "$seeds/index.json"
elif command -v python3 >/dev/null; then
    python3 Scripts/fuzz/make_tokenizer_seeds.py "$kind" "$seeds" "$max_len" >&2
elif [[ "$kind" != text ]]; then
    find Resources -name '*.json' -size -"$((max_len / 1024))"k -exec cp {} "$seeds/" \;
fi

artifacts="${FUZZ_ARTIFACTS:-$out/artifacts}"
mkdir -p "$artifacts"
export LSAN_OPTIONS="suppressions=$PWD/Scripts/fuzz/lsan.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
export TMPDIR="$PWD/$out/tmp"
exec "$binary" -max_total_time="$seconds" -max_len="$max_len" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 ${dict:+-dict="$dict"} -artifact_prefix="${artifacts%/}/$kind-" "$@" "$out/corpus-$kind" "$seeds"
