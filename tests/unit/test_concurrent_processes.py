"""Processes that share one embedded store: creating it together, updating the lexical index together."""

from __future__ import annotations

from pathlib import Path

from pressroom.ingest.lexical import Lexical

from .crash_driver import indexed_chunk_ids, ingest_folder, pressroom_for, run_together, update_lexical

PROCESSES = 4


def test_processes_creating_a_new_store_at_once_all_land(tmp_path: Path) -> None:
    """Defect 6: the second process died with "table collections already exists" and its articles were lost."""
    for attempt in range(3):
        store = tmp_path / f"store{attempt}"
        jobs = []
        for n in range(PROCESSES):
            folder = tmp_path / f"in{attempt}-{n}"
            folder.mkdir()
            (folder / f"p{n}.txt").write_text(f"Story {n}\nProcess {n} wrote this story about the harbour.")
            jobs.append((str(store), str(folder)))
        assert run_together(ingest_folder, jobs) == [0] * PROCESSES
        assert pressroom_for(store).store.article_count() == PROCESSES


def test_processes_updating_the_lexical_index_at_once_never_fail(fake_pressroom_store: Path) -> None:
    """Defect 6: fixed .tmp/.old names made 55 of 120 saves in a tight loop fail; the index folder now takes one
    updating process at a time."""
    assert run_together(update_lexical, [(str(fake_pressroom_store), 20)] * 2) == [0, 0]
    store = pressroom_for(fake_pressroom_store).store
    lexical = Lexical(store)
    lexical._open()
    assert len(indexed_chunk_ids(lexical)) == store.chunk_count()
    assert [p.name for p in fake_pressroom_store.joinpath("lexical").iterdir()] == ["pressroom"]
