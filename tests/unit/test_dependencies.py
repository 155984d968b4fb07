"""What the code imports at run time is declared, not left to another package's optional extra."""

from __future__ import annotations

import importlib
import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def declared() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return {re.split(r"[<>=\[ ;]", d, maxsplit=1)[0].lower().replace("-", "_") for d in project["dependencies"]}


def test_lxml_html_clean_and_charset_normalizer_are_declared_and_importable() -> None:
    """Defect 11: trafilatura reached lxml.html.clean through lxml's html_clean extra, gone in lxml 6.1."""
    assert {"lxml_html_clean", "charset_normalizer"} <= declared()
    importlib.import_module("lxml.html.clean")
    importlib.import_module("charset_normalizer")
