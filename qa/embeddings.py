"""Pressroom's embedding model as a LangChain ``Embeddings``, so LangChain vector stores share the one instance."""

from __future__ import annotations

from langchain_core.embeddings import Embeddings
from pressroom.ingest.embedder import Embedder


class PressroomEmbeddings(Embeddings):
    def __init__(self, embedder: Embedder) -> None:
        self.embedder = embedder

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.embedder.embed(list(texts)).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.embedder.embed_query(text).tolist()
