from pressroom.ingest.clean import clean_text, is_caption

from ..conftest import SAMPLE_DIR


def test_sample_article_loses_captions_and_related_list_but_keeps_every_paragraph() -> None:
    raw = (SAMPLE_DIR / "putin-syria-pullout.txt").read_text().split("\n", 1)[1]
    text = clean_text(raw)
    assert "file photo" not in text
    assert "Related" not in text and "Homs" not in text and "•" not in text
    assert text.startswith("Russian President Vladimir Putin announced a surprise move")
    assert text.endswith("an opposition spokesman said, according to Reuters.")
    assert text.count("\n\n") == 8  # nine paragraphs, separated by one blank line each


def test_repeated_lines_are_dropped_even_when_a_space_was_lost() -> None:
    text = clean_text("A long enough line that repeats itself here.\nA long enough line that repeats itselfhere.\nEnd.")
    assert text == "A long enough line that repeats itself here.\nEnd."


def test_whitespace_collapses_and_paragraphs_survive() -> None:
    assert clean_text("  One   two\t three.  \n\n\n\nFour\u00a0five.  ") == "One two three.\n\nFour five."


def test_captions_are_recognised_but_sentences_crediting_agencies_are_not() -> None:
    assert is_caption("Protesters gather in Cairo (Photo: AFP)")
    assert is_caption("Photo: the minister arrives")
    assert is_caption("Russian President Vladimir Putin (R) shakes hands with Assad Reuters")
    assert not is_caption("The minister told Reuters the talks would resume on Monday.")
    assert not is_caption("The talks resumed on Monday.")


def test_related_list_without_bullets_and_a_bulleted_tail_are_cut() -> None:
    body = "Real sentence one.\n\nReal sentence two.\n\nRead more:\nAnother story headline\nA second headline"
    assert clean_text(body) == "Real sentence one.\n\nReal sentence two."
    tail = "Real sentence.\n\n• Link one\n• Link two"
    assert clean_text(tail) == "Real sentence."
