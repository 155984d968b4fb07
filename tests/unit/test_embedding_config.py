"""The Chroma embedding function's stored config: round trips without loading a model, old stores still open."""

import pytest
from pressroom.ingest.embedder import Embedder, PressroomEmbeddingFunction, _load


def test_embedding_function_config_round_trips_without_loading_a_model() -> None:
    loaded = _load.cache_info().currsize
    function = PressroomEmbeddingFunction(Embedder("", 8, "torch", "bf16"))
    rebuilt = PressroomEmbeddingFunction.build_from_config(function.get_config())
    assert rebuilt.get_config() == {"model": "", "batch_size": 8, "backend": "torch", "precision": "bf16"}
    assert _load.cache_info().currsize == loaded


@pytest.mark.parametrize(("quantize", "precision"), [(True, "int8"), (False, "fp32")])
def test_stores_from_before_backends_open_with_torch(quantize: bool, precision: str) -> None:
    legacy = PressroomEmbeddingFunction.build_from_config({"model": "", "batch_size": 16, "quantize": quantize})
    assert legacy.get_config() == {"model": "", "batch_size": 16, "backend": "torch", "precision": precision}
