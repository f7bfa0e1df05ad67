"""An S3-compatible object store for tests: moto's server, spoken to over HTTP by s3fs.

The AWS variables are set when pytest starts, before any worker process or forkserver exists, so
every process the tests start inherits them; the server itself starts only when a test asks for it.
"""

from __future__ import annotations

import itertools
import logging
import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from sealroom.dataset import Dataset
from sealroom.dataset.location import is_remote, location

_counter = itertools.count()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def configure_environment() -> None:
    """Point every S3 client of this test run at the local server, with throwaway credentials."""
    port = int(os.environ.setdefault("SEALROOM_TEST_S3_PORT", str(_free_port())))
    os.environ.update(
        AWS_ACCESS_KEY_ID="sealroom-test",
        AWS_SECRET_ACCESS_KEY="sealroom-test-secret",
        AWS_DEFAULT_REGION="us-east-1",
        AWS_ENDPOINT_URL=f"http://127.0.0.1:{port}",
    )
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN"):
        os.environ.pop(name, None)


@pytest.fixture(scope="session")
def s3_server() -> Iterator[str]:
    moto_server = pytest.importorskip("moto.server")
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=int(os.environ["SEALROOM_TEST_S3_PORT"]))
    server.start()
    try:
        yield os.environ["AWS_ENDPOINT_URL"]
    finally:
        server.stop()


@pytest.fixture
def s3_root(s3_server: str) -> str:
    """A new, empty bucket for one test, as an ``s3://`` URL."""
    import fsspec

    bucket = f"sealroom-test-{os.getpid()}-{next(_counter)}"
    fsspec.filesystem("s3", skip_instance_cache=True).mkdir(bucket)
    return f"s3://{bucket}"


def upload(local: Path, url: str) -> str:
    """Copy a local folder (a finished dataset, or sources) to ``url``; returns ``url``."""
    target = location(url)
    target.fs.put(str(local), target.path, recursive=True)
    return url


def assert_same_dataset(local: Path, url: str) -> None:
    """Main and side outputs: the same fingerprints, shard bytes, stats and extra manifest fields."""
    ours, theirs = Dataset.open(local), Dataset.open(url)
    assert is_remote(theirs.path)
    assert (theirs.manifest.stats, theirs.manifest.extra) == (ours.manifest.stats, ours.manifest.extra)
    assert theirs.manifest.side_outputs == ours.manifest.side_outputs
    for name in ["", *ours.manifest.side_outputs]:
        a, b = (ours.side(name), theirs.side(name)) if name else (ours, theirs)
        assert b.fingerprint == a.fingerprint, name or "main"
        assert [b.shard_path(s).read_bytes() for s in b.shards] == [a.shard_path(s).read_bytes() for s in a.shards]
