"""The chat in Chromium with a real model: the model's tokens appear as they come, then the verified answer with
its sources replaces them."""

from __future__ import annotations

import itertools
import shutil
from collections.abc import Iterator

import pytest
from pressroom.qa.facade import Pressroom
from pressroom.ui.app import launch

from pressroom.settings import Settings

from ..conftest import ROOT, free_port

pytestmark = [pytest.mark.slow, pytest.mark.llm, pytest.mark.browser]
ARTIFACTS = ROOT / "test-artifacts"
# Every change of the answer's text, with its time: what a person watching the chat sees.
RECORD_JS = """() => {
  window.__seen = [];
  const chat = document.querySelector('#chat');
  new MutationObserver(() => {
    const bots = chat.querySelectorAll('[data-testid="bot"]');
    const text = bots.length ? bots[bots.length - 1].innerText : '';
    const seen = window.__seen;
    if (!seen.length || seen[seen.length - 1].text !== text) seen.push({t: performance.now(), text});
  }).observe(chat, {subtree: true, childList: true, characterData: true});
}"""


@pytest.fixture(params=["llamacpp", "openai"])
def app_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    settings: Settings = request.getfixturevalue(f"{request.param}_settings")
    store = tmp_path_factory.mktemp("ui-llm") / "store"
    shutil.copytree(settings.store_dir, store)
    demo, _ = launch(Pressroom(settings.model_copy(update={"store_dir": store, "port": free_port()})), block=False)
    yield demo.local_url
    demo.close()


def test_the_models_tokens_appear_as_they_come_then_the_verified_answer(
    app_url: str, page, request: pytest.FixtureRequest
) -> None:
    page.goto(app_url)
    page.wait_for_selector("#chat")
    page.evaluate(RECORD_JS)
    page.fill("#question textarea", "Who announced that Russian troops would pull out of Syria?")
    page.keyboard.press("Enter")
    page.wait_for_selector("#citations label", timeout=180_000)
    seen = [s["text"] for s in page.evaluate("window.__seen") if s["text"].strip()]
    assert any("Reading 5 passages" in text for text in seen), "a status while the model reads"
    partial = [text for text in seen if "Reading" not in text and "[1]" not in text]
    assert len(partial) >= 3, f"the reply grew token by token: {seen}"
    assert all(len(a) <= len(b) for a, b in itertools.pairwise(partial)), "each state extends the last"
    assert "[1]" in seen[-1] and seen[-1] not in partial, "the verified, cited answer replaced the raw reply"
    ARTIFACTS.mkdir(exist_ok=True)
    backend = request.node.callspec.params["app_url"]
    page.screenshot(path=str(ARTIFACTS / f"llm-answer-{backend}.png"), full_page=True)
