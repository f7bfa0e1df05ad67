"""Ingest from and into object storage: the same hold, byte for byte, as from and on a local disk."""

from __future__ import annotations

import gzip
import zipfile
from pathlib import Path

import orjson
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from ingest_helpers import chatgpt_conversation, openai_record, write_jsonl

from objectstore import upload
from sealroom.cli.main import cli
from sealroom.dataset import Dataset, validate_dataset
from sealroom.dataset.location import SCRATCH_ENV, location
from sealroom.ingest import ingest
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


def test_sources_in_object_storage_give_the_same_conversations(tmp_path: Path, s3_root: str) -> None:
    src = _sources(tmp_path)
    with zipfile.ZipFile(src / "export.zip", "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("conversations.json", orjson.dumps([chatgpt_conversation(cid=f"z{i}") for i in range(3)]))
        zf.writestr("chat.html", "<html></html>")
    pq.write_table(
        pa.table(
            {
                "conversation_hash": ["p1"],
                "conversation": [[{"role": "user", "content": "hi"}]],
                "model": ["gpt-4"],
                "timestamp": ["2024-01-01T00:00:00"],
            }
        ),
        src / "chats.parquet",
    )
    bucket = upload(src, f"{s3_root}/exports")
    local = ingest([src], tmp_path / "hold", shard_size=2, runner=LocalRunner(1), show_progress=False)
    remote = ingest([bucket], tmp_path / "hold-from-s3", shard_size=2, runner=LocalRunner(2), show_progress=False)
    assert remote.conversations == local.conversations > 0
    assert remote.conversations_by_format == local.conversations_by_format
    assert remote.quarantine_by_reason == local.quarantine_by_reason

    def rows(root: Path) -> list[dict]:
        return Dataset.open(root).read().to_pylist()

    assert rows(tmp_path / "hold-from-s3") == rows(tmp_path / "hold")
    sources = Dataset.open(tmp_path / "hold-from-s3").manifest.extra["sources"]
    assert all(s["path"].startswith("s3://") and len(s["sha256"]) == 64 for s in sources)
    assert [s["sha256"] for s in sources] == [
        s["sha256"] for s in Dataset.open(tmp_path / "hold").manifest.extra["sources"]
    ]
    assert not list((tmp_path / "hold-from-s3").rglob(".tmp-*"))  # spooled copies removed
