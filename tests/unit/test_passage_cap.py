"""How many passages one article may hand the answerer."""

from pressroom.qa.retrieve import cap_per_article
from pressroom.qa.types import Passage


def passage(article: str, n: int, score: float) -> Passage:
    return Passage(chunk_id=f"{article}{n}", article_id=article, title="t", text="...", start=0, end=3, score=score)


def test_two_passages_an_article_while_other_articles_compete() -> None:
    ranked = [passage("a", 0, 0.62), passage("a", 1, 0.60), passage("a", 2, 0.58), passage("b", 0, 0.51)]
    assert [p.chunk_id for p in cap_per_article(ranked, 2)] == ["a0", "a1", "b0"]


def test_an_article_no_other_comes_near_keeps_its_further_passages() -> None:
    """A small store: the library story's lead is its third chunk, the other stories score a tenth as much."""
    ranked = [passage("lib", 0, 0.68), passage("lib", 1, 0.64), passage("lib", 2, 0.60), passage("ferry", 0, 0.08)]
    assert [p.chunk_id for p in cap_per_article(ranked, 2)] == ["lib0", "lib1", "lib2", "ferry0"]
