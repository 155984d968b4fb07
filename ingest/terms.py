"""Content words as the lexical index sees them (lower case, English stop words out, Snowball stems).

Retrieval's rerank, the answerer and the LLM verifier compare texts with the same function the BM25 index uses, so
a word that counts for one counts for all. bm25s is imported on first use: the answerer's own tests need no index.
"""

from __future__ import annotations

from functools import cache, lru_cache
from typing import Any


@cache
def _stemmer() -> Any:
    import Stemmer

    return Stemmer.Stemmer("english")


def tokenize(texts: list[str]) -> list[list[str]]:
    import bm25s

    return bm25s.tokenize(texts, stopwords="en", stemmer=_stemmer(), return_ids=False, show_progress=False)


@lru_cache(maxsize=65_536)
def content_terms(text: str) -> frozenset[str]:
    """Stemmed content words of one text. Cached: the answerer compares the same sentences and question words
    many times per question (profiled at about a tenth of a question's time before the cache)."""
    return frozenset(tokenize([text])[0])
