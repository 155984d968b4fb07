"""The `pressroom` command: ingest | check | stats | config | ask | chat | ui | eval."""

from __future__ import annotations

import contextlib
import functools
import io
import json
import os
import sys
from collections.abc import Callable, Iterator
from dataclasses import asdict
from pathlib import Path
from typing import Any

import click
from rich.console import Console

from pressroom.settings import Settings

console = Console(stderr=True)
out = Console(soft_wrap=True)


def store_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """--store / --chroma-url / --collection on every command, turned into one Settings object."""

    @click.option(
        "--store", "store_dir", type=click.Path(file_okay=False, path_type=Path), help="Embedded store folder."
    )
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


@contextlib.contextmanager
def results_only_on_stdout() -> Iterator[None]:
    """Point file descriptor 1 at stderr for the command's run and give ``out`` its own handle on the real stdout,
    so whatever a library prints (NNCF's log and table while it compresses the model, a C++ warning) lands on
    stderr and `--json` output always parses."""
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, ValueError, io.UnsupportedOperation):  # not a real file (click's test runner)
        yield
        return
    sys.stdout.flush()
    saved = os.dup(fd)
    os.dup2(sys.stderr.fileno(), fd)
    with os.fdopen(saved, "w", encoding="utf-8", closefd=False) as results:
        out.file = results
        try:
            yield
        finally:
            results.flush()
            sys.stdout.flush()
            os.dup2(saved, fd)
            os.close(saved)
            out.file = sys.stdout


class PressroomGroup(click.Group):
    """Turns a store that cannot be opened or reached (or is lost mid-run), or a model that cannot be loaded, into
    one clear line and exit 1, for every command; keeps stdout for results."""

    def invoke(self, ctx: click.Context) -> Any:
        from pressroom.ingest.embedder import ModelError
        from pressroom.ingest.store import CONNECTION_ERRORS, StoreError

        with results_only_on_stdout():
            try:
                return super().invoke(ctx)
            except (StoreError, ModelError) as err:
                fail(str(err))
            except CONNECTION_ERRORS as err:
                where = ctx.params.get("chroma_url") or "the Chroma server"
                fail(f"lost the connection to {where} ({err}); start it again and re-run")


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
    from pressroom.qa.facade import Pressroom
    from pressroom.qa.render import ingest_summary
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    if settings.chroma_url is None and not settings.store_dir.exists():
        # A mistyped --store would otherwise fill a second store without a word.
        console.print(f"new store at {settings.store_dir}", highlight=False, markup=False)
    pressroom = Pressroom(settings)
    with Progress(
        TextColumn("ingesting"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
        disable=as_json,
    ) as bar:
        task = bar.add_task("ingest", total=None)
        summary = pressroom.ingest(
            paths, prune=prune, progress=lambda done, total: bar.update(task, completed=done, total=total)
        )
    if as_json:
        out.print(summary.to_json(), highlight=False)
    else:
        out.print(ingest_summary(summary))
        print_skipped(out, summary.skipped)
    sys.exit(1 if summary.skipped else 0)


def print_skipped(console_: Console, skipped: list[Any]) -> None:
    for item in skipped:
        console_.print(f"  skipped {item.path}: {item.reason}", highlight=False, markup=False)


@main.command()
@click.option("--json", "as_json", is_flag=True, help="Print what was found and fixed as JSON.")
@store_options
def check(settings: Settings, as_json: bool) -> None:
    """Find and repair what interrupted runs left: chunks without an article, unfinished deletes, partial
    articles; then bring the BM25 index in step with the store."""
    from pressroom.qa.facade import Pressroom
    from pressroom.qa.render import repair_summary

    pressroom = Pressroom(settings)
    report = pressroom.check()
    info = pressroom.stats()
    if as_json:
        payload = {"articles": info.articles, "chunks": info.chunks, "repaired": report.changed, **asdict(report)}
        out.print(json.dumps(payload), highlight=False)
    else:
        out.print(f"{info.articles} articles, {info.chunks} chunks: {repair_summary(report)}", highlight=False)


@main.command()
@click.option("--json", "as_json", is_flag=True)
@store_options
def stats(settings: Settings, as_json: bool) -> None:
    """Articles, chunks, sources and date range of the store."""
    from pressroom.qa.facade import Pressroom
    from pressroom.qa.render import top_sources

    info = Pressroom(settings).stats()
    if as_json:
        out.print(json.dumps(info.to_dict()), highlight=False)
        return
    out.print(f"store      {info.store} ({info.backend})")
    out.print(f"articles   {info.articles}")
    out.print(f"chunks     {info.chunks}")
    dates = info.date_range
    out.print(f"dates      {dates[0]} .. {dates[1]}" if dates else "dates      (none)")
    out.print(f"sources    {len(info.sources)}: {top_sources(info, 10)}", highlight=False)


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
    def wrapper(
        since: str | None, until: str | None, sources: tuple[str, ...], article_ids: tuple[str, ...], **kwargs: Any
    ) -> Any:
        from pressroom.qa.types import Filters

        return func(filters=Filters(since, until, list(sources), list(article_ids)), **kwargs)

    return wrapper


def require_store(settings: Settings) -> None:
    """For the commands that only read (ask, chat): opening an embedded store creates it, so a mistyped --store
    would leave an empty store behind and answer "nothing has been ingested"."""
    if not settings.chroma_url and not (settings.store_dir / "chroma.sqlite3").exists():
        fail(f"no store at {settings.store_dir}: run `pressroom ingest PATH --store {settings.store_dir}` first")


def load_pressroom(settings: Settings) -> Any:
    """The facade with its chat model built now, so a bad LLM setting is one clear line before any question."""
    from pressroom.qa.facade import Pressroom
    from pressroom.qa.generate import BackendError

    pressroom = Pressroom(settings)
    try:
        _ = pressroom.llm
    except BackendError as err:
        fail(str(err))
    return pressroom


def print_result(result: Any) -> None:
    from pressroom.qa.render import quoted_elsewhere, snippet, source_line

    answer = result.answer
    out.print(answer.text, highlight=False, markup=False)
    if answer.note:
        out.print(f"[yellow]{answer.note}[/yellow]")
    if answer.refused:
        for p in result.passages[:3]:
            out.print(f'  - {source_line(p)}: "{snippet(p.text, 200)}"', highlight=False, markup=False)
        return
    for c in answer.citations:
        quote = "" if quoted_elsewhere(c, answer) else f': "{c.quote}"'
        out.print(f"[{c.n}] {source_line(c)}{quote}", highlight=False, markup=False)


def ask_one(pressroom: Any, question: Any, history: Any, filters: Any, k: int | None) -> Any:
    """The chain's ``Result``, or ``{"question", "error"}`` for a question it cannot take (never a traceback)."""
    from pressroom.qa.chain import QuestionError
    from pressroom.qa.retrieve import RetrievalError

    try:
        return pressroom.ask(question, history=history, filters=filters, k=k)
    except (QuestionError, RetrievalError) as err:
        return {"question": question if isinstance(question, str) else None, "error": str(err)}


def as_dict(result: Any) -> dict[str, Any]:
    return result if isinstance(result, dict) else result.to_dict()


def batch_line(pressroom: Any, n: int, line: str, filters: Any, k: int | None) -> dict[str, Any]:
    """One --batch line's result, or an error object carrying its id: a bad line never stops the lines after it."""
    from pressroom.ingest.embedder import ModelError
    from pressroom.ingest.store import CONNECTION_ERRORS, StoreError

    try:
        item = json.loads(line) if line.lstrip().startswith("{") else {"question": line.strip()}
    except (json.JSONDecodeError, RecursionError) as err:
        return {"id": str(n), "error": f"line {n}: invalid JSON: {getattr(err, 'msg', 'nested too deeply')}"}
    line_id = str(item.get("id", n))
    try:
        return {"id": line_id, **as_dict(ask_one(pressroom, item.get("question"), item.get("history"), filters, k))}
    except (StoreError, ModelError, *CONNECTION_ERRORS):
        raise  # the store or model is gone: every later line would fail the same way
    except Exception as err:  # a question the chain meets in a way not foreseen: this line only
        return {"id": line_id, "question": item.get("question"), "error": f"line {n}: {type(err).__name__}: {err}"}


@main.command()
@click.argument("question", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.option("--batch", type=click.File("r"), help="JSON Lines of {id, question, history}; '-' reads stdin.")
@click.option(
    "--after",
    "history",
    multiple=True,
    help="An earlier question of the conversation, answered in turn as the chat would (repeatable, oldest first).",
)
@filter_options
@store_options
def ask(
    settings: Settings,
    question: str | None,
    as_json: bool,
    batch: Any,
    history: tuple[str, ...],
    filters: Any,
    k: int | None,
) -> None:
    """Answer a question from the articles, with citations."""
    if (question is None) == (batch is None):
        raise click.UsageError("give a QUESTION or --batch FILE")
    if batch and history:
        raise click.UsageError("--after goes with a QUESTION; a --batch line carries its own history")
    require_store(settings)
    pressroom = load_pressroom(settings)
    if batch:
        failed = False
        for n, line in enumerate(batch, 1):
            if not line.strip():
                continue
            result = batch_line(pressroom, n, line, filters, k)
            failed |= "error" in result
            # ASCII escapes: a lone surrogate echoed back from a bad line must not break the output stream.
            out.print(json.dumps(result), highlight=False, soft_wrap=True)
        sys.exit(1 if failed else 0)
    result = ask_one(pressroom, question or "", list(history), filters, k)
    failed = isinstance(result, dict)
    if as_json:
        out.print(json.dumps(as_dict(result), ensure_ascii=False), highlight=False, soft_wrap=True)
    elif failed:
        fail(result["error"])
    else:
        print_result(result)
    sys.exit(1 if failed else 0)


@main.command()
@filter_options
@store_options
def chat(settings: Settings, filters: Any, k: int | None) -> None:
    """A terminal chat; follow-up questions carry the conversation. Empty line or Ctrl-D ends it."""
    require_store(settings)
    pressroom = load_pressroom(settings)
    history: list[dict[str, Any]] = []
    console.print("Ask about the articles; follow-ups work. An empty line ends the chat.")
    while True:
        try:
            question = click.prompt("you", default="", show_default=False, prompt_suffix="> ")
        except (EOFError, click.Abort):
            console.print()  # Ctrl-D leaves the cursor after the prompt
            break
        if not question.strip():
            break
        result = ask_one(pressroom, question, history, filters, k)
        if isinstance(result, dict):
            console.print(f"[red]{result['error']}[/red]", highlight=False)
            continue
        print_result(result)
        history.append({"question": question, "answer": result.answer.short})


@main.command(name="eval")
@click.option("--questions", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="JSONL eval set.")
@click.option(
    "--corpus",
    "corpus",
    multiple=True,
    type=click.Path(exists=True, path_type=Path),
    help="Articles to evaluate on (ingested into a fresh cached store); repeatable.",
)
@click.option("--squad", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="A SQuAD v1.1/v2.0 file.")
@click.option("--limit", type=click.IntRange(1), help="Use only the first N questions.")
@click.option("--split", type=click.Choice(["dev", "test"]), help="Only the items of this split (tune on dev only).")
@click.option("--compare", help="Comma-separated configurations: dense,bm25,hybrid,hybrid+rerank,langchain-dense.")
@click.option("--calibrate", is_flag=True, help="Print the refusal threshold that best separates the items.")
@click.option("--json", "json_path", type=click.Path(dir_okay=False, path_type=Path), help="Write results as JSON.")
@click.option("--report", "report_dir", type=click.Path(file_okay=False, path_type=Path), help="Write report + plots.")
@store_options
def eval_command(
    settings: Settings,
    questions: Path | None,
    corpus: tuple[Path, ...],
    squad: Path | None,
    limit: int | None,
    split: str | None,
    compare: str | None,
    calibrate: bool,
    json_path: Path | None,
    report_dir: Path | None,
) -> None:
    """Retrieval and answer metrics on the shipped eval set or your own."""
    from pressroom.eval.corpora import CorpusMissing
    from pressroom.eval.evaluate import EvalError, evaluate, parse_modes
    from pressroom.eval.report import kind_table, markdown_table, write_report
    from pressroom.eval.runner import PRODUCT as PRODUCT_MODE
    from pressroom.eval.runner import as_dicts
    from pressroom.qa.generate import BackendError
    from rich.progress import Progress

    try:
        modes = parse_modes(compare, calibrate)
    except EvalError as err:
        raise click.UsageError(str(err)) from None
    with Progress(console=console, transient=True) as bar:
        task = bar.add_task("questions", total=None)
        try:
            run = evaluate(
                settings,
                questions,
                corpus,
                squad,
                limit,
                split,
                modes,
                calibrate,
                notify=lambda message: console.print(message, highlight=False, soft_wrap=True),
                progress=lambda done, total: bar.update(task, completed=done, total=total),
            )
        except (CorpusMissing, EvalError, BackendError) as err:
            fail(str(err))
    for problem in run.problems:
        console.print(f"[yellow]warning:[/yellow] {problem}", highlight=False)
    out.print(markdown_table(run.rows), highlight=False)
    if run.kinds:
        out.print(f"\nper kind of question ({PRODUCT_MODE}){run.split_note}:\n{kind_table(run.kinds)}", highlight=False)
    if run.threshold:
        threshold, accuracy = run.threshold
        out.print(
            f"\nrefusal_threshold = {threshold:.3f}  (balanced refusal accuracy {accuracy:.3f}; "
            f"set PRESSROOM_REFUSAL_THRESHOLD or refusal_threshold in pressroom.toml)"
        )
    if json_path:
        payload = {"summary": run.rows, "results": as_dicts(run.results), "problems": run.problems}
        json_path.write_text(json.dumps(payload, indent=2))
    if report_dir:
        out.print(f"report: {write_report(report_dir, run.rows, run.results, run.header, run.kinds)}")


@main.command()
@click.option("--host", help="Interface to bind (default 127.0.0.1; anything else needs --auth).")
@click.option("--port", type=int, help="Port (default 7860).")
@click.option("--auth", help="user:password for Gradio's login.")
@click.option(
    "--ingest",
    "ingest_paths",
    multiple=True,
    type=click.Path(exists=True),
    help="Ingest these files or folders before opening the chat (repeatable).",
)
@store_options
def ui(settings: Settings, host: str | None, port: int | None, auth: str | None, ingest_paths: tuple[str, ...]) -> None:
    """Open the chat in the browser: streaming answers, sources panel, article upload."""
    from pressroom.qa.render import ingest_summary
    from pressroom.ui.app import UsageError, launch

    settings = settings.model_copy(update={k: v for k, v in {"host": host, "port": port, "auth": auth}.items() if v})
    pressroom = load_pressroom(settings)
    if ingest_paths:
        summary = pressroom.ingest(list(ingest_paths))
        console.print(f"ingested: {ingest_summary(summary)}", highlight=False)
        print_skipped(console, summary.skipped)
    try:
        console.print(f"Pressroom is starting on http://{settings.host}:{settings.port} (Ctrl-C stops it)")
        launch(pressroom)
    except UsageError as err:
        raise click.UsageError(str(err)) from None
