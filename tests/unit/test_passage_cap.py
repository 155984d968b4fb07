"""How many passages one article may hand the answerer."""

from pressroom.qa.retrieve import cap_per_article
from pressroom.qa.types import Passage


def passage(article: str, n: int, score: float) -> Passage:
    # Chunk n starts at offset 10 n: chunk 0 is the article's lead.
    return Passage(chunk_id=f"{article}{n}", article_id=article, title="t", text="...", start=10 * n, end=10 * n + 3,
                   score=score)  # fmt: skip


def test_two_passages_an_article_while_other_articles_compete() -> None:
    ranked = [passage("a", 0, 0.62), passage("a", 1, 0.60), passage("a", 2, 0.58), passage("b", 0, 0.51)]
    assert [p.chunk_id for p in cap_per_article(ranked, 2)] == ["a0", "a1", "b0"]


def test_an_article_no_other_comes_near_keeps_its_further_passages() -> None:
    """A small store: the library story's lead is its third chunk, the other stories score a tenth as much."""
    ranked = [passage("lib", 0, 0.68), passage("lib", 1, 0.64), passage("lib", 2, 0.60), passage("ferry", 0, 0.08)]
    assert [p.chunk_id for p in cap_per_article(ranked, 2)] == ["lib0", "lib1", "lib2", "ferry0"]


def test_a_leading_article_keeps_its_lead_when_its_chunks_score_alike() -> None:
    """ "What share of Northshore faculty backed the strike?": the lead ("voted 87 per cent in favour") ranked fourth of
    five chunks scoring 0.63-0.78, and the cap of two left it out; a lead far below its article's best stays out."""
    ranked = [passage("a", 2, 0.78), passage("a", 4, 0.73), passage("a", 0, 0.72), passage("b", 2, 0.61),
              passage("b", 0, 0.40), passage("c", 0, 0.33)]  # fmt: skip
    assert [p.chunk_id for p in cap_per_article(ranked, 2)] == ["a2", "a4", "a0", "b2", "b0", "c0"]
    far = [passage("a", 2, 0.78), passage("a", 4, 0.73), passage("a", 0, 0.50), passage("b", 2, 0.61)]
    assert [p.chunk_id for p in cap_per_article(far, 2)] == ["a2", "a4", "b2"]
