"""The BM25 side of hybrid retrieval: a tantivy index over every chunk, kept in step with the store's change log.

Chroma's own sparse search runs only on its hosted service, so each machine keeps this index itself: beside an
embedded store, or in a per-server cache folder for a Chroma server. It is updated, never rebuilt, as the store
changes: every write announces its articles in the change log (ingest/store.py), and a process catches up by
re-reading just those articles' chunks, so the work follows what changed, not the collection's size. Each update is
one tantivy commit that also carries the sync state (how far into the log the index got), so a crash leaves the
index as it was before the update or after it, never between, and the next catch-up redoes what was lost.

tantivy won over bm25s by measurement (README, "Scale"): bm25s can only rebuild its whole matrix on a change.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import tantivy
from pressroom.ingest.store import DELETED, DELETING, SLACK_US, ArticleStore, Change, chunk_digest, lexical_dir
from pressroom.ingest.terms import tokenize

# Bump when the schema or the tokenising changes: an index of another format lives in another folder, built anew.
FORMAT = 1
# tantivy's indexing memory budget (it needs at least 15 MB a thread); 64 MB indexed 100k chunks in one segment.
WRITER_HEAP = 64_000_000
# Chunks tokenised per call while (re)indexing: tokenising in batches is much faster than one text at a time.
TOKENIZE_BATCH = 2000
SYNC_ID = "__sync__"
Chunk = tuple[
    str, str, dict[str, Any]
]  # (chunk id, text, metadata) as the store hands them out  # the one document that holds the sync state, committed with the changes it describes


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("chunk_id", stored=True, tokenizer_name="raw")
    builder.add_text_field("article_id", tokenizer_name="raw")
    builder.add_text_field("source", tokenizer_name="raw", fast=True)
    builder.add_integer_field("date_int", indexed=True, fast=True)
    # The text arrives as our own terms (terms.py: stop words out, Snowball stems), so rerank, answerer and BM25
    # agree on what a word is; positions are not needed for BM25.
    builder.add_text_field("text", tokenizer_name="terms", index_option="freq")
    builder.add_bytes_field("state", stored=True)
    return builder.build()


SCHEMA = _schema()


@dataclass
class SyncState:
    """How far into the store's change log the index has got."""

    log: str  # the change log it follows (ArticleStore.log_id)
    generation: int  # the store's generation the index reflects
    watermark: int  # stamp of the newest log entry applied (microseconds)
    applied: list[str] = field(default_factory=list)  # ids of applied entries stamped within SLACK_US of it
    pending: list[Change] = field(default_factory=list)  # announced writes whose data had not landed yet

    def to_bytes(self) -> bytes:
        return json.dumps(asdict(self)).encode()

    @classmethod
    def from_bytes(cls, data: bytes) -> SyncState:
        raw = json.loads(data)
        return cls(
            raw["log"], raw["generation"], raw["watermark"], raw["applied"], [Change(**c) for c in raw["pending"]]
        )


class Lexical:
    """The one owner of a store's lexical index in a process: ingest and retrieval share it, and every process
    sharing the store (or, for a server, the machine's cache folder) shares the index on disk."""

    def __init__(self, store: ArticleStore, folder: Path | None = None) -> None:
        self.store = store
        self.folder = (folder or lexical_dir(store.settings)) / f"tantivy-v{FORMAT}"
        self._lock = threading.Lock()
        self._index: tantivy.Index | None = None
        self._state: SyncState | None = None

    # --- keeping up --------------------------------------------------------------------------------

    def catch_up(self) -> None:
        """Apply what the change log holds beyond this index; one O(1) read of the store when nothing moved."""
        generation, log = self.store.generation(), self.store.log_id()
        with self._lock:
            state = self._state if self._index is not None else self._open()
            if state is not None and state.log == log and state.generation == generation and not state.pending:
                return
            with self._update_lock():
                # Another process sharing the folder may have caught up while this one waited.
                state = self._reload()
                if state is None or state.log != log or generation < state.generation:  # new, or another store
                    state = self._rebuild(log, generation)
                elif state.generation != generation or state.pending:
                    self._apply(generation, state)

    def _open(self) -> SyncState | None:
        self.folder.mkdir(parents=True, exist_ok=True)
        self._index = tantivy.Index(SCHEMA, path=str(self.folder), reuse=True)
        self._index.register_tokenizer("terms", tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.whitespace()).build())
        return self._reload()

    def _reload(self) -> SyncState | None:
        index = self._require()
        index.reload()
        searcher = index.searcher()
        hits = searcher.search(tantivy.Query.term_query(SCHEMA, "chunk_id", SYNC_ID), 1).hits
        try:
            self._state = SyncState.from_bytes(bytes(searcher.doc(hits[0][1])["state"][0])) if hits else None
        except (ValueError, KeyError, TypeError):  # a state this version cannot read: the index is built anew
            self._state = None
        return self._state

    @contextlib.contextmanager
    def _update_lock(self) -> Iterator[None]:
        """One updating process at a time per folder (tantivy allows one writer); readers never wait."""
        with open(self.folder / "update.lock", "w") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _rebuild(self, log: str, generation: int) -> SyncState:
        """Index every chunk: only for a new index or a reset store."""
        started = time.time_ns() // 1000
        # Recent entries are settled before the scan: a write that has landed is in it, one still landing waits.
        window = self.store.changes_since(started - SLACK_US)
        _, pending, _ = self._settle(window)
        writer = self._require().writer(WRITER_HEAP)
        writer.delete_all_documents()
        _add(writer, self.store.iter_chunks())
        watermark = max([started, *(c.at for c in window)])
        state = SyncState(log, generation, watermark, [c.id for c in window], pending)
        self._commit(writer, state)
        return state

    def _apply(self, generation: int, state: SyncState) -> None:
        window = self.store.changes_since(state.watermark - SLACK_US)
        seen = set(state.applied)
        fresh = [c for c in window if c.id not in seen]
        landed, pending, rows = self._settle([*state.pending, *fresh])
        watermark = max([state.watermark, *(c.at for c in window)])
        applied = [c.id for c in window if c.at >= watermark - SLACK_US]
        new = SyncState(state.log, generation, watermark, applied, pending)
        if not landed:
            # Nothing landed: no commit until something does.
            self._state = new
            return
        writer = self._require().writer(WRITER_HEAP, 1)
        for change in landed:
            writer.delete_documents_by_term("article_id", change.article_id)
        _add(writer, rows)
        self._commit(writer, new)

    def _settle(self, changes: list[Change]) -> tuple[list[Change], list[Change], list[Chunk]]:
        """(landed, pending, the landed articles' chunks). A write has landed once the article's record carries
        the announced hash and its chunks are exactly the ones the record names (records are written first);
        a delete, once the record is gone (it goes last)."""
        latest: dict[str, Change] = {}
        for change in sorted(changes, key=lambda c: c.at):
            latest[change.article_id] = change  # the newest announcement of an article decides what it holds
        records = self.store.records(list(latest))
        written = [
            a
            for a, c in latest.items()
            if c.content_hash != DELETED and records.get(a, {}).get("content_hash") == c.content_hash
        ]
        by_article: dict[str, list[Chunk]] = {a: [] for a in written}
        for row in self.store.chunks_of(written):
            by_article[str(row[2].get("article_id", ""))].append(row)
        landed, pending, rows = [], [], []
        for article_id, change in latest.items():
            record = records.get(article_id)
            if change.content_hash == DELETED:
                done = record is None
            else:
                chunks = by_article.get(article_id)
                done = chunks is not None and not (record or {}).get(DELETING) and _agree(record or {}, chunks)
                rows += chunks if done and chunks else []
            (landed if done else pending).append(change)
        return landed, pending, rows

    def _commit(self, writer: tantivy.IndexWriter, state: SyncState) -> None:
        writer.delete_documents_by_term("chunk_id", SYNC_ID)
        writer.add_document(tantivy.Document(chunk_id=SYNC_ID, state=state.to_bytes()))
        writer.commit()
        writer.wait_merging_threads()
        self._require().reload()
        self._state = state

    def _require(self) -> tantivy.Index:
        if self._index is None:
            self._open()
        assert self._index is not None
        return self._index

    # --- reading -----------------------------------------------------------------------------------

    def search(self, query: str, k: int, filters: dict[str, Any] | None = None) -> list[tuple[str, float]]:
        """(chunk id, BM25 score) best first; ``filters`` (article_ids, sources, date_from, date_to) restrict them."""
        terms = tokenize([query])[0]
        if not terms:
            return []
        Query, Occur = tantivy.Query, tantivy.Occur
        clauses = [(Occur.Must, Query.boolean_query([(Occur.Should, _term(t)) for t in terms]))]
        # Filters select without scoring, so the scores stay BM25's.
        clauses += [(Occur.Must, Query.const_score_query(f, 0.0)) for f in _filter_queries(filters or {})]
        searcher = self._searcher()
        hits = searcher.search(Query.boolean_query(clauses), k).hits
        return [(searcher.doc(address)["chunk_id"][0], float(score)) for score, address in hits if score > 0]

    def matches(self, filters: dict[str, Any]) -> bool:
        """Whether any chunk passes the filters."""
        queries = _filter_queries(filters)
        if not queries:
            return True
        query = tantivy.Query.boolean_query([(tantivy.Occur.Must, q) for q in queries])
        return bool(self._searcher().search(query, 1).count)

    def sources(self) -> list[str]:
        """Every distinct source in the index."""
        aggregation = {"sources": {"terms": {"field": "source", "size": 1_000_000}}}
        result = self._searcher().aggregate(tantivy.Query.all_query(), aggregation)
        return sorted(bucket["key"] for bucket in result["sources"]["buckets"])

    def count(self) -> int:
        """Chunks indexed (the sync document aside)."""
        return int(self._searcher().num_docs) - 1  # the sync document

    def _searcher(self) -> tantivy.Searcher:
        if self._state is None:  # never caught up in this process: retrieval needs an index that exists
            self.catch_up()
        return self._require().searcher()


def _term(term: str) -> tantivy.Query:
    return tantivy.Query.term_query(SCHEMA, "text", term, index_option="freq")


def _filter_queries(filters: dict[str, Any]) -> list[tantivy.Query]:
    Query = tantivy.Query
    queries = []
    if filters.get("article_ids"):
        queries.append(Query.term_set_query(SCHEMA, "article_id", list(filters["article_ids"])))
    if filters.get("sources"):
        queries.append(Query.term_set_query(SCHEMA, "source", list(filters["sources"])))
    if filters.get("date_from") or filters.get("date_to"):
        # An undated chunk is stored as 0: like Chroma's range filter, an end date alone excludes it too.
        low = filters.get("date_from") or 1
        queries.append(Query.range_query(SCHEMA, "date_int", tantivy.FieldType.Integer, low, filters.get("date_to")))
    return queries


def _agree(record: dict[str, Any], chunks: list[Chunk]) -> bool:
    """Whether the chunks are exactly those the record names (records older than the digest: taken as they are)."""
    digest = record.get("chunk_digest")
    return digest is None or digest == chunk_digest(cid for cid, _, _ in chunks)


def _add(writer: tantivy.IndexWriter, chunks: Iterable[Chunk]) -> None:
    """Add chunks as documents, tokenised in batches."""
    batch: list[Chunk] = []
    for chunk in chunks:
        batch.append(chunk)
        if len(batch) >= TOKENIZE_BATCH:
            _add_batch(writer, batch)
            batch = []
    _add_batch(writer, batch)


def _add_batch(writer: tantivy.IndexWriter, batch: list[Chunk]) -> None:
    # The title is indexed with every chunk: headlines carry the words questions use.
    terms = tokenize([f"{meta.get('title', '')}\n{text}" for _, text, meta in batch]) if batch else []
    for (cid, _, meta), words in zip(batch, terms):
        doc = tantivy.Document(chunk_id=cid, article_id=str(meta.get("article_id", "")), text=" ".join(words))
        doc.add_integer("date_int", int(meta.get("date_int", 0)))
        if meta.get("source"):
            doc.add_text("source", str(meta["source"]))
        writer.add_document(doc)
