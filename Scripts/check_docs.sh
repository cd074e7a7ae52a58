#!/usr/bin/env bash
# Builds the DocC catalog of the BertEmbed module with the toolchain's own tools (no package dependency): symbol
# graphs from the compiler (`-emit-symbol-graph` while building the module), then `docc convert --warnings-as-errors`, so a broken
# symbol link or an undocumented parameter fails; and fails for any public declaration without a doc comment.
#   Scripts/check_docs.sh [OUTPUT_DIR]     (default .build-docs/BertEmbed.doccarchive)
set -euo pipefail
cd "$(dirname "$0")/.."
output="${1:-.build-docs/BertEmbed.doccarchive}"
graphs="$(mktemp -d)" selected="$(mktemp -d)"
trap 'rm -rf "$graphs" "$selected"' EXIT
swift build --scratch-path .build-docs --target BertEmbed \
    -Xswiftc -emit-symbol-graph -Xswiftc -emit-symbol-graph-dir -Xswiftc "$graphs"
cp "$graphs"/BertEmbed.symbols.json "$selected"/
cp "$graphs"/BertEmbed@*.symbols.json "$selected"/ 2>/dev/null || true
python3 - "$selected" <<'PY'
import glob, json, sys
missing = []
for path in glob.glob(sys.argv[1] + "/*.symbols.json"):
    for symbol in json.load(open(path))["symbols"]:
        # Compiler-synthesized members (Equatable's ==, a raw-value enum's init(rawValue:)) have no source location.
        synthesized = "::SYNTHESIZED::" in symbol["identifier"]["precise"] or "location" not in symbol
        if symbol.get("accessLevel") in ("public", "open") and not synthesized and not symbol.get("docComment"):
            missing.append(".".join(symbol["pathComponents"]) + " (" + symbol.get("location", {}).get("uri", "?") + ")")
for name in sorted(missing):
    print("undocumented public declaration: " + name)
sys.exit(1 if missing else 0)
PY
docc convert Sources/BertEmbed/BertEmbed.docc --additional-symbol-graph-dir "$selected" --output-path "$output" \
    --fallback-display-name BertEmbed --fallback-bundle-identifier org.swift-bert-embed.BertEmbed --warnings-as-errors
echo "documentation: $output"
