"""Reciprocal rank fusion (Cormack, Clarke and Buettcher 2009): robust to the retrievers' different score scales.

Written here rather than taken from LangChain's EnsembleRetriever, which fuses Documents and would lose the
passages' dense scores and ranks that the rerank needs.
"""

from __future__ import annotations

from collections.abc import Iterable


def rrf_score(ranks: Iterable[int | None], k: int) -> float:
    """The fused score of one item from its 0-based rank in each list (None: absent from that list)."""
    return sum(1.0 / (k + rank + 1) for rank in ranks if rank is not None)
