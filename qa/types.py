"""The types that cross the answer path's boundaries: what the CLI, the UI, the eval and the bench read.

Kept free of heavy imports (no Chroma, LangChain or spaCy), so a caller that only reads results loads nothing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from pressroom.types import ArticleMeta


class Mode(StrEnum):
    """Retrieval configurations; the product answers from ``HYBRID_RERANK``, the others are for comparison."""

    DENSE = "dense"
    BM25 = "bm25"
    HYBRID = "hybrid"
    HYBRID_RERANK = "hybrid+rerank"


@dataclass
class Filters:
    since: str | None = None
    until: str | None = None
    sources: list[str] = field(default_factory=list)
    article_ids: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.since or self.until or self.sources or self.article_ids)


@dataclass(kw_only=True)
class Passage(ArticleMeta):
    chunk_id: str
    article_id: str
    text: str
    start: int  # offsets into the stored article text
    end: int
    score: float = 0.0
    dense: float = 0.0
    lexical_rank: int | None = None
    dense_rank: int | None = None

    @classmethod
    def from_chunk(cls, chunk_id: str, text: str, meta: dict[str, Any]) -> Passage:
        return cls(
            chunk_id=chunk_id,
            article_id=str(meta["article_id"]),
            text=text,
            start=int(meta["start"]),
            end=int(meta["end"]),
            title=str(meta.get("title", "")),
            source=meta.get("source"),
            date=meta.get("date"),
            url=meta.get("url"),
        )

    def to_dict(self, rank: int) -> dict[str, Any]:
        return {
            "rank": rank,
            "article_id": self.article_id,
            "chunk_id": self.chunk_id,
            "score": round(self.score, 4),
            "text": self.text,
            "title": self.title,
            "source": self.source,
            "date": self.date,
            "start": self.start,
            "end": self.end,
        }


@dataclass(kw_only=True)
class Citation(ArticleMeta):
    n: int
    article_id: str
    chunk_id: str
    start: int
    end: int
    quote: str  # exactly the stored article text between start and end

    def to_dict(self) -> dict[str, Any]:
        return {
            "n": self.n,
            "article_id": self.article_id,
            "title": self.title,
            "source": self.source,
            "date": self.date,
            "url": self.url,
            "chunk_id": self.chunk_id,
            "start": self.start,
            "end": self.end,
            "quote": self.quote,
        }


class Outcome(StrEnum):
    """What the verifier did with one sentence of a model's reply."""

    KEPT = "kept"  # supported by the passage its marker names
    RENUMBERED = "renumbered"  # supported, but by another passage than its marker named (or it named none)
    DROPPED = "dropped"  # no passage supports it


@dataclass
class CheckedSentence:
    text: str  # as the model wrote it, markers included
    outcome: Outcome
    why: str | None = None  # for a dropped one: "unsupported", "off the question", "not a claim" or "repeated"


@dataclass
class Verification:
    """How a model's reply fared: each sentence's outcome; ``fell_back`` when the extractive answer replaced it
    (nothing was supported, or the model failed: then ``error`` says how)."""

    sentences: list[CheckedSentence]
    fell_back: bool = False
    error: str | None = None

    def count(self, outcome: Outcome) -> int:
        return sum(s.outcome is outcome for s in self.sentences)

    def to_dict(self) -> dict[str, Any]:
        return {
            "fell_back": self.fell_back,
            "error": self.error,
            "sentences": [{"text": s.text, "outcome": s.outcome.value, "why": s.why} for s in self.sentences],
        }


@dataclass
class Answer:
    text: str
    refused: bool
    citations: list[Citation]
    short: str | None = None
    note: str | None = None
    verification: Verification | None = None  # set when a chat model wrote (or was asked for) the answer


@dataclass
class Timings:
    retrieve: float
    answer: float
    total: float


@dataclass
class Result:
    """One answered question: the ``ask --json`` contract, which the CLI, the UI's ``/ask`` and the eval share."""

    question: str
    answer: Answer
    passages: list[Passage]
    timings_ms: Timings
    standalone_question: str | None = None  # what retrieval searched for a follow-up: it plus the earlier turns' topic
    resolved_question: str | None = None  # a follow-up with its references to earlier turns replaced, when any were

    def to_dict(self) -> dict[str, Any]:
        answer = self.answer
        return {
            "question": self.question,
            "answer": answer.text,
            "refused": answer.refused,
            "short_answer": answer.short,
            "note": answer.note,
            "standalone_question": self.standalone_question,
            "resolved_question": self.resolved_question,
            "citations": [c.to_dict() for c in answer.citations],
            "verification": answer.verification.to_dict() if answer.verification else None,
            "passages": [p.to_dict(rank) for rank, p in enumerate(self.passages, 1)],
            "timings_ms": {
                "retrieve": round(self.timings_ms.retrieve, 2),
                "answer": round(self.timings_ms.answer, 2),
                "total": round(self.timings_ms.total, 2),
            },
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False)
