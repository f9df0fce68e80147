#!/usr/bin/env bash
# Builds llama-server, llama-bench and llama-cli (CPU only) from the llama.cpp source tree that the
# pinned node-llama-cpp npm package ships (llama/gitRelease.bundle), so tests run a real llama.cpp
# with nothing downloaded beyond npm. Built once per machine and cached under
#   ${LLM_SPEED_CACHE_DIR:-${XDG_CACHE_HOME:-~/.cache}/llm-speed}/llama.cpp/<source commit>-nlc<version>/bin
# The last line printed is that bin folder. A stamp written last marks a complete build, so an
# interrupted build is redone; a lock keeps two concurrent callers from building twice.
#
# The binaries name the release and commit the bundle was cut from (llama.cpp.info.json's tag,
# the bundle's head commit), exactly as node-llama-cpp's embedded engine names the same source:
# `llama-server --version` prints "version: 0.5.0 (build 0, commit de3ff81)". Without these the
# build counts the bundle's single squashed commit and calls itself "0.5.0-dev (build 1, ...)".
# The build number is 0 ("not counted"): a one-commit bundle has no history to count.
set -euo pipefail
cd "$(dirname "$0")/.."

# node-llama-cpp is an optional dependency of the llama.cpp plugin (hoisted by npm workspaces).
nlc_dir=""
for candidate in packages/plugin-llamacpp/node_modules/node-llama-cpp node_modules/node-llama-cpp; do
  if [ -f "$candidate/package.json" ]; then nlc_dir="$(cd "$candidate" && pwd)"; break; fi
done
[ -n "$nlc_dir" ] || {
  echo "node-llama-cpp is not installed: run npm ci first" >&2
  exit 1
}
bundle="$nlc_dir/llama/gitRelease.bundle"
[ -f "$bundle" ] || { echo "no llama.cpp source bundle at $bundle" >&2; exit 1; }
for tool in git cmake c++; do
  command -v "$tool" >/dev/null || { echo "$tool is required to build llama-server (Debian: apt-get install git cmake g++)" >&2; exit 1; }
done

nlc_version="$(node -p "require('$nlc_dir/package.json').version")"
commit="$(git bundle list-heads "$bundle" | head -n 1 | cut -c1-12)"
# The release tag node-llama-cpp pinned (e.g. v0.5.0); a bundle cut from a tag is a release, not a dev build.
tag="$(node -p "require('$nlc_dir/llama/llama.cpp.info.json').tag" 2>/dev/null || echo "")"
case "$tag" in v[0-9]*) is_dev=OFF ;; *) is_dev=ON ;; esac
# Bump when the build's flags change what the binaries report or do, so a stale build is not reused.
flags_rev=3
cache_root="${LLM_SPEED_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/llm-speed}"
out="$cache_root/llama.cpp/${commit}-nlc${nlc_version}-r${flags_rev}"
stamp="$out/bin/.complete"

if [ -f "$stamp" ]; then
  echo "$out/bin"
  exit 0
fi

mkdir -p "$out"
exec 9>"$out/.lock"
flock 9
if [ -f "$stamp" ]; then # another caller finished while we waited
  echo "$out/bin"
  exit 0
fi

# The CPU's own instruction sets, as -march=native would pick them, except Intel AMX. AMX tiles
# need the kernel to grant each process their state (arch_prctl), and a virtual machine can accept
# the request yet fault on the first tile instruction: on a 2-core Sapphire Rapids VM, a native
# build's llama-server died with a general protection fault loading any Q8_0 model (its AMX buffer
# type), while `--no-repack` or an F16 model ran. -march=native cannot be told "but not AMX" from
# outside ggml's CMake (its flags come last), so on x86-64 the features are named one by one from
# /proc/cpuinfo. Elsewhere (arm64, macOS) native stays.
cpu_flags() {
  local flags
  if [ "$(uname -m)" != x86_64 ] || [ ! -r /proc/cpuinfo ]; then
    echo "-DGGML_NATIVE=ON"
    return
  fi
  flags=" $(grep -m1 '^flags' /proc/cpuinfo | cut -d: -f2) "
  has() { case "$flags" in *" $1 "*) echo ON ;; *) echo OFF ;; esac; }
  local avx512=OFF
  if [ "$(has avx512f)$(has avx512cd)$(has avx512vl)$(has avx512dq)$(has avx512bw)" = ONONONONON ]; then avx512=ON; fi
  echo "-DGGML_NATIVE=OFF -DGGML_SSE42=$(has sse4_2) -DGGML_F16C=$(has f16c) -DGGML_FMA=$(has fma) -DGGML_BMI2=$(has bmi2)" \
    "-DGGML_AVX=$(has avx) -DGGML_AVX2=$(has avx2) -DGGML_AVX_VNNI=$(has avx_vnni) -DGGML_AVX512=$avx512" \
    "-DGGML_AVX512_VBMI=$(has avx512vbmi) -DGGML_AVX512_VNNI=$(has avx512_vnni) -DGGML_AVX512_BF16=$(has avx512_bf16)" \
    "-DGGML_AMX_TILE=OFF -DGGML_AMX_INT8=OFF -DGGML_AMX_BF16=OFF"
}

work="$(mktemp -d "${TMPDIR:-/tmp}/llm-speed-llama-build.XXXXXX")"
trap 'rm -rf "$work"' EXIT
echo "building llama-server from node-llama-cpp $nlc_version's llama.cpp ${tag:-(untagged)} ($commit); this takes a few minutes once" >&2
git clone --quiet "$bundle" "$work/src" 2>/dev/null || git clone --quiet "$bundle" "$work/src"
jobs="$(nproc 2>/dev/null || echo 2)"
cmake -S "$work/src" -B "$work/build" \
  -DCMAKE_BUILD_TYPE=Release \
  -DBUILD_SHARED_LIBS=OFF \
  $(cpu_flags) \
  -DLLAMA_OPENSSL=OFF \
  -DLLAMA_BUILD_TESTS=OFF \
  -DLLAMA_BUILD_EXAMPLES=OFF \
  -DLLAMA_BUILD_TOOLS=ON \
  -DLLAMA_BUILD_SERVER=ON \
  -DLLAMA_USE_PREBUILT_UI=OFF \
  -DLLAMA_BUILD_IS_DEV="$is_dev" \
  -DLLAMA_BUILD_NUMBER=0 \
  -DLLAMA_BUILD_COMMIT="${commit:0:7}" >&2
cmake --build "$work/build" --config Release -j "$jobs" --target llama-server llama-bench llama-cli >&2

rm -rf "$out/bin"
mkdir -p "$out/bin"
for binary in llama-server llama-bench llama-cli; do
  cp "$work/build/bin/$binary" "$out/bin/"
done
"$out/bin/llama-server" --version >&2 || true
touch "$stamp"
echo "$out/bin"
