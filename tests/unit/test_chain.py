"""Retrieval and the answer chain on a real embedded store with the fake embedder: no model loads."""

from __future__ import annotations

import time

import pytest
from pressroom.qa.chain import QuestionError
from pressroom.qa.facade import Pressroom
from pressroom.qa.fusion import rrf_score
from pressroom.qa.retrieve import RetrievalError
from pressroom.qa.types import Filters, Mode, Result

from ..conftest import free_port


def test_every_mode_ranks_the_article_holding_the_words_first(fake_pressroom: Pressroom) -> None:
    for mode in Mode:
        passages = fake_pressroom.search.search("corroded cables Kingsport bridge", mode=mode)
        assert passages[0].article_id == "bridge", mode


def test_the_result_keeps_the_ask_json_contract_field_for_field(fake_pressroom: Pressroom) -> None:
    result = fake_pressroom.ask("What did the regional planning board approve at Carrow Fell?").to_dict()
    assert list(result) == ["question", "answer", "refused", "short_answer", "note", "standalone_question",
                            "resolved_question", "citations", "verification", "passages", "timings_ms"]  # fmt: skip
    assert result["verification"] is None, "no chat model wrote this answer"
    assert list(result["timings_ms"]) == ["retrieve", "answer", "total"]
    assert list(result["passages"][0]) == ["rank", "article_id", "chunk_id", "score", "text", "title", "source",
                                           "date", "start", "end"]  # fmt: skip
    assert not result["refused"]
    citation = result["citations"][0]
    assert list(citation) == ["n", "article_id", "title", "source", "date", "url", "chunk_id", "start", "end", "quote"]
    article = fake_pressroom.article(citation["article_id"])
    assert article is not None and article.text[citation["start"] : citation["end"]] == citation["quote"]


def test_filters_and_bad_questions(fake_pressroom: Pressroom) -> None:
    only = fake_pressroom.ask("What was approved?", filters=Filters(article_ids=["budget"]))
    assert {p.article_id for p in only.passages} == {"budget"}
    with pytest.raises(RetrievalError, match="YYYY-MM-DD"):
        fake_pressroom.ask("Anything?", filters=Filters(since="March"))
    with pytest.raises(QuestionError, match="empty"):
        fake_pressroom.ask("  ")


def test_rrf_rewards_agreement_and_ignores_absence() -> None:
    assert rrf_score((0, 0), 60) > rrf_score((0, None), 60) > rrf_score((5, None), 60)
    assert rrf_score((None, None), 60) == 0.0


def test_the_extractive_answer_streams_whole_when_ready_with_no_typing_effect(fake_pressroom: Pressroom) -> None:
    events = list(fake_pressroom.stream("What did the regional planning board approve at Carrow Fell?"))
    assert len(events) == 2 and isinstance(events[0], list) and isinstance(events[1], Result)
    assert events[1].answer.citations


@pytest.mark.parametrize("backend", ["openai", "ollama"])
def test_a_model_server_that_is_not_running_gives_the_extractive_answer_and_says_so(
    fake_pressroom: Pressroom, backend: str
) -> None:
    """A real LangChain client against a closed loopback port (no Ollama server can run here; none is faked)."""
    url = f"http://127.0.0.1:{free_port()}" + ("/v1" if backend == "openai" else "")
    settings = fake_pressroom.settings.model_copy(update={"llm_backend": backend, "llm_base_url": url})
    pressroom = Pressroom(settings, embedder=fake_pressroom.embedder)
    started = time.perf_counter()
    result = pressroom.ask("What did the regional planning board approve at Carrow Fell?")
    assert time.perf_counter() - started < settings.llm_timeout
    assert result.answer.citations and "lithium mine" in result.answer.text
    assert result.answer.note.startswith(f"The model could not answer (could not reach the model server at {url}")
    assert result.answer.verification.fell_back
    follow_up = pressroom.ask("How many people will it employ?", history=["What did the board approve at Carrow Fell?"])
    assert "340" in follow_up.answer.text
    assert follow_up.answer.note.startswith("The model could not answer"), "the condense step fell back too"
