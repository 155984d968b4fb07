"""Chunk shards (ingest/store.py): new articles go to the newest chunk collection, so a process that writes one
article never opens (and, embedded, never loads the HNSW graph of) the full ones; updates and deletes stay in the
shard an article's record names; retrieval, stats and check see every shard."""

from __future__ import annotations

from pathlib import Path

import pytest
from pressroom.ingest import pipeline
from pressroom.ingest import store as store_module
from pressroom.ingest.store import SHARD, ArticleStore
from pressroom.qa.facade import Pressroom

from pressroom.settings import Settings

from .conftest import ARTICLES, FakeEmbedder

HEAT = "Heatwave closes schools\n\nSchools in Dunmore closed on Tuesday as the heatwave pushed temperatures to 38C."
FLOOD = "Flood shuts Kelby road\n\nThe Kelby road was shut after the river rose two metres overnight."


def fresh(folder: Path) -> Pressroom:
    """A Pressroom as a new process opens it: no collection opened yet."""
    return Pressroom(Settings(store_dir=folder), embedder=FakeEmbedder())


def shards_touched(pressroom: Pressroom, monkeypatch: pytest.MonkeyPatch) -> set[int]:
    touched: set[int] = set()
    original = ArticleStore.shard

    def spy(self: ArticleStore, number: int) -> object:
        touched.add(number)
        return original(self, number)

    monkeypatch.setattr(ArticleStore, "shard", spy)
    return touched


def test_new_articles_fill_a_new_shard_and_edits_stay_where_they_are(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store_module, "SHARD_CHUNKS", 2)
    folder, new = tmp_path / "articles", tmp_path / "new"
    folder.mkdir()
    new.mkdir()
    for name, text in ARTICLES.items():
        (folder / name).write_text(text)
    store_dir = tmp_path / "store"
    assert fresh(store_dir).ingest([folder]).added == 3  # one batch: all into shard 0, past the cap

    (new / "heat.txt").write_text(HEAT)
    assert fresh(store_dir).ingest([new]).added == 1  # opens shard 1 (counting shard 0 once)

    (new / "flood.txt").write_text(FLOOD)
    pressroom = fresh(store_dir)
    touched = shards_touched(pressroom, monkeypatch)
    # As a minute after the first ingest: its articles are past the repair's look-back at writers' clocks.
    monkeypatch.setattr(pipeline, "SLACK_US", 0)
    assert pressroom.ingest([new]).added == 1
    assert touched == {1}  # the one-article ingest never opened shard 0
    monkeypatch.undo()
    monkeypatch.setattr(store_module, "SHARD_CHUNKS", 2)

    pressroom = fresh(store_dir)
    store = pressroom.store
    assert store.shard_numbers() == [0, 1]
    records = store.records(["heat", "flood", "mine"])
    assert (records["heat"][SHARD], records["flood"][SHARD], records["mine"][SHARD]) == (1, 1, 0)
    assert {m["article_id"] for m in store.shard(1).get(include=["metadatas"])["metadatas"]} == {"heat", "flood"}
    assert store.chunk_count() == store.shard(0).count() + store.shard(1).count()
    assert pressroom.ask("Why did the Dunmore schools close?").passages[0].article_id == "heat"
    assert pressroom.ask("Why was the Kelby road shut?").passages[0].article_id == "flood"

    # An edit of an article in shard 0 stays there, its old chunks gone; a delete empties the right shard.
    (folder / "mine.txt").write_text("Board approves lithium mine\n\nThe mine was approved; Dunmore quarry shuts.")
    (new / "heat.txt").unlink()
    assert pressroom.ingest([folder]).updated == 1
    assert pressroom.ingest([new], prune=True).removed == 1
    mine = store.shard(0).get(where={"article_id": "mine"}, include=["documents"])["documents"]
    assert len(mine) == 1 and "Dunmore quarry" in mine[0]
    assert not store.shard(1).get(where={"article_id": "heat"}, include=[])["ids"]
    assert [cid.split("::")[0] for cid, _ in pressroom.lexical.search("Dunmore quarry", 10)] == ["mine"]
    assert pressroom.lexical.count() == store.chunk_count() == len(list(store.iter_chunks()))

    assert not fresh(store_dir).check().changed  # every record's chunks are where it says, nothing orphaned

    # A copy of a chunk outside its record's shard (two processes writing one new article as a shard opened):
    # `check` drops the copy and keeps the chunk where the record says.
    flood = store.shard(1).get(where={"article_id": "flood"}, include=["documents", "metadatas", "embeddings"])
    store.shard(0).upsert(
        ids=flood["ids"], documents=flood["documents"], metadatas=flood["metadatas"], embeddings=flood["embeddings"]
    )
    report = fresh(store_dir).check()
    assert report.orphan_chunks == len(flood["ids"]) and not report.rebuilt
    assert not store.shard(0).get(ids=flood["ids"], include=[])["ids"]
    assert store.shard(1).get(ids=flood["ids"], include=[])["ids"] == flood["ids"]
    assert not fresh(store_dir).check().changed

    # A reset drops every shard.
    store.reset()
    assert store.shard_numbers() == [0] and store.chunk_count() == 0
