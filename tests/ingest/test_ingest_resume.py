"""Crash safety and runner independence: a killed ingest resumes to the same bytes, and every
runner writes the same shards."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import orjson
import pytest
from ingest_helpers import chatgpt_conversation, kill_once_tasks_are_done, openai_record, write_jsonl

from sealroom.dataset import Dataset
from sealroom.ingest import ingest
from sealroom.runner import LocalRunner


def _sources(folder: Path, files: int, per_file: int) -> Path:
    folder.mkdir()
    for f in range(files):
        records = [openai_record(f * per_file + i, words=30) for i in range(per_file)]
        records.append({"messages": [{"role": "alien", "content": "x"}]})  # one quarantined per file
        write_jsonl(folder / f"part-{f:03d}.jsonl", records)
    # a last file that repeats ids of the first: settled across tasks at the end of the run
    write_jsonl(folder / "zz-repeats.jsonl", [{**openai_record(i), "id": f"dup-{i}"} for i in range(3)])
    write_jsonl(folder / "aa-first.jsonl", [{**openai_record(i), "id": f"dup-{i}"} for i in range(3)])
    (folder / "export.json").write_bytes(orjson.dumps([chatgpt_conversation(cid=f"c{i}") for i in range(20)]))
    return folder


def _state(out: Path) -> tuple:
    ds = Dataset.open(out)
    q = ds.side("quarantine")
    return (
        [(s.file, s.rows, s.sha256) for s in ds.shards],
        [(s.file, s.rows, s.sha256) for s in q.shards],
        ds.manifest.stats,
        ds.manifest.extra,
        ds.read().to_pylist(),
    )


def _cli(src: Path, out: Path) -> list[str]:
    return [sys.executable, "-m", "sealroom.cli.main", "ingest", str(src), "--out", str(out), "-j", "1", "-q"]


@pytest.mark.slow
def test_sigkill_mid_run_then_resume_is_identical(tmp_path: Path) -> None:
    src = _sources(tmp_path / "src", files=60, per_file=150)
    reference = tmp_path / "reference"
    subprocess.run(_cli(src, reference), check=True, capture_output=True, timeout=600)

    out = tmp_path / "hold"
    kill_once_tasks_are_done(_cli(src, out), out)
    finished = len(list((out / "_done").glob("*.json")))
    assert 5 <= finished < 63

    rerun = subprocess.run(_cli(src, out), capture_output=True, timeout=600)
    assert rerun.returncode == 0, rerun.stderr.decode()[-2000:]
    assert _state(out) == _state(reference)
    assert Dataset.open(out).manifest.extra["duplicates"]["count"] == 3


def test_local_and_dask_runners_write_identical_bytes(tmp_path: Path) -> None:
    pytest.importorskip("distributed")
    from sealroom.runner.dask import DaskRunner

    src = _sources(tmp_path / "src", files=6, per_file=40)
    kw = {"shard_size": 50, "show_progress": False}
    ingest([src], tmp_path / "one", runner=LocalRunner(1), **kw)
    ingest([src], tmp_path / "two", runner=LocalRunner(2), **kw)
    dask = DaskRunner("local:2")
    try:
        ingest([src], tmp_path / "dask", runner=dask, **kw)
    finally:
        dask.close()
    manifests = {name: (tmp_path / name / "_manifest.json").read_bytes() for name in ("one", "two", "dask")}
    assert manifests["one"] == manifests["two"] == manifests["dask"]
    for name in ("two", "dask"):
        for shard in sorted((tmp_path / "one").rglob("part-*.parquet")):
            twin = tmp_path / name / shard.relative_to(tmp_path / "one")
            assert twin.read_bytes() == shard.read_bytes(), twin
