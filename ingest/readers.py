"""Turn files on disk into raw articles, reporting every file or row that cannot be read.

A single-article file (.txt, .md, .html) yields one article whose id is its path relative to the folder named on
the command line, without extension. An export (.json, .jsonl, .csv) yields one article per row, whose id is the
row's ``id``/``article_id``.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from pressroom.types import ArticleMeta

SINGLE_SUFFIXES = {".txt", ".md", ".markdown", ".html", ".htm"}
EXPORT_SUFFIXES = {".json", ".jsonl", ".ndjson", ".csv"}
SUPPORTED_SUFFIXES = SINGLE_SUFFIXES | EXPORT_SUFFIXES

# Column names seen in news exports, most specific first.
COLUMNS: dict[str, tuple[str, ...]] = {
    "id": ("article_id", "id", "doc_id", "guid", "uuid"),
    "title": ("title", "headline", "name"),
    "subtitle": ("subtitle", "description", "summary", "lead"),
    "text": ("text", "body", "content", "article", "article_text", "full_text"),
    "date": ("publish_date", "published", "date", "published_at", "pubdate", "datetime", "timestamp"),
    "url": ("url", "link", "article_source_link", "source_url", "href"),
    "source": ("source", "publisher", "outlet", "site", "sitename", "source_name"),
}


@dataclass(kw_only=True)
class Article(ArticleMeta):
    id: str
    text: str
    origin: str


@dataclass
class Skipped:
    path: str
    reason: str
    # The file an unreadable row or file belongs to; None when there is no file (a missing path).
    file: str | None = None


class UnreadableFile(Exception):
    """A file that cannot be read at all; its message is the reason shown to the user."""


def iter_files(paths: Iterable[str | Path]) -> Iterator[tuple[Path, Path] | Skipped]:
    """Yield (file, root) for every supported file below the given paths; root anchors relative article ids."""
    for raw in paths:
        path = Path(raw).expanduser()
        if path.is_dir():
            for file in sorted(p for p in path.rglob("*") if p.is_file()):
                if any(part.startswith(".") for part in file.relative_to(path).parts):
                    continue
                if file.suffix.lower() in SUPPORTED_SUFFIXES:
                    yield file, path
                else:
                    yield Skipped(str(file), f"unsupported file type {file.suffix or '(none)'!r}")
        elif path.is_file():
            if path.suffix.lower() in SUPPORTED_SUFFIXES:
                yield path, path.parent
            else:
                yield Skipped(str(path), f"unsupported file type {path.suffix or '(none)'!r}")
        else:
            yield Skipped(str(path), "no such file or folder")


def read_text(path: Path, max_mb: float) -> str:
    size = path.stat().st_size
    if size > max_mb * 1024 * 1024:
        raise UnreadableFile(f"file is {size / 1024 / 1024:.1f} MB, over the {max_mb:g} MB limit")
    data = path.read_bytes()
    if not data.strip():
        raise UnreadableFile("empty file")
    if b"\x00" in data[:8192]:
        raise UnreadableFile("binary file (contains NUL bytes)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise UnreadableFile(f"not UTF-8 text (invalid byte at offset {err.start})") from None


def read_file(path: Path, root: Path, max_mb: float) -> Iterator[Article | Skipped]:
    """Yield the articles in one file; a file that cannot be read at all yields one Skipped."""
    try:
        text = read_text(path, max_mb)
        suffix = path.suffix.lower()
        if suffix in SINGLE_SUFFIXES:
            article_id = path.relative_to(root).with_suffix("").as_posix()
            reader = {".txt": parse_txt, ".html": parse_html, ".htm": parse_html}.get(suffix, parse_markdown)
            yield reader(text, article_id, str(path.resolve()))
        else:
            rows = parse_json(text, path) if suffix in {".json", ".jsonl", ".ndjson"} else parse_csv(text, path)
            yield from rows_to_articles(rows, path)
    except UnreadableFile as err:
        yield Skipped(str(path), str(err), str(path))
    except OSError as err:
        yield Skipped(str(path), f"cannot read file: {err.strerror or err}", str(path))


def read_paths(paths: Iterable[str | Path], max_mb: float = 25.0) -> Iterator[Article | Skipped]:
    for item in iter_files(paths):
        if isinstance(item, Skipped):
            yield item
        else:
            yield from read_file(*item, max_mb=max_mb)


# --- single-article formats ---------------------------------------------------------------------


def parse_txt(text: str, article_id: str, origin: str) -> Article:
    lines = text.splitlines()
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None:
        raise UnreadableFile("empty file")
    return Article(id=article_id, title=lines[first].strip(), text="\n".join(lines[first + 1 :]), origin=origin)


_MD_FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*\n", re.S)
_MD_HEADING = re.compile(r"^#{1,6}\s+(.*?)\s*#*\s*$", re.M)
_MD_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_MD_EMPHASIS = re.compile(r"(\*\*|__|\*|_|`)(?=\S)(.+?)(?<=\S)\1")


def parse_markdown(text: str, article_id: str, origin: str) -> Article:
    meta: dict[str, str] = {}
    front = _MD_FRONT_MATTER.match(text)
    if front:
        for line in front.group(1).splitlines():
            key, sep, value = line.partition(":")
            if sep:
                meta[key.strip().lower()] = value.strip().strip("\"'")
        text = text[front.end() :]
    heading = _MD_HEADING.search(text)
    title = meta.get("title")
    if title is None and heading:
        title = heading.group(1)
        text = text[: heading.start()] + text[heading.end() :]
    body = _MD_EMPHASIS.sub(r"\2", _MD_LINK.sub(r"\1", _MD_HEADING.sub(r"\1", text)))
    if title is None:
        article = parse_txt(body, article_id, origin)
    else:
        article = Article(id=article_id, title=title.strip(), text=body, origin=origin)
    article.date = normalise_date(meta.get("date"))
    article.url = meta.get("url") or meta.get("link")
    article.source = meta.get("source") or source_from_url(article.url)
    return article


def parse_html(text: str, article_id: str, origin: str) -> Article:
    import trafilatura

    doc = trafilatura.bare_extraction(text, with_metadata=True, include_comments=False, favor_recall=True)
    if doc is None or not (doc.text or "").strip():
        raise UnreadableFile("no article text found in the HTML page")
    title = (doc.title or "").strip() or article_id
    return Article(
        id=article_id,
        title=title,
        text=doc.text,
        origin=origin,
        source=doc.sitename or source_from_url(doc.url),
        date=normalise_date(doc.date),
        url=doc.url,
    )


# --- exports of many articles -------------------------------------------------------------------


def parse_json(text: str, path: Path) -> Iterator[dict[str, Any] | Skipped]:
    stripped = text.lstrip()
    if path.suffix.lower() == ".json" and stripped[:1] in "[{":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as err:
            # A .json file may still be JSON Lines; fall through only if its first line parses on its own.
            first_line = stripped.splitlines()[0]
            try:
                json.loads(first_line)
            except json.JSONDecodeError:
                raise UnreadableFile(f"invalid JSON: {err.msg} at line {err.lineno}") from None
        else:
            if isinstance(data, dict):
                lists = [v for v in data.values() if isinstance(v, list) and v and isinstance(v[0], dict)]
                data = lists[0] if lists else [data]
            if not isinstance(data, list):
                raise UnreadableFile("JSON holds neither an article object nor a list of them")
            for n, row in enumerate(data, 1):
                yield row if isinstance(row, dict) else Skipped(f"{path}#{n}", "item is not a JSON object", str(path))
            return
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as err:
            yield Skipped(f"{path}:{n}", f"invalid JSON line: {err.msg}", str(path))
            continue
        yield row if isinstance(row, dict) else Skipped(f"{path}:{n}", "line is not a JSON object", str(path))


def parse_csv(text: str, path: Path) -> Iterator[dict[str, Any] | Skipped]:
    # News bodies routinely exceed csv's default 128 KB field limit.
    csv.field_size_limit(64 * 1024 * 1024)
    reader = csv.DictReader(io.StringIO(text, newline=""))
    if not reader.fieldnames:
        raise UnreadableFile("CSV has no header row")
    width = len(reader.fieldnames)
    try:
        for row in reader:
            if None in row or sum(v is None for v in row.values()) or len(row) != width:
                yield Skipped(f"{path}:{reader.line_num}", "truncated or malformed CSV row", str(path))
                continue
            yield row
    except csv.Error as err:
        yield Skipped(f"{path}:{reader.line_num}", f"CSV error: {err}", str(path))


def pick(row: dict[str, Any], key: str) -> str | None:
    lowered = {str(k).strip().lower(): v for k, v in row.items()}
    for name in COLUMNS[key]:
        value = lowered.get(name)
        if value is not None and str(value).strip():
            return str(value).strip()
    return None


def rows_to_articles(rows: Iterable[dict[str, Any] | Skipped], path: Path) -> Iterator[Article | Skipped]:
    origin = str(path.resolve())
    seen_any = False
    for n, row in enumerate(rows, 1):
        seen_any = True
        if isinstance(row, Skipped):
            yield row
            continue
        body = pick(row, "text")
        if body is None:
            yield Skipped(f"{path}#{n}", "row has no text/body/content column with a value", str(path))
            continue
        article_id = pick(row, "id") or f"{path.stem}#{n}"
        title = pick(row, "title") or body.strip().splitlines()[0][:120]
        subtitle = pick(row, "subtitle")
        url = pick(row, "url")
        yield Article(
            id=article_id,
            title=title,
            # The subtitle is the article's lead: it often holds the answer, so it belongs in the text.
            text=f"{subtitle}\n\n{body}" if subtitle and subtitle not in body else body,
            origin=origin,
            source=pick(row, "source") or source_from_url(url),
            date=normalise_date(pick(row, "date")),
            url=url,
        )
    if not seen_any:
        raise UnreadableFile("export holds no rows")


def source_from_url(url: str | None) -> str | None:
    if not url:
        return None
    host = urlparse(url if "//" in url else f"//{url}").hostname or ""
    return host.removeprefix("www.") or None


def normalise_date(value: str | None) -> str | None:
    """ISO date (YYYY-MM-DD) from the date formats news exports use; None when it cannot be read."""
    if not value:
        return None
    value = value.strip()
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).date().isoformat()
    except ValueError:
        pass
    for fmt in ("%Y-%m-%d %H:%M:%S", "%d/%m/%Y", "%m/%d/%Y", "%B %d, %Y", "%b %d, %Y", "%d %B %Y", "%Y/%m/%d"):
        try:
            return datetime.strptime(value, fmt).date().isoformat()
        except ValueError:
            continue
    match = re.search(r"\b(\d{4})-(\d{2})-(\d{2})\b", value)
    if match:
        try:
            return date(*map(int, match.groups())).isoformat()
        except ValueError:
            return None
    return None
