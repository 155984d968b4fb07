import json
from pathlib import Path

from pressroom.ingest.readers import Article, Skipped, normalise_date, read_paths, source_from_url

from ..conftest import SAMPLE_DIR


def read(*paths: Path | str, max_mb: float = 25.0) -> tuple[list[Article], list[Skipped]]:
    items = list(read_paths(paths, max_mb))
    return [i for i in items if isinstance(i, Article)], [i for i in items if isinstance(i, Skipped)]


def test_txt_title_is_first_line_and_id_is_relative_path(tmp_path: Path) -> None:
    articles, skipped = read(SAMPLE_DIR)
    assert not skipped
    [article] = articles
    assert article.id == "putin-syria-pullout"
    assert article.title == "Putin baffles allies and foes by surprise pullout of troops from Syria"
    nested = tmp_path / "world" / "europe"
    nested.mkdir(parents=True)
    (nested / "story.txt").write_text("\n\nTitle here\nBody.")
    [nested_article], _ = read(tmp_path)
    assert nested_article.id == "world/europe/story" and nested_article.title == "Title here"


def test_markdown_front_matter_heading_and_links(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text(
        "---\ntitle: From front matter\ndate: 2017-03-02\nurl: https://www.bbc.co.uk/news/1\n---\n"
        "# Heading\n\nSee [the report](http://x.org) for **bold** detail."
    )
    [article], _ = read(tmp_path / "a.md")
    assert article.title == "From front matter"
    assert article.date == "2017-03-02" and article.source == "bbc.co.uk"
    assert "See the report for bold detail." in article.text


def test_a_heading_is_its_own_sentence(tmp_path: Path) -> None:
    """A headline kept in the body must not run into the first sentence (answers quoted it with that sentence)."""
    from pressroom.ingest.chunking import sentence_spans

    (tmp_path / "a.md").write_text("---\ntitle: Bakery owner jailed\n---\n# Bakery owner jailed\nA baker was jailed.")
    (tmp_path / "p.html").write_text(
        "<html><head><title>Bakery owner jailed</title></head><body><article><h1>Bakery owner jailed</h1>"
        + "".join(f"<p>Paragraph {i} of the story about the baker and the court.</p>" for i in range(6))
        + "</article></body></html>"
    )
    for name in ("a.md", "p.html"):
        [article], _ = read(tmp_path / name)
        first = sentence_spans(article.text)[0]
        assert article.text[first.start : first.end] == "Bakery owner jailed", name


def test_html_main_text_title_and_date(tmp_path: Path) -> None:
    body = "".join(f"<p>Paragraph {i} of the story about the port of Tartus and its future.</p>" for i in range(8))
    (tmp_path / "p.html").write_text(
        "<html><head><title>Port story - Site</title><meta property='og:title' content='Port story'>"
        "<meta name='date' content='2017-03-05'></head><body><nav>Home | World</nav>"
        f"<article>{body}</article><footer>Copyright</footer></body></html>"
    )
    [article], skipped = read(tmp_path / "p.html")
    assert not skipped
    assert article.title == "Port story" and article.date == "2017-03-05"
    assert "Paragraph 7 of the story" in article.text and "Copyright" not in article.text


def test_an_html_page_keeps_the_date_its_metadata_gives_even_a_late_one(tmp_path: Path) -> None:
    """trafilatura drops dates after today by default; an archive (or a test corpus) may hold pages dated later."""
    body = "".join(f"<p>Paragraph {i} of the story about the oat plant and its jobs.</p>" for i in range(8))
    (tmp_path / "p.html").write_text(
        "<html><head><title>Oat plant</title><meta property='article:published_time' content='2032-02-09T08:30:00Z'>"
        f"</head><body><article>{body}</article></body></html>"
    )
    [article], _ = read(tmp_path / "p.html")
    assert article.date == "2032-02-09"


def test_csv_columns_are_detected_like_newsarticles(tmp_path: Path) -> None:
    (tmp_path / "n.csv").write_text(
        "article_id,publish_date,article_source_link,title,subtitle,text\n"
        '7,2017/3/15,http://www.bbc.co.uk/news/x,A title,The lead,"Body, with comma."\n'
    )
    [article], skipped = read(tmp_path / "n.csv")
    assert not skipped
    assert (article.id, article.date, article.source, article.title) == ("7", "2017-03-15", "bbc.co.uk", "A title")
    assert article.text == "The lead\n\nBody, with comma."


def test_json_list_object_and_jsonl_with_a_bad_line(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text(json.dumps({"articles": [{"id": "j1", "headline": "H", "body": "B."}]}))
    (tmp_path / "b.jsonl").write_text('{"id": "l1", "title": "T", "content": "C."}\n{"id": "l2", "tit\n[1]\n')
    articles, skipped = read(tmp_path)
    assert sorted(a.id for a in articles) == ["j1", "l1"]
    assert sorted(s.reason for s in skipped) == [
        "invalid JSON line: Unterminated string starting at: column 14",
        "line is not a JSON object",
    ]


def test_bad_inputs_are_reported_with_reasons(tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_text("")
    (tmp_path / "binary.txt").write_bytes(b"\x00\x01\x02 binary")
    (tmp_path / "broken.json").write_text('[{"id": "x", "text": "trunc')
    (tmp_path / "short.csv").write_text("id,title,text\n1,T,Body.\n2,Only two\n")
    (tmp_path / "big.txt").write_text("x" * 2_000_000)
    (tmp_path / "notes.pdf").write_bytes(b"%PDF")
    articles, skipped = read(tmp_path, tmp_path / "missing.txt", max_mb=1)
    assert [a.id for a in articles] == ["1"]
    reasons = {Path(s.path.split(":")[0].split("#")[0]).name: s.reason for s in skipped}
    assert reasons["empty.txt"] == "empty file"
    assert reasons["binary.txt"].startswith("binary file")
    assert reasons["broken.json"].startswith("invalid JSON")
    assert reasons["short.csv"] == "truncated or malformed CSV row"
    assert "over the 1 MB limit" in reasons["big.txt"]
    assert reasons["notes.pdf"].startswith("unsupported file type")
    assert reasons["missing.txt"] == "no such file or folder"


def test_dates_and_sources() -> None:
    assert normalise_date("2017/3/5") == "2017-03-05"
    assert normalise_date("2017-03-05T10:00:00Z") == "2017-03-05"
    assert normalise_date("March 5, 2017") == "2017-03-05"
    assert normalise_date("sometime") is None
    assert source_from_url("http://www.aljazeera.com/news/x") == "aljazeera.com"
    assert source_from_url(None) is None
