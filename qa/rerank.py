"""Rerankers: each rescores fused candidates and returns them best first. Adding one is one class here and one
line in ``make_reranker``."""

from __future__ import annotations

from typing import Any, Protocol

import numpy as np
from pressroom.ingest.terms import content_terms
from pressroom.qa.types import Passage

from pressroom.settings import Settings

# The overlap rerank's mix. Set by hand when the rerank was written; every retrieval and answer figure in the
# README was measured with it, and the answerability model reads the top passage's score: change the mix only
# with the answerability weights refitted (python -m pressroom.eval.fit_answerer).
DENSE_WEIGHT = 0.65
COVERAGE_WEIGHT = 0.35


class Reranker(Protocol):
    def rerank(self, query: str, passages: list[Passage]) -> list[Passage]: ...


class OverlapReranker:
    """The bi-encoder's cosine plus the share of the question's vocabulary that the passage and its headline hold.
    Needs no extra model: no cross-encoder installs from the package registries here."""

    def rerank(self, query: str, passages: list[Passage]) -> list[Passage]:
        terms = content_terms(query)
        for p in passages:
            coverage = len(terms & content_terms(f"{p.title}\n{p.text}")) / len(terms) if terms else 0.0
            p.score = DENSE_WEIGHT * p.dense + COVERAGE_WEIGHT * coverage
        return sorted(passages, key=lambda p: -p.score)


class CrossEncoderReranker:
    """A sentence-transformers CrossEncoder from a local folder; its logits become 0..1 scores."""

    def __init__(self, folder: str) -> None:
        from sentence_transformers import CrossEncoder

        self.model: Any = CrossEncoder(folder, device="cpu")

    def rerank(self, query: str, passages: list[Passage]) -> list[Passage]:
        if not passages:
            return passages
        scores = self.model.predict([(query, f"{p.title}\n{p.text}") for p in passages])
        for p, s in zip(passages, scores):
            p.score = float(1 / (1 + np.exp(-s)))
        return sorted(passages, key=lambda p: -p.score)


def make_reranker(settings: Settings) -> Reranker | None:
    if not settings.rerank:
        return None
    if settings.cross_encoder:
        return CrossEncoderReranker(settings.cross_encoder)
    return OverlapReranker()
