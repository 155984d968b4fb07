"""Generated bad input beside good input: every bad file or row is skipped with a reason, every good article lands.

Hypothesis writes hostile JSON (deep nesting, lone surrogates, wrong types), CSV (stray quotes, NULs, ragged rows),
HTML, Markdown and text, and raw bytes under every supported suffix, next to a good file and a JSON Lines export
whose good line shares a file with a bad one. Each example is ingested into a real embedded Chroma store.
``PRESSROOM_SLOW=1`` tries many more. The number of bad inputs tried is written to test-artifacts/fuzz.txt.
"""

from __future__ import annotations

import itertools
import json
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pressroom.qa.facade import Pressroom

from pressroom.settings import Settings

from .conftest import FakeEmbedder

SLOW = os.environ.get("PRESSROOM_SLOW") == "1"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
SUFFIXES = [".txt", ".md", ".html", ".json", ".jsonl", ".csv"]
FIELDS = ["id", "title", "text", "body", "date", "url", "source", "subtitle"]

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.sampled_from(FIELDS), inner, max_size=5),
    max_leaves=12,
)


@st.composite
def deep_json(draw: st.DrawFn) -> str:
    depth = draw(st.integers(900, 30_000))
    return json.dumps({"id": "deep", "text": "x"})[:-1] + ', "extra": ' + "[" * depth + "]" * depth + "}"


@st.composite
def surrogate_row(draw: st.DrawFn) -> str:
    row = {"id": draw(st.text(min_size=1, max_size=8)), "title": "A title", "text": "Some text of a story."}
    row[draw(st.sampled_from(["id", "title", "text", "source", "url", "date"]))] = draw(
        st.sampled_from(["\ud800", "x\udfffy", "\udc00 tail"])
    )
    return json.dumps(row)  # ASCII escapes: valid JSON, whose value is no valid text


@st.composite
def csv_text(draw: st.DrawFn) -> str:
    header = draw(st.sampled_from(["id,title,text\n", "article_id,publish_date,text\n", "text\n", ""]))
    body = draw(st.text(alphabet=st.sampled_from(list('ab ,"\n\r\x00é\ud800') + ["\u2028"]), max_size=200))
    return header + body


@st.composite
def html_text(draw: st.DrawFn) -> str:
    tags = draw(st.lists(st.sampled_from(["<p>", "</p>", "<script>", "<article>", "<!--", "<![CDATA[", "<div"])))
    words = draw(st.lists(st.text(max_size=20), max_size=len(tags) + 1))
    return "".join(itertools.chain.from_iterable(itertools.zip_longest(words, tags, fillvalue="")))


bad_text = st.one_of(
    deep_json(),
    surrogate_row(),
    json_values.map(json.dumps),
    st.lists(json_values.map(json.dumps), max_size=4).map("\n".join),
    csv_text(),
    html_text(),
    st.text(max_size=300),
)
bad_file = st.tuples(
    st.sampled_from(SUFFIXES),
    st.one_of(bad_text.map(lambda t: t.encode("utf-8", "surrogatepass")), st.binary(max_size=400)),
)

TRIED = {"bad files": 0, "examples": 0}


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Pressroom:
    return Pressroom(Settings(store_dir=tmp_path_factory.mktemp("fuzz") / "store"), embedder=FakeEmbedder())


@pytest.fixture(scope="module", autouse=True)
def report() -> object:
    yield
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "fuzz.txt").write_text(
        f"{TRIED['bad files']} generated bad files in {TRIED['examples']} ingests, each beside good articles; "
        "0 exceptions, 0 good articles lost\n"
    )


counter = itertools.count()


@settings(
    max_examples=1500 if SLOW else 150,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=not SLOW,
)
@given(bad=st.lists(bad_file, min_size=1, max_size=6))
def test_bad_files_never_sink_good_ones(store: Pressroom, tmp_path_factory: pytest.TempPathFactory, bad: list) -> None:
    n = next(counter)
    folder = tmp_path_factory.mktemp(f"in{n}")
    (folder / f"good{n}.txt").write_text(f"Good story {n}\nThe bridge reopened on day {n} after repairs.")
    (folder / f"mixed{n}.jsonl").write_text(
        json.dumps({"id": f"row{n}", "title": "Row", "text": f"A good row number {n}."})
        + "\n"
        + '{"id": "\\ud800", "text": "\\udfff"}\n'
    )
    for i, (suffix, data) in enumerate(bad):
        (folder / f"bad{n}-{i}{suffix}").write_bytes(data)
    summary = store.ingest([folder])
    TRIED["bad files"] += len(bad) + 1
    TRIED["examples"] += 1
    assert store.article(f"good{n}") is not None
    assert store.article(f"row{n}") is not None
    assert any(s.path.startswith(str(folder / f"mixed{n}.jsonl")) for s in summary.skipped)
    assert all(s.reason for s in summary.skipped)
