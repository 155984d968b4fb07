"""Content words as the lexical index sees them (lower case, English stop words out, Snowball stems).

Retrieval's rerank, the answerer and the LLM verifier compare texts with the same function the BM25 index uses, so
a word that counts for one counts for all. The rules are bm25s's ``tokenize(stopwords="en")`` (the tokens the index
was first built with), written out here: importing bm25s (and scipy's sparse module with it) cost about 0.1 s of
every ingest and cold `ask`. tests/unit/test_terms.py checks that both give the same tokens.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache
from typing import Any

# scikit-learn's CountVectorizer pattern, as bm25s uses it: words of two or more word characters.
_TOKEN = re.compile(r"(?u)\b\w\w+\b")
# bm25s's STOPWORDS_EN, dropped before stemming.
STOPWORDS = frozenset(("a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into", "is", "it",
                       "no", "not", "of", "on", "or", "such", "that", "the", "their", "then", "there", "these",
                       "they", "this", "to", "was", "will", "with"))  # fmt: skip


@cache
def _stemmer() -> Any:
    import Stemmer

    return Stemmer.Stemmer("english")


def tokenize(texts: list[str]) -> list[list[str]]:
    split = [[t for t in _TOKEN.findall(text.lower()) if t not in STOPWORDS] for text in texts]
    unique = list({token: None for tokens in split for token in tokens})
    stems = dict(zip(unique, _stemmer().stemWords(unique)))
    return [[stems[token] for token in tokens] for tokens in split]


@lru_cache(maxsize=65_536)
def content_terms(text: str) -> frozenset[str]:
    """Stemmed content words of one text. Cached: the answerer compares the same sentences and question words
    many times per question (profiled at about a tenth of a question's time before the cache)."""
    return frozenset(tokenize([text])[0])


def stem(word: str) -> str:
    """One word's Snowball stem, as the index stems it (stop words are stemmed too, not dropped)."""
    return _stemmer().stemWord(word.lower())
