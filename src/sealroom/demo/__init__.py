"""The bundled demo: attributed excerpts of public data plus seeded synthetic conversations."""

from importlib.resources import files
from pathlib import Path


def data_path(name: str) -> Path:
    """A bundled data file (see data/NOTICE.md for sources and licences)."""
    return Path(str(files("sealroom.demo") / "data" / name))


def pipeline_template() -> Path:
    """The bundled demo pipeline (TOML)."""
    return Path(str(files("sealroom.demo") / "pipeline.toml"))
