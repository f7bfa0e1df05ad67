"""De-identification: detectors, the analyzer, and the engine that turns findings into a
de-identified dataset (``sealroom.deid.deidentify``)."""

from __future__ import annotations

from typing import Any


def __getattr__(name: str) -> Any:
    # lazy: importing a detector must not pull in the engine, the runner and pyarrow
    if name == "deidentify":
        from sealroom.deid.api import deidentify

        return deidentify
    raise AttributeError(f"module 'sealroom.deid' has no attribute {name!r}")
