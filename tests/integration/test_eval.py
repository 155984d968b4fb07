"""The eval runner, and the CI gate: the shipped eval must not fall below the floors recorded in eval/floors.json."""

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from pressroom.cli import main
from pressroom.eval.dataset import EVAL_ARTICLES, KINDS, SHIPPED_QUESTIONS, SPLITS, Item, load_items, squad_to_corpus
from pressroom.eval.fit_answerer import swapped_items
from pressroom.eval.metrics import exact_match, mrr_at, ndcg_at, normalize, token_f1
from pressroom.eval.report import markdown_table
from pressroom.ingest.clean import clean_text
from pressroom.ingest.readers import Article, read_paths
from pressroom.qa.facade import Pressroom

from pressroom.settings import Settings

from ..conftest import ROOT

FLOORS = json.loads((ROOT / "eval" / "floors.json").read_text())


def test_squad_normalisation_and_scores() -> None:
    assert normalize("The  Kremlin!") == "kremlin"
    assert exact_match("the Kremlin", ["Kremlin"]) == 1.0
    assert token_f1("Vladimir Putin said", ["Putin"]) == pytest.approx(0.5)
    assert mrr_at(["a", "b", "c"], {"c"}) == pytest.approx(1 / 3)
    assert ndcg_at(["x", "a"], {"a"}) == pytest.approx(1 / 1.5849625)


def test_report_table_gives_milliseconds_a_tenth_and_scores_three_decimals() -> None:
    table = markdown_table({"dense": {"hit@1": 0.5, "retrieve_p50_ms": 6.634, "total_p95_ms": 113.14}})
    assert table.splitlines()[-1] == "| dense | 0.500 | 6.6 | 113.1 |"


def test_shipped_set_is_well_formed() -> None:
    items, problems = load_items(SHIPPED_QUESTIONS)
    assert not problems and len(items) >= 200
    assert sum(not i.answerable for i in items) >= 40
    assert sum(bool(i.history) for i in items) >= 25
    assert len({i.id for i in items}) == len(items)
    # Every item has a kind and a split, and every kind is on both sides of the split.
    assert all(i.kind in KINDS and i.split in SPLITS for i in items)
    for kind in KINDS:
        assert {i.split for i in items if i.kind == kind} == set(SPLITS), kind
    # The items earlier rules were tuned on are dev only.
    assert all(i.split == "dev" for i in items if i.id[0] in "sncu")


def test_follow_ups_get_unanswerable_twins_too() -> None:
    """Every follow-up in the eval is answerable, so without twins of their own the answerability model learnt that
    words inherited from earlier turns mean an answer (+8 to +12 logits on a cold trial's wrong follow-ups)."""
    items = [
        Item("a", "Who approved the lithium mine at Carrow Fell?", ["the board"], ["x"], True),
        Item("b", "And who sacked the coach?", ["the board"], ["y"], True, history=["Which club did Severin manage?"]),
    ]
    twins = {t.id: t for t in swapped_items(items)}
    assert twins["b-verb"].question == "And who approved the coach?"
    assert twins["b-verb"].history == ["Which club did Severin manage?"] and not twins["b-verb"].answerable


def test_bad_lines_are_reported_with_line_numbers(tmp_path: Path) -> None:
    path = tmp_path / "q.jsonl"
    path.write_text(
        '{"id": "ok", "question": "Q?", "gold_articles": ["a"]}\n{broken\n\n'
        '{"id": "nogold", "question": "Q?"}\n{"id": "noq", "gold_articles": ["a"]}\n'
    )
    items, problems = load_items(path)
    assert [i.id for i in items] == ["ok"]
    assert problems == [
        "line 2: invalid JSON (Expecting property name enclosed in double quotes)",
        "line 4: an answerable question with no gold_articles",
        "line 5: no question",
    ]


def test_squad_file_becomes_a_corpus_and_items(tmp_path: Path) -> None:
    squad = {
        "version": "v2.0",
        "data": [
            {
                "title": "Tartus",
                "paragraphs": [
                    {
                        "context": "Tartus hosts a naval base.",
                        "qas": [
                            {
                                "id": "q1",
                                "question": "What does Tartus host?",
                                "answers": [{"text": "a naval base", "answer_start": 13}],
                            },
                            {"id": "q2", "question": "Who owns it?", "answers": [], "is_impossible": True},
                        ],
                    }
                ],
            }
        ],
    }
    (tmp_path / "s.json").write_text(json.dumps(squad))
    corpus, items = squad_to_corpus(tmp_path / "s.json", tmp_path / "out")
    assert json.loads(corpus.read_text())["id"] == "Tartus#0"
    assert [(i.id, i.answerable, i.gold_articles) for i in items] == [("q1", True, ["Tartus#0"]), ("q2", False, [])]


@pytest.mark.slow
def test_every_answer_appears_in_its_gold_article(news_settings: Settings) -> None:
    """As the metrics compare them (SQuAD-normalised), in the article text as ingested."""
    store = Pressroom(news_settings).store
    own = {a.id: clean_text(a.text) for a in read_paths([EVAL_ARTICLES]) if isinstance(a, Article)}
    items, _ = load_items(SHIPPED_QUESTIONS)
    for item in items:
        for gold in item.gold_articles if item.answerable else []:
            text = own[gold] if gold in own else store.article(gold).text
            assert any(normalize(answer) in normalize(text) for answer in item.answers), (item.id, gold)


@pytest.mark.slow
def test_shipped_eval_stays_above_the_recorded_floors(tmp_path: Path) -> None:
    out = tmp_path / "results.json"
    report = tmp_path / "report"
    result = CliRunner().invoke(
        main,
        [
            "eval",
            "--split",
            "test",
            "--compare",
            "hybrid+rerank,langchain-dense",
            "--json",
            str(out),
            "--report",
            str(report),
        ],
    )
    assert result.exit_code == 0, result.output
    summary = json.loads(out.read_text())["summary"]
    product = summary["hybrid+rerank"]
    for metric, floor in FLOORS.items():
        if not metric.startswith("_"):
            assert product[metric] >= floor, f"{metric} fell to {product[metric]:.3f}, under its floor {floor}"
    baseline = summary["langchain-dense"]
    assert product["hit@1"] > baseline["hit@1"] and product["hit@5"] > baseline["hit@5"]
    assert (report / "report.md").exists() and (report / "recall_at_k.png").stat().st_size > 1000


@pytest.mark.slow
def test_user_questions_on_a_user_corpus_report_bad_lines_and_unknown_gold(tmp_path: Path, monkeypatch) -> None:
    from pressroom.eval import runner

    monkeypatch.setattr(runner, "CACHE", tmp_path / "cache")
    questions = tmp_path / "q.jsonl"
    questions.write_text(
        '{"id": "a", "question": "Who announced the pullout?", "answers": ["Putin"], '
        '"gold_articles": ["putin-syria-pullout"]}\n{oops\n'
        '{"id": "b", "question": "Who?", "answers": ["x"], "gold_articles": ["no-such-article"]}\n'
    )
    out = tmp_path / "r.json"
    result = CliRunner().invoke(
        main, ["eval", "--questions", str(questions), "--corpus", "data/sample", "--json", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "line 2: invalid JSON" in result.output and "b: unknown gold article no-such-article" in result.output
    data = json.loads(out.read_text())
    assert data["summary"]["hybrid+rerank"]["questions"] == 1 and data["summary"]["hybrid+rerank"]["hit@1"] == 1.0


@pytest.mark.slow
def test_squad_file_runs_end_to_end(tmp_path: Path, monkeypatch) -> None:
    from pressroom.eval import runner

    monkeypatch.setattr(runner, "CACHE", tmp_path / "cache")
    paragraphs = [
        (
            "Tartus",
            "The port of Tartus hosts a Russian naval facility. It was expanded in 2017 to hold eleven ships.",
            "How many ships can the Tartus facility hold?",
            "eleven",
        ),
        (
            "Reppi",
            "The Reppi landfill lies on the outskirts of Addis Ababa. A landslide there killed 65 people.",
            "How many people did the Reppi landslide kill?",
            "65",
        ),
    ]
    squad = {
        "version": "1.1",
        "data": [
            {
                "title": title,
                "paragraphs": [
                    {
                        "context": context,
                        "qas": [
                            {
                                "id": title,
                                "question": question,
                                "answers": [{"text": answer, "answer_start": context.index(answer)}],
                            }
                        ],
                    }
                ],
            }
            for title, context, question, answer in paragraphs
        ],
    }
    (tmp_path / "dev.json").write_text(json.dumps(squad))
    out = tmp_path / "r.json"
    result = CliRunner().invoke(main, ["eval", "--squad", str(tmp_path / "dev.json"), "--json", str(out)])
    assert result.exit_code == 0, result.output
    summary = json.loads(out.read_text())["summary"]["hybrid+rerank"]
    assert summary["questions"] == 2 and summary["hit@1"] == 1.0


def test_a_models_sentences_are_summarised_as_shares_beside_the_fallback_rate() -> None:
    from pressroom.eval.runner import ItemResult, summarize

    def item(verification: dict | None) -> ItemResult:
        return ItemResult("a", "hybrid+rerank", "Q?", None, True, ["g"], ["x"], ["g"], 1.0, "x", refused=False,
                          verification=verification)  # fmt: skip

    def checked(outcomes: list[str], fell_back: bool) -> ItemResult:
        sentences = [{"text": "...", "outcome": o, "why": None} for o in outcomes]
        return item({"fell_back": fell_back, "error": None, "sentences": sentences})

    row = summarize([checked(["kept", "renumbered"], False), checked(["dropped", "dropped"], True)])
    assert (row["sentences_kept"], row["sentences_renumbered"], row["sentences_dropped"]) == (0.25, 0.25, 0.5)
    assert row["fallback_rate"] == 0.5
    assert "sentences_kept" not in summarize([item(None)]), "no model: no verifier columns"
