#!/usr/bin/env bash
# The compiled GEMM micro-kernels on arm64, under user-mode emulation: compiled from their own source files (no copy)
# for aarch64 with the toolchain's Embedded Swift mode (the kernels are plain Swift SIMD, no Foundation), linked into a
# shared library with Debian's gcc-aarch64-linux-gnu, called from a C driver (Scripts/arm64/driver.c) that checks every
# tile against a double-precision reference, and run with Debian's qemu-user. Installs the two Debian packages when
# missing (as root). What this shows: the kernels' arithmetic on arm64 (NEON code generation included); not their
# speed, nor the whole library on a device. .ci/run calls it.
#   Scripts/check_arm64_kernels.sh
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v aarch64-linux-gnu-gcc >/dev/null || ! command -v qemu-aarch64 >/dev/null; then
  if [ "$(id -u)" = 0 ]; then
    apt-get install -y -q gcc-aarch64-linux-gnu qemu-user >/dev/null
  else
    echo "needs gcc-aarch64-linux-gnu and qemu-user (Debian packages)" >&2
    exit 1
  fi
fi
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
kernels=Sources/BertEmbedKernels/Gemm
swiftc -target aarch64-none-none-elf -enable-experimental-feature Embedded -wmo -O -parse-as-library \
  -Xcc -fPIC -module-name BertEmbedKernelsArm64 -c -o "$out/kernels.o" \
  "$kernels/GemmTileStore.swift" "$kernels/GemmMicroKernelsNEON.swift" "$kernels/GemmMicroKernelsSIMD4.swift" \
  "$kernels/GemmMicroKernelsSIMD8.swift" "$kernels/GemmMicroKernelsSIMD16.swift" Scripts/arm64/KernelHarness.swift
aarch64-linux-gnu-gcc -shared -o "$out/libkernels.so" "$out/kernels.o"
aarch64-linux-gnu-gcc -O1 -o "$out/driver" Scripts/arm64/driver.c -L"$out" -lkernels -lm
# The instruction mix of the chosen tile: its products are NEON fmla (fused multiply-add on 4 lanes).
fmla="$(aarch64-linux-gnu-objdump -d "$out/libkernels.so" | awk '/gemm8x12SIMD4FMA.*>:$/{on=1; next} /^$/{on=0} on' \
  | grep -c 'fmla' || true)"
echo "8x12 NEON tile: $fmla fmla instructions"
[ "$fmla" -ge 24 ] || { echo "FAIL: the NEON tile has no vector fmla loop" >&2; exit 1; }
QEMU_LD_PREFIX=/usr/aarch64-linux-gnu LD_LIBRARY_PATH="$out" qemu-aarch64 -cpu max "$out/driver"
