"""Opt-in generative answers from LangChain chat models, checked against the passages they cite.

The model sees numbered passages and must cite ``[n]``. Its reply is never trusted: each cited number must name a
passage, and the passage must hold the cited sentence's words and numbers, else the citation goes; a sentence left
with no citation goes too; a reply left with nothing falls back to the extractive answer and says so.
"""

from __future__ import annotations

import re
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import HumanMessage, SystemMessage
from pressroom.ingest.chunking import sentence_spans
from pressroom.ingest.terms import content_terms
from pressroom.qa.answer import REFUSAL, Sentence, cite, split_sentences
from pressroom.qa.types import Answer, Citation, Passage

from pressroom.settings import Settings

NOT_COVERED = "NOT IN ARTICLES"
SYSTEM = (
    "You answer questions about news articles using only the numbered passages given. Write one to three short "
    "sentences. End every sentence with the number of the passage it comes from, like [1] or [2][3]. Never use "
    f"outside knowledge. If the passages do not contain the answer, reply exactly: {NOT_COVERED}"
)
_MARKER = re.compile(r"\[(\d+)\]")
_NUMBER = re.compile(r"\d[\d,.]*")
_TRAILING_MARKERS = re.compile(r"([.!?])\s*((?:\[\d+\])+)")
SUPPORT_THRESHOLD = 0.6
UNVERIFIED_NOTE = "The model's answer could not be verified against the articles; this is the extractive answer."


class BackendError(RuntimeError):
    """A generative backend that cannot be built or reached; the message says which setting to fix."""


def make_chat_model(settings: Settings) -> BaseChatModel | None:
    backend = settings.llm_backend
    if backend == "extractive":
        return None
    try:
        if backend == "openai":
            from langchain_openai import ChatOpenAI

            return ChatOpenAI(
                model=settings.llm_model or "gpt-4o-mini",
                base_url=settings.llm_base_url,
                api_key=settings.llm_api_key or "not-needed",
                temperature=settings.llm_temperature,
                streaming=True,
            )
        if backend == "ollama":
            from langchain_ollama import ChatOllama

            return ChatOllama(
                model=settings.llm_model or "llama3.2",
                base_url=settings.llm_base_url,
                temperature=settings.llm_temperature,
            )
        from langchain_community.chat_models import ChatLlamaCpp

        if not settings.llm_gguf_path:
            raise BackendError("llm_backend=llamacpp needs PRESSROOM_LLM_GGUF_PATH, a local .gguf file")
        return ChatLlamaCpp(
            model_path=settings.llm_gguf_path,
            n_ctx=4096,
            temperature=settings.llm_temperature,
            max_tokens=256,
            verbose=False,
        )
    except ImportError as err:
        extra = "gguf" if backend == "llamacpp" else "llm"
        raise BackendError(
            f"the {backend} backend needs pip install 'pressroom[{extra}]' ({err.name} missing)"
        ) from None


def messages(question: str, passages: list[Passage]) -> list[Any]:
    numbered = "\n\n".join(
        f"[{n}] {p.title} ({p.source or 'unknown source'}, {p.date or 'undated'})\n{p.text}"
        for n, p in enumerate(passages, 1)
    )
    return [SystemMessage(SYSTEM), HumanMessage(f"Passages:\n\n{numbered}\n\nQuestion: {question}")]


def support(claim: str, sentence: Sentence) -> float:
    """Share of the claim's content words found in the passage sentence; 0 when the claim names a number the
    passage does not hold (a wrong figure is the commonest unsupported claim)."""
    claim_terms = content_terms(claim)
    if not claim_terms:
        return 0.0
    numbers = {n.strip(".,") for n in _NUMBER.findall(claim)}
    if numbers - {n.strip(".,") for n in _NUMBER.findall(sentence.passage.text)}:
        return 0.0
    return len(claim_terms & content_terms(f"{sentence.text} {sentence.passage.title}")) / len(claim_terms)


def verify(reply: str, passages: list[Passage]) -> Answer | None:
    """The reply with only supported citations, renumbered; None when nothing in it is supported.

    A reply of NOT IN ARTICLES is a refusal.
    """
    if NOT_COVERED.lower() in reply.lower():
        return Answer(REFUSAL, True, [])
    sentences_of = {n: split_sentences(p, n - 1) for n, p in enumerate(passages, 1)}
    kept: list[str] = []
    citations: list[Citation] = []
    # Markers written after the full stop ("... Kremlin. [1]") belong to the sentence before them.
    reply = _TRAILING_MARKERS.sub(r" \2\1", reply)
    for span in sentence_spans(reply):
        sentence = reply[span.start : span.end]
        claim = re.sub(r"\s+([.!?,;:])", r"\1", _MARKER.sub("", sentence)).strip()
        markers: list[str] = []
        for number in dict.fromkeys(int(m) for m in _MARKER.findall(sentence)):
            score, best = max(
                ((support(claim, s), s) for s in sentences_of.get(number, [])),
                key=lambda pair: pair[0],
                default=(0.0, None),
            )
            if best is None or score < SUPPORT_THRESHOLD:
                continue
            existing = next(
                (c for c in citations if (c.chunk_id, c.start) == (best.passage.chunk_id, best.start)), None
            )
            if existing is None:
                existing = cite(len(citations) + 1, best)
                citations.append(existing)
            markers.append(f"[{existing.n}]")
        if markers:
            body, stop = (claim[:-1], claim[-1]) if claim[-1:] in ".!?" else (claim, "")
            kept.append(f"{body} {''.join(markers)}{stop}")
    if not kept:
        return None
    return Answer(" ".join(kept), False, citations)
