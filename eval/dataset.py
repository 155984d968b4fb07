"""Eval items: the shipped question set, a user's JSONL file, or a SQuAD v1.1/v2.0 file."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent / "data"
SHIPPED_QUESTIONS = DATA / "questions.jsonl"
# The project's own fictional articles (txt, md, html), written for the eval: questions about them cannot have
# been seen by any model or tuned on by accident.
EVAL_ARTICLES = DATA / "articles"
SAMPLE_DIR = Path(__file__).resolve().parent.parent / "data" / "sample"

# What a question asks for and how; the report breaks every answer metric down by kind.
KINDS = (
    "factoid",
    "nonentity",
    "why_how",
    "followup",
    "context_rich",
    "unanswerable_covered",
    "unanswerable_offcorpus",
)
# dev: tune on it. test: report only; never tune on it. The 59 items of earlier sessions, which rules were tuned
# on, are all dev; the newer items were split half and half within each kind by a hash of their id.
SPLITS = ("dev", "test")


@dataclass
class Item:
    id: str
    question: str
    answers: list[str]
    gold_articles: list[str]
    answerable: bool
    history: list[str] = field(default_factory=list)
    kind: str | None = None
    split: str | None = None


def load_items(path: Path) -> tuple[list[Item], list[str]]:
    """Items and one problem line per skipped entry ("line 7: ..."); a bad line never stops the load."""
    items: list[Item] = []
    problems: list[str] = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
            items.append(parse_item(raw, n))
        except json.JSONDecodeError as err:
            problems.append(f"line {n}: invalid JSON ({err.msg})")
        except ValueError as err:
            problems.append(f"line {n}: {err}")
    return items, problems


def parse_item(raw: Any, n: int) -> Item:
    if not isinstance(raw, dict):
        raise ValueError("not a JSON object")
    question = raw.get("question")
    if not isinstance(question, str) or not question.strip():
        raise ValueError("no question")
    answerable = bool(raw.get("answerable", True))
    gold = [str(g) for g in raw.get("gold_articles") or []]
    if answerable and not gold:
        raise ValueError("an answerable question with no gold_articles")
    answers = [str(a) for a in raw.get("answers") or []]
    history = [str(h) for h in raw.get("history") or []]
    kind = raw.get("kind")
    if kind is not None and kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}; one of {', '.join(KINDS)}")
    split = raw.get("split")
    if split is not None and split not in SPLITS:
        raise ValueError(f"unknown split {split!r}; dev or test")
    return Item(str(raw.get("id", n)), question, answers, gold, answerable, history, kind, split)


def squad_to_corpus(squad_path: Path, out_dir: Path, limit: int | None = None) -> tuple[Path, list[Item]]:
    """Turn a SQuAD file into a JSONL corpus (one article per paragraph) and its eval items."""
    data = json.loads(squad_path.read_text(encoding="utf-8"))["data"]
    out_dir.mkdir(parents=True, exist_ok=True)
    corpus = out_dir / "squad-corpus.jsonl"
    items: list[Item] = []
    with corpus.open("w", encoding="utf-8") as f:
        for doc in data:
            for p_index, paragraph in enumerate(doc["paragraphs"]):
                article_id = f"{doc['title']}#{p_index}"
                f.write(
                    json.dumps(
                        {"id": article_id, "title": doc["title"].replace("_", " "), "text": paragraph["context"]}
                    )
                    + "\n"
                )
                for qa in paragraph["qas"]:
                    impossible = bool(qa.get("is_impossible"))
                    answers = list(dict.fromkeys(a["text"] for a in qa.get("answers", [])))
                    items.append(
                        Item(qa["id"], qa["question"], answers, [] if impossible else [article_id], not impossible)
                    )
    return corpus, items[:limit] if limit else items
