"""Sampling with the hold and the sample on object storage: the same sample and report as on disk.

The hold is built locally by the usual fixture and copied to a bucket of the test S3 server
(``tests/objectstore.py``); the key file stays local, as keys always do.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from objectstore import upload
from sealroom.cli.main import cli
from sealroom.dataset import Dataset
from sealroom.dataset.files import read_json, write_json_atomic
from sealroom.dataset.location import is_remote, location
from sealroom.runner import LocalRunner
from sealroom.sample import sample, verify_sample
from sealroom.sample.api import WORK
from sealroom.sample.report import REPORT, SUMMARY

ONE = LocalRunner(1)
PARAMS: dict[str, Any] = {"size": 120, "stratify": "month(created_at)", "where": ["account_type != 'business'"]}


@pytest.fixture
def s3_hold(hold: Path, s3_root: str) -> str:
    return upload(hold, f"{s3_root}/run/hold")


def extra_files(out: Path | str, hold: Path | str) -> tuple[dict[str, Any], str]:
    """The report and summary of a sample, with the hold's path (the one thing that may differ) blanked."""
    root = location(out)
    report = read_json(root / REPORT)
    assert report["hold"]["path"] == str(hold)
    report["hold"]["path"] = "HOLD"
    summary = (root / SUMMARY).read_text().replace(f"`{hold}`", "`HOLD`")
    return report, summary


@pytest.mark.parametrize("params", [PARAMS, {"rate": 0.05}], ids=["size", "rate"])
def test_sample_on_object_storage_equals_the_local_sample(
    hold: Path, s3_hold: str, key_file: Path, tmp_path: Path, s3_root: str, params: dict[str, Any]
) -> None:
    local = sample(hold, tmp_path / "s", key_file=key_file, runner=ONE, show_progress=False, **params)
    runner = LocalRunner(2)  # worker processes receive the remote hold and output by pickle
    try:
        remote = sample(s3_hold, f"{s3_root}/run/s", key_file=key_file, runner=runner, show_progress=False, **params)
    finally:
        runner.close()
    assert is_remote(remote.path)
    assert remote.sample_size == local.sample_size > 0
    assert Dataset.open(f"{s3_root}/run/s").fingerprint == Dataset.open(tmp_path / "s").fingerprint
    assert extra_files(f"{s3_root}/run/s", s3_hold) == extra_files(tmp_path / "s", hold)
    assert not (location(f"{s3_root}/run/s") / WORK).exists()


def test_verify_on_object_storage_passes_then_names_a_tampered_count(
    s3_hold: str, key_file: Path, s3_root: str
) -> None:
    drawn = f"{s3_root}/run/s"
    sample(s3_hold, drawn, key_file=key_file, runner=ONE, show_progress=False, **PARAMS)
    result = verify_sample(drawn, s3_hold, key_file, runner=ONE)
    assert result.ok, result.differences
    assert result.checked_rows == 120
    assert not [p for p in location(f"{s3_root}/run").iterdir() if p.name.startswith(".verify-")]

    report = read_json(location(drawn) / REPORT)
    report["sample"] += 1
    write_json_atomic(location(drawn) / REPORT, report)
    diffs = verify_sample(drawn, s3_hold, key_file, runner=ONE).differences
    assert any(d.startswith("report sample: recorded 121") for d in diffs)


def test_cli_draw_and_verify_with_s3_urls(s3_hold: str, key_file: Path, s3_root: str) -> None:
    drawn = f"{s3_root}/cli/s"
    res = CliRunner().invoke(
        cli, ["sample", s3_hold, "--out", drawn, "--key-file", str(key_file), "--rate", "0.05", "-j", "1", "-q"]
    )
    assert res.exit_code == 0, res.output
    assert f"into {drawn};" in res.output
    assert Dataset.open(drawn).rows == read_json(location(drawn) / REPORT)["sample"] > 0
    res = CliRunner().invoke(
        cli, ["sample", "verify", drawn, "--hold", s3_hold, "--key-file", str(key_file), "-j", "1", "-q"]
    )
    assert res.exit_code == 0, res.output
    assert "re-derived and identical" in res.output
