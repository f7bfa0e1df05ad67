from __future__ import annotations

import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"
sys.path.insert(0, str(Path(__file__).parent))

from objectstore import configure_environment, s3_root, s3_server  # noqa: E402, F401  (fixtures)


def pytest_configure(config: pytest.Config) -> None:
    configure_environment()


@pytest.fixture
def shared_data() -> Path:
    """The development data beside the repo; tests using it skip cleanly when it is absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip("../shared/data is not present")
    return SHARED_DATA
