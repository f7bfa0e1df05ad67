"""Datasets on object storage: the same protocol and the same bytes as on a local disk.

Runs against an S3-compatible server over HTTP (see ``tests/objectstore.py``), so every read,
listing, upload and delete goes through s3fs as it would against a real bucket.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import cloudpickle
import pytest
from upath import UPath

import steps_for_tests
from sealroom.dataset import Dataset, validate_dataset
from sealroom.dataset.files import atomic_open, local_temp_for, read_json, write_json_atomic
from sealroom.dataset.location import SCRATCH_ENV, is_remote, location, remove_tree
from sealroom.dataset.manifest import DONE_DIR, MANIFEST, PLAN
from sealroom.errors import DatasetError, StepError
from sealroom.runner import LocalRunner, make_runner, run_step
from steps_for_tests import SquaresStep

cloudpickle.register_pickle_by_value(steps_for_tests)


def _files(root: Path | UPath) -> dict[str, bytes]:
    """Every shard and manifest under a dataset, by relative name (markers and plan excluded)."""
    out = {}
    for p in root.rglob("*"):
        rel = str(p)[len(str(root)) :].lstrip("/")
        if p.is_file() and (rel.endswith(".parquet") or rel.endswith(MANIFEST)):
            out[rel] = p.read_bytes()
    return out


def test_location_keeps_local_paths_local_and_urls_remote(tmp_path: Path) -> None:
    assert location(str(tmp_path)) == tmp_path and not is_remote(location(tmp_path))
    assert location(f"file://{tmp_path}") == tmp_path
    remote = location("s3://bucket/run/hold")
    assert is_remote(remote) and str(remote / "part-00000.parquet") == "s3://bucket/run/hold/part-00000.parquet"


def test_atomic_write_on_object_storage_appears_whole_or_not_at_all(s3_root: str) -> None:
    target = location(f"{s3_root}/x/doc.json")
    with pytest.raises(RuntimeError), atomic_open(target) as fh:
        fh.write(b"half")
        raise RuntimeError("killed mid-write")
    assert not target.exists()
    write_json_atomic(target, {"a": 1})
    assert read_json(target) == {"a": 1}


@pytest.mark.parametrize("runner", ["local:1", "local:2", "dask:2"])
def test_a_step_on_object_storage_gives_the_bytes_of_a_local_run(tmp_path: Path, s3_root: str, runner: str) -> None:
    step = SquaresStep(5, 40, max_rows=30)
    run_step(step, tmp_path / "local", LocalRunner(1), show_progress=False)
    kind, workers = runner.split(":")
    chosen = LocalRunner(int(workers)) if kind == "local" else make_runner(cluster=f"local:{workers}")
    try:
        result = run_step(step, f"{s3_root}/squares", chosen, show_progress=False)
    finally:
        chosen.close()
    assert is_remote(result.out_dir)
    remote = _files(location(f"{s3_root}/squares"))
    assert len(remote) > 5
    assert remote == _files(tmp_path / "local")
    ds = Dataset.open(f"{s3_root}/squares")
    assert ds.read().num_rows == 200
    assert ds.side("odd").read().num_rows == 100
    assert all(r.ok for r in validate_dataset(f"{s3_root}/squares"))


def test_resume_on_object_storage_redoes_only_unfinished_tasks(tmp_path: Path, s3_root: str) -> None:
    crash = tmp_path / "crash-now"
    crash.touch()
    out = f"{s3_root}/resume"
    with pytest.raises(StepError):
        run_step(SquaresStep(4, 10, crash_marker=crash), out, LocalRunner(1), show_progress=False)
    root = location(out)
    assert not (root / MANIFEST).exists() and (root / PLAN).exists()
    assert len(list((root / DONE_DIR).glob("*.json"))) == 3
    with pytest.raises(DatasetError, match="has not finished"):
        Dataset.open(out)
    crash.unlink()
    result = run_step(SquaresStep(4, 10, crash_marker=crash), out, LocalRunner(1), show_progress=False)
    assert (result.ran, result.skipped) == (1, 3)
    reference = run_step(SquaresStep(4, 10), tmp_path / "ref", LocalRunner(1), show_progress=False)
    assert result.manifest.fingerprint == reference.manifest.fingerprint
    again = run_step(SquaresStep(4, 10), out, LocalRunner(1), show_progress=False)
    assert (again.ran, again.skipped) == (0, 4)


def test_restart_on_object_storage_clears_the_old_output(s3_root: str) -> None:
    out = f"{s3_root}/restart"
    run_step(SquaresStep(3, 5), out, LocalRunner(1), show_progress=False)
    redo = run_step(SquaresStep(3, 5), out, LocalRunner(1), restart=True, show_progress=False)
    assert (redo.ran, redo.skipped) == (3, 0)
    remove_tree(location(out))
    assert not location(out).exists()


def test_validate_catches_a_corrupted_or_stray_shard_on_object_storage(s3_root: str) -> None:
    out = f"{s3_root}/corrupt"
    run_step(SquaresStep(2, 10), out, LocalRunner(1), show_progress=False)
    root = location(out)
    shard = root / "part-00001.parquet"
    data = bytearray(shard.read_bytes())
    data[len(data) // 2] ^= 0xFF
    shard.write_bytes(bytes(data))
    (root / "part-00009.parquet").write_bytes(b"stray")
    problems = [p for r in validate_dataset(out) for p in r.problems]
    assert any(p.startswith("part-00001.parquet") and "SHA-256" in p for p in problems)
    assert any(p.startswith("part-00009.parquet") and "not listed" in p for p in problems)


def test_files_bound_for_object_storage_are_staged_in_scratch_or_memory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    remote = location("s3://bucket/hold/part-00000.parquet")
    monkeypatch.setenv(SCRATCH_ENV, str(tmp_path))
    tmp = local_temp_for(remote)
    assert tmp.parent == tmp_path and tmp.name.startswith(".tmp-part-00000.parquet.")
    tmp.unlink()
    monkeypatch.delenv(SCRATCH_ENV)
    expected = Path("/dev/shm") if Path("/dev/shm").is_dir() else Path(tempfile.gettempdir())
    tmp = local_temp_for(remote)
    assert tmp.parent == expected  # memory, not an ordinary disk outside the hold
    tmp.unlink()
    assert local_temp_for(tmp_path / "x.json").parent == tmp_path  # local: beside the target
