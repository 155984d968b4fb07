"""The answerer's two learned scores, logistic regressions applied with numpy alone.

- **Which sentence answers** (``SENTENCE_FEATURES``): each candidate sentence's alignment with the question and the
  span found in it, weighed into the probability that it holds the answer. Hand-set bonuses for "a span of the
  expected form" picked the wrong sentence for about one answerable dev question in four, so the weights are
  learned.
- **Whether any does** (``ANSWERABILITY_FEATURES``): the best sentence's evidence, weighed into the probability that
  the passages answer the question at all; below the refusal threshold the answerer refuses. Hand-set confidence
  scores separated answerable from unanswerable questions barely better than chance.

`python -m pressroom.eval.fit_answerer` fits both on the eval's dev split (never the test split) and writes the JSON
files beside this module.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
SENTENCE_WEIGHTS = HERE / "sentence_model.json"
ANSWERABILITY_WEIGHTS = HERE / "answerability.json"

# Each model's inputs, in order. The names are the contract between the answerer that computes them and the fitted
# files: a file fitted on other features is refused.
SENTENCE_FEATURES = (
    "core",  # share of the question's core words in the sentence (neighbour and headline count half)
    "rare_core",  # the same, each word weighted by its inverse frequency among the candidate sentences
    "names",  # share of the question's names in the sentence, the one before it and the headline
    "inherited",  # share of a follow-up's inherited words
    "similarity",  # cosine of the question's core and the sentence (MiniLM)
    "passage_prior",  # the passage's retrieval score over the best passage's
    "passage_rank",  # the passage's rank (0 first)
    "alignment_rank",  # the sentence's rank by lexical alignment and similarity (0 first)
    "predicate",  # 1: the question's verb is in the sentence; 0.5: a verb close in meaning; 0: neither
    "span_in_role",  # a short answer of the expected form fills the asked role
    "span_by_label",  # a short answer of the expected kind found only by its label or nearness
    "span_missing",  # the question expects a short answer (who, when, how many, why...) and none was found
    "slot_empty",  # the verb aligned with the question's has no one in the asked role ("was announced", no "by")
    "kind_present",  # the sentence names something of the expected kind (a person for who, a date for when...)
    "length",  # log of the sentence's length in words
)
ANSWERABILITY_FEATURES = (
    "passage_score",  # the top passage's rerank score
    "core",  # share of the question's core words in the best sentence (neighbour and headline count half)
    "names_in_passage",  # share of the question's core names in the best sentence's article (title, retrieved chunks)
    "background_names_in_passage",  # the same for names only in the question's background
    "years_missing",  # the question names a year its best passage does not hold
    "similarity",  # cosine of the question and the best sentence
    "predicate",  # 1: the question's verb is in the sentence; 0.5: a verb close in meaning; 0: neither
    "span_found",  # 1: a short answer in the asked role; 0.5: only by label or nearness; 0: none (1: none expected)
    "inherited",  # share of a follow-up's inherited words in the sentence
    "core_size",  # how many core words the question has
    "sentence",  # the sentence model's probability for the best sentence
)


@dataclass
class LogisticModel:
    features: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float
    threshold: float = 0.5  # for answerability: refuse below this probability

    @classmethod
    def load(cls, path: Path, features: tuple[str, ...]) -> LogisticModel:
        data = json.loads(path.read_text())
        if list(data["features"]) != list(features):
            raise ValueError(f"{path} was fitted on other features; run python -m pressroom.eval.fit_answerer")
        return cls(
            features,
            np.array(data["mean"]),
            np.array(data["scale"]),
            np.array(data["coef"]),
            float(data["intercept"]),
            float(data.get("threshold", 0.5)),
        )

    @classmethod
    def untrained(cls, features: tuple[str, ...]) -> LogisticModel:
        """Probability 0.5 for everything (so nothing is refused): what the fit starts from when the features changed."""
        n = len(features)
        return cls(features, np.zeros(n), np.ones(n), np.zeros(n), 0.0, 0.0)

    @staticmethod
    def matches(path: Path, features: tuple[str, ...]) -> bool:
        return path.exists() and list(json.loads(path.read_text())["features"]) == list(features)

    def probability(self, features: np.ndarray) -> float:
        z = float(((features - self.mean) / self.scale) @ self.coef + self.intercept)
        return float(1.0 / (1.0 + np.exp(-z)))

    def save(self, path: Path, **about: object) -> None:
        data = {"features": list(self.features), "mean": self.mean.tolist(), "scale": self.scale.tolist(),
                "coef": self.coef.tolist(), "intercept": self.intercept, "threshold": self.threshold,
                **about}  # fmt: skip
        path.write_text(json.dumps(data, indent=1) + "\n")


def sentence_model() -> LogisticModel:
    return LogisticModel.load(SENTENCE_WEIGHTS, SENTENCE_FEATURES)


def answerability_model() -> LogisticModel:
    return LogisticModel.load(ANSWERABILITY_WEIGHTS, ANSWERABILITY_FEATURES)
