"""llm_backend = "llamacpp": SmolLM2-135M in-process through LangChain's ChatLlamaCpp."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from pressroom.cli import main
from pressroom.qa.facade import Pressroom
from pressroom.qa.generate import BackendError, make_chat_model

from pressroom.settings import Settings

from ..conftest import SAMPLE_DIR, SAMPLE_ID
from .checks import assert_the_final_answer_is_the_verified_reply, stream

pytestmark = [pytest.mark.slow, pytest.mark.llm]

QUESTIONS = [
    "Who announced that Russian troops would pull out of Syria?",
    "Who did Putin talk to by telephone before the announcement?",
    "What is the population of Peru?",
]


@pytest.fixture(scope="module")
def pressroom(llamacpp_settings: Settings) -> Pressroom:
    return Pressroom(llamacpp_settings)


@pytest.mark.parametrize("question", QUESTIONS)
def test_real_tokens_stream_and_the_final_answer_is_the_verified_one(pressroom: Pressroom, question: str) -> None:
    streamed = stream(pressroom, question)
    if streamed.result.answer.refused and not streamed.tokens:
        # Too little evidence: the extractive refusal stands and the model is not asked.
        assert streamed.result.answer.verification is None
        return
    assert len(streamed.tokens) >= 5, "the model's tokens arrive one by one"
    assert_the_final_answer_is_the_verified_reply(streamed, pressroom)


def test_cli_ask_json_carries_the_verified_answer_and_what_the_verifier_did(llamacpp_settings: Settings) -> None:
    env = {"PRESSROOM_LLM_BACKEND": "llamacpp", "PRESSROOM_LLM_GGUF_PATH": llamacpp_settings.llm_gguf_path}
    store = ["--store", str(llamacpp_settings.store_dir)]
    result = CliRunner(env=env).invoke(main, ["ask", "--json", QUESTIONS[0], *store])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["verification"]["sentences"] or data["verification"]["fell_back"]
    assert data["citations"], "a verified model answer or the extractive fallback, both cited"


def test_a_missing_or_broken_model_file_is_one_clear_error(llamacpp_settings: Settings, tmp_path: Path) -> None:
    with pytest.raises(BackendError, match="needs llm_gguf_path"):
        make_chat_model(llamacpp_settings.model_copy(update={"llm_gguf_path": str(tmp_path / "none.gguf")}))
    broken = tmp_path / "broken.gguf"
    broken.write_bytes(b"GGUF" + b"\0" * 64)
    with pytest.raises(BackendError, match="could not load"):
        make_chat_model(llamacpp_settings.model_copy(update={"llm_gguf_path": str(broken)}))


def test_eval_with_the_model_reports_what_the_verifier_did(
    llamacpp_settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pressroom.eval import runner

    monkeypatch.setattr(runner, "CACHE", tmp_path / "cache")
    env = {"PRESSROOM_LLM_BACKEND": "llamacpp", "PRESSROOM_LLM_GGUF_PATH": llamacpp_settings.llm_gguf_path}
    questions = tmp_path / "q.jsonl"
    questions.write_text(
        json.dumps({"id": "a", "question": QUESTIONS[0], "answers": ["Putin"], "gold_articles": [SAMPLE_ID]}) + "\n"
    )
    out, report = tmp_path / "r.json", tmp_path / "report"
    result = CliRunner(env=env).invoke(
        main,
        [
            "eval",
            "--questions",
            str(questions),
            "--corpus",
            str(SAMPLE_DIR),
            "--json",
            str(out),
            "--report",
            str(report),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "answers: llamacpp (SmolLM2-135M-Instruct.Q4_1.gguf)" in result.output
    row = json.loads(out.read_text())["summary"]["hybrid+rerank"]
    shares = [row["sentences_kept"], row["sentences_renumbered"], row["sentences_dropped"]]
    assert row["fallback_rate"] in (0.0, 1.0) and row["model_errors"] == 0
    if any(shares):  # unless the model replied NOT IN ARTICLES
        assert sum(shares) == pytest.approx(1.0)
        assert "What the verifier did with the model's sentences" in (report / "report.md").read_text()
