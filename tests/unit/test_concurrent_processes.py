"""Processes that share one embedded store: creating it together, saving the BM25 index together."""

from __future__ import annotations

from pathlib import Path

from pressroom.ingest.lexical import LexicalIndex
from pressroom.ingest.store import lexical_dir

from pressroom.settings import Settings

from .crash_driver import ingest_folder, pressroom_for, run_together, save_lexical

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


def test_processes_saving_the_lexical_index_at_once_never_fail(fake_pressroom_store: Path) -> None:
    """Defect 6: fixed .tmp/.old names made 55 of 120 saves in a tight loop fail."""
    assert run_together(save_lexical, [(str(fake_pressroom_store), 60)] * 2) == [0, 0]
    saved = LexicalIndex.load(lexical_dir(Settings(store_dir=fake_pressroom_store)))
    assert saved is not None and len(saved.ids) == pressroom_for(fake_pressroom_store).store.chunk_count()
    assert [p.name for p in fake_pressroom_store.joinpath("lexical").iterdir()] == ["pressroom"]
