"""Ingest's stat cache: an unchanged file is not read again, and everything that could make its cached articles wrong
makes it read again (an edit, a same-size edit, a settings change, an article deleted from the store, a reset)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from pressroom.ingest import filecache, pipeline
from pressroom.qa.facade import Pressroom

from pressroom.settings import Settings

from .conftest import ARTICLES, FakeEmbedder


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The files ingest reads, by name; the racy-file guard off, so files written by the test can be cached."""
    monkeypatch.setattr(filecache, "RACY_NS", 0)
    seen: list[str] = []
    real = pipeline.read_file

    def spy(path: Path, root: Path, max_mb: float):  # type: ignore[no-untyped-def]
        seen.append(path.name)
        return real(path, root, max_mb=max_mb)

    monkeypatch.setattr(pipeline, "read_file", spy)
    return seen


def make(tmp_path: Path, **settings: object) -> tuple[Pressroom, Path]:
    folder = tmp_path / "articles"
    folder.mkdir(exist_ok=True)
    for name, text in ARTICLES.items():
        if not (folder / name).exists():
            (folder / name).write_text(text)
    return Pressroom(Settings(store_dir=tmp_path / "store", **settings), embedder=FakeEmbedder()), folder


def test_an_unchanged_file_is_not_read_again(tmp_path: Path, reads: list[str]) -> None:
    pressroom, folder = make(tmp_path)
    assert pressroom.ingest([folder]).added == 3
    reads.clear()
    summary = pressroom.ingest([folder])
    assert (summary.added, summary.updated, summary.unchanged) == (0, 0, 3)
    assert reads == []


def test_an_edited_file_is_read_and_updated(tmp_path: Path, reads: list[str]) -> None:
    pressroom, folder = make(tmp_path)
    pressroom.ingest([folder])
    (folder / "bridge.txt").write_text(ARTICLES["bridge.txt"] + " It reopens in May.")
    reads.clear()
    summary = pressroom.ingest([folder])
    assert reads == ["bridge.txt"]
    assert (summary.updated, summary.unchanged) == (1, 2)
    assert "reopens in May" in pressroom.article("bridge").text


def test_a_same_size_edit_is_seen_by_its_mtime_and_by_its_ctime(tmp_path: Path, reads: list[str]) -> None:
    pressroom, folder = make(tmp_path)
    pressroom.ingest([folder])
    path = folder / "bridge.txt"
    before = path.stat()
    path.write_text(ARTICLES["bridge.txt"].replace("1931", "1932"))  # same size, new mtime
    assert path.stat().st_size == before.st_size
    reads.clear()
    assert pressroom.ingest([folder]).updated == 1 and reads == ["bridge.txt"]

    # Content changed again, mtime put back to what the cache holds: the ctime (which no one can set) still moved.
    cached = path.stat()
    path.write_text(ARTICLES["bridge.txt"].replace("1931", "1933"))
    os.utime(path, ns=(cached.st_atime_ns, cached.st_mtime_ns))
    reads.clear()
    assert pressroom.ingest([folder]).updated == 1 and reads == ["bridge.txt"]
    assert "1933" in pressroom.article("bridge").text


def test_a_settings_change_reads_every_file_again(tmp_path: Path, reads: list[str]) -> None:
    pressroom, folder = make(tmp_path)
    pressroom.ingest([folder])
    # A setting in the content hash: every article is rebuilt.
    rechunked, _ = make(tmp_path, chunk_chars=300)
    reads.clear()
    assert rechunked.ingest([folder]).updated == 3 and sorted(reads) == sorted(ARTICLES)
    # A limit outside the hash still decides what is skipped: files are read, the articles found unchanged.
    limited, _ = make(tmp_path, chunk_chars=300, max_article_chars=5000)
    reads.clear()
    assert limited.ingest([folder]).unchanged == 3 and sorted(reads) == sorted(ARTICLES)


def test_an_article_deleted_from_the_store_is_ingested_again(tmp_path: Path, reads: list[str]) -> None:
    pressroom, folder = make(tmp_path)
    pressroom.ingest([folder])
    pressroom.store.delete_articles(["mine"])
    reads.clear()
    summary = pressroom.ingest([folder])
    assert (summary.added, summary.unchanged) == (1, 2) and reads == ["mine.txt"]
    assert pressroom.article("mine") is not None
    reads.clear()
    assert pressroom.ingest([folder]).unchanged == 3 and reads == []  # cached again


def test_an_article_changed_in_the_store_by_another_ingest_is_read_again(tmp_path: Path, reads: list[str]) -> None:
    pressroom, folder = make(tmp_path)
    pressroom.ingest([folder])
    # The same id written from another file (another root, another text): the cached hash no longer matches.
    other = tmp_path / "other"
    other.mkdir()
    (other / "mine.txt").write_text("Mine plan dropped\n\nThe board withdrew its approval of the mine.")
    assert pressroom.ingest([other]).updated == 1
    reads.clear()
    summary = pressroom.ingest([folder])
    assert summary.updated == 1 and reads == ["mine.txt"]
    assert "Carrow Fell" in pressroom.article("mine").text


def test_a_reset_store_starts_with_no_cache(tmp_path: Path, reads: list[str]) -> None:
    pressroom, folder = make(tmp_path)
    pressroom.ingest([folder])
    pressroom.store.reset()
    reads.clear()
    assert pressroom.ingest([folder]).added == 3 and sorted(reads) == sorted(ARTICLES)


def test_a_fresh_file_is_not_cached(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Written within RACY_NS of the ingest: its stat could not tell a same-size edit a moment later apart."""
    pressroom, folder = make(tmp_path)
    pressroom.ingest([folder])
    seen: list[str] = []
    real = pipeline.read_file
    monkeypatch.setattr(pipeline, "read_file", lambda p, r, max_mb: seen.append(p.name) or real(p, r, max_mb=max_mb))
    pressroom.ingest([folder])
    assert sorted(seen) == sorted(ARTICLES)


def test_a_bad_row_of_a_cached_file_is_reported_again_and_spared_by_prune(tmp_path: Path, reads: list[str]) -> None:
    pressroom, folder = make(tmp_path)
    good = [{"id": "a1", "title": "Good row", "text": "Some text about the harbour."}]
    export = folder / "export.jsonl"
    export.write_text("\n".join(json.dumps(r) for r in [*good, {"id": "a2", "title": "Ferry", "text": "Ferry late."}]))
    assert pressroom.ingest([folder]).added == 5
    # a2's row loses its text: the stored a2 is kept (a bad read must not lose what landed) and the row reported.
    export.write_text("\n".join(json.dumps(r) for r in [*good, {"id": "a2", "title": "Ferry"}]))
    first = pressroom.ingest([folder], prune=True)
    assert first.removed == 0 and len(first.skipped) == 1 and reads.count("export.jsonl") == 2
    reads.clear()
    again = pressroom.ingest([folder], prune=True)
    assert reads == [] and again.unchanged == 4 and again.removed == 0
    assert pressroom.article("a2") is not None
    assert [(s.path, s.reason, s.article_id, s.row) for s in again.skipped] == [
        (s.path, s.reason, s.article_id, s.row) for s in first.skipped
    ]


def test_a_file_whose_id_another_file_also_holds_is_not_cached(tmp_path: Path, reads: list[str]) -> None:
    pressroom, folder = make(tmp_path)
    (folder / "z.jsonl").write_text(json.dumps({"id": "mine", "title": "Other", "text": "Another mine story."}))
    first = pressroom.ingest([folder])
    assert any("duplicate article id" in s.reason for s in first.skipped)
    reads.clear()
    again = pressroom.ingest([folder])
    assert reads == ["z.jsonl"] and any("duplicate article id" in s.reason for s in again.skipped)


def test_a_cached_file_is_kept_by_prune_and_a_duplicate_id_is_still_reported(tmp_path: Path, reads: list[str]) -> None:
    pressroom, folder = make(tmp_path)
    pressroom.ingest([folder])
    (folder / "budget.txt").unlink()
    summary = pressroom.ingest([folder], prune=True)
    assert (summary.removed, summary.unchanged) == (1, 2)
    assert pressroom.article("mine") is not None and pressroom.article("budget") is None
    # An export read before the cached mine.txt (sorted first) names the same id: mine.txt's copy is the duplicate.
    (folder / "a.jsonl").write_text(json.dumps({"id": "mine", "title": "Other", "text": "Another mine story."}))
    reads.clear()
    summary = pressroom.ingest([folder])
    assert "a.jsonl" in reads and "mine.txt" in reads
    assert any("duplicate article id" in s.reason for s in summary.skipped)
