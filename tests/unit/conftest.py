"""Unit-tier fixtures: a deterministic stand-in for the embedding model, so retrieval and the chain run on a real
embedded Chroma store without loading any model."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import numpy as np
import pytest
from pressroom.ingest.embedder import Embedder
from pressroom.qa.facade import Pressroom

from pressroom.settings import Settings

DIMENSION = 64


class FakeEmbedder(Embedder):
    """Hashed bag of words: texts that share words get close vectors, the same text always the same vector."""

    @property
    def dimension(self) -> int:
        return DIMENSION

    def load(self) -> None:
        pass

    def embed(self, texts: list[str], show_progress: bool = False, batch_size: int | None = None) -> np.ndarray:
        vectors = np.zeros((len(texts), DIMENSION), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in re.findall(r"\w+", text.lower()):
                vectors[row, int(hashlib.md5(word.encode()).hexdigest(), 16) % DIMENSION] += 1.0
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors / np.where(norms == 0, 1.0, norms)


ARTICLES = {
    "mine.txt": "Board approves lithium mine\n\nThe regional planning board has approved an open-pit lithium mine at "
    "Carrow Fell. Campaigners from Save Carrow Fell said they would seek a judicial review.\n\nThe mine will employ "
    "340 people.",
    "bridge.txt": "Kingsport bridge shut\n\nThe Kingsport bridge was closed on Monday after inspectors found corroded "
    "cables. The bridge, opened in 1931, was last fully refurbished in 1998.",
    "budget.txt": "Council sets budget\n\nThe county council voted to raise council tax by 4.99% to pay for social "
    "care. The leader said the rise was unavoidable.",
}


@pytest.fixture
def fake_pressroom(tmp_path: Path) -> Pressroom:
    folder = tmp_path / "articles"
    folder.mkdir()
    for name, text in ARTICLES.items():
        (folder / name).write_text(text)
    pressroom = Pressroom(Settings(store_dir=tmp_path / "store"), embedder=FakeEmbedder())
    summary = pressroom.ingest([folder])
    assert summary.added == len(ARTICLES) and not summary.skipped
    return pressroom


@pytest.fixture
def fake_pressroom_store(fake_pressroom: Pressroom) -> Path:
    """The fixture store's folder, for child processes to open."""
    return fake_pressroom.settings.store_dir
