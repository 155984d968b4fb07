"""Fit the answerability model on the eval's dev split, never the test split.

    .venv/bin/python -m pressroom.eval.fit_answerability [--no-swaps]

Training rows are the dev items, plus unanswerable questions made from dev's answerable ones by swapping a name
the question asks about for a name of the same kind from another dev question ("When did the Aldwick bridge
open?" -> "When did the Senn bridge open?"): the passages then cover a near story but not the asked one. The
fitted weights go to qa/answerability.json; the refusal threshold printed is the one that maximises balanced
accuracy on dev's cross-validated probabilities (so no row scores itself).
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

# Strong regularisation: about 250 rows for ten features.
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
    x = np.array([r.features for r in results])
    y = np.array([r.answerable for r in results], dtype=int)
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0
    z = (x - mean) / scale
    model = LogisticRegression(C=REGULARISATION_C, class_weight="balanced", max_iter=1000)
    held_out = cross_val_predict(model, z, y, cv=5, method="predict_proba")[:, 1]
    model.fit(z, y)
    threshold, balanced = best_threshold(held_out, y)
    fitted = AnswerabilityModel(mean, scale, model.coef_[0], float(model.intercept_[0]), round(threshold, 3))
    fitted.save(
        WEIGHTS,
        fitted_on=f"dev split: {len(dev)} items + {len(rows) - len(dev)} name swaps",
        cross_validated_roc_auc=round(roc_auc(held_out.tolist(), y.tolist()), 3),
    )
    print(
        f"rows {len(results)} ({int(y.sum())} answerable); cross-validated ROC AUC {roc_auc(held_out.tolist(), y.tolist()):.3f}"
    )
    print(f"refusal_threshold = {threshold:.3f} (balanced accuracy {balanced:.3f} on held-out dev probabilities)")
    for name, weight in sorted(zip(FEATURES, model.coef_[0]), key=lambda p: -abs(p[1])):
        print(f"  {name:28s} {weight:+.3f}")
    print(f"wrote {WEIGHTS}")


def best_threshold(scores: np.ndarray, labels: np.ndarray) -> tuple[float, float]:
    """The cut between neighbouring scores with the best balanced accuracy (refuse below it)."""
    values = np.unique(scores)
    cuts = (values[:-1] + values[1:]) / 2 if len(values) > 1 else values
    best = (0.5, 0.0)
    for cut in cuts:
        kept = scores >= cut
        balanced = (kept[labels == 1].mean() + (~kept[labels == 0]).mean()) / 2
        if balanced > best[1]:
            best = (float(cut), float(balanced))
    return best


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
