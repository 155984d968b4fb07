"""``Pressroom``: what the CLI, the UI, the eval and the benchmarks use, and the one place that builds the parts.

Each part (embedder, store, lexical index, search, answerer, chat model, ingestor) is built from the settings on
first use and then shared, so the model loads once per process and a command that only ingests or reads stats
builds no answerer. Tests hand in their own parts through the keyword arguments instead.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pressroom.ingest.embedder import Embedder
from pressroom.ingest.lexical import Lexical
from pressroom.ingest.pipeline import Ingestor, Progress, Repair, Summary
from pressroom.ingest.store import ArticleStore, StoredArticle, StoreStats
from pressroom.qa.types import Filters, Passage, Result

from pressroom.settings import Settings

if TYPE_CHECKING:  # the answer path pulls in LangChain and spaCy: imported when a question needs it
    from pressroom.qa.answer import ExtractiveAnswerer
    from pressroom.qa.chain import AnswerChain
    from pressroom.qa.retrieve import HybridSearch


class Pressroom:
    def __init__(self, settings: Settings, **parts: Any) -> None:
        self.settings = settings
        # A part given here replaces the one built from settings (the cached_property reads the instance dict).
        self.__dict__.update(parts)

    # --- the parts, built once each --------------------------------------------------------------

    @cached_property
    def embedder(self) -> Embedder:
        return Embedder.from_settings(self.settings)

    @cached_property
    def store(self) -> ArticleStore:
        return ArticleStore(self.settings, self.embedder)

    @cached_property
    def lexical(self) -> Lexical:
        return Lexical(self.store)

    @cached_property
    def search(self) -> HybridSearch:
        from pressroom.qa.rerank import make_reranker
        from pressroom.qa.retrieve import HybridSearch

        return HybridSearch(self.settings, self.store, self.embedder, self.lexical, make_reranker(self.settings))

    @cached_property
    def answerer(self) -> ExtractiveAnswerer:
        from pressroom.qa.answer import ExtractiveAnswerer

        return ExtractiveAnswerer(self.settings.refusal_threshold, self.embedder)

    @cached_property
    def llm(self) -> Any:  # a LangChain chat model, or None for the extractive default
        from pressroom.qa.generate import make_chat_model

        return make_chat_model(self.settings)

    @cached_property
    def chain(self) -> AnswerChain:
        from pressroom.qa.chain import AnswerChain

        return AnswerChain(self.search, self.answerer, self.llm)

    @cached_property
    def ingestor(self) -> Ingestor:
        return Ingestor(self.settings, self.store, self.embedder, self.lexical)

    # --- what callers need -----------------------------------------------------------------------

    def ask(
        self, question: Any, history: list[Any] | None = None, filters: Filters | None = None, k: int | None = None
    ) -> Result:
        from pressroom.qa.chain import Request

        return self.chain.as_runnable().invoke(Request(question, history or [], filters or Filters(), k))

    def stream(
        self, question: Any, history: list[Any] | None = None, filters: Filters | None = None, k: int | None = None
    ) -> Iterator[list[Passage] | str | Result]:
        from pressroom.qa.chain import Request

        return self.chain.stream(Request(question, history or [], filters or Filters(), k))

    def ingest(
        self,
        paths: Sequence[str | Path],
        prune: bool = False,
        progress: Progress | None = None,
        max_records: int | None = None,
        cancel: threading.Event | None = None,
    ) -> Summary:
        return self.ingestor.ingest(paths, prune=prune, progress=progress, max_records=max_records, cancel=cancel)

    def check(self) -> Repair:
        return self.ingestor.check()

    def stats(self) -> StoreStats:
        return self.store.stats()

    def article(self, article_id: str) -> StoredArticle | None:
        return self.store.article(article_id)

    def article_ids(self) -> set[str]:
        return {article_id for article_id, _ in self.store.iter_article_metadata()}

    def warm_up(self) -> None:
        """Load the models and the lexical index now rather than on the first question (a server's first user
        should not wait)."""
        from pressroom.qa.nlp import nlp

        self.embedder.load()
        nlp()
        _ = self.lexical.index, self.llm
