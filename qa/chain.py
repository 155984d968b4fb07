"""The one answer path, as a LangChain Runnable: condense the follow-up, retrieve, answer, verify.

Input: a ``Request``; output: a ``Result`` (``Result.to_dict()`` is the ``ask --json`` contract). The CLI, the UI
and the eval all run these steps.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from langchain_core.runnables import Runnable, RunnableLambda
from pressroom.qa.answer import ExtractiveAnswerer
from pressroom.qa.followup import Standalone, Turn, condense, condense_with_llm
from pressroom.qa.generate import checked, failure_note, failure_reason, messages
from pressroom.qa.retrieve import HybridSearch
from pressroom.qa.types import Answer, Filters, Mode, Passage, Result, Timings, Verification

MAX_QUESTION_CHARS = 2000
MAX_HISTORY_TURNS = 50
MAX_K = 50  # as settings.top_k: more passages than this is not an answer any more
log = logging.getLogger(__name__)


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
        # The lexical index holds every chunk and counts them in O(1); Chroma's count pages the collection (60 ms
        # per question at 1M chunks).
        if self.search.lexical.count() == 0:
            raise QuestionError("nothing has been ingested yet: run `pressroom ingest PATH` first")
        history = self.answered(history, request.filters)
        try:
            standalone = condense_with_llm(self.llm, question, history) if self.llm else condense(question, history)
        except Exception:  # a failing model: the rule-based rewrite serves, and the answer step says what failed
            log.debug("chat model failed to condense the follow-up", exc_info=True)
            standalone = condense(question, history)
        return Prepared(question, standalone, request.filters, k, started)

    def answered(self, history: list[Turn], filters: Filters) -> list[Turn]:
        """Earlier questions given without their answers (a ``--batch`` line's history, the UI's /ask API) are
        answered in turn, as the chat answered them, so that "how old is he?" after "Which striker did Rovers
        sign?" finds the name the answer gave, not only the question's words. The extractive answerer serves:
        only the short answer is kept."""
        done: list[Turn] = []
        for turn in history:
            if turn.answer is None:
                standalone = condense(turn.question, done)
                passages = self.search.search(standalone.query, filters, None, Mode.HYBRID_RERANK)
                answer = self.answerer.answer(standalone.answerable_text, passages, standalone.context)
                turn = Turn(turn.question, None if answer.refused else answer.short)
            done.append(turn)
        return done

    def retrieve(self, prepared: Prepared, mode: Mode = Mode.HYBRID_RERANK) -> Retrieved:
        t0 = time.perf_counter()
        passages = self.search.search(prepared.standalone.query, prepared.filters, prepared.k, mode)
        return Retrieved(prepared, passages, (time.perf_counter() - t0) * 1000)

    def answer(self, retrieved: Retrieved) -> Result:
        t0 = time.perf_counter()
        *_, answer = self.answer_tokens(retrieved.prepared.standalone, retrieved.passages)
        return self.result(retrieved, answer, (time.perf_counter() - t0) * 1000)

    def answer_tokens(self, standalone: Standalone, passages: list[Passage]) -> Iterator[str | Answer]:
        """Yield the model's text as it is produced, and last the (verified) Answer itself.

        One path for `ask` and the live display: the extractive answer alone when there is no LLM or the evidence is
        too weak (it is ready at once; replaying it word by word would only delay it); otherwise the model's raw
        tokens, whose reply is then checked against the passages. A model that fails, at the start or mid-reply,
        leaves the extractive answer with a note saying why.
        """
        extractive = self.answerer.answer(standalone.answerable_text, passages, standalone.context)
        if self.llm is None or extractive.refused:
            yield extractive
            return
        reply = ""
        try:
            for chunk in self.llm.stream(messages(standalone.query, passages)):
                token = str(chunk.content)
                reply += token
                yield token
        except Exception as err:  # whatever the model or its server raised: the user gets the extractive answer
            log.debug("chat model failed", exc_info=True)
            extractive.note = failure_note(err)
            extractive.verification = Verification([], fell_back=True, error=failure_reason(err))
            yield extractive
            return
        yield checked(reply, passages, standalone.query, extractive)

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
            resolved_question=standalone.resolved or None,
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
