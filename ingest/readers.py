"""Turn files on disk into raw articles, reporting every file or row that cannot be read.

A single-article file (.txt, .md, .html) yields one article whose id is its path relative to the folder named on
the command line, without extension. An export (.json, .jsonl, .csv) yields one article per row, whose id is the
row's ``id``/``article_id``.
"""

from __future__ import annotations

import codecs
import contextlib
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
    # Where in its file the article was read ("file:line" for an export's row), so a record skipped later in the
    # pipeline is reported at its line.
    location: str = ""
    encoding: str = "utf-8"


@dataclass
class Skipped:
    path: str
    reason: str
    # The file an unreadable row or file belongs to; None when there is no file (a missing path).
    file: str | None = None
    # For a bad row of an export (not the whole file): the article id the row names, when it can be read, so that
    # prune spares that article and only it.
    row: bool = False
    article_id: str | None = None


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


_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF8, "utf-8-sig"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))  # fmt: skip


def read_text(path: Path, max_mb: float) -> tuple[str, str]:
    """The file's text and the encoding it was read in: UTF-8, a BOM's, or charset-normalizer's best guess."""
    size = path.stat().st_size
    if size > max_mb * 1024 * 1024:
        raise UnreadableFile(f"file is {size / 1024 / 1024:.1f} MB, over the {max_mb:g} MB limit")
    data = path.read_bytes()
    bom = next((encoding for mark, encoding in _BOMS if data.startswith(mark)), None)
    if bom:
        try:
            text = data.decode(bom)
        except UnicodeDecodeError as err:
            raise UnreadableFile(f"not {bom} text despite its byte order mark (bad byte at {err.start})") from None
        if not text.strip():
            raise UnreadableFile("empty file")
        return text, bom.removesuffix("-sig")
    if not data.strip():
        raise UnreadableFile("empty file")
    if b"\x00" in data[:8192]:
        raise UnreadableFile("binary file (contains NUL bytes)")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes
    from charset_normalizer.utils import is_multi_byte_encoding

    best = from_bytes(data).best()
    if best is None:
        raise UnreadableFile("not text in any encoding charset-normalizer knows")
    if not is_multi_byte_encoding(best.encoding):
        # On short Western text charset-normalizer picks among single-byte code pages almost at random ("Zürich"
        # came out as cp775's "Z³rich"); news exports in one of them are far more often Windows-1252.
        with contextlib.suppress(UnicodeDecodeError):
            return data.decode("cp1252"), "cp1252"
    return str(best), best.encoding


def read_file(path: Path, root: Path, max_mb: float) -> Iterator[Article | Skipped]:
    """Yield the articles in one file; a file that cannot be read at all yields one Skipped."""
    try:
        text, encoding = read_text(path, max_mb)
        suffix = path.suffix.lower()
        if suffix in SINGLE_SUFFIXES:
            article_id = path.relative_to(root).with_suffix("").as_posix()
            reader = {".txt": parse_txt, ".html": parse_html, ".htm": parse_html}.get(suffix, parse_markdown)
            article = reader(text, article_id, str(path.resolve()))
            article.location, article.encoding = str(path), encoding
            yield article
        else:
            rows = parse_json(text, path) if suffix in {".json", ".jsonl", ".ndjson"} else parse_csv(text, path)
            for item in rows_to_articles(rows, path):
                if isinstance(item, Article):
                    item.encoding = encoding
                yield item
    except UnreadableFile as err:
        yield Skipped(str(path), str(err), str(path))
    except OSError as err:
        yield Skipped(str(path), f"cannot read file: {err.strerror or err}", str(path))
    except RecursionError:
        yield Skipped(str(path), "nested too deeply to read", str(path))
    except Exception as err:  # a parser's own failure on hostile input (trafilatura, lxml, csv): this file only
        yield Skipped(str(path), f"cannot read file: {type(err).__name__}: {err}", str(path))


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
    # A heading is a paragraph of its own: glued to the next line, it ran into the story's first sentence and was
    # quoted with it in answers.
    body = _MD_EMPHASIS.sub(r"\2", _MD_LINK.sub(r"\1", _MD_HEADING.sub(r"\1\n", text)))
    if title is None:
        article = parse_txt(body, article_id, origin)
    else:
        article = Article(id=article_id, title=title.strip(), text=body, origin=origin)
    article.date = normalise_date(meta.get("date"))
    article.url = meta.get("url") or meta.get("link")
    article.source = meta.get("source") or source_from_url(article.url)
    return article


LATEST_DATE = "2099-12-31"


def parse_html(text: str, article_id: str, origin: str) -> Article:
    import trafilatura

    # htmldate drops any date after today, and with it a page's own "article:published_time" when an archive (or a
    # made-up test corpus) is dated later than the machine's clock.
    doc = trafilatura.bare_extraction(
        text,
        with_metadata=True,
        include_comments=False,
        favor_recall=True,
        date_extraction_params={"max_date": LATEST_DATE},
    )
    if doc is None or not (doc.text or "").strip():
        raise UnreadableFile("no article text found in the HTML page")
    title = (doc.title or "").strip() or article_id
    # trafilatura puts each block (heading, paragraph, list item) on a line of its own; a blank line between them
    # makes each end its sentences, so the headline does not run into the story's first sentence.
    blocks = (line.strip() for line in doc.text.splitlines())
    return Article(
        id=article_id,
        title=title,
        text="\n\n".join(block for block in blocks if block),
        origin=origin,
        source=doc.sitename or source_from_url(doc.url),
        date=normalise_date(doc.date),
        url=doc.url,
    )


# --- exports of many articles -------------------------------------------------------------------


Row = tuple[str, dict[str, Any]]  # (where the row was read, "file:line" or "file#item"; its fields)


def bad_row(where: str, reason: str, path: Path, row: dict[str, Any] | None = None) -> Skipped:
    """A row that cannot become an article, naming the article id it carries when one can be read."""
    article_id = None
    if row is not None:
        with contextlib.suppress(Exception):  # the row is bad already: an unreadable id just goes unnamed
            article_id = pick(row, "id")
    return Skipped(where, reason, str(path), row=True, article_id=article_id)


def parse_json(text: str, path: Path) -> Iterator[Row | Skipped]:
    stripped = text.lstrip()
    if path.suffix.lower() == ".json" and stripped[:1] in "[{":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as err:
            # A .json file may still be JSON Lines; fall through only if its first line parses on its own.
            first_line = stripped.splitlines()[0]
            try:
                json.loads(first_line)
            except (json.JSONDecodeError, RecursionError):
                raise UnreadableFile(f"invalid JSON: {err.msg}: line {err.lineno}, column {err.colno}") from None
        else:
            if isinstance(data, dict):
                lists = [v for v in data.values() if isinstance(v, list) and v and isinstance(v[0], dict)]
                data = lists[0] if lists else [data]
            if not isinstance(data, list):
                raise UnreadableFile("JSON holds neither an article object nor a list of them")
            for n, row in enumerate(data, 1):
                where = f"{path}#{n}"
                yield (where, row) if isinstance(row, dict) else bad_row(where, "item is not a JSON object", path)
            return
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        where = f"{path}:{n}"
        try:
            row = json.loads(line)
        except json.JSONDecodeError as err:
            yield bad_row(where, f"invalid JSON line: {err.msg}: column {err.colno}", path)
            continue
        except RecursionError:
            yield bad_row(where, "JSON line nested too deeply", path)
            continue
        yield (where, row) if isinstance(row, dict) else bad_row(where, "line is not a JSON object", path)


def parse_csv(text: str, path: Path) -> Iterator[Row | Skipped]:
    # News bodies routinely exceed csv's default 128 KB field limit.
    csv.field_size_limit(64 * 1024 * 1024)
    reader = csv.DictReader(io.StringIO(text, newline=""))
    if not reader.fieldnames:
        raise UnreadableFile("CSV has no header row")
    width = len(reader.fieldnames)
    lines = io.StringIO(text, newline="").readlines()
    lines_before = reader.line_num
    try:
        for row in reader:
            where = f"{path}:{lines_before + 1}"
            if None in row or sum(v is None for v in row.values()) or len(row) != width:
                yield bad_row(where, "truncated or malformed CSV row", path, row)
            elif reader.line_num == len(lines) and _unclosed_quote(lines[lines_before:]):
                # The lenient reader runs an unclosed quote to the end of the file: the last row was cut off.
                yield bad_row(where, "truncated CSV row (a quote is never closed)", path, row)
            else:
                yield where, row
            lines_before = reader.line_num
    except csv.Error as err:
        yield bad_row(f"{path}:{reader.line_num}", f"CSV error: {err}", path)


def _unclosed_quote(row_lines: list[str]) -> bool:
    try:
        for _ in csv.reader(io.StringIO("".join(row_lines), newline=""), strict=True):
            pass
    except csv.Error:
        return True
    return False


def pick(row: dict[str, Any], key: str) -> str | None:
    lowered = {str(k).strip().lower(): v for k, v in row.items()}
    for name in COLUMNS[key]:
        value = lowered.get(name)
        if value is not None and str(value).strip():
            return str(value).strip()
    return None


def rows_to_articles(rows: Iterable[Row | Skipped], path: Path) -> Iterator[Article | Skipped]:
    """One article per row; a row that cannot become one is reported at its line, and the rest go on."""
    origin = str(path.resolve())
    seen_any = False
    for n, item in enumerate(rows, 1):
        seen_any = True
        if isinstance(item, Skipped):
            yield item
            continue
        where, row = item
        try:
            yield row_to_article(row, where, f"{path.stem}#{n}", origin)
        except UnreadableFile as err:
            yield bad_row(where, str(err), path, row)
        except Exception as err:  # hostile field values (nesting, odd types): this row only
            yield bad_row(where, f"cannot read row: {type(err).__name__}: {err}", path, row)
    if not seen_any:
        raise UnreadableFile("export holds no rows")


def row_to_article(row: dict[str, Any], where: str, fallback_id: str, origin: str) -> Article:
    body = pick(row, "text")
    if body is None:
        raise UnreadableFile("row has no text/body/content column with a value")
    title = pick(row, "title") or body.strip().splitlines()[0][:120]
    subtitle = pick(row, "subtitle")
    url = pick(row, "url")
    return Article(
        id=pick(row, "id") or fallback_id,
        title=title,
        # The subtitle is the article's lead: it often holds the answer, so it belongs in the text.
        text=f"{subtitle}\n\n{body}" if subtitle and subtitle not in body else body,
        origin=origin,
        location=where,
        source=pick(row, "source") or source_from_url(url),
        date=normalise_date(pick(row, "date")),
        url=url,
    )


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
