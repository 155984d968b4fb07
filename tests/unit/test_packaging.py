"""The installed package carries the files the code reads at run time (a non-editable install had no sentence
model: package-data listed only answerability.json)."""

from __future__ import annotations

import tomllib
from fnmatch import fnmatch
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_fitted_model_and_eval_file_is_package_data() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    data = config["package-data"]
    dirs = config["package-dir"]
    for package, pattern_root in (("pressroom.qa", "qa"), ("pressroom.eval", "eval")):
        assert dirs[package] == pattern_root
    for path in (ROOT / "qa").glob("*.json"):
        assert any(fnmatch(path.name, p) for p in data["pressroom.qa"]), path.name
    for path in [*(ROOT / "eval" / "data").glob("*.jsonl"), *(ROOT / "eval" / "data" / "articles").iterdir()]:
        relative = path.relative_to(ROOT / "eval").as_posix()
        assert any(fnmatch(relative, p) for p in data["pressroom.eval"]), relative
    # Folders of data are listed as packages, or setuptools warns at every install.
    assert {"pressroom.eval.data", "pressroom.eval.data.articles"} <= set(config["packages"])
