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
