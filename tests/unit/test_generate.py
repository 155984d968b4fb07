"""Verification of LLM answers, and the chain around a chat model, with LangChain's fake chat models: good,
misnumbered, paraphrased and unsupported replies. Real models and servers are in tests/llm."""

import pytest
from langchain_core.language_models.fake_chat_models import FakeListChatModel
from pressroom.qa.answer import ExtractiveAnswerer
from pressroom.qa.chain import AnswerChain, Prepared, Retrieved
from pressroom.qa.followup import Standalone
from pressroom.qa.generate import UNVERIFIED_NOTE, verify
from pressroom.qa.types import Filters, Outcome, Passage, Result

ARTICLE = (
    "Russian President Vladimir Putin announced a surprise move to pull out troops from Syria. "
    "The withdrawal begins tomorrow, the Kremlin said. About 4,000 soldiers are based there."
)


ASKED = "When does Putin's withdrawal of the soldiers from Syria begin?"


def passages() -> list[Passage]:
    meta = {"article_id": "a", "title": "Putin pulls out", "source": "reuters.com", "date": "2016-03-14"}
    first = Passage(chunk_id="a::0::x", text=ARTICLE[:89], start=0, end=89, score=0.9, **meta)
    second = Passage(chunk_id="a::1::y", text=ARTICLE[90:], start=90, end=len(ARTICLE), score=0.8, **meta)
    return [first, second]


def test_a_supported_reply_keeps_its_citations_with_exact_quotes() -> None:
    answer, verification = verify(
        "Putin announced the pullout of troops from Syria [1]. It begins tomorrow [2].", passages(), ASKED
    )
    assert answer is not None and not answer.refused
    assert answer.text == "Putin announced the pullout of troops from Syria [1]. It begins tomorrow [2]."
    assert [c.quote for c in answer.citations] == [ARTICLE[:89], "The withdrawal begins tomorrow, the Kremlin said."]
    for c in answer.citations:
        assert ARTICLE[c.start : c.end] == c.quote
    assert [s.outcome for s in verification.sentences] == [Outcome.KEPT, Outcome.KEPT]


def test_a_wrong_or_missing_marker_is_renumbered_to_the_passage_that_supports_the_sentence() -> None:
    answer, verification = verify("The withdrawal begins tomorrow [1]. Putin announced the pullout.", passages(), ASKED)
    assert answer is not None
    assert answer.text == "The withdrawal begins tomorrow [1]. Putin announced the pullout [2]."
    assert answer.citations[0].quote.startswith("The withdrawal") and answer.citations[1].quote.startswith("Russian")
    assert [s.outcome for s in verification.sentences] == [Outcome.RENUMBERED, Outcome.RENUMBERED]


def test_a_paraphrase_passes_but_a_wrong_name_or_figure_does_not() -> None:
    paraphrase, _ = verify("Putin announced that troops would pull out of Syria [1].", passages(), ASKED)
    assert paraphrase is not None
    assert verify("Assad announced the pullout of troops from Syria [1].", passages(), ASKED)[0] is None
    assert verify("About 9,000 soldiers are based there [2].", passages(), ASKED)[0] is None
    assert verify("About 4,000 soldiers are based there [2].", passages(), ASKED)[0] is not None
    assert verify("On Monday the withdrawal begins [2].", passages(), ASKED)[0] is None


def test_an_unsupported_sentence_is_dropped_and_counted() -> None:
    answer, verification = verify(
        "Putin announced the pullout from Syria [7][1]. Obama sent 9,000 marines to Cuba [2].", passages(), ASKED
    )
    assert answer is not None
    assert answer.text == "Putin announced the pullout from Syria [1]."
    assert [s.outcome for s in verification.sentences] == [Outcome.KEPT, Outcome.DROPPED]
    assert not verification.fell_back


def test_a_supported_sentence_that_answers_something_else_is_dropped() -> None:
    answer, verification = verify("About 4,000 soldiers are based there.", passages(), "When does it begin?")
    assert answer is None and verification.sentences[0].why == "off the question"


def test_a_sentence_said_again_is_kept_once() -> None:
    answer, verification = verify("The withdrawal begins tomorrow. The withdrawal begins tomorrow.", passages(), ASKED)
    assert answer is not None and answer.text == "The withdrawal begins tomorrow [1]."
    assert [s.why for s in verification.sentences] == [None, "repeated"]


def test_questions_and_lead_ins_assert_nothing() -> None:
    answer, verification = verify("When does the withdrawal begin? The Kremlin said:", passages(), ASKED)
    assert answer is None and verification.fell_back
    assert [s.outcome for s in verification.sentences] == [Outcome.DROPPED, Outcome.DROPPED]


def test_markers_after_the_full_stop_belong_to_the_sentence_before() -> None:
    answer, _ = verify("The withdrawal begins tomorrow. [2]", passages(), ASKED)
    assert answer is not None and answer.text == "The withdrawal begins tomorrow [1]."


def test_refusal_reply() -> None:
    answer, _ = verify("NOT IN ARTICLES", passages(), ASKED)
    assert answer is not None and answer.refused


def fake_chain(replies: list[str]) -> AnswerChain:
    """The real chain steps around a scripted chat model and fixed passages (no store needed)."""
    return AnswerChain(search=None, answerer=ExtractiveAnswerer(0.1), llm=FakeListChatModel(responses=replies))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("reply", "expected_text", "note"),
    [
        ("Putin announced the pullout from Syria [1].", "Putin announced the pullout from Syria [1].", None),
        ("Putin announced the pullout from Syria [5].", "Putin announced the pullout from Syria [1].", None),
        ("Assad announced the pullout from Syria [1].", None, UNVERIFIED_NOTE),
        ("The Pope visited Moscow [1].", None, UNVERIFIED_NOTE),
    ],
)
def test_the_chain_verifies_llm_replies_and_falls_back_to_extractive(
    reply: str, expected_text: str | None, note: str | None
) -> None:
    chain = fake_chain([reply])
    question = Standalone("Who announced the pullout?", "Who announced the pullout?", "")
    *_, answer = chain.answer_tokens(question, passages())
    assert answer.note == note
    if expected_text:
        assert answer.text == expected_text
    else:
        assert "Putin" in answer.text and answer.citations, "the extractive fallback still answers with citations"


def test_streaming_yields_tokens_then_the_verified_result() -> None:
    chain = fake_chain(["Putin announced the pullout from Syria [1]."])
    prepared = Prepared("Who?", Standalone("Who announced it?", "Who announced it?", ""), Filters(), None, 0.0)
    chain.prepare = lambda request: prepared  # type: ignore[method-assign]
    chain.retrieve = lambda p, mode=None: Retrieved(p, passages(), 1.0)  # type: ignore[method-assign]
    events = list(chain.stream(None))  # type: ignore[arg-type]
    tokens = "".join(e for e in events if isinstance(e, str))
    assert tokens == "Putin announced the pullout from Syria [1]."
    assert isinstance(events[-1], Result)
    result = events[-1].to_dict()
    assert result["answer"] == "Putin announced the pullout from Syria [1]." and result["citations"][0]["n"] == 1


def test_a_model_that_fails_mid_reply_leaves_the_extractive_answer_with_a_note() -> None:
    model = FakeListChatModel(responses=["Putin announced the pullout from Syria [1]."], error_on_chunk_number=5)
    chain = AnswerChain(search=None, answerer=ExtractiveAnswerer(0.1), llm=model)  # type: ignore[arg-type]
    question = Standalone("Who announced the pullout?", "Who announced the pullout?", "")
    *tokens, answer = chain.answer_tokens(question, passages())
    assert "".join(tokens) == "Putin"
    assert "Putin" in answer.text and answer.citations and answer.citations[0].quote.startswith("Russian President")
    assert answer.note.startswith("The model could not answer (FakeListChatModelError")
    assert answer.verification.fell_back and answer.verification.error
