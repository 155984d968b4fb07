"""Kill -9 at the store's writes, then repair: the store must come back to exactly what the files say.

Every ingest here runs in a real child process that SIGKILLs itself just before a chosen write (see crash_driver).
The state machine draws add/edit/delete/re-ingest/check steps and crash points at random; ``PRESSROOM_SLOW=1`` runs
many more examples. The kills made and the distinct crash points hit are written to
test-artifacts/crash-points.txt.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule
from pressroom.ingest.chunking import chunk_article

from pressroom.settings import Settings

from .crash_driver import Job, State, expected_state, pressroom_for, read_state, run

SLOW = os.environ.get("PRESSROOM_SLOW") == "1"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
SENTENCES = [
    "The council approved the new budget on Monday.",
    "Inspectors found corroded cables on the Kingsport bridge.",
    "Campaigners said they would seek a judicial review.",
    "The mine will employ 340 people over ten years.",
    "Police closed the road after the crash.",
    "The minister resigned after the vote.",
    "Prices rose by 4.99% in the third quarter.",
    "Officials expect the work to finish next spring.",
]
# Writes a run makes: upserts of records and chunks, deletes of stale chunks, a delete's mark, chunks and record,
# and the lexical index's save. A draw above a run's count lets it finish.
MAX_WRITES = 8

KILLS: list[tuple[str, int]] = []


def settings_of(store: Path) -> Settings:
    return Settings(store_dir=store)


def assert_equals_files(state: State, folder: Path, settings_: Settings) -> None:
    articles, chunks = expected_state(folder, settings_)
    assert state.articles == articles
    assert state.chunks == chunks
    assert state.lexical == sorted(chunks)


def assert_consistent(state: State, settings_: Settings) -> None:
    """Whatever version of each article the store holds, its chunks are exactly that version's."""
    want = {
        c.id: (aid, c.text)
        for aid, text in state.articles.items()
        for c in chunk_article(aid, text, settings_.chunk_chars, settings_.chunk_overlap_sentences)
    }
    assert state.chunks == want
    assert state.lexical == sorted(want)


def kill_then(job: Job) -> bool:
    killed = run(job)
    if killed:
        KILLS.append((job.action, job.crash_at))
    return killed


@pytest.fixture(scope="module", autouse=True)
def report_crash_points() -> object:
    yield
    if KILLS:
        ARTIFACTS.mkdir(exist_ok=True)
        (ARTIFACTS / "crash-points.txt").write_text(
            f"{len(KILLS)} kills at {len(set(KILLS))} distinct (operation, write) crash points: {sorted(set(KILLS))}\n"
        )


def three_articles(folder: Path) -> None:
    folder.mkdir()
    for n in range(3):
        (folder / f"a{n}.txt").write_text(f"Story {n}\n" + " ".join(SENTENCES[n : n + 4]) * 3)


@pytest.mark.parametrize("crash_at", [1, 2, 3, 4])
def test_kill_during_prune_leaves_no_orphan_chunks(tmp_path: Path, crash_at: int) -> None:
    """Defect 1: a prune killed between its writes; the next run finds every leftover chunk of the article."""
    folder, store = tmp_path / "articles", tmp_path / "store"
    three_articles(folder)
    assert not run(Job(str(store), "ingest", str(folder)))
    (folder / "a1.txt").unlink()
    assert kill_then(Job(str(store), "prune", str(folder), crash_at))
    assert not run(Job(str(store), "prune", str(folder)))
    state = read_state(store)
    assert_equals_files(state, folder, settings_of(store))
    assert not [cid for cid, (aid, _) in state.chunks.items() if aid == "a1"]
    result = pressroom_for(store).ask("Inspectors found corroded cables on the Kingsport bridge?")
    assert all(p.article_id != "a1" for p in result.passages)


@pytest.mark.parametrize("crash_at", [1, 2, 3])
def test_kill_during_edit_then_original_back_is_not_unchanged(tmp_path: Path, crash_at: int) -> None:
    """Defect 2: an edit killed midway, the original file put back: the store must hold the original exactly."""
    folder, store = tmp_path / "articles", tmp_path / "store"
    three_articles(folder)
    assert not run(Job(str(store), "ingest", str(folder)))
    original = (folder / "a0.txt").read_text()
    (folder / "a0.txt").write_text("Story 0 rewritten\n" + " ".join(reversed(SENTENCES)) * 4)
    assert kill_then(Job(str(store), "ingest", str(folder), crash_at))
    (folder / "a0.txt").write_text(original)
    assert not run(Job(str(store), "ingest", str(folder)))
    assert_equals_files(read_state(store), folder, settings_of(store))


def test_check_repairs_and_reports(tmp_path: Path) -> None:
    """`check` on a store left half-written finds the partial article and rebuilds it from its record."""
    folder, store = tmp_path / "articles", tmp_path / "store"
    three_articles(folder)
    assert not run(Job(str(store), "ingest", str(folder)))
    (folder / "a2.txt").write_text("Story 2 again\n" + " ".join(SENTENCES) * 5)
    assert kill_then(Job(str(store), "ingest", str(folder), crash_at=2))  # record written, chunks not yet
    report = pressroom_for(store).check()
    assert report.rebuilt == ["a2"] and not report.orphan_chunks
    assert_consistent(read_state(store), settings_of(store))
    assert not pressroom_for(store).check().changed


class CrashingIngests(RuleBasedStateMachine):
    """Files are added, edited and deleted at random and ingested by runs killed at random writes. After a repair
    run the store equals the files; after `check` alone, every article it holds is whole."""

    def __init__(self) -> None:
        super().__init__()
        self.root = Path(tempfile.mkdtemp(prefix="pressroom-crash-"))
        self.folder = self.root / "articles"
        self.folder.mkdir()
        self.store = str(self.root / "store")
        self.settings = settings_of(self.root / "store")
        self.dirty = False  # a killed run may have left the store between two states

    def teardown(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)

    def _ingest(self, action: str, crash_at: int) -> None:
        self.dirty = kill_then(Job(self.store, action, str(self.folder), crash_at))

    @rule(
        name=st.sampled_from(["a", "b", "c", "d"]),
        sentences=st.lists(st.sampled_from(SENTENCES), min_size=1, max_size=30),
        crash_at=st.integers(0, MAX_WRITES),
    )
    def write_file(self, name: str, sentences: list[str], crash_at: int) -> None:
        (self.folder / f"{name}.txt").write_text(f"Story {name}\n" + " ".join(sentences))
        self._ingest("ingest", crash_at)

    @precondition(lambda self: any(self.folder.iterdir()))
    @rule(data=st.data(), crash_at=st.integers(0, MAX_WRITES))
    def delete_file(self, data: st.DataObject, crash_at: int) -> None:
        data.draw(st.sampled_from(sorted(self.folder.iterdir()))).unlink()
        self._ingest("prune", crash_at)

    @rule(crash_at=st.integers(1, MAX_WRITES))
    def killed_check(self, crash_at: int) -> None:
        kill_then(Job(self.store, "check", str(self.folder), crash_at))

    @precondition(lambda self: self.dirty)
    @rule()
    def check_alone(self) -> None:
        assert not run(Job(self.store, "check", str(self.folder)))
        assert_consistent(read_state(self.store), self.settings)

    @precondition(lambda self: self.dirty)
    @rule()
    def repair_run(self) -> None:
        assert not run(Job(self.store, "prune", str(self.folder)))
        self.dirty = False

    @invariant()
    def equals_files_when_clean(self) -> None:
        if not self.dirty:
            assert_equals_files(read_state(self.store), self.folder, self.settings)


CrashingIngests.TestCase.settings = settings(
    max_examples=200 if SLOW else 12,
    stateful_step_count=15 if SLOW else 8,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=not SLOW,
)
test_crashing_ingests = CrashingIngests.TestCase
