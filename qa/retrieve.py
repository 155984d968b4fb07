"""Hybrid retrieval: dense (Chroma) and BM25 candidates fused by reciprocal rank fusion, reranked, capped per
article. Exposed as a LangChain retriever so it composes with any chain."""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from ingest.lexical import LexicalIndex, refresh, tokenize
from ingest.store import ArticleStore, date_int
from pressroom.settings import Settings


class RetrievalError(ValueError):
    """A question or filter retrieval cannot serve; the message is for the user."""


@dataclass
class Filters:
    since: str | None = None
    until: str | None = None
    sources: list[str] = field(default_factory=list)
    article_ids: list[str] = field(default_factory=list)

    @classmethod
    def from_dict(cls, raw: dict[str, Any] | None) -> Filters:
        raw = raw or {}
        sources = raw.get("sources") or raw.get("source") or []
        ids = raw.get("article_ids") or []
        return cls(
            since=raw.get("since") or None,
            until=raw.get("until") or None,
            sources=[sources] if isinstance(sources, str) else list(sources),
            article_ids=[ids] if isinstance(ids, str) else list(ids),
        )

    def __bool__(self) -> bool:
        return bool(self.since or self.until or self.sources or self.article_ids)


@dataclass
class Passage:
    chunk_id: str
    article_id: str
    text: str
    start: int
    end: int
    title: str
    source: str | None
    date: str | None
    url: str | None
    score: float = 0.0
    dense: float = 0.0
    lexical_rank: int | None = None
    dense_rank: int | None = None

    @classmethod
    def from_chunk(cls, chunk_id: str, text: str, meta: dict[str, Any]) -> Passage:
        return cls(chunk_id, str(meta["article_id"]), text, int(meta["start"]), int(meta["end"]),
                   str(meta.get("title", "")), meta.get("source"), meta.get("date"), meta.get("url"))  # fmt: skip

    def to_document(self) -> Document:
        meta = {k: v for k, v in self.__dict__.items() if k != "text"}
        return Document(page_content=self.text, metadata=meta, id=self.chunk_id)


_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def content_terms(text: str) -> set[str]:
    """Stemmed content words, as the BM25 index sees them."""
    return set(tokenize([text])[0])


class HybridSearch:
    """Holds the store, the lexical index and the model; one instance serves every question of the process."""

    def __init__(self, settings: Settings, store: ArticleStore | None = None) -> None:
        self.settings = settings
        self.store = store or ArticleStore(settings)
        self._lock = threading.Lock()
        self._lexical: LexicalIndex | None = None
        self._cross_encoder: Any = None
        if settings.cross_encoder:
            from sentence_transformers import CrossEncoder

            self._cross_encoder = CrossEncoder(settings.cross_encoder, device="cpu")

    @property
    def embedder(self) -> Any:
        return self.store.embedding_function.embedder

    @property
    def lexical(self) -> LexicalIndex:
        with self._lock:
            if self._lexical is None:
                self._lexical = refresh(self.store)
            return self._lexical

    def reload(self) -> None:
        """Pick up what another ingest (an upload, another process) changed."""
        with self._lock:
            self._lexical = refresh(self.store)

    # --- filters ---------------------------------------------------------------------------------

    def resolve(self, filters: Filters) -> dict[str, Any]:
        """Filters in the form both indexes take; a source name matches any stored source containing it."""
        resolved: dict[str, Any] = {}
        for key, value in (("date_from", filters.since), ("date_to", filters.until)):
            if value:
                if not _ISO.match(value):
                    raise RetrievalError(f"dates are YYYY-MM-DD, got {value!r}")
                resolved[key] = date_int(value)
        if filters.sources:
            known = set(self.lexical.sources.tolist())
            wanted = [s.lower() for s in filters.sources]
            matches = sorted(s for s in known if s and any(w in s.lower() for w in wanted))
            if not matches:
                raise RetrievalError(f"no articles from a source matching {', '.join(filters.sources)}")
            resolved["sources"] = matches
        if filters.article_ids:
            resolved["article_ids"] = list(filters.article_ids)
        return resolved

    @staticmethod
    def chroma_where(resolved: dict[str, Any]) -> dict[str, Any] | None:
        clauses: list[dict[str, Any]] = []
        if "date_from" in resolved:
            clauses.append({"date_int": {"$gte": resolved["date_from"]}})
        if "date_to" in resolved:
            clauses.append({"date_int": {"$lte": resolved["date_to"]}})
        if "sources" in resolved:
            clauses.append({"source": {"$in": resolved["sources"]}})
        if "article_ids" in resolved:
            clauses.append({"article_id": {"$in": resolved["article_ids"]}})
        if not clauses:
            return None
        return clauses[0] if len(clauses) == 1 else {"$and": clauses}

    # --- search ----------------------------------------------------------------------------------

    def dense(self, query_vector: np.ndarray, k: int, resolved: dict[str, Any]) -> list[Passage]:
        passages = []
        for rank, (cid, text, meta, sim) in enumerate(
            self.store.dense_search(query_vector, k, self.chroma_where(resolved))
        ):
            passage = Passage.from_chunk(cid, text, meta)
            passage.dense, passage.dense_rank = sim, rank
            passages.append(passage)
        return passages

    def bm25(self, query: str, k: int, resolved: dict[str, Any]) -> list[tuple[str, float]]:
        return self.lexical.search(query, k, self.lexical.mask(resolved))

    def search(
        self,
        query: str,
        filters: Filters | None = None,
        top_k: int | None = None,
        mode: str = "hybrid+rerank",
    ) -> list[Passage]:
        """Passages for ``query``, best first. ``mode`` is one of dense, bm25, hybrid, hybrid+rerank."""
        settings = self.settings
        top_k = top_k or settings.top_k
        resolved = self.resolve(filters or Filters())
        k = settings.candidates
        query_vector = self.embedder.embed_query(query)
        dense = self.dense(query_vector, k, resolved) if mode != "bm25" else []
        lexical = self.bm25(query, k, resolved) if mode != "dense" else []

        by_id = {p.chunk_id: p for p in dense}
        missing = [cid for cid, _ in lexical if cid not in by_id]
        for cid, (text, meta) in self.store.get_chunks(missing).items():
            by_id[cid] = Passage.from_chunk(cid, text, meta)
        if missing:
            for cid, vector in self.store.chunk_embeddings(missing).items():
                by_id[cid].dense = float(vector @ query_vector)
        for rank, (cid, _) in enumerate(lexical):
            if cid in by_id:
                by_id[cid].lexical_rank = rank

        # Reciprocal rank fusion (Cormack et al. 2009): robust to the two scores' different scales.
        for passage in by_id.values():
            passage.score = sum(
                1.0 / (settings.rrf_k + rank + 1) for rank in (passage.dense_rank, passage.lexical_rank) if rank is not None
            )
        ranked = sorted(by_id.values(), key=lambda p: -p.score)
        if mode == "hybrid+rerank" and settings.rerank:
            ranked = self.rerank(query, ranked)
        elif mode == "dense":
            for p in ranked:
                p.score = p.dense
        return cap_per_article(ranked, settings.max_chunks_per_article)[:top_k]

    def rerank(self, query: str, passages: list[Passage]) -> list[Passage]:
        """Score = the bi-encoder's cosine plus how much of the question's vocabulary the passage (and its
        headline) covers. A configured CrossEncoder replaces the score when one is available."""
        if not passages:
            return passages
        if self._cross_encoder is not None:
            scores = self._cross_encoder.predict([(query, f"{p.title}\n{p.text}") for p in passages])
            for p, s in zip(passages, scores):
                p.score = float(1 / (1 + np.exp(-s)))
            return sorted(passages, key=lambda p: -p.score)
        terms = content_terms(query)
        for p in passages:
            coverage = len(terms & content_terms(f"{p.title}\n{p.text}")) / len(terms) if terms else 0.0
            p.score = 0.65 * p.dense + 0.35 * coverage
        return sorted(passages, key=lambda p: -p.score)


def cap_per_article(passages: list[Passage], limit: int) -> list[Passage]:
    """Keep at most ``limit`` passages per article so one long article cannot crowd out the rest."""
    counts: dict[str, int] = {}
    kept = []
    for p in passages:
        if counts.get(p.article_id, 0) < limit:
            counts[p.article_id] = counts.get(p.article_id, 0) + 1
            kept.append(p)
    return kept


class PressroomRetriever(BaseRetriever):
    """LangChain face of the hybrid search: ``retriever.invoke("question")`` returns Documents."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    search: HybridSearch
    filters: dict[str, Any] = {}
    k: int | None = None
    mode: str = "hybrid+rerank"

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        passages = self.search.search(query, Filters.from_dict(self.filters), self.k, self.mode)
        return [p.to_document() for p in passages]
