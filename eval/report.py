"""The eval's outputs: a terminal table, a Markdown report with per-question results, and PNG plots."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pressroom.eval.runner import ItemResult

TABLE_COLUMNS = (
    "hit@1",
    "hit@5",
    "hit@10",
    "mrr@10",
    "ndcg@10",
    "exact_match",
    "f1",
    "citation_precision",
    "refusal_accuracy",
    "false_refusal_rate",
    "sentences_kept",
    "sentences_renumbered",
    "sentences_dropped",
    "fallback_rate",
    "retrieve_p50_ms",
    "retrieve_p95_ms",
    "answer_p50_ms",
    "total_p95_ms",
)


def markdown_table(rows: dict[str, dict[str, Any]]) -> str:
    columns = [c for c in TABLE_COLUMNS if any(c in row for row in rows.values())]
    lines = ["| config | " + " | ".join(columns) + " |", "|---|" + "---|" * len(columns)]
    for mode, row in rows.items():
        cells = [_fmt(row.get(c), c) for c in columns]
        lines.append(f"| {mode} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


KIND_COLUMNS = ("questions", "hit@1", "f1", "exact_match", "contains_answer", "refused")


def kind_table(rows: dict[str, dict[str, Any]]) -> str:
    """Answer quality per kind of question (``runner.by_kind``)."""
    lines = ["| kind | " + " | ".join(KIND_COLUMNS) + " |", "|---|" + "---|" * len(KIND_COLUMNS)]
    for kind, row in rows.items():
        lines.append(f"| {kind} | " + " | ".join(_fmt(row.get(c), c) for c in KIND_COLUMNS) + " |")
    return "\n".join(lines)


def _fmt(value: Any, column: str) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        # Milliseconds to a tenth; rates and scores (all within 0..1) to three decimals.
        return f"{value:.1f}" if column.endswith("_ms") else f"{value:.3f}"
    return str(value)


def plot_recall(results: dict[str, list[ItemResult]], path: Path, ks: range = range(1, 11)) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from pressroom.eval.metrics import recall_at

    fig, ax = plt.subplots(figsize=(6, 4))
    for mode, rows in results.items():
        answerable = [r for r in rows if r.answerable]
        curve = [sum(recall_at(r.ranked, set(r.gold), k) for r in answerable) / max(len(answerable), 1) for k in ks]
        ax.plot(list(ks), curve, marker="o", label=mode)
    ax.set_xlabel("k (articles)")
    ax.set_ylabel("recall@k")
    ax.set_ylim(0, 1.02)
    ax.set_title("Article recall@k by retrieval configuration")
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def plot_latency(results: dict[str, list[ItemResult]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 4))
    for mode, rows in results.items():
        ax.hist([r.retrieve_ms + r.answer_ms for r in rows], bins=20, alpha=0.5, label=mode)
    ax.set_xlabel("latency per question (ms): retrieval + answer")
    ax.set_ylabel("questions")
    ax.set_title("Latency")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write_report(
    folder: Path,
    rows: dict[str, dict[str, Any]],
    results: dict[str, list[ItemResult]],
    header: str,
    kinds: dict[str, dict[str, Any]] | None = None,
) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    plot_recall(results, folder / "recall_at_k.png")
    plot_latency(results, folder / "latency.png")
    lines = [
        f"# Pressroom eval\n\n{header}\n",
        markdown_table(rows),
        "",
        "![recall@k](recall_at_k.png)",
        "",
        "![latency](latency.png)",
        "",
    ]
    if kinds:
        lines += ["## Per kind of question", "", kind_table(kinds), ""]
    product = next((rows_ for rows_ in results.values() if rows_ and rows_[0].refused is not None), [])
    if product:
        lines += [
            "## Per question",
            "",
            "| id | pass | question | retrieved | answer | citations |",
            "|---|---|---|---|---|---|",
        ]
        for r in product:
            answer = "(refused)" if r.refused else (r.short_answer or (r.answer or "")[:120])
            cites = "; ".join(f"[{c['n']}] {c['article_id']}" for c in r.citations)
            lines.append(
                f"| {r.id} | {'✅' if r.passed else '❌'} | {_cell(r.question)} | {', '.join(r.ranked[:3])} "
                f"| {_cell(answer)} | {cites} |"
            )
    checked = [r for r in product if r.verification and r.verification["sentences"]]
    if checked:
        lines += ["", "## What the verifier did with the model's sentences", ""]
        lines += ["| id | outcome | why dropped | sentence |", "|---|---|---|---|"]
        lines += [
            f"| {r.id} | {s['outcome']} | {s['why'] or ''} | {_cell(s['text'])} |"
            for r in checked
            for s in r.verification["sentences"]
        ]
    path = folder / "report.md"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")
