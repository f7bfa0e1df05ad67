"""Ingest into a hold on object storage: the same hold, byte for byte, as on a local disk."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from click.testing import CliRunner
from ingest_helpers import openai_record, write_jsonl

from sealroom.cli.main import cli
from sealroom.dataset import Dataset, validate_dataset
from sealroom.dataset.location import location
from sealroom.ingest import ingest
from sealroom.ingest.step import SCRATCH_ENV
from sealroom.runner import LocalRunner


def _sources(tmp_path: Path) -> Path:
    src = tmp_path / "src"
    src.mkdir()
    write_jsonl(src / "a.jsonl", [openai_record(i) for i in range(5)] + [{**openai_record(1), "id": "dup"}])
    write_jsonl(src / "b.jsonl", [{**openai_record(7), "id": "dup"}, {"messages": "not a list"}])
    (src / "c.jsonl.gz").write_bytes(gzip.compress((src / "a.jsonl").read_bytes().replace(b'"id"', b'"idx"')))
    return src


def _hold_files(root) -> dict[str, bytes]:
    names = ["_manifest.json", "quarantine/_manifest.json"]
    ds = Dataset.open(root)
    names += [s.file for s in ds.shards] + [f"quarantine/{s.file}" for s in ds.side("quarantine").shards]
    return {n: (location(root) / n).read_bytes() for n in names}


@pytest.mark.parametrize("scratch", [False, True])
def test_a_hold_on_object_storage_matches_a_local_hold(
    tmp_path: Path, s3_root: str, scratch: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    src = _sources(tmp_path)
    local = ingest([src], tmp_path / "hold", shard_size=2, runner=LocalRunner(1), show_progress=False)
    spool = tmp_path / "scratch"
    if scratch:
        spool.mkdir()
        monkeypatch.setenv(SCRATCH_ENV, str(spool))
    remote_url = f"{s3_root}/hold"
    remote = ingest([src], remote_url, shard_size=2, runner=LocalRunner(2), show_progress=False)
    assert remote.conversations == local.conversations > 0
    assert remote.duplicates == local.duplicates == 1
    assert remote.quarantine_by_reason == local.quarantine_by_reason
    assert _hold_files(remote_url) == _hold_files(tmp_path / "hold")
    assert all(r.ok for r in validate_dataset(remote_url))
    assert not list(spool.glob("*"))  # the inflated .gz was spooled and removed again
    again = ingest([src], remote_url, shard_size=2, runner=LocalRunner(1), show_progress=False)
    assert (again.step.ran, again.step.skipped) == (0, 3)


def test_ingest_cli_writes_to_an_s3_url(tmp_path: Path, s3_root: str) -> None:
    src = _sources(tmp_path)
    url = f"{s3_root}/cli-hold"
    result = CliRunner().invoke(cli, ["ingest", str(src), "--out", url, "--workers", "1", "--quiet"])
    assert result.exit_code == 0, result.output
    assert "s3://" in result.output
    info = CliRunner().invoke(cli, ["info", url])
    assert info.exit_code == 0 and "stage=ingest" in info.output
    check = CliRunner().invoke(cli, ["validate", url])
    assert check.exit_code == 0 and "every shard matches" in check.output
