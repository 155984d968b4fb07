"""Strip scraped-news boilerplate from an article body.

The output is the text Pressroom stores and cites, paragraphs separated by a blank line, so every rule here
decides what a reader will see inside a cited article.
"""

from __future__ import annotations

import re

# Lines that end a story and start a list of links to other stories.
_RELATED_HEADER = re.compile(
    r"^(related( (articles?|stories|content|news|coverage|topics|links))?|read more|more on this( story)?|"
    r"see also|also read|more from [\w ]+|you may also like|recommended|trending)\s*:?$",
    re.I,
)
_BULLET = re.compile(r"^\s*[•·\-*–▪►]\s*")
_CREDIT = r"(reuters|afp|ap|ap photo|getty images|getty|epa|xinhua|anadolu|tass|ria novosti|sputnik|shutterstock|efe)"
_CAPTION_PATTERNS = [
    re.compile(r"\bfile ?photo\b", re.I),
    re.compile(r"^(photo|image|picture|pictured|caption|video)\s*[:|]", re.I),
    re.compile(r"\((photo|image|picture)[^)]*\)\s*$", re.I),
    re.compile(rf"(\s|/|\|)?\(?{_CREDIT}\)?\s*$", re.I),
    re.compile(r"\((l|r|c|left|right|centre|center)\)", re.I),
]
_SENTENCE_END = re.compile(r"[.!?…]['\"”’)]*$")


def _key(line: str) -> str:
    """Normalised form under which near-identical lines (a caption repeated with a space lost) compare equal."""
    return re.sub(r"[\W_]+", "", line).lower()


def is_caption(line: str) -> bool:
    """A photo caption or credit: short descriptive text tagged with a credit, a position marker or 'file photo'.

    A real sentence ending in a full stop that merely mentions Reuters is kept: captions in scraped news rarely
    end with sentence punctuation, and a quoted credit at the end of a sentence is usually attribution.
    """
    if len(line) > 400:
        return False
    hits = [p for p in _CAPTION_PATTERNS if p.search(line)]
    if not hits:
        return False
    return not (_SENTENCE_END.search(line) and not _CAPTION_PATTERNS[0].search(line))


def clean_text(text: str) -> str:
    """Cleaned article body: captions, repeated lines and trailing link lists removed, whitespace collapsed."""
    lines = [re.sub(r"[ \t\u00a0\u200b]+", " ", line).strip() for line in text.replace("\r\n", "\n").split("\n")]
    lines = _drop_related_tail(lines)
    kept: list[str] = []
    seen: set[str] = set()
    for line in lines:
        if not line:
            if kept and kept[-1]:
                kept.append("")
            continue
        key = _key(line)
        if not key or is_caption(line) or (key in seen and len(key) > 20):
            continue
        seen.add(key)
        kept.append(line)
    return "\n\n".join(p for p in "\n".join(kept).split("\n\n") if p.strip()).strip()


def _drop_related_tail(lines: list[str]) -> list[str]:
    """Cut from a 'Related'-style header to the end when what follows is a list of short link lines."""
    for i in range(len(lines) - 1, -1, -1):
        if _RELATED_HEADER.match(lines[i]):
            tail = [line for line in lines[i + 1 :] if line]
            if all((len(line) < 200 and not _SENTENCE_END.search(line)) or _BULLET.match(line) for line in tail):
                return _drop_bullet_tail(lines[:i])
    return _drop_bullet_tail(lines)


def _drop_bullet_tail(lines: list[str]) -> list[str]:
    """A trailing run of bullet lines with no header is the same kind of link list."""
    end = len(lines)
    while end and (not lines[end - 1] or _BULLET.match(lines[end - 1])):
        end -= 1
    bullets = [line for line in lines[end:] if line]
    return lines[:end] if len(bullets) >= 2 else lines
