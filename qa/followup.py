"""Follow-up questions made standalone before retrieval.

Without an LLM a follow-up ("When does it begin?") inherits the previous turn's topic: its own standalone
question and short answer are carried along as context words. With an LLM, a condense prompt rewrites it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

_REFERRING = re.compile(
    r"\b(it|its|it's|they|them|their|theirs|he|him|his|she|her|hers|this|that|these|those|there|then|"
    r"the same|such|former|latter|also|else|other)\b",
    re.I,
)
_CONTINUING = re.compile(r"^\s*(and|but|so|also|what about|how about|why|what else|anything else)\b", re.I)

CONDENSE_PROMPT = (
    "Given the conversation so far and a follow-up question, rewrite the follow-up as one standalone question "
    "that names everything it refers to. Reply with the question only.\n\nConversation:\n{history}\n\n"
    "Follow-up: {question}\nStandalone question:"
)


@dataclass
class Turn:
    question: str
    answer: str | None = None


@dataclass
class Standalone:
    question: str  # the question as asked
    query: str  # what retrieval searches for
    context: str  # words inherited from earlier turns ("" for a standalone question)
    resolved: str = ""  # the question with its references to earlier turns replaced ("who runs Northmoor?")

    @property
    def answerable_text(self) -> str:
        """What the answerer analyses: the resolved question when there is one."""
        return self.resolved or self.question


def is_followup(question: str) -> bool:
    words = re.findall(r"\w+", question)
    return bool(_REFERRING.search(question) or _CONTINUING.search(question) or len(words) <= 3)


def condense(question: str, history: list[Turn]) -> Standalone:
    """Carry the topic of earlier turns into a follow-up, walking back through follow-ups of follow-ups."""
    if not history or not is_followup(question):
        return Standalone(question, question, "")
    context_parts: list[str] = []
    chain: list[Turn] = []
    for turn in reversed(history):
        chain.append(turn)
        if turn.answer:
            context_parts.append(turn.answer)
        context_parts.append(turn.question)
        if not is_followup(turn.question):
            break
    context = " ".join(reversed(context_parts))
    resolved = resolve(question, chain)
    return Standalone(question, f"{resolved} {context}", context, resolved if resolved != question else "")


_PERSON_PRONOUN = re.compile(r"\b(he|she|him)\b", re.I)
_PERSON_POSSESSIVE = re.compile(r"\b(his|her)\b", re.I)
# "the company", "the club": a definite noun phrase naming the kind of thing an earlier turn named.
_KIND_OF_BODY = (
    "company|firm|club|council|party|group|government|ministry|board|court|hospital|school|team|charity|union|"
    "agency|organisation|organization|bank|museum|authority|army|police|city|country|town|state"
)
_DEFINITE_BODY = re.compile(rf"\bthe ({_KIND_OF_BODY})\b", re.I)
_BODY_LABELS = {"ORG", "GPE", "NORP", "FAC", "LOC"}
_ASKS_WHO = re.compile(r"(?i)\s*(?:and\s+)?who\b")
_POSSESSIVE_END = re.compile(r"['’]s$")


def resolve(question: str, turns: list[Turn]) -> str:
    """Replace the follow-up's references to earlier turns (``turns``, most recent first) by what they refer to:
    "he" and "his" by the person the nearest turn asked about or answered with, "the company" by the
    organisation."""
    from pressroom.qa.nlp import nlp

    if turns and (filled := _fill_ellipsis(question, turns[0].question)):
        return filled
    docs = nlp().pipe(f"{t.answer}. {t.question}" if t.answer else t.question for t in turns)
    ents = [e for doc in docs for e in doc.ents]
    people = [_POSSESSIVE_END.sub("", e.text) for e in ents if e.label_ == "PERSON"]  # the tagger keeps "Walcott's"
    # A "who" question's answer names someone whatever the small tagger calls it ("Teresa Vallance" tagged ORG),
    # unless it is tagged a body and the turn names a person: "he" after "who published Walcott's books?" is Walcott.
    nearest = turns[0] if turns else None
    answer_is_body = nearest is not None and any(e.text == nearest.answer and e.label_ in _BODY_LABELS for e in ents)
    asked_who = nearest is not None and nearest.answer and _ASKS_WHO.match(nearest.question)
    if (
        asked_who
        and nearest.answer not in people
        and _shaped_like_a_name(nearest.answer)
        and not (answer_is_body and people)
    ):
        people.insert(0, nearest.answer)
    bodies = [e.text for e in ents if e.label_ in _BODY_LABELS]
    if people:
        question = _PERSON_POSSESSIVE.sub(lambda m: f"{people[0]}'s", question)
        question = _PERSON_PRONOUN.sub(people[0], question)
    if bodies:
        question = _DEFINITE_BODY.sub(bodies[0], question, count=1)
    return question


def _shaped_like_a_name(text: str) -> bool:
    """ "Teresa Vallance" or "Putin" can be "she" or "he" whatever the tagger says; "HRT", "the Water Stood" (a novel)
    and "the regional planning board" cannot."""
    words = text.split()
    return 0 < len(words) <= 4 and all(re.fullmatch(r"[A-Z][a-z]+(?:[-'’][A-Za-z]+)*\.?", w) for w in words)


_FRAGMENT_OPENER = re.compile(r"(?i)^\s*(?:and|but|so|what about|how about)\s+")
# Longest fragment read as an ellipsis ("and in London?", "what about Manchester City?").
MAX_FRAGMENT_TOKENS = 5


def _fill_ellipsis(question: str, previous: str) -> str | None:
    """ "and in London?" after "How much German gold is held in New York?" asks the same of London: the fragment
    replaces the previous question's phrase of its kind (the same preposition's phrase, or a name of its label)."""
    from pressroom.qa.nlp import nlp

    fragment = _FRAGMENT_OPENER.sub("", question).strip(" ?")
    # Words are never more than tokens: a longer follow-up (most of them) is turned away before any parse.
    if not fragment or len(fragment.split()) > MAX_FRAGMENT_TOKENS:
        return None
    parsed = nlp()(fragment)
    if len(parsed) > MAX_FRAGMENT_TOKENS or any(t.pos_ in {"VERB", "AUX"} for t in parsed):
        return None
    before = nlp()(previous)
    if parsed[0].pos_ == "ADP":
        for prep in (t for t in before if t.lower_ == parsed[0].lower_ and t.dep_ == "prep"):
            return _replaced(before, prep.i, prep.right_edge.i, fragment)
        return None
    whole = [e for e in parsed.ents if e.text == parsed.text]
    for ent in (e for e in before.ents if whole and e.label_ == whole[0].label_):
        return _replaced(before, ent.start, ent.end - 1, fragment)
    return None


def _replaced(doc: Any, first: int, last: int, text: str) -> str:
    """``doc`` with its tokens ``first``..``last`` replaced by ``text``."""
    return doc.text[: doc[first].idx] + text + doc.text[doc[last].idx + len(doc[last]) :]


def condense_with_llm(llm: Any, question: str, history: list[Turn]) -> Standalone:
    if not history:
        return Standalone(question, question, "")
    lines = "\n".join(f"User: {t.question}" + (f"\nAssistant: {t.answer}" if t.answer else "") for t in history[-4:])
    rewritten = str(llm.invoke(CONDENSE_PROMPT.format(history=lines, question=question)).content).strip()
    rewritten = rewritten.splitlines()[0].strip() if rewritten else ""
    if not rewritten:
        return condense(question, history)
    return Standalone(question, rewritten, rewritten)
