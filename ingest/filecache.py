"""What an earlier ingest read from each file: a stat cache, so a re-ingest with nothing changed does not read, clean
and hash every file again (12-17 s at 100k chunks, most of a no-op re-ingest).

An entry maps a file (and the root its article ids are relative to) with its stat (size, mtime_ns, ctime_ns,
inode) to the (article id, content hash) pairs it produced. Entries live under a key naming everything else that
decides those pairs: the pipeline version, the index settings and size limits, the source of the readers and the
cleaner, and the store's change log id (a reset store, or another server at the same address, starts with no
entries). A hit is never trusted on its own: the ingest checks that the store still holds every one of the file's
articles with that hash, so an article deleted or rebuilt since is read again. Each entry carries when it was last
known to match the store (``checked``, microseconds); every write to the store is announced in its change log first,
so only the articles the log names since then need reading back (reading back every record's hash was 1.1 s of a
no-op re-ingest of NewsArticles under load, and grows with the collection).

Only files read whole and stored without a skipped row or article are cached (their reports must repeat), and not
while their stat is younger than RACY_NS: a same-size edit within the file system's timestamp tick after the read
would leave the stat unchanged (git's "racily clean" files). The cache is advisory: any error reading or writing
it means a cache miss, never a failed ingest.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sqlite3
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# Bump when the entries' layout changes: older entries no longer match the key.
FORMAT = 2
# A file whose mtime or ctime is this close to the moment it was looked at is not cached: a timestamp tick (coarse on
# some file systems: 2 s on FAT) could hide an edit made just after the read.
RACY_NS = 2_000_000_000
# How long a writer waits for another process's cache transaction before giving up on caching this run.
LOCK_TIMEOUT_S = 10.0

TABLE = f"files_v{FORMAT}"
Stat = tuple[int, int, int, int]  # size, mtime_ns, ctime_ns, inode


def stat_of(path: Path) -> Stat | None:
    """The file's stat as the cache compares it, or None when it is too fresh to trust (or gone)."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    if time.time_ns() - max(st.st_mtime_ns, st.st_ctime_ns) < RACY_NS:
        return None
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)


@dataclass
class Entry:
    articles: list[tuple[str, str]]  # (article id, content hash) in the order the file holds them
    origin: str  # the file's resolved path, as its articles record it
    encoding: str  # what the file was decoded as (reported again when not UTF-8)
    skipped: list[dict[str, Any]] = field(default_factory=list)  # its bad rows (Skipped fields), reported again
    checked: int = 0  # when the store was last known to hold these articles (writer's clock, microseconds)


class FileCache:
    """Entries of one store and one key, read in one query and written in one transaction."""

    def __init__(self, path: Path, key: list[Any]) -> None:
        self.path = path
        self.key = hashlib.sha1(json.dumps([FORMAT, *key]).encode()).hexdigest()
        self._entries: dict[tuple[str, str], tuple[Stat, Entry]] | None = None

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.path, timeout=LOCK_TIMEOUT_S)
        db.execute(
            f"CREATE TABLE IF NOT EXISTS {TABLE} (path TEXT, root TEXT, key TEXT, stat TEXT, entry TEXT, "
            "checked INTEGER, PRIMARY KEY (path, root))"
        )
        return db

    def _load(self) -> dict[tuple[str, str], tuple[Stat, Entry]]:
        if self._entries is None:
            self._entries = {}
            errors = (sqlite3.Error, OSError, ValueError, TypeError, KeyError)  # unreadable: every file is a miss
            with contextlib.suppress(*errors), contextlib.closing(self._connect()) as db:
                rows = db.execute(f"SELECT path, root, stat, entry, checked FROM {TABLE} WHERE key = ?", (self.key,))
                for path, root, stat, entry, checked in rows:
                    raw = json.loads(entry)
                    articles = [(str(a), str(h)) for a, h in raw["articles"]]
                    self._entries[(path, root)] = (
                        tuple(json.loads(stat)),
                        Entry(articles, str(raw["origin"]), str(raw["encoding"]), list(raw["skipped"]), int(checked)),
                    )
        return self._entries

    def lookup(self, path: Path, root: Path, stat: Stat | None) -> Entry | None:
        """The file's entry if it was cached with exactly this stat."""
        if stat is None:
            return None
        found = self._load().get((str(path), str(root)))
        return found[1] if found is not None and found[0] == stat else None

    def record(self, entries: list[tuple[Path, Path, Stat, Entry]], checked: list[tuple[Path, Path]], at: int) -> None:
        """Store entries for files just read and stored, and mark the ``checked`` hits as matching the store at
        ``at``; entries of other keys (older settings) are dropped."""
        if not entries and not checked:
            return
        with contextlib.suppress(sqlite3.Error, OSError), contextlib.closing(self._connect()) as db, db:
            db.execute(f"DELETE FROM {TABLE} WHERE key != ?", (self.key,))
            rows = []
            for p, r, stat, entry in entries:
                fields = {k: v for k, v in entry.__dict__.items() if k != "checked"}
                rows.append((str(p), str(r), self.key, json.dumps(stat), json.dumps(fields), at))
            db.executemany(f"INSERT OR REPLACE INTO {TABLE} VALUES (?, ?, ?, ?, ?, ?)", rows)
            db.executemany(
                f"UPDATE {TABLE} SET checked = ? WHERE path = ? AND root = ? AND key = ?",
                [(at, str(p), str(r), self.key) for p, r in checked],
            )
        self._entries = None

    def forget(self, files: list[tuple[Path, Path]]) -> None:
        """Drop the entries of files whose articles the store no longer holds as cached."""
        if not files:
            return
        with contextlib.suppress(sqlite3.Error, OSError), contextlib.closing(self._connect()) as db, db:
            db.executemany(f"DELETE FROM {TABLE} WHERE path = ? AND root = ?", [(str(p), str(r)) for p, r in files])
        self._entries = None
