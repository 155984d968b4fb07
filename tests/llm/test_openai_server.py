"""llm_backend = "openai" against llama-cpp-python's OpenAI-compatible server, over real HTTP with streaming; and the
ways a server fails: stopped mid-reply, never started, too slow, or not a model server at all."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from pressroom.qa.facade import Pressroom
from pressroom.qa.generate import UNVERIFIED_NOTE
from pressroom.qa.types import Result

from pressroom.settings import Settings

from ..conftest import free_port, wait_for_port
from .checks import assert_the_final_answer_is_the_verified_reply, stream
from .conftest import ModelServer, start_model_server

pytestmark = [pytest.mark.slow, pytest.mark.llm]

QUESTION = "Who announced that Russian troops would pull out of Syria?"


def with_backend(settings: Settings, **update: object) -> Pressroom:
    return Pressroom(settings.model_copy(update=update))


def assert_extractive_with_note(result: Result, reason: str) -> None:
    answer = result.answer
    assert "Putin" in answer.text and answer.citations, "the extractive answer, cited"
    assert answer.note.startswith(f"The model could not answer ({reason}"), answer.note
    assert answer.verification.fell_back and answer.verification.error


def test_tokens_stream_over_http_and_the_final_answer_is_the_verified_one(openai_settings: Settings) -> None:
    pressroom = Pressroom(openai_settings)
    streamed = stream(pressroom, QUESTION)
    assert len(streamed.tokens) >= 5
    # Streamed, not delivered at the end: the tokens arrive spread over the reply's generation.
    assert streamed.token_times[-1] - streamed.token_times[0] > 0.2
    assert_the_final_answer_is_the_verified_reply(streamed, pressroom)


def test_a_follow_up_is_condensed_by_the_server_model(openai_settings: Settings) -> None:
    pressroom = Pressroom(openai_settings)
    result = pressroom.ask("When does it begin?", history=["Who ordered the withdrawal of Russian forces from Syria?"])
    assert result.standalone_question, "the model rewrote the follow-up"
    assert result.passages


def test_a_server_that_is_not_running_is_a_note_not_an_error(openai_settings: Settings) -> None:
    url = f"http://127.0.0.1:{free_port()}/v1"
    started = time.perf_counter()
    result = with_backend(openai_settings, llm_base_url=url).ask(QUESTION)
    assert time.perf_counter() - started < 10
    assert_extractive_with_note(result, f"could not reach the model server at {url}")


def test_a_server_stopped_mid_reply_leaves_the_extractive_answer(
    openai_settings: Settings, gguf: Path, tmp_path: Path
) -> None:
    server = start_model_server(gguf, tmp_path)
    try:
        pressroom = with_backend(openai_settings, llm_base_url=server.url)
        tokens = 0
        for event in pressroom.stream(QUESTION):
            if isinstance(event, str):
                tokens += 1
                if tokens == 3:
                    server.stop()
            elif isinstance(event, Result):
                result = event
        assert tokens >= 3
        assert_extractive_with_note(result, "the model server broke off its reply")
    finally:
        server.stop()


def test_a_server_too_slow_for_llm_timeout_is_left_after_the_timeout(
    openai_settings: Settings, model_server: ModelServer
) -> None:
    """The real server, frozen (SIGSTOP): it accepts the connection and never answers."""
    pressroom = with_backend(openai_settings, llm_timeout=2.0)
    os.kill(model_server.process.pid, signal.SIGSTOP)
    try:
        started = time.perf_counter()
        result = pressroom.ask(QUESTION)
        waited = time.perf_counter() - started
    finally:
        os.kill(model_server.process.pid, signal.SIGCONT)
    assert 2.0 <= waited < 10
    assert_extractive_with_note(result, f"no reply within llm_timeout at {model_server.url}")


def test_a_server_that_is_not_a_model_server_is_a_note(openai_settings: Settings, tmp_path: Path) -> None:
    """A real HTTP server of the wrong kind (Python's http.server answers POST with 501)."""
    port = free_port()
    web = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1", "--directory", str(tmp_path)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port)
        url = f"http://127.0.0.1:{port}/v1"
        result = with_backend(openai_settings, llm_base_url=url).ask(QUESTION)
        assert_extractive_with_note(result, f"the model server answered HTTP 501 at {url}")
    finally:
        web.terminate()
        web.wait(timeout=10)


def test_a_model_answering_garbage_falls_back_to_the_extractive_answer(openai_settings: Settings) -> None:
    """The real model sampled at temperature 5: tokens at random, none of it supported. Seeded: unseeded, a fresh-clone
    CI run once drew a reply with a sentence the verifier kept (its rerun passed)."""
    pressroom = with_backend(openai_settings, llm_temperature=5.0, llm_max_tokens=48, llm_seed=7)
    streamed = stream(pressroom, QUESTION)
    assert streamed.tokens
    answer = streamed.result.answer
    assert answer.note == UNVERIFIED_NOTE and "Putin" in answer.text and answer.citations
    assert answer.verification.fell_back and answer.verification.sentences
