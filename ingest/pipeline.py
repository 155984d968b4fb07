"""Ingest: read, clean, chunk, embed only what changed, write to Chroma, keep the BM25 index in step."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
from pressroom.ingest.chunking import Chunk, chunk_article
from pressroom.ingest.clean import clean_text
from pressroom.ingest.embedder import Embedder
from pressroom.ingest.lexical import Lexical
from pressroom.ingest.readers import Article, Skipped, read_paths
from pressroom.ingest.store import DELETED, ArticleStore, StoredArticle

from pressroom.settings import Settings

# Bump when cleaning or chunking changes meaning, so stored articles are rebuilt rather than judged unchanged.
PIPELINE_VERSION = "1"
# Larger batches sort more chunks by length (less padding) and write in fewer calls; 512 articles of news are
# about 2,000 chunks, a few MB of vectors.
ARTICLES_PER_BATCH = 512

Progress = Callable[[int, int], None]


@dataclass
class Summary:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    chunks_written: int = 0
    seconds: float = 0.0

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


class Ingestor:
    """Writes articles into the store and keeps the lexical index in step; its parts are handed in, shared with
    retrieval in the same process."""

    def __init__(self, settings: Settings, store: ArticleStore, embedder: Embedder, lexical: Lexical) -> None:
        self.settings = settings
        self.store = store
        self.embedder = embedder
        self.lexical = lexical
        # Files that exist but failed to read (wholly or in part) in the current run; prune spares their articles.
        self._unreadable: set[str] = set()

    def prepare(self, items: Iterable[Article | Skipped], summary: Summary) -> list[tuple[Article, str]]:
        """Cleaned articles to consider, bad ones moved to the summary's skipped list."""
        ready: list[tuple[Article, str]] = []
        seen: dict[str, str] = {}
        self._unreadable = set()
        for item in items:
            if isinstance(item, Skipped):
                summary.skipped.append(item)
                if item.file:
                    self._unreadable.add(str(Path(item.file).resolve()))
                continue
            text = clean_text(item.text)
            where = f"{item.origin} ({item.id})"
            if not text or len(text) > self.settings.max_article_chars or item.id in seen:
                self._unreadable.add(item.origin)
            if not text:
                summary.skipped.append(Skipped(where, "no article text left after cleaning"))
            elif len(text) > self.settings.max_article_chars:
                summary.skipped.append(Skipped(where, f"article is {len(text)} characters, over max_article_chars"))
            elif item.id in seen:
                summary.skipped.append(Skipped(where, f"duplicate article id, first read from {seen[item.id]}"))
            else:
                seen[item.id] = item.origin
                ready.append((item, text))
        return ready

    def ingest(
        self,
        paths: Sequence[str | Path],
        prune: bool = False,
        progress: Progress | None = None,
    ) -> Summary:
        started = time.perf_counter()
        summary = Summary()
        articles = self.prepare(read_paths(paths, self.settings.max_file_mb), summary)
        self.write(articles, summary, progress)
        if prune:
            summary.removed = self.prune(paths, {a.id for a, _ in articles}, summary)
        # Unconditional: O(1) when nothing moved, and it finishes an index update an earlier run was killed in.
        self.lexical.catch_up()
        summary.seconds = time.perf_counter() - started
        return summary

    def write(self, articles: list[tuple[Article, str]], summary: Summary, progress: Progress | None) -> bool:
        changed = False
        done = 0
        for start in range(0, len(articles), ARTICLES_PER_BATCH):
            batch = articles[start : start + ARTICLES_PER_BATCH]
            existing = self.store.hashes([a.id for a, _ in batch])
            todo: list[tuple[StoredArticle, list[Chunk]]] = []
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
                chunks = chunk_article(
                    article.id, text, self.settings.chunk_chars, self.settings.chunk_overlap_sentences
                )
                todo.append((stored, chunks))
                if article.id in existing:
                    summary.updated += 1
                else:
                    summary.added += 1
            if todo:
                # One encode call per batch: sentence-transformers sorts by length across it, padding less.
                inputs = [embedding_input(s.title, c) for s, chunks in todo for c in chunks]
                vectors = self.embedder.embed(inputs)
                offsets = np.cumsum([0] + [len(chunks) for _, chunks in todo])
                # Announced before writing: every process's lexical index catches up from the change log.
                self.store.announce({s.id: s.content_hash for s, _ in todo})
                self.store.write_articles(
                    [(stored, chunks, vectors[a:b]) for (stored, chunks), a, b in zip(todo, offsets, offsets[1:])],
                    replacing={s.id for s, _ in todo if s.id in existing},
                )
                summary.chunks_written += len(inputs)
                changed = True
            done += len(batch)
            if progress:
                progress(done, len(articles))
        return changed

    def prune(self, paths: Sequence[str | Path], seen: set[str], summary: Summary) -> int:
        """Remove articles that came from under the given paths but were not read this time.

        A file that exists but could not be read keeps its articles: a bad read must not lose what landed before.
        """
        roots = [str(Path(p).expanduser().resolve()) for p in paths]
        unreadable = self._unreadable
        gone = [
            article_id
            for article_id, meta in self.store.iter_article_metadata()
            if article_id not in seen
            and str(meta.get("origin", "")) not in unreadable
            and any(_under(str(meta.get("origin", "")), root) for root in roots)
        ]
        self.store.announce(dict.fromkeys(gone, DELETED))
        for article_id in gone:
            self.store.delete_article(article_id)
        return len(gone)


def _under(origin: str, root: str) -> bool:
    return origin == root or origin.startswith(root.rstrip("/") + "/")
