"""The one answer path, as a LangChain Runnable: condense the follow-up, retrieve, answer, verify.

Input: ``{"question": str, "history": [str | {"question", "answer"}], "filters": {...}, "k": int}``.
Output: the ``ask --json`` dictionary. The CLI, the UI and the eval all call this chain.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

from langchain_core.runnables import Runnable, RunnableLambda

from ingest.store import ArticleStore
from pressroom.settings import Settings
from qa.answer import Answer, ExtractiveAnswerer
from qa.followup import Standalone, Turn, condense, condense_with_llm
from qa.generate import UNVERIFIED_NOTE, make_chat_model, messages, verify
from qa.retrieve import Filters, HybridSearch, Passage

MAX_QUESTION_CHARS = 2000


class QuestionError(ValueError):
    """A question the chain cannot take; the message is for the user."""


def check_question(question: Any) -> str:
    if not isinstance(question, str) or not question.strip():
        raise QuestionError("the question is empty")
    question = " ".join(question.split())
    if len(question) > MAX_QUESTION_CHARS:
        raise QuestionError(f"the question is {len(question):,} characters; the limit is {MAX_QUESTION_CHARS:,}")
    return question


class Pressroom:
    """Components loaded once per process (model, indexes, optional chat model), shared by every caller."""

    def __init__(self, settings: Settings, store: ArticleStore | None = None) -> None:
        self.settings = settings
        self.search = HybridSearch(settings, store)
        self.answerer = ExtractiveAnswerer(settings.refusal_threshold)
        self.llm = make_chat_model(settings)

    def warm_up(self) -> None:
        """Load the models now rather than on the first question (a server's first user should not wait)."""
        from qa.answer import nlp

        self.search.embedder.embed_query("warm up")
        nlp()
        self.search.lexical

    # --- the steps -------------------------------------------------------------------------------

    def prepare(self, request: dict[str, Any]) -> dict[str, Any]:
        started = time.perf_counter()
        question = check_question(request.get("question"))
        if self.search.store.chunk_count() == 0:
            raise QuestionError("nothing has been ingested yet: run `pressroom ingest PATH` first")
        history = [Turn.parse(t) for t in request.get("history") or [] if t]
        standalone = condense_with_llm(self.llm, question, history) if self.llm else condense(question, history)
        return {**request, "question": question, "standalone": standalone, "started": started}

    def retrieve(self, state: dict[str, Any], mode: str = "hybrid+rerank") -> dict[str, Any]:
        t0 = time.perf_counter()
        standalone: Standalone = state["standalone"]
        passages = self.search.search(standalone.query, Filters.from_dict(state.get("filters")), state.get("k"), mode)
        return {**state, "passages": passages, "retrieve_ms": (time.perf_counter() - t0) * 1000}

    def answer(self, state: dict[str, Any]) -> dict[str, Any]:
        t0 = time.perf_counter()
        *_, answer = self._answer_tokens(state["standalone"], state["passages"])
        return self._result(state, answer, (time.perf_counter() - t0) * 1000)

    def _answer_tokens(self, standalone: Standalone, passages: list[Passage]) -> Iterator[str | Answer]:
        """Yield the answer's text as it is produced, and last the (verified) Answer itself.

        One path for `ask` and the live display: extractive when there is no LLM or the evidence is too weak;
        otherwise the model's raw tokens, whose reply is then checked against the passages.
        """
        extractive = self.answerer.answer(standalone.question, passages, standalone.context)
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

    def _result(self, state: dict[str, Any], answer: Answer, answer_ms: float) -> dict[str, Any]:
        passages: list[Passage] = state["passages"]
        standalone: Standalone = state["standalone"]
        return {
            "question": state["question"],
            "answer": answer.text,
            "refused": answer.refused,
            "short_answer": answer.short,
            "note": answer.note,
            "standalone_question": standalone.query if standalone.context else None,
            "citations": [c.to_dict() for c in answer.citations],
            "passages": [
                {"rank": rank, "article_id": p.article_id, "chunk_id": p.chunk_id, "score": round(p.score, 4),
                 "text": p.text, "title": p.title, "source": p.source, "date": p.date, "start": p.start, "end": p.end}
                for rank, p in enumerate(passages, 1)
            ],  # fmt: skip
            "timings_ms": {
                "retrieve": round(state["retrieve_ms"], 2),
                "answer": round(answer_ms, 2),
                "total": round((time.perf_counter() - state["started"]) * 1000, 2),
            },
        }

    # --- public faces ----------------------------------------------------------------------------

    def as_runnable(self, mode: str = "hybrid+rerank") -> Runnable:
        return (
            RunnableLambda(self.prepare, name="condense")
            | RunnableLambda(lambda state: self.retrieve(state, mode), name="retrieve")
            | RunnableLambda(self.answer, name="answer")
        ).with_config(run_name="pressroom")

    def ask(self, question: str, history: list[Any] | None = None, filters: dict[str, Any] | None = None,
            k: int | None = None) -> dict[str, Any]:  # fmt: skip
        return self.as_runnable().invoke({"question": question, "history": history or [], "filters": filters, "k": k})

    def stream(self, request: dict[str, Any]) -> Iterator[dict[str, Any]]:
        """Events for a live display: ``{"passages": [...]}``, then ``{"token": str}``s, then ``{"result": {...}}``.

        With an LLM the tokens are the model's raw reply; the result carries the verified answer that replaces it.
        """
        state = self.retrieve(self.prepare(request))
        yield {"passages": state["passages"]}
        t0 = time.perf_counter()
        for item in self._answer_tokens(state["standalone"], state["passages"]):
            if isinstance(item, Answer):
                yield {"result": self._result(state, item, (time.perf_counter() - t0) * 1000)}
            else:
                yield {"token": item}
