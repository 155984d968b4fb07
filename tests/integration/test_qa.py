"""The answer chain on the sample article beside News100's 100 real articles (real model, real index)."""

import json

import pytest
from click.testing import CliRunner
from pressroom.cli import main
from pressroom.qa.chain import QuestionError, Request
from pressroom.qa.facade import Pressroom
from pressroom.qa.retrieve import RetrievalError
from pressroom.qa.types import Filters

from pressroom.settings import Settings

from ..conftest import SAMPLE_ID

pytestmark = pytest.mark.slow

SAMPLE_QUESTIONS = [
    ("Who announced the pullout?", "Putin"),
    ("Who announced that Russian troops would pull out of Syria?", "Putin"),
    ("Who ordered the withdrawal of Russian forces from Syria?", "Putin"),
    ("When is the withdrawal of the main military force set to start?", "tomorrow"),
    ("How long had Russian soldiers been on Syrian ground when the pullout was announced?", "six months"),
    ("Who did Putin talk to by telephone before the announcement?", "Assad"),
    ("Who denied any rift with the Kremlin?", "Damascus"),
    ("According to Assad's office, the partial withdrawal was in line with what?", "situation on the ground"),
    ("In what did Putin offer to keep supporting Syria?", "confronting terrorism"),
    ("What did Putin and Assad not talk about in their call, according to the Kremlin?", "Assad's future"),
    ("Which defence body was ordered to begin withdrawing the forces?", "defence ministry"),
    ("Which ministry was told to start withdrawing the forces?", "defence ministry"),
]
UNANSWERABLE = [
    "What is the population of Peru?",
    "Who designed the Sydney Opera House?",
    "How tall is Mount Kilimanjaro?",
]


class ContractView:
    """The facade as the JSON contract shows it: each result through ``Result.to_dict()``, filters as the dicts
    a caller of ``/ask`` writes."""

    def __init__(self, pressroom: Pressroom) -> None:
        self.pressroom = pressroom
        self.search = pressroom.search

    def ask(self, question: str, history: list | None = None, filters: dict | None = None) -> dict:
        return self.pressroom.ask(question, history, Filters(**(filters or {}))).to_dict()


@pytest.fixture(scope="module")
def pressroom(news_settings: Settings) -> ContractView:
    return ContractView(Pressroom(news_settings))


def assert_citations_are_exact(result: dict, pressroom: ContractView) -> None:
    for c in result["citations"]:
        article = pressroom.pressroom.article(c["article_id"])
        assert article.text[c["start"] : c["end"]] == c["quote"]


@pytest.mark.parametrize(("question", "expected"), SAMPLE_QUESTIONS)
def test_sample_questions_rank_the_article_first_and_answer_with_evidence(
    pressroom: ContractView, question: str, expected: str
) -> None:
    result = pressroom.ask(question)
    assert result["passages"][0]["article_id"] == SAMPLE_ID
    assert not result["refused"]
    assert expected.lower() in result["answer"].lower()
    assert result["citations"] and result["citations"][0]["article_id"] == SAMPLE_ID
    assert any(expected.lower() in c["quote"].lower() for c in result["citations"])
    assert_citations_are_exact(result, pressroom)


def test_who_announced_the_pullout_is_putin_with_a_short_answer(pressroom: ContractView) -> None:
    result = pressroom.ask("Who announced the pullout?")
    assert "Putin" in result["short_answer"]
    assert result["answer"].startswith(result["short_answer"])
    assert "announced" in result["citations"][0]["quote"]


@pytest.mark.parametrize("question", UNANSWERABLE)
def test_questions_the_articles_cannot_answer_are_refused_with_nearest_passages(
    pressroom: ContractView, question: str
) -> None:
    result = pressroom.ask(question)
    assert result["refused"] and result["citations"] == []
    assert "do not cover" in result["answer"] and result["passages"]


def test_three_turn_conversation_over_the_sample(pressroom: ContractView) -> None:
    history: list[dict] = []
    first = pressroom.ask("Who ordered the withdrawal of Russian forces from Syria?")
    assert "Putin" in first["answer"]
    history.append({"question": first["question"], "answer": first["short_answer"]})
    second = pressroom.ask("When does it begin?", history=history)
    assert second["standalone_question"] and "withdrawal" in second["standalone_question"]
    assert second["short_answer"] == "tomorrow"
    history.append({"question": second["question"], "answer": second["short_answer"]})
    third = pressroom.ask("Who did he talk to on the phone beforehand?", history=history)
    assert third["passages"][0]["article_id"] == SAMPLE_ID
    assert "Assad" in third["short_answer"]


def test_a_history_of_bare_questions_is_answered_so_a_pronoun_finds_the_name(pressroom: ContractView) -> None:
    """A --batch line or an /ask call may give earlier questions without their answers: they are answered in turn,
    as the chat answered them, so "he" is the name the first answer gave, which its question never said."""
    result = pressroom.ask("Who did he talk to on the phone beforehand?", history=["Who announced the pullout?"])
    assert "Putin" in (result["standalone_question"] or "")
    assert result["resolved_question"] == "Who did Vladimir Putin talk to on the phone beforehand?"
    assert "Assad" in result["short_answer"]


def test_filters_restrict_retrieval_and_a_filter_matching_nothing_is_a_clear_error(pressroom: ContractView) -> None:
    result = pressroom.ask("What happened in Syria?", filters={"sources": ["tass"], "since": "2017-03-01"})
    assert result["passages"] and all(
        p["source"] == "tass.com" and p["date"] >= "2017-03-01" for p in result["passages"]
    )
    only = pressroom.ask("Who is the lawyer?", filters={"article_ids": ["2171"]})
    assert {p["article_id"] for p in only["passages"]} == {"2171"}
    with pytest.raises(RetrievalError, match="no articles from a source"):
        pressroom.ask("Anything?", filters={"sources": ["nosuchpaper"]})
    with pytest.raises(RetrievalError, match="YYYY-MM-DD"):
        pressroom.ask("Anything?", filters={"since": "March"})


def test_bad_questions_get_clear_messages(pressroom: ContractView, tmp_path) -> None:
    with pytest.raises(QuestionError, match="empty"):
        pressroom.ask("   ")
    with pytest.raises(QuestionError, match="10,000 characters"):
        pressroom.ask("x" * 10_000)
    empty = Pressroom(Settings(store_dir=tmp_path / "empty"))
    with pytest.raises(QuestionError, match="nothing has been ingested"):
        empty.ask("Who?")


def test_the_chain_is_a_runnable_and_the_retriever_returns_documents(pressroom: ContractView) -> None:
    from pressroom.qa.retrieve import PressroomRetriever

    chain = pressroom.pressroom.chain.as_runnable()
    result = chain.invoke(Request("Who announced the pullout?")).to_dict()
    assert set(result) >= {"question", "answer", "refused", "citations", "passages", "timings_ms"}
    docs = PressroomRetriever(search=pressroom.search, k=3).invoke("Putin pullout Syria")
    assert len(docs) == 3 and docs[0].metadata["article_id"] == SAMPLE_ID and docs[0].page_content


def test_cli_ask_json_matches_the_contract_and_batch_answers_each_line(news_settings: Settings, tmp_path) -> None:
    runner = CliRunner()
    store = ["--store", str(news_settings.store_dir)]
    result = runner.invoke(main, ["ask", "--json", "Who announced the pullout?", *store])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) >= {"question", "answer", "refused", "citations", "passages", "timings_ms"}
    citation = data["citations"][0]
    assert set(citation) == {"n", "article_id", "title", "source", "date", "url", "chunk_id", "start", "end", "quote"}
    assert set(data["passages"][0]) >= {"rank", "article_id", "chunk_id", "score", "text"}
    assert set(data["timings_ms"]) == {"retrieve", "answer", "total"}

    batch = tmp_path / "q.jsonl"
    batch.write_text(
        '{"id": "a", "question": "Who announced the pullout?"}\n'
        '{"id": "b", "question": "When does it begin?", "history": ["Who ordered the withdrawal?"]}\n'
        "What is the population of Peru?\n{broken\n"
    )
    out = runner.invoke(main, ["ask", "--batch", str(batch), *store])
    lines = [json.loads(line) for line in out.stdout.strip().splitlines()]
    assert [line["id"] for line in lines] == ["a", "b", "3", "4"]
    assert "Putin" in lines[0]["answer"] and lines[2]["refused"] and "invalid JSON" in lines[3]["error"]
    assert out.exit_code == 1

    plain = runner.invoke(main, ["ask", "Who announced the pullout?", *store])
    assert plain.exit_code == 0 and "[1] Putin baffles allies" in plain.stdout
    empty = runner.invoke(main, ["ask", "", *store])
    assert empty.exit_code == 1 and "empty" in empty.output
    # A follow-up on the command line: the earlier question is answered in turn, as in the chat.
    followup = runner.invoke(main, ["ask", "--json", "How old is he?", "--after", "Who announced the pullout?", *store])
    assert followup.exit_code == 0 and "Putin" in json.loads(followup.stdout)["resolved_question"]
    both = runner.invoke(main, ["ask", "--batch", str(batch), "--after", "Who announced the pullout?", *store])
    assert both.exit_code == 2 and "--after" in both.output


def test_cli_chat_carries_the_conversation(news_settings: Settings) -> None:
    result = CliRunner().invoke(
        main,
        ["chat", "--store", str(news_settings.store_dir)],
        input="Who ordered the withdrawal of Russian forces from Syria?\nWhen does it begin?\n\n",
    )
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    # CliRunner echoes each typed question after the prompt; the answer is the line after it.
    answers = [lines[i + 1] for i, line in enumerate(lines[:-1]) if line.startswith("you> ")]
    assert answers[0].startswith("Putin") and answers[1].startswith("tomorrow")


def test_a_configured_cross_encoder_replaces_the_default_rerank(news_settings: Settings, tmp_path) -> None:
    """No cross-encoder ships here, so one is made from the packaged MiniLM with an untrained head: the point is
    that the configured model, loaded from a local folder, is what scores the candidates."""
    from pressroom.ingest.embedder import resolve_model
    from sentence_transformers import CrossEncoder

    folder = tmp_path / "cross-encoder"
    CrossEncoder(resolve_model(""), num_labels=1, device="cpu").save(str(folder))
    settings = news_settings.model_copy(update={"cross_encoder": str(folder)})
    pressroom = Pressroom(settings)
    passages = pressroom.search.search("Who announced the pullout?", top_k=5)
    model = CrossEncoder(str(folder), device="cpu")
    import numpy as np

    expected = 1 / (
        1 + np.exp(-model.predict([("Who announced the pullout?", f"{p.title}\n{p.text}") for p in passages]))
    )
    assert [round(p.score, 5) for p in passages] == [round(float(s), 5) for s in expected]
