"""Ingest: read, clean, chunk, embed only what changed, write to Chroma, keep the BM25 index in step."""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from pressroom.ingest.chunking import Chunk, chunk_article
from pressroom.ingest.clean import clean_text
from pressroom.ingest.embedder import Embedder, ModelError
from pressroom.ingest.lexical import Lexical
from pressroom.ingest.readers import Article, Skipped, read_paths
from pressroom.ingest.store import (
    CONNECTION_ERRORS,
    DELETING,
    ArticleStore,
    StoredArticle,
    StoreError,
    chunk_digest,
)

from pressroom.settings import Settings

# Bump when cleaning or chunking changes meaning, so stored articles are rebuilt rather than judged unchanged.
PIPELINE_VERSION = "1"
# Larger batches sort more chunks by length (less padding) and write in fewer calls; 512 articles of news are
# about 2,000 chunks, a few MB of vectors.
ARTICLES_PER_BATCH = 512

Progress = Callable[[int, int], None]


@dataclass
class Repair:
    """What a repair found and fixed: leftovers of runs killed mid-write, and of stores written before deletes were
    ordered."""

    orphan_chunks: int = 0  # chunks whose article has no record: deleted
    deletes_finished: list[str] = field(default_factory=list)  # records marked for deletion: deleted
    rebuilt: list[str] = field(default_factory=list)  # records whose chunks disagreed with them: rebuilt from them

    @property
    def changed(self) -> bool:
        return bool(self.orphan_chunks or self.deletes_finished or self.rebuilt)


@dataclass
class Summary:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    chunks_written: int = 0
    seconds: float = 0.0
    repaired: Repair = field(default_factory=Repair)
    decoded: dict[str, str] = field(default_factory=dict)  # file -> the encoding it was read in, when not UTF-8
    cancelled: bool = False

    @property
    def chunks_per_second(self) -> float:
        return self.chunks_written / self.seconds if self.seconds else 0.0

    def to_json(self) -> str:
        skipped = [{"path": s.path, "reason": s.reason} for s in self.skipped]
        return json.dumps({**asdict(self), "skipped": skipped, "seconds": round(self.seconds, 3)})


def content_hash(article: Article, text: str, settings: Settings) -> str:
    key = json.dumps(
        [PIPELINE_VERSION, *settings.index_key(), article.title, text, article.source, article.date, article.url]
    )
    return hashlib.sha1(key.encode("utf-8")).hexdigest()


def embedding_input(title: str, chunk: Chunk) -> str:
    """What the model sees for a chunk: its headline gives a short passage the topic it lacks on its own."""
    return f"{title}\n{chunk.text}"


def text_problem(article: Article, text: str) -> str | None:
    """Why a record's text cannot be stored, or None. Chroma rejects a whole batch over one lone surrogate, so
    this is checked per record before anything is written."""
    for name, value in (("id", article.id), ("title", article.title), ("text", text), ("source", article.source),
                        ("date", article.date), ("url", article.url)):  # fmt: skip
        if not value:
            continue
        if "\x00" in value:
            return f"its {name} holds a NUL byte (binary data)"
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as err:
            return f"its {name} holds a lone surrogate ({value[err.start]!a}), not text"
    return None


def chunks_agree(meta: dict[str, Any], chunk_ids: set[str]) -> bool:
    """Whether an article's chunks are exactly those its record names."""
    digest = meta.get("chunk_digest")
    if digest is not None:
        return digest == chunk_digest(chunk_ids)
    # Records written before the digest was kept: every position 0..n_chunks-1 present once.
    positions = sorted(int(cid.rsplit("::", 2)[1]) for cid in chunk_ids)
    return positions == list(range(int(meta.get("n_chunks", -1))))


class Ingestor:
    """Writes articles into the store and keeps the lexical index in step; its parts are handed in, shared with
    retrieval in the same process."""

    def __init__(self, settings: Settings, store: ArticleStore, embedder: Embedder, lexical: Lexical) -> None:
        self.settings = settings
        self.store = store
        self.embedder = embedder
        self.lexical = lexical

    def ingest(
        self,
        paths: Sequence[str | Path],
        prune: bool = False,
        progress: Progress | None = None,
        max_records: int | None = None,
        cancel: threading.Event | None = None,
    ) -> Summary:
        """Repair what an earlier run left half-done, then write what changed; ``max_records`` bounds the rows and
        articles read, ``cancel`` stops between batches (what was written stays, consistent)."""
        started = time.perf_counter()
        summary = Summary()
        try:
            summary.repaired = self.repair()
            spared = Spared()
            articles = self.prepare(read_paths(paths, self.settings.max_file_mb), summary, spared, max_records)
            changed = self.write(articles, summary, progress, cancel)
            if prune and not summary.cancelled:
                summary.removed = self.prune(paths, {a.id for a, _ in articles}, spared)
            if changed or summary.removed or summary.repaired.changed:
                self.lexical.rebuild()
            else:  # a run killed after its last Chroma write left the saved index behind the store
                self.lexical.refresh()
        except CONNECTION_ERRORS as err:
            raise StoreError(
                f"lost the Chroma store at {self.store.location} mid-ingest ({err}); "
                "what was written is consistent: run the ingest again to finish"
            ) from None
        summary.seconds = time.perf_counter() - started
        return summary

    def prepare(
        self, items: Iterable[Article | Skipped], summary: Summary, spared: Spared, max_records: int | None = None
    ) -> list[tuple[Article, str]]:
        """Cleaned articles to consider, bad ones moved to the summary's skipped list (one record at a time: an
        exception while cleaning one skips that one)."""
        ready: list[tuple[Article, str]] = []
        seen: dict[str, str] = {}
        for count, item in enumerate(items, 1):
            if max_records is not None and count > max_records:
                summary.skipped.append(Skipped("(input)", f"more than {max_records:,} records; the rest were not read"))
                break
            if isinstance(item, Skipped):
                summary.skipped.append(item)
                spared.add(item)
                continue
            where = f"{item.location or item.origin} ({item.id!a})"
            try:
                text = clean_text(item.text)
                problem = text_problem(item, text)
            except Exception as err:  # a cleaning rule meeting hostile text: this record only
                text, problem = "", f"cannot clean the text: {type(err).__name__}: {err}"
            if problem is None and not text:
                problem = "no article text left after cleaning"
            elif problem is None and len(text) > self.settings.max_article_chars:
                problem = f"article is {len(text)} characters, over max_article_chars"
            elif problem is None and item.id in seen:
                problem = f"duplicate article id, first read from {seen[item.id]}"
            if problem:
                summary.skipped.append(Skipped(where, problem, item.origin, row=True, article_id=item.id))
                spared.ids.add(item.id)
                continue
            seen[item.id] = item.location or item.origin
            if item.encoding != "utf-8":
                summary.decoded[item.origin] = item.encoding
            ready.append((item, text))
        return ready

    def write(
        self,
        articles: list[tuple[Article, str]],
        summary: Summary,
        progress: Progress | None,
        cancel: threading.Event | None = None,
    ) -> bool:
        changed = False
        done = 0
        for start in range(0, len(articles), ARTICLES_PER_BATCH):
            if cancel is not None and cancel.is_set():
                summary.cancelled = True
                left = len(articles) - done
                summary.skipped.append(Skipped("(input)", f"cancelled: {left:,} articles were not written"))
                break
            batch = articles[start : start + ARTICLES_PER_BATCH]
            existing = self.store.hashes([a.id for a, _ in batch])
            todo: list[tuple[StoredArticle, str]] = []
            for article, text in batch:
                digest = content_hash(article, text, self.settings)
                if existing.get(article.id) == digest:
                    summary.unchanged += 1
                    continue
                stored = StoredArticle(
                    id=article.id,
                    title=article.title,
                    text=text,
                    source=article.source,
                    date=article.date,
                    url=article.url,
                    content_hash=digest,
                    origin=article.origin,
                )
                todo.append((stored, article.location or article.origin))
            for stored in self.embed_and_write(todo, summary):
                if stored.id in existing:
                    summary.updated += 1
                else:
                    summary.added += 1
                changed = True
            done += len(batch)
            if progress:
                progress(done, len(articles))
        return changed

    def embed_and_write(self, todo: list[tuple[StoredArticle, str]], summary: Summary) -> list[StoredArticle]:
        """Chunk, embed and write articles (with where each was read, for reports); returns those written. A record
        that fails to chunk or embed is skipped with its reason, the rest land."""
        staged: list[tuple[StoredArticle, list[Chunk], list[str], str]] = []
        for stored, where in todo:
            try:
                chunks = chunk_article(
                    stored.id, stored.text, self.settings.chunk_chars, self.settings.chunk_overlap_sentences
                )
            except Exception as err:  # hostile text meeting the sentence splitter: this record only
                summary.skipped.append(self._skip(stored, where, f"cannot chunk: {type(err).__name__}: {err}"))
                continue
            staged.append((stored, chunks, [embedding_input(stored.title, c) for c in chunks], where))
        if not staged:
            return []
        try:
            # One encode call per batch: the encoder sorts by length across it, padding less.
            vectors = self.embedder.embed([text for _, _, inputs, _ in staged for text in inputs])
            offsets = np.cumsum([0] + [len(inputs) for _, _, inputs, _ in staged])
            embedded = [(s, c, vectors[a:b]) for (s, c, _, _), a, b in zip(staged, offsets, offsets[1:])]
        except ModelError:
            raise
        except Exception:  # one record the model cannot take: find it by embedding each on its own
            embedded = []
            for stored, chunks, inputs, where in staged:
                try:
                    embedded.append((stored, chunks, self.embedder.embed(inputs)))
                except Exception as err:
                    summary.skipped.append(self._skip(stored, where, f"cannot embed: {type(err).__name__}: {err}"))
        self.store.write_articles(embedded)
        summary.chunks_written += sum(len(chunks) for _, chunks, _ in embedded)
        return [stored for stored, _, _ in embedded]

    @staticmethod
    def _skip(stored: StoredArticle, where: str, reason: str) -> Skipped:
        return Skipped(f"{where} ({stored.id!a})", reason, stored.origin, row=True, article_id=stored.id)

    def repair(self) -> Repair:
        """Find and fix what a killed run can leave: chunks without a record, deletes marked but not finished, and
        records whose chunks are not exactly the ones they name (rebuilt from the record's own text)."""
        report = Repair()
        layout = self.store.layout()
        orphans = [cid for aid, cids in layout.chunks.items() if aid not in layout.records for cid in cids]
        self.store.delete_chunks(orphans)
        report.orphan_chunks = len(orphans)
        report.deletes_finished = sorted(aid for aid, meta in layout.records.items() if meta.get(DELETING))
        self.store.delete_articles(report.deletes_finished)
        broken = sorted(
            aid
            for aid, meta in layout.records.items()
            if not meta.get(DELETING) and not chunks_agree(meta, layout.chunks.get(aid, set()))
        )
        for start in range(0, len(broken), ARTICLES_PER_BATCH):
            stored = self.store.stored_articles(broken[start : start + ARTICLES_PER_BATCH])
            summary = Summary()
            self.embed_and_write([(s, s.origin) for s in stored], summary)
            if summary.skipped:  # a record its own text cannot rebuild (the model changed under it): drop it whole
                self.store.delete_articles([s.article_id for s in summary.skipped if s.article_id])
        report.rebuilt = broken
        return report

    def check(self) -> Repair:
        """`pressroom check`: repair the store, then bring the lexical index in step with it."""
        try:
            report = self.repair()
            if report.changed:
                self.lexical.rebuild()
            else:
                self.lexical.refresh()
        except CONNECTION_ERRORS as err:
            raise StoreError(f"lost the Chroma store at {self.store.location} ({err})") from None
        return report

    def prune(self, paths: Sequence[str | Path], seen: set[str], spared: Spared) -> int:
        """Remove articles that came from under the given paths but were not read this time.

        A file that could not be read at all keeps its articles, and a bad row keeps the article it names: a bad
        read must not lose what landed before.
        """
        roots = [str(Path(p).expanduser().resolve()) for p in paths]
        gone = [
            article_id
            for article_id, meta in self.store.iter_article_metadata()
            if article_id not in seen
            and article_id not in spared.ids
            and str(meta.get("origin", "")) not in spared.files
            and any(_under(str(meta.get("origin", "")), root) for root in roots)
        ]
        self.store.delete_articles(gone)
        return len(gone)


@dataclass
class Spared:
    """What prune must keep although it was not read this time: whole unreadable files, and the articles that bad
    rows name."""

    files: set[str] = field(default_factory=set)
    ids: set[str] = field(default_factory=set)

    def add(self, skipped: Skipped) -> None:
        if skipped.row:
            if skipped.article_id:
                self.ids.add(skipped.article_id)
        elif skipped.file:
            self.files.add(str(Path(skipped.file).resolve()))


def _under(origin: str, root: str) -> bool:
    return origin == root or origin.startswith(root.rstrip("/") + "/")
