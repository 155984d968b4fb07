"""Verification of LLM answers with LangChain's fake chat models: good, misnumbered and unsupported replies."""

import pytest
from langchain_core.language_models.fake_chat_models import FakeListChatModel

from qa.answer import ExtractiveAnswerer
from qa.chain import Pressroom
from qa.generate import UNVERIFIED_NOTE, verify
from qa.retrieve import Passage

ARTICLE = (
    "Russian President Vladimir Putin announced a surprise move to pull out troops from Syria. "
    "The withdrawal begins tomorrow, the Kremlin said. About 4,000 soldiers are based there."
)


def passages() -> list[Passage]:
    first = Passage("a::0::x", "a", ARTICLE[:89], 0, 89, "Putin pulls out", "reuters.com", "2016-03-14", None, 0.9)
    second = Passage("a::1::y", "a", ARTICLE[90:], 90, len(ARTICLE), "Putin pulls out", "reuters.com", "2016-03-14",
                     None, 0.8)  # fmt: skip
    return [first, second]


def test_a_supported_reply_keeps_its_citations_with_exact_quotes() -> None:
    answer = verify("Putin announced the pullout of troops from Syria [1]. It begins tomorrow [2].", passages())
    assert answer is not None and not answer.refused
    assert answer.text == "Putin announced the pullout of troops from Syria [1]. It begins tomorrow [2]."
    assert [c.quote for c in answer.citations] == [ARTICLE[:89], "The withdrawal begins tomorrow, the Kremlin said."]
    for c in answer.citations:
        assert ARTICLE[c.start : c.end] == c.quote


def test_a_number_naming_no_passage_and_an_unsupported_sentence_are_removed() -> None:
    answer = verify("Putin announced the pullout from Syria [7][1]. Obama sent 9,000 marines to Cuba [2].", passages())
    assert answer is not None
    assert answer.text == "Putin announced the pullout from Syria [1]."
    assert len(answer.citations) == 1


def test_a_wrong_figure_is_not_supported() -> None:
    assert verify("About 9,000 soldiers are based there [2].", passages()) is None
    assert verify("About 4,000 soldiers are based there [2].", passages()) is not None


def test_markers_after_the_full_stop_belong_to_the_sentence_before() -> None:
    answer = verify("The withdrawal begins tomorrow. [2]", passages())
    assert answer is not None and answer.text == "The withdrawal begins tomorrow [1]."


def test_refusal_reply() -> None:
    answer = verify("NOT IN ARTICLES", passages())
    assert answer is not None and answer.refused


class FakePressroom(Pressroom):
    """The real chain steps around a scripted chat model and fixed passages (no store needed)."""

    def __init__(self, replies: list[str]) -> None:
        self.answerer = ExtractiveAnswerer(0.1)
        self.llm = FakeListChatModel(responses=replies)


@pytest.mark.parametrize(
    ("reply", "expected_text", "note"),
    [
        ("Putin announced the pullout from Syria [1].", "Putin announced the pullout from Syria [1].", None),
        ("Putin announced the pullout from Syria [5].", None, UNVERIFIED_NOTE),
        ("The Pope visited Moscow [1].", None, UNVERIFIED_NOTE),
    ],
)
def test_the_chain_verifies_llm_replies_and_falls_back_to_extractive(reply: str, expected_text: str | None,
                                                                       note: str | None) -> None:  # fmt: skip
    from qa.followup import Standalone

    chain = FakePressroom([reply])
    question = Standalone("Who announced the pullout?", "Who announced the pullout?", "")
    *_, answer = chain._answer_tokens(question, passages())
    assert answer.note == note
    if expected_text:
        assert answer.text == expected_text
    else:
        assert "Putin" in answer.text and answer.citations, "the extractive fallback still answers with citations"


def test_streaming_yields_tokens_then_the_verified_result() -> None:
    chain = FakePressroom(["Putin announced the pullout from Syria [1]."])
    from qa.followup import Standalone

    state = {"question": "Who?", "standalone": Standalone("Who announced it?", "Who announced it?", ""),
             "passages": passages(), "retrieve_ms": 1.0, "started": 0.0}  # fmt: skip
    chain.prepare = lambda request: state  # type: ignore[method-assign]
    chain.retrieve = lambda s, mode="hybrid+rerank": s  # type: ignore[method-assign]
    events = list(chain.stream({"question": "Who?"}))
    tokens = "".join(e["token"] for e in events if "token" in e)
    assert tokens == "Putin announced the pullout from Syria [1]."
    result = events[-1]["result"]
    assert result["answer"] == "Putin announced the pullout from Syria [1]." and result["citations"][0]["n"] == 1
