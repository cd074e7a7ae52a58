#!/usr/bin/env bash
# llama.cpp as a benchmark peer (Scripts/bench_peers.py --peers llama-f16 llama-q8_0): its source from the
# llama-cpp-python 0.3.36 source distribution on PyPI (vendor/llama.cpp), its CPU backend built for this machine
# (GGML_NATIVE), and MODEL (a sentence-transformers folder) converted by its convert_hf_to_gguf.py to f16 and q8_0.
# Everything lands in ~/.cache/bert-embed/llama.cpp-0.3.36 (override with LLAMA_CPP_DIR); a second run reuses it.
# Prints the directory holding bin/llama-embedding, bin/llama-server and MODELNAME-{f16,q8_0}.gguf.
#
#   Scripts/setup_venv.sh    # torch + transformers, which the converter imports
#   Scripts/setup_llama_cpp.sh ~/.cache/bert-embed/all-MiniLM-L6-v2
#
# Needs the network to PyPI once (the source and, into .venv, cmake and ninja); the build takes about ten minutes on
# two cores. A peer for measurements only: nothing in the package uses it.
set -euo pipefail
model="${1:?usage: setup_llama_cpp.sh MODEL_FOLDER}"
root="$(cd "$(dirname "$0")/.." && pwd)"
python="$root/.venv/bin/python"
[ -x "$python" ] || { echo "setup_llama_cpp.sh: run Scripts/setup_venv.sh first" >&2; exit 1; }
version=0.3.36
sha256=832db0699007f1be95a7e41ef12e88926b02ba836461e36a36372db2760c1a2e
dir="${LLAMA_CPP_DIR:-$HOME/.cache/bert-embed/llama.cpp-$version}"
mkdir -p "$dir"
source="$dir/llama_cpp_python-$version/vendor/llama.cpp"
if [ ! -f "$source/CMakeLists.txt" ]; then
    archive="$dir/llama_cpp_python-$version.tar.gz"
    # The sdist's URL from PyPI's simple index (pip download would try to build it).
    url="$(curl -sf --max-time 60 https://pypi.org/simple/llama-cpp-python/ \
        | grep -o "https://files.pythonhosted.org/[^\"#]*llama_cpp_python-$version.tar.gz" | head -1)"
    [ -n "$url" ] || { echo "setup_llama_cpp.sh: llama-cpp-python $version not found on PyPI" >&2; exit 1; }
    curl -sf --max-time 600 -o "$archive" "$url"
    echo "$sha256  $archive" | sha256sum -c --quiet -
    tar xzf "$archive" -C "$dir"
fi
if [ ! -x "$dir/bin/llama-embedding" ] || [ ! -x "$dir/bin/llama-server" ]; then
    "$python" -m pip install -q cmake ninja >&2
    PATH="$root/.venv/bin:$PATH" cmake -S "$source" -B "$dir/build" -G Ninja -DCMAKE_BUILD_TYPE=Release \
        -DGGML_NATIVE=ON -DLLAMA_CURL=OFF -DLLAMA_BUILD_TESTS=OFF -DBUILD_SHARED_LIBS=OFF >&2
    PATH="$root/.venv/bin:$PATH" cmake --build "$dir/build" -j "$(nproc)" --target llama-embedding llama-server >&2
    mkdir -p "$dir/bin"
    cp "$dir/build/bin/llama-embedding" "$dir/build/bin/llama-server" "$dir/bin/"
fi
name="$(basename "${model%/}")"
for type in f16 q8_0; do
    out="$dir/$name-$type.gguf"
    if [ ! -f "$out" ]; then
        PYTHONPATH="$source/gguf-py" "$python" "$source/convert_hf_to_gguf.py" "$model" --outtype "$type" \
            --outfile "$out" >&2
    fi
done
echo "$dir"
