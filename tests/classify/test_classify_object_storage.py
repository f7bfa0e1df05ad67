"""Classify with its input, the scan hits and its output on object storage: the bytes of a local run.

The input and hits are built locally with the usual builders and copied to a bucket of the test S3
server (``tests/objectstore.py``).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from objectstore import upload
from sealroom.classify import classify
from sealroom.cli.main import cli
from sealroom.dataset import Dataset
from sealroom.dataset.location import is_remote
from sealroom.runner import LocalRunner


@pytest.fixture
def local_inputs(hold: Path, hits: Path) -> tuple[Path, Path]:
    return hold, hits


@pytest.fixture
def s3_inputs(local_inputs: tuple[Path, Path], s3_root: str) -> tuple[str, str]:
    hold, hits = local_inputs
    return upload(hold, f"{s3_root}/run/hold"), upload(hits, f"{s3_root}/run/hits")


def test_classify_on_object_storage_equals_the_local_run(
    tmp_path: Path, local_inputs: tuple[Path, Path], s3_inputs: tuple[str, str], s3_root: str
) -> None:
    hold, hits = local_inputs
    local = classify(hold, tmp_path / "c", hits=hits, runner=LocalRunner(1), show_progress=False)
    runner = LocalRunner(2)  # worker processes receive the remote input and hits by pickle
    try:
        remote = classify(s3_inputs[0], f"{s3_root}/run/c", hits=s3_inputs[1], runner=runner, show_progress=False)
    finally:
        runner.close()
    assert is_remote(remote.out_dir) and remote.ran == 3
    assert remote.manifest.fingerprint == local.manifest.fingerprint
    assert Dataset.open(f"{s3_root}/run/c").fingerprint == Dataset.open(tmp_path / "c").fingerprint
    assert remote.manifest.stats == local.manifest.stats and remote.stats["conversations_with_hits"] == 2
    assert [i["fingerprint"] for i in remote.manifest.inputs] == [i["fingerprint"] for i in local.manifest.inputs]
    assert [i["path"] for i in remote.manifest.inputs] == list(s3_inputs)


def test_cli_classify_with_s3_urls(
    tmp_path: Path, local_inputs: tuple[Path, Path], s3_inputs: tuple[str, str], s3_root: str
) -> None:
    out = f"{s3_root}/cli/c"
    res = CliRunner().invoke(cli, ["classify", s3_inputs[0], "--out", out, "--hits", s3_inputs[1], "-j", "1", "-q"])
    assert res.exit_code == 0, res.output
    assert f"classified 40 conversations into {out}" in res.output
    hold, hits = local_inputs
    local = classify(hold, tmp_path / "c", hits=hits, runner=LocalRunner(1), show_progress=False)
    assert Dataset.open(out).fingerprint == local.manifest.fingerprint
