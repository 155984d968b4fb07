"""Text that the CLI and the UI both show: one wording for citations, snippets, ingest summaries and stats.

Plain text; the UI escapes it for HTML and adds its own emphasis.
"""

from __future__ import annotations

from pressroom.ingest.pipeline import Repair, Summary
from pressroom.ingest.store import StoreStats
from pressroom.qa.types import Answer, Citation

from pressroom.types import ArticleMeta


def source_line(meta: ArticleMeta) -> str:
    """ "Title (source, date)" for a citation or a passage."""
    return f"{meta.title} ({meta.source or 'unknown source'}, {meta.date or 'undated'})"


def snippet(text: str, limit: int) -> str:
    """The start of ``text`` on one line, cut at a word boundary, with an ellipsis when cut."""
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    cut = flat[:limit].rsplit(" ", 1)[0] if " " in flat[:limit] else flat[:limit]
    return cut.rstrip(",;:") + "…"


def answer_body(answer: Answer) -> str:
    """The answer without its short answer in front: the quoted supporting sentences with their [n]."""
    prefix = f"{answer.short}: " if answer.short else ""
    return answer.text[len(prefix) :] if prefix and answer.text.startswith(prefix) else answer.text


def quoted_elsewhere(citation: Citation, answer: Answer) -> bool:
    """Whether the citation's sentence already stands in the answer text (the extractive answer quotes it):
    then a sources list names the article only, and does not print the sentence twice."""
    return " ".join(citation.quote.split()) in " ".join(answer.text.split())


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


# A warm model loads in well under a second; a longer load (a cold cache converting the model) is said, so the rate
# does not read as the speed of writing.
MODEL_LOAD_WORTH_SAYING = 1.0


def ingest_summary(summary: Summary) -> str:
    rate = summary.chunks_per_second
    speed = f"{rate:.{0 if rate >= 10 else 1}f} chunks/s"
    text = (
        f"{summary.added} added, {summary.updated} updated, {summary.unchanged} unchanged, {summary.removed} removed, "
        f"{len(summary.skipped)} skipped; {_count(summary.chunks_written, 'chunk')} written in {summary.seconds:.1f} s"
    )
    if summary.model_seconds >= MODEL_LOAD_WORTH_SAYING:
        # A trial read "2 chunks written in 16.9 s (7.7 chunks/s); loading the model took 16.7 s of that" as wrong sums.
        text += f": {summary.model_seconds:.1f} s loading the embedding model (a first run converts it), then {speed}"
    else:
        text += f" ({speed})"
    if summary.cancelled:
        text += "; cancelled (what was written stays)"
    if summary.repaired.changed:
        text += f"; repaired first: {repair_summary(summary.repaired)}"
    text += "".join(f"; read {name} as {encoding}" for name, encoding in summary.decoded.items())
    return text


def repair_summary(report: Repair) -> str:
    if not report.changed:
        return "consistent, nothing to repair"
    return (
        f"{report.orphan_chunks} chunks without an article deleted, {len(report.deletes_finished)} unfinished "
        f"deletes finished, {len(report.rebuilt)} partial articles rebuilt from their records"
    )


def top_sources(stats: StoreStats, n: int) -> str:
    shown = ", ".join(f"{name} ({count})" for name, count in list(stats.sources.items())[:n])
    return shown + (" ..." if len(stats.sources) > n else "")
