"""Whether the passages answer the question: a logistic regression over the alignment's features.

Hand-set confidence scores separated answerable from unanswerable questions barely better than chance, so the
weights are learned: `python -m pressroom.eval.fit_answerability` fits them on the eval's dev split (never the
test split) and writes ``answerability.json`` beside this file; the answerer applies them with numpy alone.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

WEIGHTS = Path(__file__).resolve().parent / "answerability.json"

# The model's inputs, in order. Names are the contract between the answerer that computes them and the fitted file.
FEATURES = (
    "passage_score",  # the top passage's rerank score
    "core",  # share of the question's core words in the best sentence (neighbour and headline count half)
    "names_in_passage",  # share of the question's core names found in the best sentence's article passage
    "background_names_in_passage",  # the same for names only in the question's background
    "years_missing",  # the question names a year its best passage does not hold
    "similarity",  # cosine of the question and the best sentence
    "predicate",  # 1: the question's verb is in the sentence; 0.5: a verb close in meaning; 0: neither
    "span_found",  # a short answer of the expected form was found (1 for questions that expect none)
    "inherited",  # share of a follow-up's inherited words in the sentence
    "core_size",  # how many core words the question has
)


@dataclass
class AnswerabilityModel:
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float
    threshold: float = 0.5  # refuse below this probability: the balanced-accuracy cut on held-out dev rows

    @classmethod
    def load(cls, path: Path = WEIGHTS) -> AnswerabilityModel:
        data = json.loads(path.read_text())
        if list(data["features"]) != list(FEATURES):
            raise ValueError(f"{path} was fitted on other features; run python -m pressroom.eval.fit_answerability")
        return cls(
            np.array(data["mean"]),
            np.array(data["scale"]),
            np.array(data["coef"]),
            float(data["intercept"]),
            float(data.get("refusal_threshold", 0.5)),
        )

    def probability(self, features: np.ndarray) -> float:
        z = float(((features - self.mean) / self.scale) @ self.coef + self.intercept)
        return float(1.0 / (1.0 + np.exp(-z)))

    def save(self, path: Path = WEIGHTS, **about: object) -> None:
        data = {"features": list(FEATURES), "mean": self.mean.tolist(), "scale": self.scale.tolist(),
                "coef": self.coef.tolist(), "intercept": self.intercept, "refusal_threshold": self.threshold,
                **about}  # fmt: skip
        path.write_text(json.dumps(data, indent=1) + "\n")
