"""Eval items: the shipped question set, a user's JSONL file, or a SQuAD v1.1/v2.0 file."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parent / "data"
SHIPPED_QUESTIONS = DATA / "questions.jsonl"
SAMPLE_DIR = Path(__file__).resolve().parent.parent / "data" / "sample"


@dataclass
class Item:
    id: str
    question: str
    answers: list[str]
    gold_articles: list[str]
    answerable: bool
    history: list[str] = field(default_factory=list)


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
    return Item(str(raw.get("id", n)), question, answers, gold, answerable, history)


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
