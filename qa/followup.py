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

    @classmethod
    def parse(cls, raw: str | dict[str, Any]) -> Turn:
        if isinstance(raw, str):
            return cls(raw)
        return cls(str(raw.get("question", "")), raw.get("short") or raw.get("answer"))


@dataclass
class Standalone:
    question: str  # the question as asked
    query: str  # what retrieval searches for
    context: str  # words inherited from earlier turns ("" for a standalone question)


def is_followup(question: str) -> bool:
    words = re.findall(r"\w+", question)
    return bool(_REFERRING.search(question) or _CONTINUING.search(question) or len(words) <= 3)


def condense(question: str, history: list[Turn]) -> Standalone:
    """Carry the topic of earlier turns into a follow-up, walking back through follow-ups of follow-ups."""
    if not history or not is_followup(question):
        return Standalone(question, question, "")
    context_parts: list[str] = []
    for turn in reversed(history):
        if turn.answer:
            context_parts.append(turn.answer)
        context_parts.append(turn.question)
        if not is_followup(turn.question):
            break
    context = " ".join(reversed(context_parts))
    return Standalone(question, f"{question} {context}", context)


def condense_with_llm(llm: Any, question: str, history: list[Turn]) -> Standalone:
    if not history:
        return Standalone(question, question, "")
    lines = "\n".join(f"User: {t.question}" + (f"\nAssistant: {t.answer}" if t.answer else "") for t in history[-4:])
    rewritten = str(llm.invoke(CONDENSE_PROMPT.format(history=lines, question=question)).content).strip()
    rewritten = rewritten.splitlines()[0].strip() if rewritten else ""
    if not rewritten:
        return condense(question, history)
    return Standalone(question, rewritten, rewritten)
