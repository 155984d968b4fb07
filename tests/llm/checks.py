"""What every real-model answer must satisfy, whatever the model said."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass

from pressroom.ingest.chunking import sentence_spans
from pressroom.qa.facade import Pressroom
from pressroom.qa.generate import UNVERIFIED_NOTE, verify
from pressroom.qa.types import Passage, Result


@dataclass
class Streamed:
    tokens: list[str]
    token_times: list[float]  # seconds after the question, one per token
    result: Result

    @property
    def reply(self) -> str:
        return "".join(self.tokens)


def stream(pressroom: Pressroom, question: str, history: list | None = None) -> Streamed:
    started = time.perf_counter()
    tokens, times, results = [], [], []
    events: Iterator = pressroom.stream(question, history)
    for event in events:
        if isinstance(event, str):
            tokens.append(event)
            times.append(time.perf_counter() - started)
        elif isinstance(event, Result):
            results.append(event)
    assert len(results) == 1
    return Streamed(tokens, times, results[0])


def assert_the_final_answer_is_the_verified_reply(streamed: Streamed, pressroom: Pressroom) -> None:
    """The result is the verifier's reading of exactly the streamed reply (or the extractive fallback, said so),
    and each kept sentence cites a span of its article that holds the sentence's numbers and names."""
    result = streamed.result
    answer = result.answer
    verified, verification = verify(streamed.reply, result.passages, result.standalone_question or result.question)
    assert answer.verification == verification
    if verified is None:
        assert answer.note == UNVERIFIED_NOTE and verification.fell_back
    else:
        assert answer.text == verified.text and not verification.fell_back
    assert_citations_hold_their_sentences(answer.text if verified else "", answer.citations, result.passages, pressroom)


def assert_citations_hold_their_sentences(text: str, citations: list, passages: list[Passage], pressroom) -> None:
    by_n = {c.n: c for c in citations}
    for c in citations:
        article = pressroom.article(c.article_id)
        assert article is not None and article.text[c.start : c.end] == c.quote
        assert any(p.chunk_id == c.chunk_id for p in passages), "a citation points into a retrieved passage"
    for span in sentence_spans(text):
        sentence = text[span.start : span.end]
        markers = [int(n) for n in re.findall(r"\[(\d+)\]", sentence)]
        assert markers, f"a kept sentence without a citation: {sentence!r}"
        claim = re.sub(r"\s*\[\d+\]", "", sentence)
        quote = " ".join(f"{by_n[n].quote} {by_n[n].title}" for n in markers).lower()
        for number in re.findall(r"\d[\d,]*", claim):
            assert number.replace(",", "") in quote.replace(",", ""), (number, sentence, quote)
        for name in re.findall(r"(?<!^)\b[A-Z][a-z]{3,}", claim):
            assert name.lower()[:4] in quote, (name, sentence, quote)
