"""The answerer's learned scores: the fitted files match the features the answerer computes."""

from pathlib import Path

import numpy as np
import pytest
from pressroom.qa.learned import (
    ANSWERABILITY_FEATURES,
    SENTENCE_FEATURES,
    LogisticModel,
    answerability_model,
    sentence_model,
)


def test_shipped_models_load_with_the_features_the_answerer_computes() -> None:
    for model, features in ((sentence_model(), SENTENCE_FEATURES), (answerability_model(), ANSWERABILITY_FEATURES)):
        assert model.features == features
        assert model.mean.shape == model.scale.shape == model.coef.shape == (len(features),)
        assert np.all(model.scale > 0)
    assert 0.0 < answerability_model().threshold < 1.0


def test_a_file_fitted_on_other_features_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "m.json"
    LogisticModel(("a", "b"), np.zeros(2), np.ones(2), np.array([1.0, -1.0]), 0.0).save(path)
    assert LogisticModel.load(path, ("a", "b")).probability(np.array([2.0, 0.0])) == pytest.approx(1 / (1 + np.exp(-2)))
    with pytest.raises(ValueError, match="fit_answerer"):
        LogisticModel.load(path, ("a", "c"))
    assert LogisticModel.matches(path, ("a", "b")) and not LogisticModel.matches(path, ("a", "c"))


def test_the_placeholder_a_fit_starts_from_refuses_nothing(tmp_path: Path) -> None:
    """After the features change, the fit asks its questions through a model that loads and decides nothing."""
    path = tmp_path / "m.json"
    LogisticModel.untrained(("a", "b", "c")).save(path)
    model = LogisticModel.load(path, ("a", "b", "c"))
    assert model.probability(np.array([5.0, -3.0, 1.0])) == 0.5 >= model.threshold
