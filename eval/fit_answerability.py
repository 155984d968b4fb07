"""Fit the answerability model on the eval's dev split, never the test split.

    .venv/bin/python -m pressroom.eval.fit_answerability [--no-swaps]

Training rows are the dev items, plus two kinds of unanswerable rows made from dev's answerable questions: a name
the question asks about swapped for a name of the same kind from another dev question ("When did the Aldwick
bridge open?" -> "When did the Senn bridge open?"), and the question asked of its near misses only (the passages
retrieval finds once the gold article's are taken away: stories that cover the topic, not the asked fact). The
fitted weights go to qa/answerability.json. The refusal threshold is an operating point, not a fitted value: the
highest cut that refuses at most MAX_FALSE_REFUSALS of dev's answerable questions (held-out probabilities, so no
row scores itself), the issue's bound on withheld answers; refusing more unanswerable questions is then what the
weights must earn.
"""

from __future__ import annotations

import argparse
import random
from dataclasses import replace

import numpy as np
from pressroom.eval.dataset import SHIPPED_QUESTIONS, Item, load_items
from pressroom.eval.evaluate import evaluate
from pressroom.eval.metrics import roc_auc
from pressroom.eval.runner import PRODUCT
from pressroom.qa.answerability import FEATURES, WEIGHTS, AnswerabilityModel
from pressroom.qa.nlp import nlp

from pressroom.settings import Settings

# The bound on answerable questions refused.
MAX_FALSE_REFUSALS = 0.08
# Strong regularisation: about 330 rows for ten features.
REGULARISATION_C = 0.5
SWAP_LABELS = {"PERSON", "ORG", "GPE", "LOC", "FAC", "NORP", "EVENT"}


def swapped_items(items: list[Item], seed: int = 13) -> list[Item]:
    """Unanswerable twins of answerable questions: one asked-about name replaced by another dev question's."""
    rng = random.Random(seed)
    docs = {item.id: nlp()(item.question) for item in items}
    by_label: dict[str, list[str]] = {}
    for doc in docs.values():
        for ent in doc.ents:
            if ent.label_ in SWAP_LABELS:
                by_label.setdefault(ent.label_, []).append(ent.text)
    twins = []
    for item in items:
        ents = [e for e in docs[item.id].ents if e.label_ in SWAP_LABELS]
        if not item.answerable or item.history or not ents:
            continue
        ent = rng.choice(ents)
        others = [name for name in by_label[ent.label_] if name.lower() not in item.question.lower()]
        if not others:
            continue
        question = item.question[: ent.start_char] + rng.choice(others) + item.question[ent.end_char :]
        twins.append(replace(item, id=f"{item.id}-swap", question=question, answers=[], answerable=False))
    return twins


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--no-swaps", action="store_true", help="Fit on the dev items alone.")
    args = parser.parse_args()

    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import cross_val_predict

    settings = Settings()
    settings.apply_environment()
    items, _ = load_items(SHIPPED_QUESTIONS)
    dev = [i for i in items if i.split == "dev"]
    rows = dev + ([] if args.no_swaps else swapped_items(dev))
    questions = _write(rows)
    run = evaluate(settings, questions=questions, modes=[PRODUCT], notify=print)
    results = [r for r in run.results[PRODUCT] if r.features]
    near_misses = near_miss_features(settings, run.paths, [i for i in dev if i.answerable and not i.history])
    x = np.array([r.features for r in results] + near_misses)
    y = np.array([r.answerable for r in results] + [False] * len(near_misses), dtype=int)
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0
    z = (x - mean) / scale
    model = LogisticRegression(C=REGULARISATION_C, class_weight="balanced", max_iter=1000)
    held_out = cross_val_predict(model, z, y, cv=5, method="predict_proba")[:, 1]
    model.fit(z, y)
    threshold = operating_threshold(held_out, y)
    refused = held_out < threshold
    fitted = AnswerabilityModel(
        mean, scale, model.coef_[0], float(model.intercept_[0]), np.floor(threshold * 1000) / 1000
    )
    fitted.save(
        WEIGHTS,
        fitted_on=f"dev split: {len(dev)} items + {len(rows) - len(dev)} name swaps + {len(near_misses)} near misses",
        cross_validated_roc_auc=round(roc_auc(held_out.tolist(), y.tolist()), 3),
    )
    print(
        f"rows {len(y)} ({int(y.sum())} answerable); cross-validated ROC AUC {roc_auc(held_out.tolist(), y.tolist()):.3f}"
    )
    print(
        f"refusal_threshold = {threshold:.3f}: held-out dev refuses {refused[y == 1].mean():.3f} of answerable rows and "
        f"{refused[y == 0].mean():.3f} of unanswerable ones"
    )
    for name, weight in sorted(zip(FEATURES, model.coef_[0]), key=lambda p: -abs(p[1])):
        print(f"  {name:28s} {weight:+.3f}")
    print(f"wrote {WEIGHTS}")


def near_miss_features(settings: Settings, paths: list, items: list[Item]) -> list[list[float]]:
    """The answerer's features for each question asked of the passages left once its gold articles are removed."""
    from pressroom.eval.runner import RETRIEVE_K, corpus_store
    from pressroom.qa.chain import Request
    from pressroom.qa.facade import Pressroom

    store_settings, _ = corpus_store(paths, settings)
    chain = Pressroom(store_settings).chain
    rows = []
    for item in items:
        prepared = chain.prepare(Request(item.question, k=RETRIEVE_K))
        passages = [p for p in chain.retrieve(prepared).passages if p.article_id not in item.gold_articles]
        standalone = prepared.standalone
        top = passages[: store_settings.top_k]
        rows.append(chain.answerer.assess(standalone.answerable_text, top, standalone.context).features.tolist())
    return rows


def operating_threshold(scores: np.ndarray, labels: np.ndarray) -> float:
    """The highest cut (refuse below it) that refuses at most MAX_FALSE_REFUSALS of the answerable rows."""
    answerable = np.sort(scores[labels == 1])
    allowed = int(np.floor(MAX_FALSE_REFUSALS * len(answerable)))
    # Just under the (allowed+1)-th lowest answerable score: the allowed ones fall below, the rest stay above.
    return float(np.nextafter(answerable[allowed], -np.inf)) if len(answerable) > allowed else 0.5


def _write(items: list[Item]):
    import json
    import tempfile
    from pathlib import Path

    path = Path(tempfile.mkdtemp()) / "fit.jsonl"
    with path.open("w") as f:
        for i in items:
            f.write(json.dumps({"id": i.id, "question": i.question, "answers": i.answers,
                                "gold_articles": i.gold_articles, "answerable": i.answerable, "kind": i.kind,
                                "split": i.split, "history": i.history}) + "\n")  # fmt: skip
    return path


if __name__ == "__main__":
    main()
