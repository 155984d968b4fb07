"""terms.tokenize writes bm25s's tokenizer out (so bm25s and scipy stay unimported): both must give the same tokens,
or the lexical index, rerank and answerer would disagree with indexes built before."""

from __future__ import annotations

import bm25s
from bm25s.stopwords import STOPWORDS_EN
from pressroom.ingest.terms import STOPWORDS, _stemmer, content_terms, stem, tokenize

from .conftest import ARTICLES

TEXTS = [
    *ARTICLES.values(),
    "",
    "a the of",
    "Putin's forces WITHDREW from Syria's Hmeimim base on 14 March 2016; Assad (Syria) said: 'thanks'.",
    "Zürich, São Paulo and Kraków: naïve café-goers' co-operation in 2017-02-01 costs £3.5m / €4bn!",
    "x y z 1 22 333 I I'm it's isn't running runs ran",
]


def test_tokens_are_bm25s_tokens() -> None:
    expected = bm25s.tokenize(TEXTS, stopwords="en", stemmer=_stemmer(), return_ids=False, show_progress=False)
    assert tokenize(TEXTS) == expected
    assert [tokenize([t])[0] for t in TEXTS] == expected


def test_stop_words_are_bm25s_english_list() -> None:
    assert frozenset(STOPWORDS_EN) == STOPWORDS


def test_one_word_stems_as_the_index_stems_it() -> None:
    assert stem("Cladding") == stem("clad") == "clad"
    assert {stem("suffering")} == content_terms("suffering")
