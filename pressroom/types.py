"""Types every layer shares. Light on purpose: importing them loads no model, store or framework."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(kw_only=True)
class ArticleMeta:
    """What a reader is told about an article wherever it appears: in the store, a passage, a citation."""

    title: str
    source: str | None = None
    date: str | None = None
    url: str | None = None
