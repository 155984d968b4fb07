"""The Gradio app, launched for real: gradio_client against its API and Chromium (via Playwright) against its page."""

from __future__ import annotations

import shutil
import statistics
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from pressroom.qa.facade import Pressroom
from pressroom.ui.app import UsageError, check_exposure, launch

from pressroom.settings import Settings

from ..conftest import ROOT, SAMPLE_ID, free_port

pytestmark = pytest.mark.slow
ARTIFACTS = ROOT / "test-artifacts"
XSS_ARTICLE = """Harbour festival <script>window.__xss = 1; alert(1)</script>
The Zanzibar harbour festival opened on Tuesday with forty boats <img src=x onerror="window.__xss = 2; alert(2)"> in the bay.
Tickets for the Zanzibar harbour festival are sold at <a href="javascript:window.__xss = 3">the harbour office</a>.
"""


@pytest.fixture(scope="module")
def app_url(news_settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app on a copy of the News100 store, so uploads here change no other test's data."""
    store = tmp_path_factory.mktemp("ui") / "store"
    shutil.copytree(news_settings.store_dir, store)
    settings = Settings(store_dir=store, port=free_port())
    demo, _ = launch(Pressroom(settings), block=False)
    yield f"http://127.0.0.1:{settings.port}/"
    demo.close()


def test_exposure_needs_auth() -> None:
    assert check_exposure("127.0.0.1", None) is None
    assert check_exposure("localhost", None) is None
    assert check_exposure("0.0.0.0", "ann:secret") == ("ann", "secret")
    with pytest.raises(UsageError, match="without authentication"):
        check_exposure("0.0.0.0", None)
    with pytest.raises(UsageError, match="user:password"):
        check_exposure("127.0.0.1", "nopassword")


def test_api_returns_the_ask_json_contract(app_url: str) -> None:
    from gradio_client import Client

    result = Client(app_url, verbose=False).predict(question="Who announced the pullout?", api_name="/ask")
    assert set(result) >= {"question", "answer", "refused", "citations", "passages", "timings_ms"}
    assert "Putin" in result["answer"] and result["citations"][0]["article_id"] == SAMPLE_ID
    assert set(result["citations"][0]) == {
        "n",
        "article_id",
        "title",
        "source",
        "date",
        "url",
        "chunk_id",
        "start",
        "end",
        "quote",
    }
    error = Client(app_url, verbose=False).predict(question="", api_name="/ask")
    assert error["error"] == "the question is empty"


def test_an_upload_adds_an_article_the_next_question_finds(app_url: str, tmp_path: Path) -> None:
    from gradio_client import Client, handle_file

    article = tmp_path / "tartus-port.txt"
    article.write_text(
        "Tartus port expansion\nRussia will expand its naval facility at Tartus to hold eleven warships.\n"
    )
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\x00\x01binary")
    client = Client(app_url, verbose=False)
    summary, stats = client.predict(files=[handle_file(str(article)), handle_file(str(bad))], api_name="/ingest")
    assert "1 added" in summary and "binary file" in summary
    assert "**102** articles" in stats
    result = client.predict(question="How many warships will the Tartus facility hold?", api_name="/ask")
    assert result["passages"][0]["article_id"] == "tartus-port"
    assert "eleven" in result["answer"]


def test_twenty_concurrent_questions_are_all_answered(app_url: str) -> None:
    from gradio_client import Client

    client = Client(app_url, verbose=False)
    questions = [
        "Who announced the pullout?",
        "How many people did the rubbish dump landslide in Ethiopia kill?",
        "Who is Uefa's president?",
        "What is Carlos the Jackal's real name?",
    ] * 5

    def ask(question: str) -> tuple[float, dict]:
        started = time.perf_counter()
        result = client.predict(question=question, api_name="/ask")
        return time.perf_counter() - started, result

    with ThreadPoolExecutor(max_workers=20) as pool:
        outcomes = list(pool.map(ask, questions))
    assert all("error" not in r and r["answer"] for _, r in outcomes)
    latencies = sorted(t for t, _ in outcomes)
    p95 = latencies[int(0.95 * (len(latencies) - 1))]
    report = f"20 concurrent questions: median {statistics.median(latencies) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms"
    print(report)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "concurrency.txt").write_text(report + "\n")


def ask_in_page(page, question: str) -> None:
    page.fill("#question textarea", question)
    page.keyboard.press("Enter")
    page.wait_for_selector("#citations label", timeout=60_000)


@pytest.mark.browser
def test_browser_question_citation_opens_highlighted_passage(app_url: str, page) -> None:
    page.goto(app_url)
    ask_in_page(page, "Who announced the pullout of Russian troops from Syria?")
    assert "Putin" in page.locator("#chat").inner_text()
    page.locator("#citations label").first.click()
    mark = page.locator("#source-panel mark")
    mark.wait_for(timeout=10_000)
    assert mark.is_visible()
    assert "Vladimir Putin announced a surprise move" in mark.inner_text()
    assert "Putin baffles allies" in page.locator("#source-panel h3").inner_text()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "cited-answer.png"), full_page=True)


@pytest.mark.browser
def test_browser_a_citation_marker_in_the_answer_opens_its_passage(app_url: str, page) -> None:
    page.goto(app_url)
    ask_in_page(page, "Who announced the pullout of Russian troops from Syria?")
    answer = page.locator("#chat a[href='#cite-1']").last
    answer.wait_for(timeout=10_000)
    assert page.locator("#chat strong").last.inner_text().strip(), "the short answer is shown first, in bold"
    answer.click()
    mark = page.locator("#source-panel mark")
    mark.wait_for(timeout=10_000)
    assert "Putin" in mark.inner_text()
    assert page.locator("#citations input:checked").count() == 1


@pytest.mark.browser
def test_browser_xss_payloads_in_an_uploaded_article_stay_text(app_url: str, page, tmp_path: Path) -> None:
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(app_url)
    page.get_by_role("tab", name="Add articles").click()
    payload = tmp_path / "harbour-festival.txt"
    payload.write_text(XSS_ARTICLE)
    page.locator("#upload input[type=file]").set_input_files(str(payload))
    page.wait_for_timeout(1000)
    page.locator("#ingest").click()
    page.wait_for_function("document.querySelector('#ingest-summary').innerText.includes('added')", timeout=60_000)
    assert "1 added" in page.locator("#ingest-summary").inner_text()

    page.get_by_role("tab", name="Ask").click()
    ask_in_page(page, "How many boats opened the Zanzibar harbour festival?")
    page.locator("#citations label").first.click()
    page.locator("#source-panel mark").wait_for(timeout=10_000)
    panel = page.locator("#source-panel").inner_text()
    assert "<script>" in page.locator("#source-panel h3").inner_text()
    assert "<img src=x onerror=" in panel
    assert page.locator("#source-panel script, #source-panel img, #chat img[src=x]").count() == 0
    assert page.locator("#source-panel a[href^='javascript']").count() == 0
    page.wait_for_timeout(500)
    assert dialogs == [] and page.evaluate("window.__xss") is None
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "xss-article.png"), full_page=True)


@pytest.mark.browser
def test_browser_source_list_shows_a_source_uploaded_in_the_page(app_url: str, page, tmp_path: Path) -> None:
    page.goto(app_url)
    page.get_by_role("tab", name="Add articles").click()
    article = tmp_path / "dunmore-heat.md"
    article.write_text(
        "---\ntitle: Heatwave closes Dunmore schools\nsource: Dunmore Gazette\ndate: 2017-03-02\n---\n"
        "Schools in Dunmore closed on Tuesday as the heatwave pushed temperatures to 38C.\n"
    )
    page.locator("#upload input[type=file]").set_input_files(str(article))
    page.wait_for_timeout(1000)
    page.locator("#ingest").click()
    page.wait_for_function("document.querySelector('#ingest-summary').innerText.includes('added')", timeout=60_000)
    page.wait_for_function("document.querySelector('#stats').innerText.includes('Dunmore Gazette')", timeout=10_000)

    page.get_by_role("tab", name="Ask").click()
    page.get_by_text("Filters").click()
    page.locator("#sources input").click()
    option = page.get_by_role("option", name="Dunmore Gazette")
    option.wait_for(timeout=10_000)
    assert option.is_visible()
