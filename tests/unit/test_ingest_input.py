"""Named bad inputs of issue 13, each against a real embedded store: reported with its reason, nothing good lost."""

from __future__ import annotations

import json
import threading
from pathlib import Path

from pressroom.ingest.readers import Article, read_paths
from pressroom.qa.facade import Pressroom


def good_csv(path: Path, rows: int, start: int = 0) -> None:
    lines = ["id,title,text"] + [f"r{i},Title {i},Story number {i} about the harbour." for i in range(start, rows)]
    path.write_text("\n".join(lines) + "\n")


def test_prune_removes_gone_rows_of_a_csv_with_one_bad_row(fake_pressroom: Pressroom, tmp_path: Path) -> None:
    """Defect 3: one bad row no longer spares the whole file; it spares only the article it names."""
    export = tmp_path / "export.csv"
    good_csv(export, 12)
    assert fake_pressroom.ingest([export]).added == 12
    lines = export.read_text().splitlines()
    # Rows r6..r11 are gone; r3 is truncated (its id is still readable).
    export.write_text("\n".join([*lines[:4], "r3,Only a title", *lines[5:7]]) + "\n")
    summary = fake_pressroom.ingest([export], prune=True)
    assert summary.removed == 6
    assert [s.reason for s in summary.skipped] == ["truncated or malformed CSV row"]
    assert fake_pressroom.article("r3") is not None  # kept: its row is there, only unreadable now
    assert fake_pressroom.article("r6") is None


def test_deep_json_and_lone_surrogates_skip_only_their_record(fake_pressroom: Pressroom, tmp_path: Path) -> None:
    """Defect 4: RecursionError and UnicodeEncodeError were raised out of the run and nothing landed."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "deep.json").write_text('{"id": "d", "text": ' + "[" * 100_000 + "]" * 100_000 + "}")
    (folder / "rows.jsonl").write_text(
        '{"id": "ok1", "title": "Fine", "text": "A fine story."}\n'
        '{"id": "bad\\ud800", "title": "T", "text": "text"}\n'
        '{"id": "deep", "text": ' + "[" * 5000 + "]" * 5000 + "}\n"
        '{"id": "sur", "title": "T", "text": "bad \\udfff text"}\n'
        '{"id": "ok2", "title": "Fine", "text": "Another fine story."}\n'
    )
    (folder / "good.txt").write_text("Good\nThe good file beside them.")
    summary = fake_pressroom.ingest([folder])
    assert (summary.added, fake_pressroom.article("ok2") is not None) == (3, True)
    reasons = {s.path.split("/")[-1]: s.reason for s in summary.skipped}
    assert reasons["deep.json"] == "nested too deeply to read"
    assert reasons["rows.jsonl:2 ('bad\\ud800')"] == "its id holds a lone surrogate ('\\ud800'), not text"
    assert reasons["rows.jsonl:3"] == "JSON line nested too deeply"
    assert reasons["rows.jsonl:4 ('sur')"].startswith("its text holds a lone surrogate")


def test_encodings_are_decoded_and_reported(fake_pressroom: Pressroom, tmp_path: Path) -> None:
    """Defect 10: UTF-16 with a BOM was called binary; cp1252/Latin-1 exports were rejected."""
    tmp_path = tmp_path / "in"
    tmp_path.mkdir()
    (tmp_path / "utf16.txt").write_bytes("Ukraine talks\nDelegates met in Minsk.".encode("utf-16"))
    (tmp_path / "western.csv").write_bytes(
        "id,title,text\nw1,Café reopens,The café’s owner said “naïve” plans failed – twice.\n".encode("cp1252")
    )
    (tmp_path / "latin1.txt").write_bytes("Zürich vote\nVoters in Zürich approved the plan.".encode("latin-1"))
    summary = fake_pressroom.ingest([tmp_path])
    assert (summary.added, summary.skipped) == (3, [])
    assert fake_pressroom.article("w1").text == "The café’s owner said “naïve” plans failed – twice."
    assert fake_pressroom.article("utf16").title == "Ukraine talks"
    assert fake_pressroom.article("latin1").title == "Zürich vote"
    assert {Path(f).name: e for f, e in summary.decoded.items()} == {
        "utf16.txt": "utf-16",
        "western.csv": "cp1252",
        "latin1.txt": "cp1252",
    }


def test_unclosed_quote_in_last_row_and_late_nul_are_reported(tmp_path: Path) -> None:
    """Defect 10: an unclosed quote swallowed the rest of the file silently; a NUL after 8 KB was stored."""
    (tmp_path / "cut.csv").write_text('id,title,text\n1,T,"Body one."\n2,U,"cut off here\nand more\n')
    padding = "x" * 9000
    (tmp_path / "nul.csv").write_text(f'id,title,text\n3,T,"{padding}"\n4,U,"has a \x00 byte"\n5,V,fine\n')
    items = list(read_paths([tmp_path]))
    articles = [i.id for i in items if isinstance(i, Article)]
    assert "2" not in articles and "1" in articles
    reasons = {i.path.split("/")[-1]: i.reason for i in items if not isinstance(i, Article)}
    assert reasons == {"cut.csv:3": "truncated CSV row (a quote is never closed)"}


def test_nul_record_is_skipped_rest_lands(fake_pressroom: Pressroom, tmp_path: Path) -> None:
    padding = "x" * 9000
    (tmp_path / "nul.csv").write_text(f'id,title,text\nn3,T,"{padding}"\nn4,U,"has a \x00 byte"\nn5,V,fine\n')
    summary = fake_pressroom.ingest([tmp_path / "nul.csv"])
    assert summary.added == 2 and fake_pressroom.article("n4") is None
    [skipped] = summary.skipped
    assert skipped.path.endswith("nul.csv:3 ('n4')") and skipped.reason == "its text holds a NUL byte (binary data)"


def test_records_are_bounded_and_a_cancel_stops_between_batches(fake_pressroom: Pressroom, tmp_path: Path) -> None:
    """Defect 10: an upload had no row limit; now it stops reading at max_records and can be cancelled."""
    good_csv(tmp_path / "big.csv", 50)
    summary = fake_pressroom.ingest([tmp_path / "big.csv"], max_records=20)
    assert summary.added == 20 and summary.skipped[-1].reason == "more than 20 records; the rest were not read"
    cancel = threading.Event()
    cancel.set()
    cancelled = fake_pressroom.ingest([tmp_path / "big.csv"], cancel=cancel)
    assert cancelled.cancelled and cancelled.added == 0
    assert json.loads(cancelled.to_json())["cancelled"] is True
