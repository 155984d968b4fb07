"""Ingest: read, clean, chunk, embed only what changed, write to Chroma, keep the BM25 index in step."""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from pressroom.ingest import clean, readers
from pressroom.ingest.chunking import Chunk, chunk_article
from pressroom.ingest.clean import clean_text
from pressroom.ingest.embedder import Embedder, ModelError
from pressroom.ingest.filecache import Entry, FileCache, Stat, stat_of
from pressroom.ingest.lexical import Lexical
from pressroom.ingest.readers import Article, Skipped, iter_files, read_file
from pressroom.ingest.store import (
    CONNECTION_ERRORS,
    DELETED,
    DELETING,
    SLACK_US,
    ArticleStore,
    StoredArticle,
    StoreError,
    chunk_digest,
    filecache_path,
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
    model_seconds: float = 0.0  # of ``seconds``, loading the embedding model (a first run also converts it)
    repaired: Repair = field(default_factory=Repair)
    decoded: dict[str, str] = field(default_factory=dict)  # file -> the encoding it was read in, when not UTF-8
    cancelled: bool = False

    @property
    def chunks_per_second(self) -> float:
        writing = self.seconds - self.model_seconds
        return self.chunks_written / writing if writing > 0 else 0.0

    def to_json(self) -> str:
        skipped = [{"path": s.path, "reason": s.reason} for s in self.skipped]
        return json.dumps({**asdict(self), "skipped": skipped, "seconds": round(self.seconds, 3),
                           "model_seconds": round(self.model_seconds, 3)})  # fmt: skip


@dataclass
class CachedFile:
    """A file the stat cache vouches for, its articles found unchanged in the store: nothing to read."""

    path: Path
    root: Path
    entry: Entry


@dataclass
class ReadFile:
    """A file read this run, for the stat cache: its stat before the read and whether every record came through."""

    stat: Stat | None
    origin: str = ""
    encoding: str = "utf-8"
    articles: list[Article] = field(default_factory=list)
    clean: bool = True


def content_hash(article: Article, text: str, settings: Settings) -> str:
    key = json.dumps(
        [PIPELINE_VERSION, *settings.index_key(), article.title, text, article.source, article.date, article.url]
    )
    return hashlib.sha1(key.encode("utf-8")).hexdigest()


def stored_article(article: Article, text: str, digest: str) -> StoredArticle:
    """The record an article is written as: its metadata, its cleaned text and the content hash it was compared by."""
    return StoredArticle(
        id=article.id,
        title=article.title,
        text=text,
        source=article.source,
        date=article.date,
        url=article.url,
        content_hash=digest,
        origin=article.origin,
    )


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
        # Files (resolved paths) with a record skipped this run for a reason outside the file itself.
        self._unsettled: set[str] = set()

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
        self._unsettled = set()
        try:
            summary.repaired = self.repair()
            spared = Spared()
            # A bounded read (an upload) counts records, which cached files would not: it reads everything.
            cache = self.file_cache() if max_records is None else None
            files = list(iter_files(paths))
            checked_at = time.time_ns() // 1000
            hits = self.cache_hits(cache, files)
            seen: dict[str, str] = {}
            read: dict[tuple[Path, Path], ReadFile] = {}
            items = self.read_files(files, hits, seen, read)
            articles = self.prepare(items, summary, spared, max_records, seen)
            if articles:
                # Timed apart: on a cold cache the model's conversion took 13 of 14 s and read as "0.1 chunks/s".
                loading = time.perf_counter()
                self.embedder.load()
                summary.model_seconds = time.perf_counter() - loading
            self.write(articles, summary, progress, cancel)
            if cache is not None and not summary.cancelled:
                self.record_cache(cache, read, articles, summary, hits, checked_at)
            if prune and not summary.cancelled:
                summary.removed = self.prune(paths, set(seen), spared)
            # Unconditional: O(1) when nothing moved, and it finishes an index update an earlier run was killed in.
            self.lexical.catch_up()
        except CONNECTION_ERRORS as err:
            raise StoreError(
                f"lost the Chroma store at {self.store.location} mid-ingest ({err}); "
                "what was written is consistent: run the ingest again to finish"
            ) from None
        summary.seconds = time.perf_counter() - started
        return summary

    # --- the stat cache: unchanged files are not read again ------------------------------------------

    def file_cache(self) -> FileCache:
        """This store's stat cache, keyed by everything that decides what a file's articles hash to."""
        code = hashlib.sha1()
        for module in (readers, clean):  # the code that turns a file into articles' hashed text
            code.update(Path(module.__file__ or "").read_bytes())
        code.update(Path(__file__).read_bytes())
        key = [
            PIPELINE_VERSION,
            *self.settings.index_key(),
            self.settings.max_file_mb,
            self.settings.max_article_chars,
            code.hexdigest(),
            self.store.log_id(),
        ]
        return FileCache(filecache_path(self.settings), key)

    def cache_hits(
        self, cache: FileCache | None, files: list[tuple[Path, Path] | Skipped]
    ) -> dict[tuple[Path, Path], tuple[Stat | None, Entry | None]]:
        """(file, root) -> (stat, entry or None) for every file; the entry only when the store still holds the
        file's cached articles with their hashes (else the file is read, and its entry forgotten).

        Writes are announced in the change log before they touch a record, so an article the log does not name
        since its entry was checked (less SLACK_US for writers' clocks) still holds what it held then: only the
        named ones are read back from the store.
        """
        stats: dict[tuple[Path, Path], Stat | None] = {}
        candidates: dict[tuple[Path, Path], Entry] = {}
        for item in files:
            if isinstance(item, Skipped):
                continue
            stats[item] = stat_of(item[0])
            if cache is not None and (entry := cache.lookup(*item, stats[item])) is not None:
                candidates[item] = entry
        hits: dict[tuple[Path, Path], tuple[Stat | None, Entry | None]] = {
            item: (stat, None) for item, stat in stats.items()
        }
        if cache is None or not candidates:
            return hits
        newest: dict[str, int] = {}  # article id -> its latest announcement since the oldest check
        for change in self.store.changes_since(min(e.checked for e in candidates.values()) - SLACK_US):
            newest[change.article_id] = max(change.at, newest.get(change.article_id, 0))
        suspects = {
            article_id: digest
            for entry in candidates.values()
            for article_id, digest in entry.articles
            if newest.get(article_id, 0) >= entry.checked - SLACK_US
        }
        stored = self.store.hashes(sorted(suspects))
        stale = []
        for item, entry in candidates.items():
            if all(stored.get(a) == digest for a, digest in entry.articles if a in suspects):
                hits[item] = (stats[item], entry)
            else:
                stale.append(item)
        cache.forget(stale)
        return hits

    def read_files(
        self,
        files: list[tuple[Path, Path] | Skipped],
        hits: dict[Any, Any],
        seen: dict[str, str],
        read: dict[tuple[Path, Path], ReadFile],
    ) -> Iterator[Article | Skipped | CachedFile]:
        """Every file's articles in order, a cached file as one CachedFile (unless one of its ids was already read
        from another file this run: then it is read, so the duplicate is reported as without the cache)."""
        for item in files:
            if isinstance(item, Skipped):
                yield item
                continue
            stat, entry = hits[item]
            if entry is not None and not any(article_id in seen for article_id, _ in entry.articles):
                yield CachedFile(*item, entry)
                continue
            record = read[item] = ReadFile(stat)
            for article in read_file(*item, max_mb=self.settings.max_file_mb):
                if isinstance(article, Skipped):
                    record.clean = record.clean and article.row  # a bad row is replayed; a bad file is not cached
                else:
                    record.origin, record.encoding = article.origin, article.encoding
                    record.articles.append(article)
                yield article

    def record_cache(
        self,
        cache: FileCache,
        read: dict[tuple[Path, Path], ReadFile],
        articles: list[tuple[Article, str]],
        summary: Summary,
        hits: dict[tuple[Path, Path], tuple[Stat | None, Entry | None]],
        checked_at: int,
    ) -> None:
        """Cache the files read this run whose every article is now in the store as read. Rows skipped for what
        they hold (no text, too long: the same every run while the file and the key are the same) are kept with
        the entry and reported again; a file with a skip that depends on more than itself (a duplicate id from
        another file, a record the model could not take) is not cached."""
        texts = {article.id: text for article, text in articles}
        skipped: dict[str, list[tuple[int, Skipped]]] = {}
        for number, item in enumerate(summary.skipped):
            skipped.setdefault(str(item.file), []).append((number, item))
        entries = []
        for (path, root), record in read.items():
            if record.stat is None or not record.clean or record.origin in self._unsettled:
                continue
            # Rows skipped while reading name the file as given, articles skipped later its resolved path.
            names = {str(path), record.origin}
            replay = [item for _, item in sorted(x for name in names for x in skipped.get(name, []))]
            if not record.articles or any(not s.row for s in replay):
                continue
            # The hash write() compared for each article: what the store now holds for it.
            hashes = [(a.id, content_hash(a, texts[a.id], self.settings)) for a in record.articles if a.id in texts]
            if len(hashes) + len(replay) < len(record.articles):
                continue  # an article neither stored nor reported (cannot happen; never cache what is unclear)
            entry = Entry(hashes, record.origin, record.encoding, [asdict(s) for s in replay])
            entries.append((path, root, record.stat, entry))
        # Hits were checked against the store, and read files compared or written, after ``checked_at``.
        cache.record(entries, [item for item, (_, entry) in hits.items() if entry is not None], checked_at)

    # --- reading, cleaning, writing ------------------------------------------------------------------

    def prepare(
        self,
        items: Iterable[Article | Skipped | CachedFile],
        summary: Summary,
        spared: Spared,
        max_records: int | None = None,
        seen: dict[str, str] | None = None,
    ) -> list[tuple[Article, str]]:
        """Cleaned articles to consider, bad ones moved to the summary's skipped list (one record at a time: an
        exception while cleaning one skips that one). A cached file's articles count as unchanged; ``seen`` (article
        id -> where it was read) is filled for duplicate checks and prune."""
        ready: list[tuple[Article, str]] = []
        seen = {} if seen is None else seen
        for count, item in enumerate(items, 1):
            if max_records is not None and count > max_records:
                summary.skipped.append(Skipped("(input)", f"more than {max_records:,} records; the rest were not read"))
                break
            if isinstance(item, CachedFile):
                for article_id, _ in item.entry.articles:
                    seen[article_id] = str(item.path)
                summary.unchanged += len(item.entry.articles)
                for raw in item.entry.skipped:  # the bad rows it held, reported as when it was read
                    summary.skipped.append(Skipped(**raw))
                    spared.add(summary.skipped[-1])
                if item.entry.encoding != "utf-8":
                    summary.decoded[item.entry.origin] = item.entry.encoding
                continue
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
                self._unsettled.add(item.origin)  # depends on another file: not for the stat cache
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
                todo.append((stored_article(article, text, digest), article.location or article.origin))
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

    def _skip(self, stored: StoredArticle, where: str, reason: str) -> Skipped:
        self._unsettled.add(stored.origin)  # the model's doing, not the file's: not for the stat cache
        return Skipped(f"{where} ({stored.id!a})", reason, stored.origin, row=True, article_id=stored.id)

    def repair(self, full: bool = False) -> Repair:
        """Find and fix what a killed run can leave: chunks without a record, deletes marked but not finished, and
        records whose chunks are not exactly the ones they name (rebuilt from the record's own text).

        Only the articles announced in the change log since the last repair are looked at, so a run pays for what
        changed, not for the collection (scanning 100k chunks took 15 s of every one-article ingest); the first
        repair of a store and `pressroom check` (``full``) look at everything.
        """
        report = Repair()
        started = time.time_ns() // 1000
        since = None if full else self.store.repaired_until()
        if since is None:
            layout = self.store.layout()
        else:
            layout = self.store.layout(sorted({c.article_id for c in self.store.changes_since(since - SLACK_US)}))
        orphaned = [aid for aid in layout.chunks if aid not in layout.records]
        orphans = [cid for aid in orphaned for cid in layout.chunks[aid]]
        self.store.announce(dict.fromkeys(orphaned, DELETED))  # lexical indexes drop them too
        self.store.delete_chunks(orphans)
        for shard, strays in layout.strays.items():  # copies outside their record's shard (the record's stay)
            self.store.delete_chunks(strays, shard)
        report.orphan_chunks = len(orphans) + sum(map(len, layout.strays.values()))
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
        self.store.mark_repaired(started)
        return report

    def check(self) -> Repair:
        """`pressroom check`: repair the store, then bring the lexical index in step with it."""
        try:
            report = self.repair(full=True)
            self.lexical.catch_up()
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
