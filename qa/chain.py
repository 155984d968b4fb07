"""The one answer path, as a LangChain Runnable: condense the follow-up, retrieve, answer, verify.

Input: a ``Request``; output: a ``Result`` (``Result.to_dict()`` is the ``ask --json`` contract). The CLI, the UI
and the eval all run these steps.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from langchain_core.runnables import Runnable, RunnableLambda
from pressroom.qa.answer import ExtractiveAnswerer
from pressroom.qa.followup import Standalone, Turn, condense, condense_with_llm
from pressroom.qa.generate import UNVERIFIED_NOTE, messages, verify
from pressroom.qa.retrieve import HybridSearch
from pressroom.qa.types import Answer, Filters, Mode, Passage, Result, Timings

MAX_QUESTION_CHARS = 2000
MAX_HISTORY_TURNS = 50
MAX_K = 50  # as settings.top_k: more passages than this is not an answer any more


class QuestionError(ValueError):
    """A question the chain cannot take; the message is for the user."""


def check_question(question: Any, what: str = "the question") -> str:
    if question is None or (isinstance(question, str) and not question.strip()):
        raise QuestionError(f"{what} is empty")
    if not isinstance(question, str):
        raise QuestionError(f"{what} must be text, not {type(question).__name__}")
    question = " ".join(question.split())
    if len(question) > MAX_QUESTION_CHARS:
        raise QuestionError(f"{what} is {len(question):,} characters; the limit is {MAX_QUESTION_CHARS:,}")
    try:
        question.encode("utf-8")
    except UnicodeEncodeError as err:
        raise QuestionError(f"{what} holds a lone surrogate ({question[err.start]!a}), which is not text") from None
    return question


def check_history(history: Any) -> list[Turn]:
    """Earlier turns from a caller (the CLI's --batch, the UI's /ask): questions, or {question, answer} objects."""
    if history is None:
        return []
    if not isinstance(history, list):
        raise QuestionError(f"history must be a list of earlier turns, not {type(history).__name__}")
    if len(history) > MAX_HISTORY_TURNS:
        raise QuestionError(f"history has {len(history)} turns; the limit is {MAX_HISTORY_TURNS}")
    turns = []
    for n, raw in enumerate(history, 1):
        what = f"history turn {n}"
        if isinstance(raw, dict):
            answer = raw.get("short") or raw.get("answer")
            if answer is not None and not isinstance(answer, str):
                raise QuestionError(f"{what}: the answer must be text, not {type(answer).__name__}")
            turns.append(Turn(check_question(raw.get("question"), f"{what}'s question"), answer))
        elif isinstance(raw, str):
            turns.append(Turn(check_question(raw, what)))
        else:
            raise QuestionError(f"{what} must be a question or a {{question, answer}} object, not {type(raw).__name__}")
    return turns


def check_k(k: Any) -> int | None:
    if k is None:
        return None
    if isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= MAX_K:
        raise QuestionError(f"the number of passages must be a whole number from 1 to {MAX_K}, got {k!r}")
    return k


@dataclass
class Request:
    question: Any  # checked by the first step: callers pass what the user typed
    history: Any = field(default_factory=list)  # earlier questions or {"question", "answer"} turns; checked too
    filters: Filters = field(default_factory=Filters)
    k: Any = None  # checked too


@dataclass
class Prepared:
    question: str
    standalone: Standalone
    filters: Filters
    k: int | None
    started: float


@dataclass
class Retrieved:
    prepared: Prepared
    passages: list[Passage]
    retrieve_ms: float


class AnswerChain:
    """The steps of one question. Its parts are handed in; ``Pressroom`` builds them once per process."""

    def __init__(self, search: HybridSearch, answerer: ExtractiveAnswerer, llm: Any | None = None) -> None:
        self.search = search
        self.answerer = answerer
        self.llm = llm

    # --- the steps -------------------------------------------------------------------------------

    def prepare(self, request: Request) -> Prepared:
        started = time.perf_counter()
        question = check_question(request.question)
        history = check_history(request.history)
        k = check_k(request.k)
        if self.search.store.chunk_count() == 0:
            raise QuestionError("nothing has been ingested yet: run `pressroom ingest PATH` first")
        standalone = condense_with_llm(self.llm, question, history) if self.llm else condense(question, history)
        return Prepared(question, standalone, request.filters, k, started)

    def retrieve(self, prepared: Prepared, mode: Mode = Mode.HYBRID_RERANK) -> Retrieved:
        t0 = time.perf_counter()
        passages = self.search.search(prepared.standalone.query, prepared.filters, prepared.k, mode)
        return Retrieved(prepared, passages, (time.perf_counter() - t0) * 1000)

    def answer(self, retrieved: Retrieved) -> Result:
        t0 = time.perf_counter()
        *_, answer = self.answer_tokens(retrieved.prepared.standalone, retrieved.passages)
        return self.result(retrieved, answer, (time.perf_counter() - t0) * 1000)

    def answer_tokens(self, standalone: Standalone, passages: list[Passage]) -> Iterator[str | Answer]:
        """Yield the answer's text as it is produced, and last the (verified) Answer itself.

        One path for `ask` and the live display: extractive when there is no LLM or the evidence is too weak;
        otherwise the model's raw tokens, whose reply is then checked against the passages.
        """
        extractive = self.answerer.answer(standalone.answerable_text, passages, standalone.context)
        if self.llm is None or extractive.refused:
            for word in extractive.text.split(" "):
                yield word + " "
            yield extractive
            return
        reply = ""
        for chunk in self.llm.stream(messages(standalone.query, passages)):
            token = str(chunk.content)
            reply += token
            yield token
        yield self._checked(reply, passages, extractive)

    @staticmethod
    def _checked(reply: str, passages: list[Passage], extractive: Answer) -> Answer:
        verified = verify(reply, passages)
        if verified is None:
            extractive.note = UNVERIFIED_NOTE
            return extractive
        return verified

    @staticmethod
    def result(retrieved: Retrieved, answer: Answer, answer_ms: float) -> Result:
        prepared = retrieved.prepared
        standalone = prepared.standalone
        total = (time.perf_counter() - prepared.started) * 1000
        return Result(
            question=prepared.question,
            answer=answer,
            passages=retrieved.passages,
            timings_ms=Timings(retrieve=retrieved.retrieve_ms, answer=answer_ms, total=total),
            standalone_question=standalone.query if standalone.context else None,
        )

    # --- public faces ----------------------------------------------------------------------------

    def as_runnable(self, mode: Mode = Mode.HYBRID_RERANK) -> Runnable[Request, Result]:
        return (
            RunnableLambda(self.prepare, name="condense")
            | RunnableLambda(lambda prepared: self.retrieve(prepared, mode), name="retrieve")
            | RunnableLambda(self.answer, name="answer")
        ).with_config(run_name="pressroom")

    def stream(self, request: Request) -> Iterator[list[Passage] | str | Result]:
        """For a live display: the passages, then the answer's text as it comes (``str``s), then the ``Result``.

        With an LLM the text is the model's raw reply; the result carries the verified answer that replaces it.
        """
        retrieved = self.retrieve(self.prepare(request))
        yield retrieved.passages
        t0 = time.perf_counter()
        for item in self.answer_tokens(retrieved.prepared.standalone, retrieved.passages):
            if isinstance(item, Answer):
                yield self.result(retrieved, item, (time.perf_counter() - t0) * 1000)
            else:
                yield item
