from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from produce_fixtures import write_dataset, write_key

from sealroom.produce.api import ProductionResult, produce


@pytest.fixture(scope="session")
def small_dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three hand-made conversations over two shards (read-only: tests must not change it)."""
    return write_dataset(tmp_path_factory.mktemp("produce-small") / "D")


@pytest.fixture(scope="session")
def larger_dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The three plus 37 plain conversations over five shards."""
    return write_dataset(tmp_path_factory.mktemp("produce-larger") / "D", n_extra=37, per_shard=8)


@pytest.fixture
def key_file(tmp_path: Path) -> Path:
    return write_key(tmp_path / "docid.key")


@pytest.fixture
def make_production(tmp_path: Path, key_file: Path) -> Callable[..., ProductionResult]:
    counter = iter(range(1000))

    def make(dataset: Path, **kw: Any) -> ProductionResult:
        out = kw.pop("out", tmp_path / f"OUT{next(counter)}")
        kw.setdefault("prefix", "ABC")
        kw.setdefault("key_file", key_file)
        kw.setdefault("workers", 1)
        kw.setdefault("show_progress", False)
        return produce(dataset, out, **kw)

    return make
