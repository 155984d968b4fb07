"""The BM25 side of hybrid retrieval: a bm25s index over every chunk, rebuilt from Chroma after each change.

Chroma's own sparse search runs only on its hosted service, so a local store keeps this index beside it. The
index records the store fingerprint it was built from; a reader that finds another fingerprint rebuilds it.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import tempfile
import threading
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import bm25s
import numpy as np
from pressroom.ingest.store import ArticleStore, lexical_dir
from pressroom.ingest.terms import tokenize


@dataclass
class LexicalIndex:
    bm25: bm25s.BM25 | None
    ids: list[str]
    article_ids: np.ndarray
    sources: np.ndarray
    date_ints: np.ndarray
    fingerprint: str

    @classmethod
    def build(cls, store: ArticleStore) -> LexicalIndex:
        ids: list[str] = []
        texts: list[str] = []
        articles: list[str] = []
        sources: list[str] = []
        dates: list[int] = []
        fingerprint = store.fingerprint()
        for cid, text, meta in store.iter_chunks():
            ids.append(cid)
            # The title is indexed with every chunk: headlines carry the words questions use.
            texts.append(f"{meta.get('title', '')}\n{text}")
            articles.append(str(meta.get("article_id", "")))
            sources.append(str(meta.get("source", "")))
            dates.append(int(meta.get("date_int", 0)))
        bm25 = None
        if ids:
            bm25 = bm25s.BM25()
            bm25.index(tokenize(texts), show_progress=False)
        return cls(
            bm25,
            ids,
            np.array(articles, dtype=object),
            np.array(sources, dtype=object),
            np.array(dates, dtype=np.int64),
            fingerprint,
        )

    def save(self, folder: Path) -> None:
        # Scratch names are unique: processes saving at once must not write into or delete each other's copies.
        folder.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(dir=folder.parent, prefix=f".{folder.name}.tmp-"))
        if self.bm25 is not None:
            self.bm25.save(str(tmp / "bm25"), show_progress=False)
        meta = {
            "fingerprint": self.fingerprint,
            "ids": self.ids,
            "article_ids": self.article_ids.tolist(),
            "sources": self.sources.tolist(),
            "date_ints": self.date_ints.tolist(),
        }
        (tmp / "meta.json").write_text(json.dumps(meta))
        # Swap in whole so a reader never sees half an index.
        old = folder.with_name(f".{folder.name}.old-{uuid.uuid4().hex}")
        with contextlib.suppress(FileNotFoundError):
            folder.rename(old)
        try:
            tmp.rename(folder)
        except OSError:  # another process swapped its copy in between: it is as fresh as this one
            shutil.rmtree(tmp, ignore_errors=True)
        shutil.rmtree(old, ignore_errors=True)

    @classmethod
    def load(cls, folder: Path) -> LexicalIndex | None:
        try:
            meta = json.loads((folder / "meta.json").read_text())
            bm25 = bm25s.BM25.load(str(folder / "bm25"), show_progress=False) if meta["ids"] else None
        except (OSError, ValueError, KeyError):
            return None
        return cls(
            bm25,
            meta["ids"],
            np.array(meta["article_ids"], dtype=object),
            np.array(meta["sources"], dtype=object),
            np.array(meta["date_ints"], dtype=np.int64),
            meta["fingerprint"],
        )

    def search(self, query: str, k: int, mask: np.ndarray | None = None) -> list[tuple[str, float]]:
        """(chunk id, BM25 score) best first; ``mask`` (one 0/1 per chunk) restricts the candidates."""
        if self.bm25 is None or not self.ids:
            return []
        tokens = [t for t in tokenize([query])[0] if t in self.bm25.vocab_dict]
        if not tokens:
            return []
        k = min(k, len(self.ids))
        docs, scores = self.bm25.retrieve([tokens], k=k, show_progress=False, weight_mask=mask, n_threads=1)
        return [(self.ids[int(d)], float(s)) for d, s in zip(docs[0], scores[0]) if s > 0]

    def mask(self, filters: dict[str, Any]) -> np.ndarray | None:
        """0/1 per chunk for the filters retrieval understands (article_ids, sources, date_from, date_to)."""
        if not filters:
            return None
        keep = np.ones(len(self.ids), dtype=bool)
        if filters.get("article_ids"):
            keep &= np.isin(self.article_ids, list(filters["article_ids"]))
        if filters.get("sources"):
            keep &= np.isin(self.sources, list(filters["sources"]))
        if filters.get("date_from"):
            keep &= self.date_ints >= filters["date_from"]
        if filters.get("date_to"):
            # An undated chunk is stored as 0; like Chroma's range filter, an end date excludes it.
            keep &= (self.date_ints > 0) & (self.date_ints <= filters["date_to"])
        return keep.astype(np.float32)


class Lexical:
    """The one owner of a store's lexical index in a process: ingest rebuilds it through here after a write, and
    retrieval reads the same object, so an upload is searchable at once."""

    def __init__(self, store: ArticleStore) -> None:
        self.store = store
        self._lock = threading.Lock()
        self._index: LexicalIndex | None = None

    @property
    def index(self) -> LexicalIndex:
        """The index, loaded (or rebuilt, if the store changed since it was saved) on first use."""
        with self._lock:
            if self._index is None:
                self._index = self._refresh(force=False)
            return self._index

    def refresh(self) -> None:
        """Catch up with what another process changed; a no-op beyond the freshness check when nothing did."""
        with self._lock:
            self._index = self._refresh(force=False)

    def rebuild(self) -> None:
        """Rebuild after this process wrote to the store."""
        with self._lock:
            self._index = self._refresh(force=True)

    def _refresh(self, force: bool) -> LexicalIndex:
        store = self.store
        folder = lexical_dir(store.settings)
        index = None if force else LexicalIndex.load(folder)
        if index is None or len(index.ids) != store.chunk_count() or index.fingerprint != store.fingerprint():
            index = LexicalIndex.build(store)
            index.save(folder)
        return index
