"""Pressroom: grounded question answering over a collection of news articles."""

import overrides as _overrides


def _mark_override(method=None, *, check_signature: bool = True, check_at_runtime: bool = False):
    """`overrides.override` without its import-time signature checks.

    chromadb decorates about 160 methods with `@override`, and each decoration inspects the base classes'
    signatures while chromadb is imported: 0.57 s of a 2.2 s one-article ingest and of every cold `ask`, profiled
    on this 2-core machine. The checks guard chromadb's own development; to its users they only cost time. The
    mark `EnforceOverrides` looks for is kept, so chromadb's classes build as before."""
    if method is None:
        return _mark_override
    method.__override__ = True
    return method


# Before anything imports chromadb: it binds the decorator at import (`from overrides import override`).
_overrides.override = _overrides.overrides = _mark_override
