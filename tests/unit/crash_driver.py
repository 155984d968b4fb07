"""Runs one ingest (or check) in a child process that SIGKILLs itself at a chosen write, and reads a store's state.

Crash points are the store's writes (each Chroma upsert, update and delete, and each save of the lexical index): the
child counts them and kills itself just before the chosen one, so every boundary between two writes of a run can be
hit on purpose. Children come from a forkserver that has imported Pressroom once, so each costs a fork, not an
interpreter start.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pressroom.ingest.chunking import chunk_article
from pressroom.ingest.clean import clean_text
from pressroom.ingest.lexical import LexicalIndex
from pressroom.ingest.readers import Article, read_paths
from pressroom.ingest.store import lexical_dir
from pressroom.qa.facade import Pressroom

from pressroom.settings import Settings

from .conftest import FakeEmbedder

WRITES = {"upsert", "update", "delete"}


class _Countdown:
    """Kills the process just before the ``at``-th write it sees (counting from 1)."""

    def __init__(self, at: int) -> None:
        self.left = at

    def tick(self) -> None:
        self.left -= 1
        if self.left == 0:
            os.kill(os.getpid(), signal.SIGKILL)


class _Collection:
    """A real Chroma collection whose writes first tick the countdown."""

    def __init__(self, collection: Any, countdown: _Countdown) -> None:
        self._collection = collection
        self._countdown = countdown

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._collection, name)
        if name not in WRITES:
            return attr

        def write(*args: Any, **kwargs: Any) -> Any:
            self._countdown.tick()
            return attr(*args, **kwargs)

        return write


@dataclass
class Job:
    store_dir: str
    action: str  # "ingest", "prune" (ingest --prune) or "check"
    folder: str
    crash_at: int = 0  # 0: run to the end


def pressroom_for(store_dir: str | Path) -> Pressroom:
    return Pressroom(Settings(store_dir=Path(store_dir)), embedder=FakeEmbedder())


def _child(job: Job) -> None:
    pressroom = pressroom_for(job.store_dir)
    if job.crash_at:
        countdown = _Countdown(job.crash_at)
        store = pressroom.store
        store.__dict__["chunks"] = _Collection(store.chunks, countdown)
        store.__dict__["articles"] = _Collection(store.articles, countdown)
        save = LexicalIndex.save

        def counted_save(index: LexicalIndex, folder: Path) -> None:
            countdown.tick()
            save(index, folder)

        LexicalIndex.save = counted_save  # type: ignore[method-assign]
    if job.action == "check":
        pressroom.check()
    else:
        pressroom.ingest([job.folder], prune=job.action == "prune")


_CONTEXT = multiprocessing.get_context("forkserver")
_CONTEXT.set_forkserver_preload([__name__])


def run(job: Job) -> bool:
    """Run the job in a child process; True when the child was killed at its crash point."""
    child = _CONTEXT.Process(target=_child, args=(job,))
    child.start()
    child.join(120)
    if child.exitcode is None:
        child.kill()
        raise RuntimeError(f"{job} did not finish in 120 s")
    if child.exitcode not in (0, -signal.SIGKILL):
        raise RuntimeError(f"{job} failed with exit code {child.exitcode}")
    return child.exitcode == -signal.SIGKILL


def run_together(target: Any, args: list[tuple[Any, ...]]) -> list[int | None]:
    """Start one child per argument tuple at once; their exit codes."""
    children = [_CONTEXT.Process(target=target, args=a) for a in args]
    for child in children:
        child.start()
    for child in children:
        child.join(120)
    return [child.exitcode for child in children]


def ingest_folder(store_dir: str, folder: str) -> None:
    pressroom_for(store_dir).ingest([folder])


def save_lexical(store_dir: str, times: int) -> None:
    """Build the lexical index once and save it again and again, as many ingests finishing together would."""
    pressroom = pressroom_for(store_dir)
    index = LexicalIndex.build(pressroom.store)
    for _ in range(times):
        index.save(lexical_dir(pressroom.settings))


@dataclass
class State:
    """What a store holds, in the terms the model speaks: articles' text and chunk ids, and the lexical index."""

    articles: dict[str, str]  # id -> stored text
    chunks: dict[str, tuple[str, str]]  # chunk id -> (article id, text)
    lexical: list[str]  # chunk ids in the saved BM25 index, as a fresh process loads it


def _read_state(store_dir: str, pipe: Any) -> None:
    pressroom = pressroom_for(store_dir)
    store = pressroom.store
    articles = {aid: store.article(aid).text for aid, _ in store.iter_article_metadata()}
    chunks = {cid: (str(meta["article_id"]), text) for cid, text, meta in store.iter_chunks()}
    saved = LexicalIndex.load(lexical_dir(pressroom.settings))
    pipe.send(State(articles, chunks, sorted(saved.ids) if saved else []))


def read_state(store_dir: str | Path) -> State:
    """Read in a child too: an embedded Chroma client in this process would cache what children change under it."""
    receive, send = _CONTEXT.Pipe(duplex=False)
    child = _CONTEXT.Process(target=_read_state, args=(str(store_dir), send))
    child.start()
    state = receive.recv()
    child.join(60)
    return state


def expected_state(folder: Path, settings: Settings) -> tuple[dict[str, str], dict[str, tuple[str, str]]]:
    """What a store should hold after ingesting ``folder``: each file's cleaned text and its chunks."""
    articles: dict[str, str] = {}
    chunks: dict[str, tuple[str, str]] = {}
    for item in read_paths([folder]):
        assert isinstance(item, Article), item
        text = clean_text(item.text)
        articles[item.id] = text
        for chunk in chunk_article(item.id, text, settings.chunk_chars, settings.chunk_overlap_sentences):
            chunks[chunk.id] = (item.id, chunk.text)
    return articles, chunks
