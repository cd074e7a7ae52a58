#!/usr/bin/env bash
# Debian's gcc-aarch64-linux-gnu and qemu-user, which the arm64 checks need: Scripts/check_arm64_kernels.sh (the
# compiled kernels under emulation) and Int8GemmARM64Tests (the generated arm64 int8 kernels under qemu-aarch64).
# Installs them when missing (as root; a fresh machine may have no package lists yet, so they are read when the first
# try finds nothing); otherwise says what is missing and fails.
#   Scripts/setup_arm64_tools.sh
set -euo pipefail
if command -v aarch64-linux-gnu-gcc >/dev/null && command -v qemu-aarch64 >/dev/null; then
  exit 0
fi
if [ "$(id -u)" = 0 ]; then
  apt-get install -y -q gcc-aarch64-linux-gnu qemu-user >/dev/null 2>&1 \
    || { apt-get update -q >/dev/null && apt-get install -y -q gcc-aarch64-linux-gnu qemu-user >/dev/null; }
else
  echo "needs gcc-aarch64-linux-gnu and qemu-user (Debian packages)" >&2
  exit 1
fi
