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


def resolve(question: str, turns: list[Turn]) -> str:
    """Replace the follow-up's references to earlier turns (``turns``, most recent first) by what they refer to:
    "he" and "his" by the person the nearest turn asked about or answered with, "the company" by the
    organisation."""
    from pressroom.qa.nlp import nlp

    docs = nlp().pipe(f"{t.answer}. {t.question}" if t.answer else t.question for t in turns)
    ents = [e for doc in docs for e in doc.ents]
    people = [e.text for e in ents if e.label_ == "PERSON"]
    # A "who" question's answer names someone whatever the small tagger calls it ("Teresa Vallance" tagged ORG).
    nearest = turns[0] if turns else None
    if nearest is not None and nearest.answer and _ASKS_WHO.match(nearest.question) and nearest.answer not in people:
        people.insert(0, nearest.answer)
    bodies = [e.text for e in ents if e.label_ in _BODY_LABELS]
    if people:
        question = _PERSON_POSSESSIVE.sub(lambda m: f"{people[0]}'s", question)
        question = _PERSON_PRONOUN.sub(people[0], question)
    if bodies:
        question = _DEFINITE_BODY.sub(bodies[0], question, count=1)
    return question


def condense_with_llm(llm: Any, question: str, history: list[Turn]) -> Standalone:
    if not history:
        return Standalone(question, question, "")
    lines = "\n".join(f"User: {t.question}" + (f"\nAssistant: {t.answer}" if t.answer else "") for t in history[-4:])
    rewritten = str(llm.invoke(CONDENSE_PROMPT.format(history=lines, question=question)).content).strip()
    rewritten = rewritten.splitlines()[0].strip() if rewritten else ""
    if not rewritten:
        return condense(question, history)
    return Standalone(question, rewritten, rewritten)
