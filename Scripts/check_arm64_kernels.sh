#!/usr/bin/env bash
# The compiled kernels on arm64, under user-mode emulation: the GEMM micro-kernels, the activations of their epilogue,
# a LayerNorm row, attention's softmax row and panel packing, compiled from their own source files (no copy) for
# aarch64 with the toolchain's Embedded Swift mode (plain Swift SIMD, no Foundation), linked into a shared library with
# Debian's gcc-aarch64-linux-gnu, called from a C driver (Scripts/arm64/driver.c) that checks each against a
# double-precision reference, and run with Debian's qemu-user. The same files and driver are then built for this
# x86-64 machine and run here: every output must have the same bits on both. Installs the two Debian packages when
# missing (as root, Scripts/setup_arm64_tools.sh). What this shows: the kernels' arithmetic on arm64 (NEON code
# generation included); not their speed, nor the whole library on a device. .ci/run calls it. (The generated arm64
# int8 kernels run under qemu in the tests themselves: Int8GemmARM64Tests.)
#   Scripts/check_arm64_kernels.sh
set -euo pipefail
cd "$(dirname "$0")/.."
Scripts/setup_arm64_tools.sh
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
kernels=Sources/BertEmbedKernels
# The kernels' own files (no copy): the GEMM tiles, the activations of their epilogue (with the vector math), one
# LayerNorm row, attention's softmax row and packing; LibmShim.swift stands in for MathImports.swift (no Glibc module
# on a bare-metal target) for the Double references.
sources=("$kernels/Gemm/GemmTileStore.swift" "$kernels/Gemm/GemmMicroKernelsNEON.swift"
  "$kernels/Gemm/GemmMicroKernelsSIMD4.swift" "$kernels/Gemm/GemmMicroKernelsSIMD8.swift"
  "$kernels/Gemm/GemmMicroKernelsSIMD16.swift" "$kernels/VectorMath.swift" "$kernels/Activation.swift"
  "$kernels/LayerNormRow.swift" "$kernels/AttentionRows.swift" Scripts/arm64/LibmShim.swift
  Scripts/arm64/KernelHarness.swift)
# $1: target triple, $2: object file.
compile() {
  swiftc -target "$1" -enable-experimental-feature Embedded -enable-experimental-feature Extern -wmo -O \
    -parse-as-library -Xcc -fPIC -package-name swift_bert_embed -module-name BertEmbedKernelsHarness -c -o "$2" \
    "${sources[@]}"
}
compile aarch64-none-none-elf "$out/kernels.o"
aarch64-linux-gnu-gcc -shared -o "$out/libkernels.so" "$out/kernels.o"
aarch64-linux-gnu-gcc -O1 -o "$out/driver" Scripts/arm64/driver.c -L"$out" -lkernels -lm
# The instruction mix of the chosen tile: its products are NEON fmla (fused multiply-add on 4 lanes).
fmla="$(aarch64-linux-gnu-objdump -d "$out/libkernels.so" | awk '/gemm8x12SIMD4FMA.*>:$/{on=1; next} /^$/{on=0} on' \
  | grep -c 'fmla' || true)"
echo "8x12 NEON tile: $fmla fmla instructions"
[ "$fmla" -ge 24 ] || { echo "FAIL: the NEON tile has no vector fmla loop" >&2; exit 1; }
echo "== arm64 (qemu-aarch64 -cpu max)"
QEMU_LD_PREFIX=/usr/aarch64-linux-gnu LD_LIBRARY_PATH="$out" qemu-aarch64 -cpu max "$out/driver" | tee "$out/arm64.txt"
# The same files and driver on this x86-64 machine (default target: SSE2): the outputs' bits must be the same.
echo "== x86-64 (this machine)"
mkdir -p "$out/x86"
compile x86_64-unknown-linux-gnu "$out/x86/kernels.o"
clang -shared -o "$out/x86/libkernels.so" "$out/x86/kernels.o"
clang -O1 -o "$out/x86/driver" Scripts/arm64/driver.c -L"$out/x86" -lkernels -lm
LD_LIBRARY_PATH="$out/x86" "$out/x86/driver" | tee "$out/x86.txt"
arm64_digest="$(grep '^digest' "$out/arm64.txt")"
x86_digest="$(grep '^digest' "$out/x86.txt")"
if [ "$arm64_digest" != "$x86_digest" ]; then
  echo "FAIL: arm64 outputs differ from x86-64's ($arm64_digest vs $x86_digest)" >&2
  exit 1
fi
echo "arm64 and x86-64 outputs bit for bit equal ($arm64_digest)"
