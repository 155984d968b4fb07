"""Run an eval set through the answer chain in one or more retrieval configurations and score it."""

from __future__ import annotations

import hashlib
import itertools
import re
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from pressroom.eval.dataset import Item
from pressroom.eval.metrics import (
    contains_answer,
    exact_match,
    hit_at,
    mrr_at,
    ndcg_at,
    percentile,
    recall_at,
    roc_auc,
    token_f1,
    unique_in_order,
)
from pressroom.ingest.pipeline import Summary
from pressroom.qa.chain import Request
from pressroom.qa.facade import Pressroom
from pressroom.qa.types import Mode, Outcome

from pressroom.settings import Settings

PRODUCT = Mode.HYBRID_RERANK.value
BASELINE = "langchain-dense"
RETRIEVE_K = 20  # passages fetched to rank articles for hit@10 / nDCG@10
CACHE = Path.home() / ".cache" / "pressroom" / "eval"


@dataclass
class ItemResult:
    id: str
    mode: str
    question: str
    kind: str | None
    answerable: bool
    gold: list[str]
    answers: list[str]
    ranked: list[str]
    retrieve_ms: float
    answer: str | None = None
    short_answer: str | None = None
    refused: bool | None = None
    citations: list[dict[str, Any]] = field(default_factory=list)
    best_score: float = 0.0
    refused_at_any_threshold: bool = False
    answer_ms: float = 0.0
    em: float = 0.0
    f1: float = 0.0
    contains: bool = False  # the answer text holds an accepted answer
    features: list[float] = field(default_factory=list)  # the answerability model's inputs
    span_rule: str | None = None  # which rule found the short answer
    passed: bool = False
    verification: dict[str, Any] | None = None  # what the verifier did with a chat model's reply


def corpus_store(paths: list[Path], settings: Settings, cache: Path = CACHE) -> tuple[Settings, Summary]:
    """A store holding exactly ``paths``, cached under a key of the paths and the chunking settings; ingest
    is idempotent, so a cached store only embeds what changed."""
    parts = [*(str(p.resolve()) for p in paths), *map(str, settings.index_key())]
    key = hashlib.sha1("|".join(parts).encode()).hexdigest()[:16]
    store_settings = settings.model_copy(update={"store_dir": cache / key, "chroma_url": None})
    summary = Pressroom(store_settings).ingest(paths, prune=True)
    return store_settings, summary


class Runner:
    def __init__(self, pressroom: Pressroom) -> None:
        self.pressroom = pressroom
        self._langchain: Any = None

    def langchain_dense(self, query: str) -> list[str]:
        """The peer a LangChain user writes first: ``Chroma.similarity_search(k=4)`` on the same chunks."""
        if self._langchain is None:
            from langchain_chroma import Chroma
            from pressroom.qa.embeddings import PressroomEmbeddings

            store = self.pressroom.store
            self._langchain = Chroma(
                client=store.client,
                collection_name=store.chunks.name,
                embedding_function=PressroomEmbeddings(self.pressroom.embedder),
            )
        return [d.metadata["article_id"] for d in self._langchain.similarity_search(query, k=4)]

    def run_item(self, item: Item, mode: str) -> ItemResult:
        chain = self.pressroom.chain
        prepared = chain.prepare(Request(item.question, item.history, k=RETRIEVE_K))
        standalone = prepared.standalone
        t0 = time.perf_counter()
        if mode == BASELINE:
            ranked = unique_in_order(self.langchain_dense(standalone.query))
            return retrieval_result(item, mode, ranked, (time.perf_counter() - t0) * 1000)
        retrieved = chain.retrieve(prepared, Mode(mode))
        passages = retrieved.passages
        result = retrieval_result(item, mode, unique_in_order([p.article_id for p in passages]), retrieved.retrieve_ms)
        if mode != PRODUCT:
            return result
        top = passages[: self.pressroom.settings.top_k]
        output = chain.answer(replace(retrieved, passages=top))
        answered = output.answer
        result.answer, result.short_answer = answered.text, answered.short
        result.refused, result.citations = answered.refused, [c.to_dict() for c in answered.citations]
        # The answerer's own view, on the standalone question it refuses on: calibration and fitting read it.
        assessment = chain.answerer.assess(standalone.answerable_text, top, standalone.context)
        result.best_score = assessment.answerable
        result.features = assessment.features.tolist()
        result.refused_at_any_threshold = assessment.best is None
        best = assessment.best
        if best is not None:
            result.span_rule = best.span.how if best.span else None
        result.answer_ms = output.timings_ms.answer
        result.verification = answered.verification.to_dict() if answered.verification else None
        if item.answerable and not result.refused:
            prediction = result.short_answer or strip_markers(result.answer)
            result.em = exact_match(prediction, item.answers)
            result.f1 = token_f1(prediction, item.answers)
            result.contains = contains_answer(result.answer, item.answers)
            result.passed = result.contains and bool(set(result.ranked[:1]) & set(item.gold_articles))
        else:
            result.passed = result.refused == (not item.answerable)
        return result

    def run(
        self, items: list[Item], modes: list[str], progress: Callable[[int, int], None] | None = None
    ) -> dict[str, list[ItemResult]]:
        results: dict[str, list[ItemResult]] = {mode: [] for mode in modes}
        total = len(items) * len(modes)
        for n, (mode, item) in enumerate(((m, i) for m in modes for i in items), 1):
            results[mode].append(self.run_item(item, mode))
            if progress:
                progress(n, total)
        return results


def retrieval_result(item: Item, mode: str, ranked: list[str], retrieve_ms: float) -> ItemResult:
    """An item's result with what retrieval alone decides; the answer fields are filled for the product mode."""
    return ItemResult(
        id=item.id,
        mode=mode,
        question=item.question,
        kind=item.kind,
        answerable=item.answerable,
        gold=item.gold_articles,
        answers=item.answers,
        ranked=ranked,
        retrieve_ms=retrieve_ms,
    )


def strip_markers(text: str | None) -> str:
    return re.sub(r"\s*\[\d+\]", "", text or "")


def summarize(results: list[ItemResult], ks: tuple[int, ...] = (1, 3, 5, 10)) -> dict[str, Any]:
    answerable = [r for r in results if r.answerable]
    row: dict[str, Any] = {"questions": len(results)}
    for k in ks:
        row[f"hit@{k}"] = _mean(hit_at(r.ranked, set(r.gold), k) for r in answerable)
        row[f"recall@{k}"] = _mean(recall_at(r.ranked, set(r.gold), k) for r in answerable)
    row["mrr@10"] = _mean(mrr_at(r.ranked, set(r.gold)) for r in answerable)
    row["ndcg@10"] = _mean(ndcg_at(r.ranked, set(r.gold)) for r in answerable)
    row["retrieve_p50_ms"] = percentile([r.retrieve_ms for r in results], 50)
    row["retrieve_p95_ms"] = percentile([r.retrieve_ms for r in results], 95)
    if results and results[0].refused is not None:
        unanswerable = [r for r in results if not r.answerable]
        refused = [r for r in results if r.refused]
        citations = [(c, r) for r in answerable for c in r.citations]
        row["exact_match"] = _mean(r.em for r in answerable)
        row["f1"] = _mean(r.f1 for r in answerable)
        row["citation_precision"] = (
            _mean(float(c["article_id"] in r.gold and contains_answer(c["quote"], r.answers)) for c, r in citations)
            if citations
            else 0.0
        )
        row["refusal_precision"] = _mean(float(not r.answerable) for r in refused) if refused else 0.0
        row["refusal_recall"] = _mean(float(bool(r.refused)) for r in unanswerable) if unanswerable else 0.0
        row["false_refusal_rate"] = _mean(float(bool(r.refused)) for r in answerable)
        row["contains_answer"] = _mean(float(r.contains) for r in answerable)
        row["answerability_auc"] = roc_auc([r.best_score for r in results], [r.answerable for r in results])
        row["refusal_accuracy"] = _mean(float(bool(r.refused) == (not r.answerable)) for r in results)
        row["answer_p50_ms"] = percentile([r.answer_ms for r in results], 50)
        row["answer_p95_ms"] = percentile([r.answer_ms for r in results], 95)
        row["total_p95_ms"] = percentile([r.answer_ms + r.retrieve_ms for r in results], 95)
        row["passed"] = _mean(float(r.passed) for r in results)
        row.update(verification_summary(results))
    return row


def verification_summary(results: list[ItemResult]) -> dict[str, float]:
    """With a chat model: the share of its sentences kept, renumbered (cited to another passage than it said) and
    dropped, and how often the whole answer fell back to the extractive one; empty without a model."""
    asked = [r.verification for r in results if r.verification is not None]
    if not asked:
        return {}
    outcomes = [s["outcome"] for v in asked for s in v["sentences"]]
    row = {f"sentences_{o.value}": _mean(float(x == o.value) for x in outcomes) for o in Outcome}
    row["fallback_rate"] = _mean(float(v["fell_back"]) for v in asked)
    row["model_errors"] = float(sum(bool(v["error"]) for v in asked))
    return row


def by_kind(results: list[ItemResult]) -> dict[str, dict[str, Any]]:
    """Per kind of question: how many, right article first, short-answer F1, answer holds an accepted answer,
    refused. Answer metrics count only answerable items; "refused" is the share of the kind's items refused."""
    kinds: dict[str, list[ItemResult]] = {}
    for r in results:
        kinds.setdefault(r.kind or "(none)", []).append(r)
    kinds["all answerable"] = [r for r in results if r.answerable]
    kinds["all unanswerable"] = [r for r in results if not r.answerable]
    rows = {}
    for kind, rs in kinds.items():
        answerable = [r for r in rs if r.answerable]
        rows[kind] = {
            "questions": len(rs),
            "hit@1": _mean(hit_at(r.ranked, set(r.gold), 1) for r in answerable) if answerable else None,
            "f1": _mean(r.f1 for r in answerable) if answerable else None,
            "exact_match": _mean(r.em for r in answerable) if answerable else None,
            "contains_answer": _mean(float(r.contains) for r in answerable) if answerable else None,
            "refused": _mean(float(bool(r.refused)) for r in rs),
        }
    return rows


def calibrate(results: list[ItemResult], current: float) -> tuple[float, float]:
    """The refusal threshold that best separates answerable from unanswerable items (balanced accuracy), with
    that accuracy. Items refused for a missing name or number stay refused at any threshold."""
    scored = [(r.best_score, r.refused_at_any_threshold, r.answerable) for r in results]
    # Midpoints between neighbouring scores: a threshold on an observed score overfits that very item.
    values = sorted({s for s, _, _ in scored})
    candidates = [0.0] + [round((a + b) / 2, 3) for a, b in itertools.pairwise(values)]
    best = (current, -1.0)
    for threshold in candidates:
        yes = [s >= threshold and not missing for s, missing, a in scored if a]
        no = [s < threshold or missing for s, missing, a in scored if not a]
        balanced = (_mean(map(float, yes)) + _mean(map(float, no))) / 2 if yes and no else 0.0
        if balanced > best[1]:
            best = (threshold, balanced)
    return best


def as_dicts(results: dict[str, list[ItemResult]]) -> dict[str, list[dict[str, Any]]]:
    return {mode: [asdict(r) for r in rows] for mode, rows in results.items()}


def _mean(values: Any) -> float:
    values = list(values)
    return sum(values) / len(values) if values else 0.0
