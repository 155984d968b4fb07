"""Ingest end to end with the real model and real Chroma stores."""

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from pressroom.cli import main
from pressroom.qa.facade import Pressroom

from pressroom.settings import Settings

from ..conftest import SAMPLE_DIR, SAMPLE_ID

pytestmark = pytest.mark.slow


def assert_offsets_hold(store: Any) -> int:
    texts: dict[str, str] = {}
    count = 0
    for cid, text, meta in store.iter_chunks():
        article_id = meta["article_id"]
        if article_id not in texts:
            texts[article_id] = store.article(article_id).text
        assert texts[article_id][meta["start"] : meta["end"]] == text, cid
        count += 1
    return count


def test_offsets_hold_for_every_chunk_of_the_sample_and_news100(news_settings: Settings) -> None:
    store = Pressroom(news_settings).store
    assert store.article_count() == 101
    assert assert_offsets_hold(store) == store.chunk_count() > 400
    sample = store.article(SAMPLE_ID)
    assert sample.title.startswith("Putin baffles allies")
    assert "file photo" not in sample.text and "Related" not in sample.text


def test_every_chunk_carries_its_article_metadata(news_settings: Settings) -> None:
    store = Pressroom(news_settings).store
    rows = list(store.iter_chunks())
    news = [meta for _, _, meta in rows if meta["article_id"] != SAMPLE_ID]
    assert all({"title", "source", "date", "date_int", "url", "start", "end"} <= meta.keys() for meta in news)


def copy_sample(tmp_path: Path) -> Path:
    folder = tmp_path / "articles"
    shutil.copytree(SAMPLE_DIR, folder)
    (folder / "second.txt").write_text(
        "Second story\nThe port of Tartus hosts a Russian naval facility. It was expanded in 2017.\n"
    )
    return folder


def test_reingest_embeds_nothing_and_edits_replace_stale_chunks(tmp_path: Path, settings: Settings) -> None:
    folder = copy_sample(tmp_path)
    ingestor = Pressroom(settings)
    first = ingestor.ingest([folder])
    assert (first.added, first.unchanged, first.skipped) == (2, 0, [])
    chunks_before = ingestor.store.chunk_count()

    again = ingestor.ingest([folder])
    assert (again.added, again.updated, again.unchanged, again.chunks_written) == (0, 0, 2, 0)
    assert ingestor.store.chunk_count() == chunks_before

    sample = folder / "putin-syria-pullout.txt"
    sample.write_text(sample.read_text().replace("six months back.", "six months back.\n\n" + "A new paragraph. " * 80))
    edited = ingestor.ingest([folder])
    assert (edited.added, edited.updated, edited.unchanged) == (0, 1, 1)
    stored = ingestor.store.article(SAMPLE_ID)
    assert "A new paragraph." in stored.text
    assert ingestor.store.chunk_count() > chunks_before
    assert stored.n_chunks == sum(1 for _, _, m in ingestor.store.iter_chunks() if m["article_id"] == SAMPLE_ID)
    assert assert_offsets_hold(ingestor.store) == ingestor.store.chunk_count()

    (folder / "second.txt").unlink()
    kept = ingestor.ingest([folder])
    assert kept.removed == 0 and ingestor.store.article("second") is not None
    pruned = ingestor.ingest([folder], prune=True)
    assert pruned.removed == 1 and ingestor.store.article("second") is None
    assert all(m["article_id"] == SAMPLE_ID for _, _, m in ingestor.store.iter_chunks())


def test_bad_files_beside_good_ones_land_the_good_ones(tmp_path: Path, settings: Settings) -> None:
    folder = copy_sample(tmp_path)
    (folder / "empty.txt").write_text("   \n")
    (folder / "binary.txt").write_bytes(b"\x00\xff\x00")
    (folder / "latin1.txt").write_bytes("Caf\xe9\nbody".encode("latin-1"))
    (folder / "rows.jsonl").write_text('{"id": "r1", "title": "Row one", "text": "A fine row."}\n{"id": "r2", "te\n')
    runner = CliRunner()
    result = runner.invoke(
        main, ["ingest", str(folder), str(tmp_path / "nope"), "--json", "--store", str(settings.store_dir)]
    )
    assert result.exit_code == 1, result.output
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary["added"] == 4  # the Latin-1 file is decoded (as Windows-1252, its superset), not skipped
    assert {Path(f).name: e for f, e in summary["decoded"].items()} == {"latin1.txt": "cp1252"}
    reasons = {Path(s["path"]).name.split(":")[0]: s["reason"] for s in summary["skipped"]}
    assert set(reasons) == {"empty.txt", "binary.txt", "rows.jsonl", "nope"}
    store = Pressroom(settings).store
    assert store.article("r1") is not None and store.article(SAMPLE_ID) is not None

    clean = runner.invoke(main, ["ingest", str(SAMPLE_DIR), "--json", "--store", str(settings.store_dir)])
    assert clean.exit_code == 0 and json.loads(clean.stdout.strip().splitlines()[-1])["unchanged"] == 1


def test_a_new_store_is_announced(tmp_path: Path, settings: Settings) -> None:
    """A trial's mistyped --store filled a second store without a word."""
    store = tmp_path / "typo"
    first = CliRunner().invoke(main, ["ingest", str(SAMPLE_DIR), "--store", str(store)])
    assert first.exit_code == 0 and f"new store at {store}" in first.stderr
    again = CliRunner().invoke(main, ["ingest", str(SAMPLE_DIR), "--store", str(store)])
    assert again.exit_code == 0 and "new store" not in again.stderr


def test_usage_errors_exit_2(settings: Settings) -> None:
    assert CliRunner().invoke(main, ["ingest"]).exit_code == 2
    assert CliRunner().invoke(main, ["ingest", "--bogus", "x"]).exit_code == 2


@pytest.mark.server
def test_server_store_gives_the_same_ids_and_counts_as_embedded(
    tmp_path: Path, settings: Settings, chroma_server: str
) -> None:
    folder = copy_sample(tmp_path)
    embedded = Pressroom(settings)
    embedded.ingest([folder])
    server_settings = Settings(chroma_url=chroma_server, collection="servertest")
    server = Pressroom(server_settings)
    server.store.reset()
    server = Pressroom(server_settings)
    summary = server.ingest([folder])
    assert summary.added == 2
    assert server.ingest([folder]).chunks_written == 0
    ids = lambda store: sorted(cid for cid, _, _ in store.iter_chunks())  # noqa: E731
    assert ids(server.store) == ids(embedded.store)
    assert server.store.article_count() == embedded.store.article_count() == 2
    assert server.stats().backend == "server"
    assert assert_offsets_hold(server.store) == server.store.chunk_count()
