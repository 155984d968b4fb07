"""Faults with the real model, real processes and a real Chroma server: streams stay clean, errors stay one line."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from pressroom.cli import main

from pressroom.settings import Settings

from ..conftest import SAMPLE_DIR, free_port, start_chroma

pytestmark = pytest.mark.slow
PRESSROOM = str(Path(sys.executable).parent / "pressroom")


def test_ingest_json_parses_on_a_cold_model_cache(tmp_path: Path) -> None:
    """Defect 7: NNCF printed its log and a table to stdout while compressing the model for the first time."""
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cold-cache")}
    done = subprocess.run(
        [PRESSROOM, "ingest", "--json", str(SAMPLE_DIR), "--store", str(tmp_path / "store")],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "cold-cache" / "pressroom" / "openvino").is_dir()  # the model was converted in this run
    assert json.loads(done.stdout)["added"] == 1
    assert "Traceback" not in done.stderr


def test_batch_bad_lines_get_errors_with_their_ids_and_the_rest_go_on(news_settings: Settings, tmp_path: Path) -> None:
    """Defect 5: a history of [1, 2], a non-text answer or a lone surrogate stopped the batch at that line."""
    batch = tmp_path / "q.jsonl"
    batch.write_text(
        '{"id": "h", "question": "Who announced the pullout?", "history": [1, 2]}\n'
        '{"id": "t", "question": "When?", "history": [{"question": "Who left?", "answer": 5}]}\n'
        '{"id": "s", "question": "Who \\ud800 announced the pullout?"}\n'
        '{"id": "k", "question": "Who announced the pullout?", "history": "not a list"}\n'
        '{"id": "ok", "question": "Who announced the pullout?"}\n'
    )
    out = CliRunner().invoke(main, ["ask", "--batch", str(batch), "--store", str(news_settings.store_dir)])
    lines = [json.loads(line) for line in out.stdout.strip().splitlines()]
    assert [line["id"] for line in lines] == ["h", "t", "s", "k", "ok"]
    assert [line.get("error", "")[:20] for line in lines[:4]] == [
        "history turn 1 must ",
        "history turn 1: the ",
        "the question holds a",
        "history must be a li",
    ]
    assert "Putin" in lines[4]["answer"] and out.exit_code == 1


def test_bad_filters_exit_1_with_the_reason(news_settings: Settings) -> None:
    """Defect 9: impossible dates, --until before --since and an unknown --article exited 0 with a refusal."""
    store = ["--store", str(news_settings.store_dir)]
    for flags, reason in [
        (["--since", "2017-02-30"], "real days"),
        (["--since", "2017-13-45"], "real days"),
        (["--since", "2017-03-10", "--until", "2017-03-01"], "before the since date"),
        (["--article", "no-such-article"], "no article with the id"),
    ]:
        result = CliRunner().invoke(main, ["ask", "Who announced the pullout?", *flags, *store])
        assert result.exit_code == 1 and reason in result.output, flags


@pytest.mark.server
def test_a_chroma_server_dying_mid_ingest_is_one_clear_line(tmp_path: Path, news100_csv: Path) -> None:
    """Defect 8: a raw httpx.ConnectError traceback; only client creation was wrapped. After a restart, `check`
    finds the store consistent or repairs it."""
    port = free_port()
    server, url = start_chroma(tmp_path / "server", port)
    many = tmp_path / "many.csv"
    rows = news100_csv.read_text().splitlines()
    many.write_text("\n".join(rows) + "\n")
    ingest = subprocess.Popen(
        [PRESSROOM, "ingest", str(many), str(SAMPLE_DIR), "--chroma-url", url],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        # Wait until the ingest has written to the server, then kill the server under it.
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline and not list((tmp_path / "server" / "data").glob("*-*-*-*-*")):
            time.sleep(0.2)
        server.send_signal(signal.SIGKILL)
        server.wait()
        _, stderr = ingest.communicate(timeout=300)
    finally:
        ingest.kill()
    assert ingest.returncode == 1, stderr
    assert "Traceback" not in stderr and "error:" in stderr and url in stderr
    server, url = start_chroma(tmp_path / "server", port)
    try:
        check = subprocess.run(
            [PRESSROOM, "check", "--json", "--chroma-url", url], capture_output=True, text=True, timeout=300
        )
        assert check.returncode == 0, check.stderr
        assert {"articles", "chunks", "orphan_chunks", "rebuilt", "deletes_finished"} <= set(json.loads(check.stdout))
    finally:
        server.terminate()
        server.wait(timeout=20)
