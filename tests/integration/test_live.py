"""Several processes on one store, with the real model: a long-lived Pressroom answers about an article the
`pressroom` CLI ingested a moment ago, embedded and on a real Chroma server, and both give the same answers."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from pressroom.qa.facade import Pressroom

from pressroom.settings import Settings

from ..conftest import SAMPLE_DIR

HEAT = "Heatwave closes Dunmore schools\n\nSchools in Dunmore closed on Tuesday as the heatwave pushed temperatures to 38C."
QUESTION = "Why did the schools in Dunmore close?"


def cli_ingest(folder: Path, *store: str) -> None:
    pressroom = Path(sys.executable).parent / "pressroom"
    done = subprocess.run([str(pressroom), "ingest", str(folder), *store], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr


def answered_from_new_article(pressroom: Pressroom, settings_args: list[str], tmp_path: Path) -> tuple[str, str]:
    """Ask before and after another process ingests the new article; (article of the top passage, answer text)."""
    assert pressroom.ask(QUESTION).answer.refused
    (tmp_path / "new").mkdir()
    (tmp_path / "new" / "dunmore-heat.txt").write_text(HEAT)
    cli_ingest(tmp_path / "new", *settings_args)
    result = pressroom.ask(QUESTION)
    assert not result.answer.refused
    return result.passages[0].article_id, result.answer.text


@pytest.mark.slow
@pytest.mark.server
def test_a_long_lived_pressroom_sees_a_cli_ingest_embedded_and_on_a_server(tmp_path: Path, chroma_server: str) -> None:
    embedded_settings = Settings(store_dir=tmp_path / "store")
    server_settings = Settings(chroma_url=chroma_server, collection="livetest")
    answers = []
    for settings, args, where in (
        (embedded_settings, ["--store", str(embedded_settings.store_dir)], tmp_path / "embedded"),
        (server_settings, ["--chroma-url", chroma_server, "--collection", "livetest"], tmp_path / "server"),
    ):
        where.mkdir()
        pressroom = Pressroom(settings)
        pressroom.ingest([SAMPLE_DIR])
        answers.append(answered_from_new_article(pressroom, args, where))
        assert pressroom.lexical.count() == pressroom.store.chunk_count()
        assert pressroom.stats().articles == 2
    assert answers[0] == answers[1]
    assert answers[0][0] == "dunmore-heat"
