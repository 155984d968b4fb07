"""Sentence-aware chunking with character offsets into the stored article text.

Every chunk satisfies ``article_text[chunk.start:chunk.end] == chunk.text``: citations are shown by slicing the
article, so offsets are the contract, not a convenience.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

# Abbreviations after which a full stop does not end a sentence in news copy.
_ABBREVIATIONS = {
    "mr", "mrs", "ms", "dr", "prof", "sen", "rep", "gov", "gen", "col", "lt", "sgt", "capt", "st", "jr", "sr",
    "inc", "ltd", "co", "corp", "vs", "etc", "no", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep",
    "sept", "oct", "nov", "dec", "u.s", "u.k", "u.n", "e.g", "i.e", "a.m", "p.m", "mt", "ft", "approx", "dept",
}  # fmt: skip
_BOUNDARY = re.compile(r"[.!?…]+['\"”’)\]]*(?=\s+['\"“‘(\[]?[A-Z0-9])|\n\s*\n")
_WORD_BEFORE = re.compile(r"([\w.]+)[.!?…]*['\"”’)\]]*$")


@dataclass(frozen=True)
class Span:
    start: int
    end: int


@dataclass(frozen=True)
class Chunk:
    id: str
    article_id: str
    position: int
    start: int
    end: int
    text: str


def sentence_spans(text: str) -> list[Span]:
    """Sentences as (start, end) offsets, whitespace excluded; paragraph breaks always end a sentence."""
    spans: list[Span] = []
    start = 0
    for match in _BOUNDARY.finditer(text):
        end = match.end()
        if not match.group().startswith("\n"):
            word = _WORD_BEFORE.search(text[start:end])
            token = word.group(1).lower().rstrip(".") if word else ""
            # "U.S." or "Mr." end no sentence; a single capital ("John F. Kennedy") neither.
            if token in _ABBREVIATIONS or (len(token) == 1 and token.isalpha()):
                continue
        _append_trimmed(text, start, end, spans)
        start = end
    _append_trimmed(text, start, len(text), spans)
    return spans


def _append_trimmed(text: str, start: int, end: int, spans: list[Span]) -> None:
    piece = text[start:end]
    stripped = piece.strip()
    if stripped:
        lead = len(piece) - len(piece.lstrip())
        spans.append(Span(start + lead, start + lead + len(stripped)))


def _split_long(text: str, span: Span, limit: int) -> list[Span]:
    """Break a sentence longer than the limit at whitespace so no chunk exceeds the model's window."""
    pieces: list[Span] = []
    start = span.start
    while span.end - start > limit:
        cut = text.rfind(" ", start + limit // 2, start + limit)
        cut = cut if cut > start else start + limit
        pieces.append(Span(start, cut))
        start = cut + (text[cut] == " ")
    pieces.append(Span(start, span.end))
    return pieces


def chunk_id(article_id: str, text: str, position: int) -> str:
    digest = hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]
    return f"{article_id}::{position}::{digest}"


def chunk_article(article_id: str, text: str, target_chars: int = 700, overlap_sentences: int = 1) -> list[Chunk]:
    """Pack whole sentences into chunks of about ``target_chars``, repeating the last ``overlap_sentences``.

    A chunk may exceed the target by one sentence rather than cut it; a single sentence longer than twice the
    target is split at whitespace.
    """
    sentences: list[Span] = []
    for span in sentence_spans(text):
        sentences.extend(_split_long(text, span, 2 * target_chars))
    chunks: list[Chunk] = []
    i = 0
    while i < len(sentences):
        j = i + 1
        while j < len(sentences) and sentences[j].end - sentences[i].start <= target_chars:
            j += 1
        start, end = sentences[i].start, sentences[j - 1].end
        body = text[start:end]
        chunks.append(Chunk(chunk_id(article_id, body, len(chunks)), article_id, len(chunks), start, end, body))
        if j >= len(sentences):
            break
        # Overlap, but always advance: a chunk of one long sentence has nothing to repeat.
        i = max(i + 1, j - overlap_sentences)
    return chunks
