from pathlib import Path

from click.testing import CliRunner
from pressroom.cli import main

from pressroom.settings import Settings


def test_precedence_is_arguments_then_environment_then_toml(tmp_path: Path, monkeypatch) -> None:
    toml = tmp_path / "pressroom.toml"
    toml.write_text('top_k = 7\ncollection = "fromtoml"\nrefusal_threshold = 0.3\n')
    monkeypatch.setenv("PRESSROOM_CONFIG", str(toml))
    monkeypatch.setenv("PRESSROOM_TOP_K", "9")
    settings = Settings(collection="fromarg")
    assert (settings.top_k, settings.collection, settings.refusal_threshold) == (9, "fromarg", 0.3)


def test_config_command_shows_settings_and_hides_secrets(monkeypatch) -> None:
    monkeypatch.setenv("PRESSROOM_LLM_API_KEY", "sk-secret")
    result = CliRunner().invoke(main, ["config", "--store", "/tmp/somewhere"])
    assert result.exit_code == 0
    assert 'store_dir = "/tmp/somewhere"' in result.stdout
    assert 'llm_api_key = "***"' in result.stdout and "sk-secret" not in result.stdout


def test_a_bad_setting_is_a_usage_error(monkeypatch) -> None:
    monkeypatch.setenv("PRESSROOM_TOP_K", "many")
    result = CliRunner().invoke(main, ["config"])
    assert result.exit_code == 2 and "invalid configuration" in result.output


def test_an_unreachable_chroma_server_is_one_clear_line() -> None:
    for args in (["stats"], ["ingest", "data/sample"], ["ask", "Who?"]):
        result = CliRunner().invoke(main, [*args, "--chroma-url", "http://127.0.0.1:1"])
        assert result.exit_code == 1, args
        assert "cannot reach the Chroma server at http://127.0.0.1:1" in result.output
        assert result.exception is None or isinstance(result.exception, SystemExit)


def test_a_model_that_cannot_load_is_one_clear_line_and_nothing_lands(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("PRESSROOM_EMBEDDING_MODEL", str(tmp_path / "no-such-model"))
    store = str(tmp_path / "store")
    result = CliRunner().invoke(main, ["ingest", "data/sample", "--store", store])
    assert result.exit_code == 1
    assert "cannot load embedding model" in result.output and 'embedding_backend = "torch"' in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    stats = CliRunner().invoke(main, ["stats", "--json", "--store", store])
    assert stats.exit_code == 0 and '"articles": 0' in stats.output


def test_asking_a_store_that_does_not_exist_says_so_and_creates_nothing(tmp_path) -> None:
    missing = tmp_path / "no-such-store"
    result = CliRunner().invoke(main, ["ask", "Who?", "--store", str(missing)])
    assert result.exit_code == 1 and "no store at" in result.output
    assert not missing.exists()
