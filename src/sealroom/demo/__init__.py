"""The bundled demo: attributed excerpts of public data plus seeded synthetic conversations."""

from importlib.resources import files
from pathlib import Path


def data_path(name: str) -> Path:
    return Path(str(files("sealroom.demo") / "data" / name))
