"""The store's generation and change log, and the incremental lexical index that follows them: a long-lived
Pressroom sees what a second real process writes, and an update killed half-way is repaired.

The second process is a real Python process on the same embedded Chroma store, with the fake embedder."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from pressroom.ingest.lexical import Lexical
from pressroom.qa.facade import Pressroom

from pressroom.settings import Settings

from .conftest import FakeEmbedder

ROOT = Path(__file__).resolve().parents[2]
HEAT = "Heatwave closes schools\n\nSchools in Dunmore closed on Tuesday as the heatwave pushed temperatures to 38C."


def run_other_process(store: Path, code: str) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a new Python process holding ``pressroom`` (a Pressroom on ``store`` with the fake model)."""
    script = textwrap.dedent(
        f"""
        import sys
        sys.path.insert(0, {str(ROOT)!r})
        from pathlib import Path
        from pressroom.qa.facade import Pressroom
        from pressroom.settings import Settings
        from tests.unit.conftest import FakeEmbedder
        pressroom = Pressroom(Settings(store_dir=Path({str(store)!r})), embedder=FakeEmbedder())
        """
    )
    return subprocess.run(
        [sys.executable, "-c", script + textwrap.dedent(code)], capture_output=True, text=True, timeout=120
    )


def article_ids(pressroom: Pressroom, question: str) -> set[str]:
    return {p.article_id for p in pressroom.ask(question).passages}


def test_a_long_lived_pressroom_answers_about_an_article_another_process_ingested(
    fake_pressroom: Pressroom, tmp_path: Path
) -> None:
    before = fake_pressroom.store.generation()
    assert "heat" not in article_ids(fake_pressroom, "Why did the Dunmore schools close?")
    (tmp_path / "new").mkdir()
    (tmp_path / "new" / "heat.txt").write_text(HEAT)
    done = run_other_process(fake_pressroom.settings.store_dir, f"pressroom.ingest([{str(tmp_path / 'new')!r}])")
    assert done.returncode == 0, done.stderr

    assert fake_pressroom.store.generation() == before + 1
    result = fake_pressroom.ask("Why did the Dunmore schools close?")
    # Whether the answer is given is the answerer's call on fake vectors; tests/integration/test_live.py asks with the
    # real model. Here: the new article is what retrieval finds first.
    assert result.passages[0].article_id == "heat"
    # The stats (and the UI's source list built from them) follow the same generation.
    assert fake_pressroom.stats().articles == 4


def test_deletes_and_edits_reach_the_other_process_too(fake_pressroom: Pressroom, tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    (folder / "bridge.txt").unlink()
    (folder / "mine.txt").write_text("Board approves lithium mine\n\nThe mine was approved; Dunmore quarry shuts.")
    assert fake_pressroom.ask("Which bridge was closed?").passages  # the index is loaded before the change
    done = run_other_process(fake_pressroom.settings.store_dir, f"pressroom.ingest([{str(folder)!r}], prune=True)")
    assert done.returncode == 0, done.stderr

    assert "bridge" not in article_ids(fake_pressroom, "Kingsport bridge corroded cables")
    hits = fake_pressroom.lexical.search("Dunmore quarry", 10)
    assert [cid.split("::")[0] for cid, _ in hits] == ["mine"]
    # Only the live chunks are indexed: the edited article's old chunk is gone, not shadowing the new one.
    assert fake_pressroom.lexical.count() == fake_pressroom.store.chunk_count()


def test_a_lexical_update_killed_half_way_leaves_the_old_index_and_the_next_ingest_repairs_it(
    fake_pressroom: Pressroom, tmp_path: Path
) -> None:
    (tmp_path / "new").mkdir()
    (tmp_path / "new" / "heat.txt").write_text(HEAT)
    # The other process writes the article to Chroma, then dies inside the lexical update, before its commit.
    killed = run_other_process(
        fake_pressroom.settings.store_dir,
        f"""
        import os
        import pressroom.ingest.lexical as lexical
        real_add = lexical._add
        def add_then_die(writer, chunks):
            real_add(writer, chunks)
            os._exit(9)
        lexical._add = add_then_die
        pressroom.ingest([{str(tmp_path / "new")!r}])
        """,
    )
    assert killed.returncode == 9, killed.stderr

    # What a fresh process finds on disk is the index from before the update, whole and searchable.
    fresh = Lexical(fake_pressroom.store)
    fresh._open()
    assert fresh.count() == fake_pressroom.store.chunk_count() - 1
    assert fresh.search("Kingsport bridge", 3)[0][0].startswith("bridge::")

    # The next ingest (nothing left to write) catches the index up.
    repaired = run_other_process(fake_pressroom.settings.store_dir, f"pressroom.ingest([{str(tmp_path / 'new')!r}])")
    assert repaired.returncode == 0, repaired.stderr
    again = Lexical(fake_pressroom.store)
    again._open()
    assert again.count() == fake_pressroom.store.chunk_count()
    assert again.search("Dunmore heatwave", 1)[0][0].startswith("heat::")


def test_a_write_announced_but_not_landed_waits_until_it_lands(fake_pressroom: Pressroom, tmp_path: Path) -> None:
    store, lexical = fake_pressroom.store, fake_pressroom.lexical
    lexical.catch_up()
    # Another writer has announced a new version of "budget" but not written it yet.
    store.announce({"budget": "a-hash-not-written-yet"})
    lexical.catch_up()
    assert [c.article_id for c in lexical._state.pending] == ["budget"]
    assert lexical.count() == store.chunk_count()  # the article stays as it was meanwhile
    # A re-run of that writer's ingest lands a version; the newest announcement decides.
    (tmp_path / "articles" / "budget.txt").write_text("Council sets budget\n\nThe council froze council tax.")
    fake_pressroom.ingest([tmp_path / "articles"])
    assert not lexical._state.pending
    assert [cid.split("::")[0] for cid, _ in lexical.search("froze council tax", 1)] == ["budget"]


def test_a_reset_store_rebuilds_the_index(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "heat.txt").write_text(HEAT)
    settings = Settings(store_dir=tmp_path / "store")
    first = Pressroom(settings, embedder=FakeEmbedder())
    first.ingest([tmp_path / "a"])
    first.store.reset()
    second = Pressroom(settings, embedder=FakeEmbedder())
    assert second.store.generation() == 0
    second.lexical.catch_up()
    assert second.lexical.count() == 0
    assert second.lexical.search("heatwave", 5) == []
