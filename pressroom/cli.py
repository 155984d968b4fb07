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


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
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
    from ingest.store import StoreError

    try:
        ingestor = Ingestor(settings)
        with Progress(
            TextColumn("ingesting"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
            console=console, transient=True, disable=as_json,
        ) as bar:  # fmt: skip
            task = bar.add_task("ingest", total=None)
            summary = ingestor.ingest(paths, prune=prune, progress=lambda done, total: bar.update(task, completed=done, total=total))
    except StoreError as err:
        fail(str(err))
    if as_json:
        out.print(summary.to_json(), highlight=False)
    else:
        out.print(
            f"{summary.added} added, {summary.updated} updated, {summary.unchanged} unchanged, "
            f"{summary.removed} removed, {len(summary.skipped)} skipped; {summary.chunks_written} chunks written "
            f"in {summary.seconds:.1f} s ({summary.chunks_per_second:.0f} chunks/s)"
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
