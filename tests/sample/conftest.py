from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from sample_holds import make_hold, make_key


@pytest.fixture(scope="module")
def hold(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """2,000 conversations in 3 shards, in id order."""
    return make_hold(tmp_path_factory.mktemp("hold") / "hold", 2000, shards=3)


@pytest.fixture(scope="module")
def key_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_key(tmp_path_factory.mktemp("key") / "sample.key")


@pytest.fixture(scope="module")
def other_key_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_key(tmp_path_factory.mktemp("key2") / "other.key", "fedcba9876543210fedcba9876543210")
