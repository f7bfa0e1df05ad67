from __future__ import annotations

from pathlib import Path

import cloudpickle
import pytest

import steps_for_tests
from sealroom.dataset import Dataset
from sealroom.dataset.manifest import DONE_DIR, MANIFEST
from sealroom.errors import ConfigError, StepError
from sealroom.runner import LocalRunner, make_runner, run_step
from steps_for_tests import SquaresStep

# Dask workers import by reference; ship the test step module by value instead.
cloudpickle.register_pickle_by_value(steps_for_tests)


def _shard_bytes(path: Path) -> dict[str, bytes]:
    return {p.relative_to(path).as_posix(): p.read_bytes() for p in sorted(path.rglob("part-*.parquet"))}


def test_workers_and_dask_give_byte_identical_outputs(tmp_path: Path) -> None:
    step = SquaresStep(6, 50, max_rows=70)
    run_step(step, tmp_path / "one", LocalRunner(1), show_progress=False)
    run_step(step, tmp_path / "two", LocalRunner(2), show_progress=False)
    dask = make_runner(cluster="local:2")
    try:
        run_step(step, tmp_path / "dask", dask, show_progress=False)
    finally:
        dask.close()
    reference = _shard_bytes(tmp_path / "one")
    assert len(reference) > 6
    assert _shard_bytes(tmp_path / "two") == reference
    assert _shard_bytes(tmp_path / "dask") == reference
    manifest = (tmp_path / "one" / MANIFEST).read_bytes()
    assert (tmp_path / "two" / MANIFEST).read_bytes() == manifest
    assert (tmp_path / "dask" / MANIFEST).read_bytes() == manifest


def test_rerun_skips_finished_tasks_and_restart_redoes_them(tmp_path: Path) -> None:
    first = run_step(SquaresStep(4, 3), tmp_path / "d", LocalRunner(1), show_progress=False)
    assert (first.ran, first.skipped) == (4, 0)
    again = run_step(SquaresStep(4, 3), tmp_path / "d", LocalRunner(1), show_progress=False)
    assert (again.ran, again.skipped) == (0, 4)
    redo = run_step(SquaresStep(4, 3), tmp_path / "d", LocalRunner(1), restart=True, show_progress=False)
    assert (redo.ran, redo.skipped) == (4, 0)
    assert redo.manifest.fingerprint == first.manifest.fingerprint


def test_a_failed_task_leaves_no_manifest_and_resume_completes(tmp_path: Path) -> None:
    crash = tmp_path / "crash-now"
    crash.touch()
    out = tmp_path / "d"
    with pytest.raises(StepError) as err:
        run_step(SquaresStep(3, 4, crash_marker=crash), out, LocalRunner(1), show_progress=False)
    # the planted failure message quotes "record text"; only the exception type may surface
    assert "Jane Doe" not in str(err.value)
    assert "RuntimeError" in str(err.value)
    assert not (out / MANIFEST).exists()
    assert sorted(p.name for p in (out / DONE_DIR).iterdir()) == ["00000.json", "00001.json"]
    crash.unlink()
    resumed = run_step(SquaresStep(3, 4, crash_marker=crash), out, LocalRunner(1), show_progress=False)
    assert (resumed.ran, resumed.skipped) == (1, 2)
    run_step(SquaresStep(3, 4), tmp_path / "clean", LocalRunner(1), show_progress=False)
    assert _shard_bytes(out) == _shard_bytes(tmp_path / "clean")


def test_stale_partial_shards_of_an_unfinished_task_are_replaced(tmp_path: Path) -> None:
    out = tmp_path / "d"
    run_step(SquaresStep(2, 4), out, LocalRunner(1), show_progress=False)
    # simulate a crash after task 00001 wrote a shard but before its marker
    (out / DONE_DIR / "00001.json").unlink()
    (out / MANIFEST).unlink()
    (out / "part-00001.parquet").write_bytes(b"garbage from a killed writer")
    (out / ".tmp-part-00000.parquet.123").write_bytes(b"temp")
    result = run_step(SquaresStep(2, 4), out, LocalRunner(1), show_progress=False)
    assert result.ran == 1
    assert Dataset.open(out).read().num_rows == 8
    assert not list(out.glob(".tmp-*"))


def test_different_config_on_existing_output_is_refused(tmp_path: Path) -> None:
    run_step(SquaresStep(2, 4), tmp_path / "d", LocalRunner(1), show_progress=False)
    with pytest.raises(ConfigError) as err:
        run_step(SquaresStep(2, 5), tmp_path / "d", LocalRunner(1), show_progress=False)
    assert err.value.code == "output_mismatch"
    run_step(SquaresStep(2, 5), tmp_path / "d", LocalRunner(1), restart=True, show_progress=False)
    assert Dataset.open(tmp_path / "d").rows == 10


def test_bad_cluster_spec_is_a_config_error() -> None:
    with pytest.raises(ConfigError):
        make_runner(cluster="local:zero")
    with pytest.raises(ConfigError):
        make_runner(cluster="nonsense")


@pytest.mark.parametrize("workers", [1, 2])
def test_setup_runs_once_per_process_not_per_task(tmp_path: Path, workers: int) -> None:
    from steps_for_tests import SetupCountingStep

    SetupCountingStep.setups = 0
    run_step(SetupCountingStep(8, 1), tmp_path / "d", LocalRunner(workers), show_progress=False)
    setups = Dataset.open(tmp_path / "d").read().column("setups").to_pylist()
    assert max(setups) == 1
