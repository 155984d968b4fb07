"""Embedding backends and precisions against sentence-transformers' own fp32 vectors, with the real packaged model."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from pressroom.ingest.embedder import Embedder, resolve_model
from pressroom.ingest.encoders import OpenVinoEncoder

from ..conftest import SAMPLE_DIR

SAMPLE = SAMPLE_DIR / "putin-syria-pullout.txt"
TEXTS = [
    "Who announced the withdrawal of Russian forces from Syria?",
    "Central bank raises interest rates",
    # Long enough to be truncated at the model's 256 tokens, so truncation behaves alike on every backend.
    SAMPLE.read_text(encoding="utf-8")[:3000],
    "The football club signed a new striker for a record fee after a long transfer saga.",
    "Flooding closed roads across the county; residents were told to stay home.",
    "a",
    "Scientists found water ice in craters near the Moon's south pole.",
]


@pytest.fixture(scope="module")
def reference() -> np.ndarray:
    return Embedder("", 8, "torch", "fp32").embed(TEXTS)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("backend", "precision", "floor"),
    [
        ("openvino", "fp32", 0.9999),
        ("openvino", "bf16", 0.999),
        ("openvino", "int8", 0.99),
        ("torch", "bf16", 0.99),
        ("torch", "int8", 0.9),
    ],
)
def test_backend_vectors_match_fp32(reference: np.ndarray, backend: str, precision: str, floor: float) -> None:
    # A batch of 3 puts several batches in flight at once and reorders the texts by length inside the encoder.
    vectors = Embedder("", 3, backend, precision).embed(TEXTS)  # type: ignore[arg-type]
    assert vectors.shape == reference.shape and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    assert (vectors * reference).sum(axis=1).min() >= floor
    # Each row is its own text's vector: the results come back in input order.
    assert ((vectors @ reference.T).argmax(axis=1) == np.arange(len(TEXTS))).all()


@pytest.mark.slow
def test_openvino_tokenises_as_sentence_transformers_does() -> None:
    from sentence_transformers import SentenceTransformer

    path = resolve_model("")
    encoder = OpenVinoEncoder(path, "int8")
    texts = [*TEXTS, "  spaces around  ", "Résumé, café — “quoted” naïve"]
    expected = SentenceTransformer(path, device="cpu").preprocess(texts)
    for name, tokens in encoder._tokenize(texts).items():
        np.testing.assert_array_equal(tokens, expected[name].numpy())


@pytest.mark.slow
def test_query_vector_is_the_batch_vector() -> None:
    embedder = Embedder()
    together = embedder.embed(TEXTS)
    np.testing.assert_allclose(embedder.embed_query(TEXTS[0]), together[0], atol=2e-3)
    assert embedder.embed([]).shape == (0, embedder.dimension)


@pytest.mark.slow
def test_model_loads_once_per_process() -> None:
    assert Embedder("", 4).encoder is Embedder("", 16).encoder
    assert Embedder("", 4, "torch", "fp32").encoder is not Embedder("", 4).encoder


@pytest.mark.slow
def test_openvino_graph_is_converted_once_and_cached(tmp_path: Path) -> None:
    path = resolve_model("")
    first = OpenVinoEncoder(path, "int8", cache=tmp_path)
    graphs = list(tmp_path.glob("*/model.xml"))
    assert len(graphs) == 1
    written = graphs[0].stat().st_mtime_ns
    second = OpenVinoEncoder(path, "int8", cache=tmp_path)
    assert [p.stat().st_mtime_ns for p in tmp_path.glob("*/model.xml")] == [written]
    np.testing.assert_allclose(first.encode(TEXTS, 4), second.encode(TEXTS, 4), atol=1e-6)
    OpenVinoEncoder(path, "bf16", cache=tmp_path)  # full-precision weights: a graph of its own
    assert len(list(tmp_path.glob("*/model.xml"))) == 2
