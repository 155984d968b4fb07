"""Opt-in generative answers from LangChain chat models, checked against the passages they were given.

The model sees numbered passages and is asked to cite ``[n]``. Its reply is never trusted: each sentence is kept only
where a span of the passages supports it (its names and numbers there, most of its words), citing that span, whatever
number the model wrote; a reply left with nothing falls back to the extractive answer and says so. A model that
cannot be reached or fails mid-reply gives a note in the user's words (``failure_note``), not a traceback.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import HumanMessage, SystemMessage
from pressroom.ingest.chunking import sentence_spans
from pressroom.ingest.terms import content_terms
from pressroom.qa.answer import REFUSAL, Sentence, cite, split_sentences
from pressroom.qa.nlp import nlp
from pressroom.qa.types import Answer, CheckedSentence, Citation, Outcome, Passage, Verification

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
_SENTENCE_END = re.compile(r"(.*?)([.!?]*)([\"”’)]*)", re.S)
# Share of a claim's content words its span must hold (names and numbers all of them). On 111 of SmolLM2's sentences,
# hand-labelled, the span rule's precision / recall at 0.5: 0.59 / 0.91, 0.6: 0.64 / 0.73, 0.7: 0.67 / 0.73,
# 0.8: 0.78 / 0.64. 0.6 lets a paraphrase pass; what it wrongly keeps is true words recombined into a false claim.
SUPPORT_THRESHOLD = 0.6
NAME_ENTITIES = {"PERSON", "NORP", "FAC", "ORG", "GPE", "LOC", "PRODUCT", "EVENT", "WORK_OF_ART", "LAW", "LANGUAGE"}
EVIDENCE_SENTENCES = 2  # a claim may join two adjacent sentences ("He said ..." after the sentence naming him)
# Five 1000-character passages make a prompt of about 1,200-1,500 tokens; the UI's largest k, twenty, about 5,000.
# 8192 holds that (and is SmolLM2's trained context) without the KV cache of a long-context model's full window.
LLAMACPP_CONTEXT = 8192
UNVERIFIED_NOTE = "The model's answer could not be verified against the articles; this is the extractive answer."


class BackendError(RuntimeError):
    """A generative backend that cannot be built or reached; the message says which setting to fix."""


def make_chat_model(settings: Settings) -> BaseChatModel | None:
    """The chat model for ``llm_backend``, or None for the extractive default. Nothing is contacted here: an
    unreachable server shows up on the first question, as a note beside the extractive answer."""
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
                seed=settings.llm_seed,
                max_tokens=settings.llm_max_tokens,
                streaming=True,
                timeout=settings.llm_timeout,
                # A person is waiting and the extractive answer is ready: one failed try falls back at once.
                max_retries=0,
            )
        if backend == "ollama":
            from langchain_ollama import ChatOllama

            return ChatOllama(
                model=settings.llm_model or "llama3.2",
                base_url=settings.llm_base_url,
                temperature=settings.llm_temperature,
                seed=settings.llm_seed,
                num_predict=settings.llm_max_tokens,
                client_kwargs={"timeout": settings.llm_timeout},
            )
        return _llamacpp(settings)
    except ImportError as err:
        extra = "gguf" if backend == "llamacpp" else "llm"
        raise BackendError(
            f"the {backend} backend needs pip install 'pressroom[{extra}]' ({err.name} missing)"
        ) from None


def _llamacpp(settings: Settings) -> BaseChatModel:
    from langchain_community.chat_models import ChatLlamaCpp

    path = Path(settings.llm_gguf_path or "")
    if not settings.llm_gguf_path or not path.is_file():
        raise BackendError(
            f"llm_backend=llamacpp needs llm_gguf_path (PRESSROOM_LLM_GGUF_PATH) to name a local .gguf file; "
            f"got {settings.llm_gguf_path or 'nothing'}"
        )
    try:
        return ChatLlamaCpp(
            model_path=str(path),
            n_ctx=LLAMACPP_CONTEXT,
            # llama-cpp-python's default is half the cores; prompt reading is most of an answer's time.
            n_threads=os.cpu_count() or 1,
            temperature=settings.llm_temperature,
            seed=-1 if settings.llm_seed is None else settings.llm_seed,  # llama.cpp's -1: a new seed each time
            max_tokens=settings.llm_max_tokens,
            verbose=False,
        )
    except ValueError as err:  # llama.cpp's "Failed to load model from file"
        raise BackendError(f"llama.cpp could not load {path}: {err}") from None


def failure_note(err: BaseException) -> str:
    """What the user reads when the model failed, in words of the setting to check rather than a traceback."""
    return f"The model could not answer ({failure_reason(err)}); this is the extractive answer."


def failure_reason(err: BaseException) -> str:
    causes = [err]
    while (cause := causes[-1].__cause__ or causes[-1].__context__) is not None and len(causes) < 10:
        causes.append(cause)
    # Matched by class name: the Ollama client raises httpx's errors and openai 3 those of httpx2, same names in
    # two modules; LangChain's own wrappers (ModelConnectionError) do not tell "unreachable" from "broke off".
    kinds = {cls.__name__ for cause in causes for cls in type(cause).__mro__}
    at = next((f" at {url}" for url in map(_url, causes) if url), "")
    if kinds & {"TimeoutException", "TimeoutError", "ModelTimeoutError"}:
        return f"no reply within llm_timeout{at}"
    if kinds & {"ConnectError", "ConnectionRefusedError"}:
        return f"could not reach the model server{at}"
    if kinds & {"RemoteProtocolError", "ReadError", "ConnectionResetError"}:
        return f"the model server broke off its reply{at}"
    status = getattr(err, "status_code", None)
    if status:
        return f"the model server answered HTTP {status}{at}"
    return f"{type(err).__name__}: {' '.join(str(err).split())[:200]}"


def _url(err: BaseException) -> str | None:
    try:
        return str(err.request.url)  # type: ignore[attr-defined]
    except (AttributeError, RuntimeError):  # httpx raises RuntimeError for an error with no request attached
        return None


def messages(question: str, passages: list[Passage]) -> list[Any]:
    numbered = "\n\n".join(
        f"[{n}] {p.title} ({p.source or 'unknown source'}, {p.date or 'undated'})\n{p.text}"
        for n, p in enumerate(passages, 1)
    )
    return [SystemMessage(SYSTEM), HumanMessage(f"Passages:\n\n{numbered}\n\nQuestion: {question}")]


@dataclass
class Evidence:
    """One or two adjacent sentences of a passage, with what a claim is checked against, computed once."""

    n: int  # the passage's number in the prompt
    sentence: Sentence  # the span as one Sentence, which is what a citation quotes
    terms: set[str]
    haystack: str  # lower-case text and headline, for names
    numbers: set[str]


def evidence(passages: list[Passage]) -> list[Evidence]:
    spans = []
    for n, passage in enumerate(passages, 1):
        sentences = split_sentences(passage, n - 1)
        for width in range(1, EVIDENCE_SENTENCES + 1):
            for first, last in zip(sentences, sentences[width - 1 :]):
                text = passage.text[first.start - passage.start : last.end - passage.start]
                joined = Sentence(passage, n - 1, first.start, last.end, text)
                context = f"{text} {passage.title}"
                spans.append(Evidence(n, joined, content_terms(context), context.lower(), _numbers(context)))
    return spans


def support(claim: Claim, span: Evidence) -> float:
    """Share of the claim's content words the span holds; 0 unless it holds every number and name of the claim.

    Judges support, not wording: the rest of the claim may be paraphrased, but a figure, a date or a name that the
    span does not hold is the commonest unsupported claim a small model makes.
    """
    if not claim.terms or claim.numbers - span.numbers:
        return 0.0
    if any(name not in span.haystack for name in claim.names):
        return 0.0
    return len(claim.terms & span.terms) / len(claim.terms)


@dataclass
class Claim:
    text: str  # the sentence without its markers
    markers: list[int]
    terms: set[str]
    numbers: set[str]
    names: set[str]  # lower-case prefixes of its names, dates and other entities (inflection-tolerant)

    @classmethod
    def parse(cls, sentence: str) -> Claim:
        text = re.sub(r"\s+([.!?,;:])", r"\1", _MARKER.sub("", sentence)).strip()
        markers = list(dict.fromkeys(int(m) for m in _MARKER.findall(sentence)))
        # Names: proper nouns (days and months among them) and the words of named entities. The words around a
        # quantity ("approximately 2,450 meters") are not names: its number is checked as a number.
        names = {
            _prefix(token.lower_)
            for token in nlp()(text)
            if (token.pos_ == "PROPN" or token.ent_type_ in NAME_ENTITIES) and token.is_alpha and not token.is_stop
        }
        return cls(text, markers, content_terms(text), _numbers(text), names)


def verify(reply: str, passages: list[Passage], question: str) -> tuple[Answer | None, Verification]:
    """The reply's supported sentences, each citing the span that supports it (renumbered in order of use), and
    what happened to every sentence; no answer when nothing in it is supported.

    A sentence is checked first against the passages its markers name, then against all of them: a supported
    sentence with a wrong or missing marker is kept and cited to its real source. A sentence must also share a
    word with the question: a small model copies passages that answer nothing. A reply of NOT IN ARTICLES is a
    refusal.
    """
    if NOT_COVERED.lower() in reply.lower():
        return Answer(REFUSAL, True, []), Verification([])
    spans = evidence(passages)
    asked = {t for t in content_terms(question) if not t.isdigit()}
    kept: list[str] = []
    citations: list[Citation] = []
    outcomes: list[CheckedSentence] = []
    said: set[str] = set()
    # Markers written after the full stop ("... Kremlin. [1]") belong to the sentence before them.
    reply = _TRAILING_MARKERS.sub(r" \2\1", reply)
    for span in sentence_spans(reply):
        sentence = reply[span.start : span.end]
        claim = Claim.parse(sentence)
        if claim.text.endswith(("?", ":")):  # an echoed question or a lead-in asserts nothing
            outcomes.append(CheckedSentence(sentence, Outcome.DROPPED, "not a claim"))
            continue
        best = _best(claim, [e for e in spans if e.n in claim.markers]) or _best(claim, spans)
        if best is None:
            outcomes.append(CheckedSentence(sentence, Outcome.DROPPED, "unsupported"))
            continue
        if not claim.terms & asked:
            outcomes.append(CheckedSentence(sentence, Outcome.DROPPED, "off the question"))
            continue
        if claim.text in said:  # a small model loops: SmolLM2 wrote one sentence five times in a reply
            outcomes.append(CheckedSentence(sentence, Outcome.DROPPED, "repeated"))
            continue
        said.add(claim.text)
        outcomes.append(CheckedSentence(sentence, Outcome.KEPT if best.n in claim.markers else Outcome.RENUMBERED))
        where = (best.sentence.passage.chunk_id, best.sentence.start, best.sentence.end)
        citation = next((c for c in citations if (c.chunk_id, c.start, c.end) == where), None)
        if citation is None:
            citation = cite(len(citations) + 1, best.sentence)
            citations.append(citation)
        # The marker goes before the full stop, after any closing quote: 'efforts" [2].'
        body, stop, closing = _SENTENCE_END.fullmatch(claim.text).groups()  # type: ignore[union-attr]
        kept.append(f"{body}{closing} [{citation.n}]{stop}")
    verification = Verification(outcomes, fell_back=not kept)
    return (Answer(" ".join(kept), False, citations) if kept else None), verification


def checked(reply: str, passages: list[Passage], question: str, extractive: Answer) -> Answer:
    """The verified reply, or the extractive answer with a note when nothing in the reply is supported."""
    answer, verification = verify(reply, passages, question)
    if answer is None:
        extractive.note, extractive.verification = UNVERIFIED_NOTE, verification
        return extractive
    dropped = verification.count(Outcome.DROPPED)
    if dropped:
        total = len(verification.sentences)
        answer.note = f"{dropped} of the model's {total} sentences left out: no passage supports them as an answer."
    answer.verification = verification
    return answer


def _best(claim: Claim, spans: list[Evidence]) -> Evidence | None:
    """The best-supporting span at or above the threshold; of equals, the first (the narrower, earlier one)."""
    scored = [(support(claim, e), e) for e in spans]
    score, best = max(scored, key=lambda pair: pair[0], default=(0.0, None))
    return best if score >= SUPPORT_THRESHOLD else None


def _numbers(text: str) -> set[str]:
    return {n.strip(".,").replace(",", "") for n in _NUMBER.findall(text)}


def _prefix(word: str) -> str:
    """ "Russian" is found in "Russia", "Peru's" in "Peru": a name matches by its first letters."""
    return word[: max(4, len(word) - 2)]
