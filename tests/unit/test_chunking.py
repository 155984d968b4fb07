import itertools

from pressroom.ingest.chunking import chunk_article, sentence_spans
from pressroom.ingest.clean import clean_text

from ..conftest import SAMPLE_DIR


def sentences(text: str) -> list[str]:
    return [text[s.start : s.end] for s in sentence_spans(text)]


def test_sentences_respect_abbreviations_initials_and_quotes() -> None:
    text = 'Mr. Smith met U.S. officials in Jan. 2017. "It went well." John F. Kennedy was not there! Was he?'
    assert sentences(text) == [
        "Mr. Smith met U.S. officials in Jan. 2017.",
        '"It went well."',
        "John F. Kennedy was not there!",
        "Was he?",
    ]


def test_paragraph_break_ends_a_sentence_without_punctuation() -> None:
    assert sentences("A headline without a stop\n\nThe body.") == ["A headline without a stop", "The body."]


def test_offsets_slice_back_to_chunk_text_and_chunks_cover_the_article() -> None:
    text = clean_text((SAMPLE_DIR / "putin-syria-pullout.txt").read_text().split("\n", 1)[1])
    chunks = chunk_article("a", text, target_chars=300, overlap_sentences=1)
    assert len(chunks) > 3
    for chunk in chunks:
        assert text[chunk.start : chunk.end] == chunk.text
    assert chunks[0].start == 0 and chunks[-1].end == len(text)
    for before, after in itertools.pairwise(chunks):
        assert not text[before.end : after.start].strip(), "no text falls between consecutive chunks"
        assert after.start > before.start


def test_chunk_ids_are_stable_and_change_with_content() -> None:
    first = chunk_article("art", "One sentence here. Another one there.", 20)
    again = chunk_article("art", "One sentence here. Another one there.", 20)
    edited = chunk_article("art", "One sentence here. A different one.", 20)
    assert [c.id for c in first] == [c.id for c in again]
    assert first[0].id == edited[0].id and first[1].id != edited[1].id
    assert all(c.id.startswith("art::") for c in first)


def test_a_sentence_longer_than_twice_the_target_is_split_at_whitespace() -> None:
    text = " ".join(["word"] * 400) + "."
    chunks = chunk_article("long", text, target_chars=200, overlap_sentences=1)
    assert all(len(c.text) <= 400 for c in chunks)
    assert all(text[c.start : c.end] == c.text for c in chunks)
    assert chunks[-1].end == len(text)


def test_empty_text_has_no_chunks() -> None:
    assert chunk_article("x", "", 100) == []
