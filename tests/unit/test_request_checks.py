"""Every entry point checks what it is given: malformed questions, histories, k and filters get a clear error."""

from __future__ import annotations

from pathlib import Path

import pytest
from pressroom.qa.chain import QuestionError
from pressroom.qa.facade import Pressroom
from pressroom.qa.retrieve import RetrievalError
from pressroom.qa.types import Filters
from pressroom.ui.app import App

QUESTION = "What did the regional planning board approve?"


@pytest.mark.parametrize(
    ("question", "history", "k", "message"),
    [
        (QUESTION, [1, 2], None, "history turn 1 must be a question or a {question, answer} object, not int"),
        (QUESTION, [{"question": "Who?", "answer": 5}], None, "history turn 1: the answer must be text, not int"),
        (QUESTION, [{"answer": "x"}], None, "history turn 1's question is empty"),
        (QUESTION, "not a list", None, "history must be a list of earlier turns, not str"),
        ("Who \ud800 is it?", [], None, "the question holds a lone surrogate ('\\ud800'), which is not text"),
        (42, [], None, "the question must be text, not int"),
        (QUESTION, [], -5, "the number of passages must be a whole number from 1 to 50, got -5"),
        (QUESTION, [], 500, "the number of passages must be a whole number from 1 to 50, got 500"),
    ],
)
def test_malformed_requests_are_refused_with_the_reason(
    fake_pressroom: Pressroom, question: object, history: object, k: object, message: str
) -> None:
    """Defect 5: these raised AttributeError, TypeError or the tokenizer's TypeError, or (k=-5) returned 29
    passages."""
    with pytest.raises(QuestionError) as caught:
        fake_pressroom.ask(question, history=history, k=k)
    assert str(caught.value) == message


@pytest.mark.parametrize(
    ("filters", "message"),
    [
        (Filters(since="2017-02-30"), "dates are real days written YYYY-MM-DD, got '2017-02-30'"),
        (Filters(until="2017-13-45"), "dates are real days written YYYY-MM-DD, got '2017-13-45'"),
        (Filters(since="2017-03-10", until="2017-03-01"), "the until date 2017-03-01 is before the since date"),
        (Filters(article_ids=["no-such-article"]), "no article with the id 'no-such-article'"),
        (Filters(since="2030-01-01"), "no article matches the filters"),
    ],
)
def test_impossible_filters_are_errors_not_silent_refusals(
    fake_pressroom: Pressroom, filters: Filters, message: str
) -> None:
    """Defect 9: these answered with a refusal (exit 0) instead of saying the filter was wrong."""
    with pytest.raises(RetrievalError, match=message):
        fake_pressroom.ask(QUESTION, filters=filters)


def test_until_excludes_undated_articles_as_since_does(fake_pressroom: Pressroom) -> None:
    """Defect 9: the BM25 mask stored a missing date as 0, so --until let undated articles through."""
    mask = fake_pressroom.lexical.index.mask(fake_pressroom.search.resolve(Filters(until="2030-01-01")))
    assert mask is not None and not mask.any()  # the fixture's articles are all undated
    with pytest.raises(RetrievalError, match="no article matches"):
        fake_pressroom.ask(QUESTION, filters=Filters(until="2030-01-01"))


def test_ui_ask_api_answers_errors_as_json(fake_pressroom: Pressroom) -> None:
    """Defect 5/9: the UI's /ask raised (a 500) on these."""
    app = App(fake_pressroom)
    assert app.ask_api(QUESTION, history=[1, 2])["error"].startswith("history turn 1")
    assert app.ask_api(QUESTION, k=-5)["error"].startswith("the number of passages")
    assert app.ask_api("\ud800")["error"].startswith("the question holds a lone surrogate")
    assert app.ask_api(QUESTION, since="2017-02-30")["error"].startswith("dates are real days")
    assert app.ask_api(QUESTION, since=5)["error"] == "a date must be non-empty text, got 5"
    good = app.ask_api(QUESTION, k=3)
    assert "error" not in good and len(good["passages"]) <= 3


def test_ui_upload_of_bad_records_lands_the_good_ones(fake_pressroom: Pressroom, tmp_path: Path) -> None:
    """Defect 4: the same upload in the UI gave a server error."""
    (tmp_path / "deep.json").write_text('{"id": "d", "text": ' + "[" * 100_000 + "]" * 100_000 + "}")
    (tmp_path / "rows.jsonl").write_text(
        '{"id": "bad", "title": "T", "text": "bad \\ud800"}\n{"id": "u1", "title": "Up", "text": "Uploaded story."}\n'
    )
    report, stats = App(fake_pressroom).ingest([str(tmp_path / "deep.json"), str(tmp_path / "rows.jsonl")])
    assert "1 added" in report and "deep.json" in report and "lone surrogate" in report
    assert fake_pressroom.article("u1") is not None and "4" in stats


def test_ui_upload_is_bounded_and_cancellable(fake_pressroom: Pressroom, tmp_path: Path) -> None:
    """Defect 10: no row limit held the ingest lock for minutes; a cancel stops at the next batch."""
    app = App(fake_pressroom)
    app.settings = fake_pressroom.settings.model_copy(update={"upload_max_records": 5})
    rows = "\n".join(f"c{i},Title {i},Story {i} of the upload." for i in range(30))
    (tmp_path / "big.csv").write_text(f"id,title,text\n{rows}\n")
    report, _ = app.ingest([str(tmp_path / "big.csv")])
    assert "5 added" in report and "more than 5 records" in report
    # The Cancel button sets the event the running ingest checks between batches.
    assert app.cancel_ingest().startswith("Cancelling")
    summary = fake_pressroom.ingest([tmp_path / "big.csv"], cancel=app._cancel)
    assert summary.cancelled and summary.added == 0
