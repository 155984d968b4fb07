"""Chroma, embedded or a server, holding two collections: chunks (what retrieval searches) and articles (the
cleaned text every citation is shown inside, plus the content hash that makes re-ingesting a no-op).

All state lives in Chroma itself, so many ingest processes pointed at one server need no shared local files. A
third collection, the change log, records which articles every write touched: its size is the store's generation
(read in O(1)), and its entries tell each process's lexical index what to catch up on.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import threading
import time
import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import chromadb
import httpx
import numpy as np
from chromadb.api.shared_system_client import SharedSystemClient
from pressroom.ingest.chunking import Chunk
from pressroom.ingest.embedder import Embedder, PressroomEmbeddingFunction

from pressroom.settings import Settings
from pressroom.types import ArticleMeta


class StoreError(RuntimeError):
    """The store cannot be opened or reached; the message says what to do."""


# What a Chroma server that went away mid-run raises through the HTTP client.
CONNECTION_ERRORS = (httpx.TransportError, ConnectionError)


@dataclass(kw_only=True)
class StoredArticle(ArticleMeta):
    id: str
    text: str
    content_hash: str
    n_chunks: int = 0
    origin: str = ""


UNKNOWN_SOURCE = "(unknown)"
DELETED = ""  # the content hash a change log entry announces for an article being removed
# Log entries are stamped by their writer's clock; readers of the log look this far behind the point they reached,
# so clocks that disagree by less, or a write slower than this between its announcement and its last Chroma call,
# are never missed (a reader skips what it already handled).
SLACK_US = 60_000_000
REPAIRED_UNTIL = "repaired_until"  # the change log's metadata: when the last repair started (microseconds)
# Chunks live in numbered collections ("shards": `<collection>_chunks`, then `<collection>_chunks_1`, ...). An
# embedded Chroma loads a collection's whole HNSW graph the first time a process reads or writes it (its backfill
# builds the graph reader before any get, count or upsert), so a process writing one article pays for the
# collection it writes to: new articles go to the newest shard, and a new shard is opened once that one holds
# SHARD_CHUNKS chunks. An article stays in the shard its record names, so its updates and deletes touch only that.
SHARD_CHUNKS = 100_000
SHARD = "shard"  # an article record's metadata: the number of the shard holding its chunks (absent: 0)


@dataclass(frozen=True)
class Change:
    """One change log entry: ``article_id`` is about to be written with ``content_hash`` (DELETED: removed).

    Entries are written before the data they announce, so a reader that sees the data has seen its entry; the
    write has landed once the article record carries that hash (or, for DELETED, once the record is gone).
    """

    id: str
    article_id: str
    content_hash: str
    at: int  # the writer's clock, microseconds since the epoch


# A record carrying this flag is being deleted: whoever finds it (a later ingest, `pressroom check`) finishes the job.
DELETING = "deleting"


def chunk_digest(ids: Iterable[str]) -> str:
    """Names the exact set of chunk ids an article should have; its record keeps it so chunks can be checked."""
    return hashlib.sha1("\n".join(sorted(ids)).encode("utf-8")).hexdigest()


@dataclass
class Layout:
    records: dict[str, dict[str, Any]]  # article id -> its record's metadata
    chunks: dict[str, set[str]]  # article id (as the chunk's metadata says) -> its chunk ids
    # shard -> chunks of a recorded article found outside the shard its record names (two processes writing the
    # same new article as one opened a shard): copies to drop there. Found by a full layout only.
    strays: dict[int, list[str]] = field(default_factory=dict)


@dataclass
class StoreStats:
    articles: int
    chunks: int
    sources: dict[str, int]  # most articles first; articles without a source count under UNKNOWN_SOURCE
    date_range: tuple[str, str] | None
    store: str
    backend: str  # "embedded" or "server"

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "date_range": list(self.date_range) if self.date_range else None}


def make_client(settings: Settings) -> chromadb.ClientAPI:
    if settings.chroma_url:
        url = urlparse(settings.chroma_url if "//" in settings.chroma_url else f"http://{settings.chroma_url}")
        try:
            return chromadb.HttpClient(
                host=url.hostname or "localhost",
                port=url.port or (443 if url.scheme == "https" else 8000),
                ssl=url.scheme == "https",
            )
        except Exception as err:  # chromadb raises plain ValueError/ConnectionError variants here
            raise StoreError(f"cannot reach the Chroma server at {settings.chroma_url}: {err}") from None
    with creation_lock(settings):
        return chromadb.PersistentClient(path=str(settings.store_dir))


@contextlib.contextmanager
def creation_lock(settings: Settings) -> Iterator[None]:
    """Held while an embedded store's tables or collections may be created. Chroma does not guard this itself:
    two processes opening a new store at once collided ("table collections already exists") and one died."""
    if settings.chroma_url:  # a server serialises creation itself
        yield
        return
    settings.store_dir.mkdir(parents=True, exist_ok=True)
    with open(settings.store_dir / ".create.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def metadata_of(**values: Any) -> dict[str, Any]:
    """Chroma metadata rejects None, so absent fields are simply left out."""
    return {k: v for k, v in values.items() if v is not None}


def date_int(date: str | None) -> int | None:
    """YYYYMMDD as an integer: Chroma's range operators compare numbers only."""
    return int(date.replace("-", "")) if date else None


class ArticleStore:
    """The two collections. The embedder is handed in (one per process, shared with ingest and retrieval); the
    store only passes it to Chroma, which must never fall back to its own downloading default."""

    def __init__(self, settings: Settings, embedder: Embedder) -> None:
        self.settings = settings
        self.client = make_client(settings)
        self.embedding_function = PressroomEmbeddingFunction(embedder)
        self._refresh_lock = threading.Lock()
        self._shards: dict[int, Any] = {}  # shard number -> its collection, opened on first use
        self._announced = 0  # log entries this process wrote
        self._seen: tuple[int, int] | None = None  # (generation, announced) at the last refresh

    @property
    def location(self) -> str:
        return self.settings.chroma_url or str(self.settings.store_dir.resolve())

    def _collection(self, suffix: str) -> Any:
        # Passing the embedding function on every open keeps Chroma from loading its downloading default.
        with creation_lock(self.settings):
            return self.client.get_or_create_collection(
                f"{self.settings.collection}_{suffix}",
                embedding_function=self.embedding_function,
                configuration={"hnsw": {"space": "cosine"}},
            )

    @cached_property
    def chunks(self) -> Any:
        """The first chunk collection (shard 0): every chunk of a store that never grew past SHARD_CHUNKS."""
        return self._collection("chunks")

    def shard(self, number: int) -> Any:
        if number == 0:
            return self.chunks
        if number not in self._shards:
            self._shards[number] = self._collection(f"chunks_{number}")
        return self._shards[number]

    def shard_numbers(self) -> list[int]:
        """The shards that exist, from the collections' names (no collection is opened, so no graph is loaded)."""
        prefix = f"{self.settings.collection}_chunks"
        numbers = {0}
        for collection in self.client.list_collections():
            name = getattr(collection, "name", collection)
            if name.startswith(prefix + "_") and name[len(prefix) + 1 :].isdigit():
                numbers.add(int(name[len(prefix) + 1 :]))
        return sorted(numbers)

    def all_shards(self) -> list[Any]:
        return [self.shard(n) for n in self.shard_numbers()]

    def open_shard(self) -> int:
        """The shard new articles go to: the newest, or (embedded) a new one once the newest holds SHARD_CHUNKS
        chunks. Counting it loads its graph, which the write that follows loads anyway. A server keeps its graphs
        loaded, so there one collection is best: it never opens a new shard."""
        newest = self.shard_numbers()[-1]
        if not self.settings.chroma_url and self.shard(newest).count() >= SHARD_CHUNKS:
            newest += 1
            self.shard(newest)
        return newest

    def shards_of(self, article_ids: Sequence[str]) -> dict[int, list[str]]:
        """Shard number -> the given articles filed there, as their records say; articles without a record (being
        deleted, or never written) have no chunks under the write order, except in stores older than it: those
        are looked for in every shard."""
        records = self.records(article_ids)
        found: dict[int, list[str]] = {}
        everywhere = [a for a in article_ids if a not in records]
        for article_id, meta in records.items():
            found.setdefault(int(meta.get(SHARD, 0)), []).append(article_id)
        if everywhere:
            for number in self.shard_numbers():
                found.setdefault(number, []).extend(everywhere)
        return found

    @cached_property
    def articles(self) -> Any:
        return self._collection("articles")

    @cached_property
    def changes(self) -> Any:
        # Entries carry no text to embed: a one-number placeholder vector keeps Chroma from wanting a model.
        with creation_lock(self.settings):
            return self.client.get_or_create_collection(f"{self.settings.collection}_changes", embedding_function=None)

    @cached_property
    def batch_size(self) -> int:
        return int(self.client.get_max_batch_size())

    # --- reads -----------------------------------------------------------------------------------

    def hashes(self, ids: Sequence[str]) -> dict[str, str]:
        found: dict[str, str] = {}
        for start in range(0, len(ids), self.batch_size):
            got = self.articles.get(ids=list(ids[start : start + self.batch_size]), include=["metadatas"])
            for article_id, meta in zip(got["ids"], got["metadatas"]):
                found[article_id] = str(meta.get("content_hash", ""))
        return found

    def records(self, article_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        """The article records' metadata (hash, chunk digest, ...) of those that exist."""
        found: dict[str, dict[str, Any]] = {}
        for start in range(0, len(article_ids), self.batch_size):
            got = self.articles.get(ids=list(article_ids[start : start + self.batch_size]), include=["metadatas"])
            found.update(zip(got["ids"], got["metadatas"]))
        return found

    def article(self, article_id: str) -> StoredArticle | None:
        got = self.articles.get(ids=[article_id], include=["metadatas", "documents"])
        if not got["ids"]:
            return None
        return _stored(got["ids"][0], got["metadatas"][0], got["documents"][0])

    def iter_article_metadata(self) -> Iterator[tuple[str, dict[str, Any]]]:
        yield from self._paged(self.articles, ["metadatas"], lambda got, i: (got["ids"][i], got["metadatas"][i]))

    def iter_chunks(self) -> Iterator[tuple[str, str, dict[str, Any]]]:
        """Every chunk as (id, text, metadata), paged so a large collection never loads in one response."""
        for shard in self.all_shards():
            yield from self._paged(
                shard,
                ["documents", "metadatas"],
                lambda got, i: (got["ids"][i], got["documents"][i], got["metadatas"][i]),
            )

    def layout(self, article_ids: Sequence[str] | None = None) -> Layout:
        """Every record's metadata and the chunk ids filed under each article id, in one paged pass each; or only
        those of ``article_ids``."""
        chunks: dict[str, set[str]] = {}
        strays: dict[int, list[str]] = {}
        if article_ids is None:
            records = dict(self.iter_article_metadata())
            for number in self.shard_numbers():
                page = self._paged(
                    self.shard(number), ["metadatas"], lambda got, i: (got["ids"][i], got["metadatas"][i])
                )
                for cid, meta in page:
                    article_id = str(meta.get("article_id", ""))
                    if article_id in records and int(records[article_id].get(SHARD, 0)) != number:
                        strays.setdefault(number, []).append(cid)
                    else:
                        chunks.setdefault(article_id, set()).add(cid)
        else:
            records = self.records(article_ids)
            for cid, _, meta in self.chunks_of(article_ids):  # only the shard each record names
                chunks.setdefault(str(meta.get("article_id", "")), set()).add(cid)
        return Layout(records, chunks, strays)

    def stored_articles(self, article_ids: Sequence[str]) -> list[StoredArticle]:
        found: list[StoredArticle] = []
        for start in range(0, len(article_ids), self.batch_size):
            got = self.articles.get(
                ids=list(article_ids[start : start + self.batch_size]), include=["metadatas", "documents"]
            )
            found += [_stored(*row) for row in zip(got["ids"], got["metadatas"], got["documents"])]
        return found

    def _paged(self, collection: Any, include: list[str], row: Any) -> Iterator[Any]:
        offset = 0
        page = min(self.batch_size, 5000)
        while True:
            got = collection.get(include=include, limit=page, offset=offset)
            for i in range(len(got["ids"])):
                yield row(got, i)
            if len(got["ids"]) < page:
                return
            offset += page

    def chunk_count(self) -> int:
        return sum(int(shard.count()) for shard in self.all_shards())

    def article_count(self) -> int:
        return int(self.articles.count())

    def chunks_of(self, article_ids: Sequence[str]) -> Iterator[tuple[str, str, dict[str, Any]]]:
        """The chunks of these articles as (id, text, metadata): what a catch-up re-reads, in proportion to it."""
        step = min(self.batch_size, 500)
        for number, ids in sorted(self.shards_of(article_ids).items()):
            for start in range(0, len(ids), step):
                got = self.shard(number).get(
                    where={"article_id": {"$in": ids[start : start + step]}}, include=["documents", "metadatas"]
                )
                yield from zip(got["ids"], got["documents"], got["metadatas"])

    # --- the change log --------------------------------------------------------------------------

    def generation(self) -> int:
        """How many article writes the store has announced; moves with every add, update, delete and prune.

        The log only grows (no entry is ever removed), so a count that moved means something changed and a count
        that fell means the store was reset.
        """
        return int(self.changes.count())

    def refresh(self) -> int:
        """The generation, after reopening an embedded store that another process wrote to since the last call.

        Chroma's embedded client keeps its vector index in memory and never sees another process's writes (their
        vectors are missing until the client is opened anew); a server has no such copy. Writes of this process
        move the generation by what it announced, so any larger move is another process's. Other ArticleStores on
        the same folder in this process keep the old client: a process holds one store per folder (Pressroom's).
        """
        with self._refresh_lock:
            generation = self.generation()
            seen, self._seen = self._seen, (generation, self._announced)
            if not self.settings.chroma_url and seen and generation - seen[0] > self._announced - seen[1]:
                # Dropped from chromadb's per-path cache, so the client below is a new one reading from disk;
                # clients already handed out find the new one under the same key.
                SharedSystemClient._identifier_to_system.pop(self.client._identifier, None)
                self.client = make_client(self.settings)
                self._forget_collections()
            return generation

    def repaired_until(self) -> int | None:
        """When the last repair started, or None before the first: a repair need only look at the articles
        announced since (every write is announced before it starts, so a killed one left an entry)."""
        collection = self.client.get_collection(self.changes.name, embedding_function=None)  # metadata as it is now
        value = (collection.metadata or {}).get(REPAIRED_UNTIL)
        return int(value) if value is not None else None

    def mark_repaired(self, started: int) -> None:
        self.changes.modify(metadata={REPAIRED_UNTIL: started})

    def log_id(self) -> str:
        """The change log's identity: a reset store, or another server at the same address, has another one."""
        return str(self.changes.id)

    def announce(self, hashes: dict[str, str]) -> None:
        """Log that these articles are about to be written (article id -> new content hash, DELETED to remove)."""
        at = time.time_ns() // 1000
        items = list(hashes.items())
        for start in range(0, len(items), self.batch_size):
            part = items[start : start + self.batch_size]
            self.changes.add(
                ids=[uuid.uuid4().hex for _ in part],
                embeddings=[[1.0]] * len(part),
                metadatas=[{"article_id": a, "content_hash": h, "at": at} for a, h in part],
            )
            self._announced += len(part)

    def changes_since(self, at: int) -> list[Change]:
        """Entries stamped at or after ``at`` (microseconds), oldest first."""
        found: list[Change] = []
        offset = 0
        page = min(self.batch_size, 5000)
        while True:
            got = self.changes.get(where={"at": {"$gte": at}}, include=["metadatas"], limit=page, offset=offset)
            found += [
                Change(cid, str(m["article_id"]), str(m["content_hash"]), int(m["at"]))
                for cid, m in zip(got["ids"], got["metadatas"])
            ]
            if len(got["ids"]) < page:
                return sorted(found, key=lambda c: c.at)
            offset += page

    def dense_search(
        self, embedding: np.ndarray, n: int, where: dict[str, Any] | None = None
    ) -> list[tuple[str, str, dict[str, Any], float]]:
        """(chunk id, text, metadata, cosine similarity), best first: the best ``n`` of every shard's best ``n``.
        Chroma returns fewer than ``n_results`` from a smaller collection, so no shard is counted (a count costs
        7 ms at 100k chunks)."""
        found = []
        for shard in self.all_shards():
            got = shard.query(
                query_embeddings=[embedding.tolist()],
                n_results=n,
                where=where or None,
                include=["documents", "metadatas", "distances"],
            )
            found += [
                (cid, doc, meta, 1.0 - float(dist))
                for cid, doc, meta, dist in zip(
                    got["ids"][0], got["documents"][0], got["metadatas"][0], got["distances"][0]
                )
            ]
        return sorted(found, key=lambda row: -row[3])[:n]

    def get_chunks(self, ids: Sequence[str]) -> dict[str, tuple[str, dict[str, Any]]]:
        return {cid: (doc, meta) for cid, doc, meta in self._get_by_id(ids, ["documents", "metadatas"])}

    def chunk_embeddings(self, ids: Sequence[str]) -> dict[str, np.ndarray]:
        return {cid: np.asarray(emb, dtype=np.float32) for cid, emb in self._get_by_id(ids, ["embeddings"])}

    def _get_by_id(self, ids: Sequence[str], include: list[str]) -> Iterator[tuple[Any, ...]]:
        """(id, *included fields) for each of these chunks found, whichever shard holds it."""
        if not ids:
            return
        for shard in self.all_shards():
            got = shard.get(ids=list(ids), include=include)
            yield from zip(got["ids"], *(got[name] for name in include))

    # --- writes ----------------------------------------------------------------------------------
    #
    # The order of every write makes a kill at any point repairable from what is left in the store: the record goes
    # first (it holds the cleaned text and the digest of the chunk ids it should have), its chunks follow, stale
    # chunks last; a delete marks the record first, drops the chunks, then the record. So chunks never exist without
    # a record, and a record whose chunks disagree with its digest is rebuilt from its own text by the next run.

    def write_articles(self, batch: Sequence[tuple[StoredArticle, Sequence[Chunk], np.ndarray]]) -> None:
        """Write many articles: records, then chunks, then drop chunks of theirs that are no longer wanted.

        One upsert per Chroma batch rather than per article: per-call overhead was a fifth of ingest time when each
        article was written on its own. Announced in the change log first, like every write.
        """
        self.announce({a.id: a.content_hash for a, _, _ in batch})
        # An article stays in the shard its record names; a new one goes to the open shard.
        prior = self.records([a.id for a, _, _ in batch])
        new = [a.id for a, _, _ in batch if a.id not in prior]
        opened = self.open_shard() if new else 0
        shards = {a.id: int(prior[a.id].get(SHARD, 0)) if a.id in prior else opened for a, _, _ in batch}
        ids: list[str] = []
        documents: list[str] = []
        metadatas: list[dict[str, Any]] = []
        vectors: list[np.ndarray] = []
        commons: list[dict[str, Any]] = []
        for article, chunks, embeddings in batch:
            common = metadata_of(
                title=article.title,
                source=article.source,
                date=article.date,
                date_int=date_int(article.date),
                url=article.url,
            )
            commons.append(common)
            common = {**common, "article_id": article.id}
            ids += [c.id for c in chunks]
            documents += [c.text for c in chunks]
            metadatas += [{**common, "start": c.start, "end": c.end, "position": c.position} for c in chunks]
            vectors.append(embeddings)
        means = [e.mean(axis=0) for _, _, e in batch]
        for start in range(0, len(batch), self.batch_size):
            part = batch[start : start + self.batch_size]
            self.articles.upsert(
                ids=[a.id for a, _, _ in part],
                documents=[a.text for a, _, _ in part],
                embeddings=[m / (np.linalg.norm(m) or 1.0) for m in means[start : start + len(part)]],
                metadatas=[
                    {
                        **common,
                        "content_hash": a.content_hash,
                        "n_chunks": len(chunks),
                        "chunk_digest": chunk_digest(c.id for c in chunks),
                        "origin": a.origin,
                        SHARD: shards[a.id],
                    }
                    for (a, chunks, _), common in zip(part, commons[start : start + len(part)])
                ],
            )
        stacked = np.concatenate(vectors) if vectors else np.zeros((0, 0), dtype=np.float32)
        rows = np.array([shards[str(m["article_id"])] for m in metadatas], dtype=np.int64)
        for number in sorted(set(shards.values())):
            where = np.flatnonzero(rows == number)
            for start in range(0, len(where), self.batch_size):
                part = where[start : start + self.batch_size]
                self.shard(number).upsert(
                    ids=[ids[i] for i in part],
                    documents=[documents[i] for i in part],
                    embeddings=stacked[part],
                    metadatas=[metadatas[i] for i in part],
                )
        keep = set(ids)
        for number in sorted(set(shards.values())):
            written = [a.id for a, _, _ in batch if shards[a.id] == number]
            stale = [cid for cid in self._chunk_ids_of(written, number) if cid not in keep]
            self.delete_chunks(stale, number)

    def delete_articles(self, article_ids: Sequence[str]) -> None:
        """Mark the records, drop their chunks, then the records: a kill midway leaves a mark the next run finishes."""
        self.announce(dict.fromkeys(article_ids, DELETED))
        for start in range(0, len(article_ids), self.batch_size):
            part = list(article_ids[start : start + self.batch_size])
            shards = self.shards_of(part)  # where each record says its chunks are
            self.articles.update(ids=part, metadatas=[{DELETING: True}] * len(part))
            for number, filed in sorted(shards.items()):
                self.delete_chunks(self._chunk_ids_of(filed, number), number)
            self.articles.delete(ids=part)

    def _chunk_ids_of(self, article_ids: list[str], shard: int) -> list[str]:
        if not article_ids:
            return []
        return list(self.shard(shard).get(where={"article_id": {"$in": article_ids}}, include=[])["ids"])

    def delete_chunks(self, ids: list[str], shard: int | None = None) -> None:
        """Delete these chunks from their shard, or (None: not known) from every shard."""
        if not ids:
            return
        for collection in self.all_shards() if shard is None else [self.shard(shard)]:
            for start in range(0, len(ids), self.batch_size):
                collection.delete(ids=ids[start : start + self.batch_size])

    def reset(self) -> None:
        shards = [f"chunks_{n}" for n in self.shard_numbers() if n]
        for suffix in ("chunks", *shards, "articles", "changes"):
            # A collection that is absent already needs no reset.
            with contextlib.suppress(Exception):
                self.client.delete_collection(f"{self.settings.collection}_{suffix}")
        self._forget_collections()

    def _forget_collections(self) -> None:
        """Drop the collection handles opened so far (shards too); the next use opens them from the client anew."""
        for name in ("chunks", "articles", "changes"):
            self.__dict__.pop(name, None)
        self._shards = {}

    # --- stats -----------------------------------------------------------------------------------

    def stats(self) -> StoreStats:
        sources: dict[str, int] = {}
        dates: list[str] = []
        for _, meta in self.iter_article_metadata():
            source = meta.get("source") or UNKNOWN_SOURCE
            sources[source] = sources.get(source, 0) + 1
            if meta.get("date"):
                dates.append(str(meta["date"]))
        return StoreStats(
            articles=self.article_count(),
            chunks=self.chunk_count(),
            sources=dict(sorted(sources.items(), key=lambda kv: (-kv[1], kv[0]))),
            date_range=(min(dates), max(dates)) if dates else None,
            store=self.location,
            backend="server" if self.settings.chroma_url else "embedded",
        )


def lexical_dir(settings: Settings) -> Path:
    """Where the BM25 index lives: beside an embedded store, or in a per-server cache folder."""
    if not settings.chroma_url:
        return settings.store_dir / "lexical" / settings.collection
    key = hashlib.sha1(f"{settings.chroma_url}|{settings.collection}".encode()).hexdigest()[:16]
    return Path.home() / ".cache" / "pressroom" / "lexical" / key


def filecache_path(settings: Settings) -> Path:
    """Where ingest's stat cache lives: beside an embedded store, or in a per-server cache folder."""
    if not settings.chroma_url:
        return settings.store_dir / "filecache" / f"{settings.collection}.sqlite"
    key = hashlib.sha1(f"{settings.chroma_url}|{settings.collection}".encode()).hexdigest()[:16]
    return Path.home() / ".cache" / "pressroom" / "filecache" / f"{key}.sqlite"


def _stored(article_id: str, meta: dict[str, Any], text: str) -> StoredArticle:
    return StoredArticle(
        id=article_id,
        title=str(meta.get("title", article_id)),
        text=text,
        source=meta.get("source"),
        date=meta.get("date"),
        url=meta.get("url"),
        content_hash=str(meta.get("content_hash", "")),
        n_chunks=int(meta.get("n_chunks", 0)),
        origin=str(meta.get("origin", "")),
    )
