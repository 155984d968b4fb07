"""How an answer and a summary read: balanced quotation marks, snippets cut at words, one quote per cited sentence,
counts in words."""

from pressroom.qa.answer import balanced
from pressroom.qa.render import answer_body, quoted_elsewhere, snippet
from pressroom.qa.types import Answer, Citation


def test_a_sentence_that_starts_or_ends_inside_a_quotation_gets_its_marks_back() -> None:
    assert balanced("it was fine,” the minister said.") == "“it was fine,” the minister said."
    assert balanced("The minister said: “it was fine.") == "The minister said: “it was fine.”"
    assert balanced('it was fine," he said.') == '"it was fine," he said.'
    assert balanced('He said "it was fine.') == 'He said "it was fine."'
    assert balanced('He said "it was fine."') == 'He said "it was fine."'


def test_snippets_cut_at_a_word_and_keep_one_line() -> None:
    text = "The bridge was closed on Tuesday.\n\nEngineers found corrosion in the cables that hold the deck."
    cut = snippet(text, 60)
    assert "\n" not in cut and cut.endswith("…") and len(cut) <= 61
    assert text.replace("\n\n", " ").startswith(cut[:-1]) and not cut[:-1].endswith(" ")
    assert snippet("short text", 60) == "short text"


def test_the_cited_sentence_is_quoted_once() -> None:
    quote = "The regional planning board has approved the mine."
    citation = Citation(n=1, article_id="a", title="T", chunk_id="a::0", start=0, end=len(quote), quote=quote)
    answer = Answer(f"the regional planning board: {quote} [1]", False, [citation], short="the regional planning board")
    assert answer_body(answer) == f"{quote} [1]"
    assert quoted_elsewhere(citation, answer)
    paraphrase = Answer("The board said yes [1].", False, [citation])
    assert not quoted_elsewhere(citation, paraphrase) and answer_body(paraphrase) == paraphrase.text


def test_the_ingest_summary_counts_in_words() -> None:
    from pressroom.ingest.pipeline import Summary
    from pressroom.qa.render import ingest_summary

    assert "; 1 chunk written in 0.5 s" in ingest_summary(Summary(added=1, chunks_written=1, seconds=0.5))
    assert "; 23 chunks written in" in ingest_summary(Summary(added=6, chunks_written=23, seconds=0.8))


def test_the_ingest_rate_leaves_out_loading_the_model() -> None:
    """A new user's first ingest read "2 chunks written in 13.7 s (0.1 chunks/s)": 12.9 s of it converted the model."""
    from pressroom.ingest.pipeline import Summary
    from pressroom.qa.render import ingest_summary

    cold = ingest_summary(Summary(added=1, chunks_written=2, seconds=13.7, model_seconds=12.9))
    assert (
        "2 chunks written in 13.7 s: 12.9 s loading the embedding model (a first run converts it), then 2.5 chunks/s"
        in cold
    )
    assert "loading" not in ingest_summary(Summary(added=1, chunks_written=2, seconds=0.9, model_seconds=0.3))
