"""SIGKILL the pipeline at seeded random moments inside every stage, resume, and get outputs
byte-identical to an uninterrupted run: no conversation lost or duplicated (issue 9)."""

from __future__ import annotations

import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from pipeline_helpers import fetch_remote_outputs, make_workdir, snapshot

from sealroom.dataset.location import location, remove_tree
from sealroom.pipeline.config import PipelineConfig
from sealroom.pipeline.run import Pipeline

pytestmark = pytest.mark.slow

MOMENTS = int(os.environ.get("SEALROOM_CRASH_MOMENTS", "20"))
#: with the datasets in object storage (each kill interrupts uploads and marker writes there)
REMOTE_MOMENTS = int(os.environ.get("SEALROOM_CRASH_MOMENTS_REMOTE", "4"))
COMPARED = ("hold", "sample", "corpus-index", "hits", "deidentified", "labels", "report", "production")
KEY = b"fedcba9876543210fedcba9876543210\n"


def _prepare(work: Path) -> Path:
    (work / "keys").mkdir(parents=True)
    (work / "keys" / "sealroom.key").write_bytes(KEY)
    pipeline_file = make_workdir(work, conversations=120, workers=2)
    # small shards so every stage has many tasks to be interrupted between
    pipeline_file.write_text(re.sub(r"(?m)^shard_size = \d+$", "shard_size = 12", pipeline_file.read_text()))
    return pipeline_file


def _run_until(pipeline_file: Path, stage: str, kill_after: float | None) -> int | None:
    cmd = [sys.executable, "-m", "sealroom.cli.main", "run", str(pipeline_file), "--until", stage, "-q"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    if kill_after is None:
        _, err = proc.communicate(timeout=900)
        assert proc.returncode == 0, err.decode(errors="replace")[-2000:]
        return proc.returncode
    try:
        proc.wait(timeout=kill_after)
        return proc.returncode  # finished before the planned moment
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)  # the whole process group: coordinator and workers
        proc.wait()
        return None


def _stages(pipeline_file: Path) -> list[str]:
    return [spec.name for spec in Pipeline(PipelineConfig.load(pipeline_file)).enabled()]


def _start(tmp_path: Path, datasets: str | None) -> Path:
    """A fresh work folder from the template (same sources, same paths, same modification times)."""
    work = tmp_path / "work"
    shutil.copytree(tmp_path / "template", work)
    pipeline_file = work / "pipeline.toml"
    if datasets:
        pipeline_file.write_text(f'datasets = "{datasets}"\n' + pipeline_file.read_text())
        remove_tree(location(datasets))
    return pipeline_file


def _outputs(work: Path, datasets: str | None) -> dict[str, bytes]:
    if datasets:
        fetch_remote_outputs(datasets, work)
    return snapshot(work, COMPARED)


@pytest.mark.parametrize("where", ["local", "object-storage"])
def test_kills_at_random_moments_in_every_stage_then_resume(
    tmp_path: Path, where: str, request: pytest.FixtureRequest
) -> None:
    moments = MOMENTS
    datasets = None
    if where == "object-storage":
        moments = REMOTE_MOMENTS
        datasets = f"{request.getfixturevalue('s3_root')}/crash"
    _prepare(tmp_path / "template")
    work = tmp_path / "work"
    pipeline_file = _start(tmp_path, datasets)
    # the uninterrupted reference, one stage per process, timed as the interrupted runs will be
    durations: dict[str, float] = {}
    for stage in _stages(pipeline_file):
        t0 = time.perf_counter()
        _run_until(pipeline_file, stage, None)
        durations[stage] = time.perf_counter() - t0
    reference = _outputs(work, datasets)
    shutil.rmtree(work)

    pipeline_file = _start(tmp_path, datasets)
    killed: dict[str, int] = {}
    for stage, seconds in durations.items():
        rng = random.Random(f"crash-{stage}")
        for _ in range(moments):
            # a moment inside the time the stage's process needs; a resumed run has less to do
            # and may finish first, which is then a run that simply completed
            if _run_until(pipeline_file, stage, rng.uniform(0.05, 0.95) * seconds) is None:
                killed[stage] = killed.get(stage, 0) + 1
        _run_until(pipeline_file, stage, None)
    assert sum(killed.values()) >= len(durations), killed  # the kills really interrupted runs
    final = _outputs(work, datasets)
    assert sorted(final) == sorted(reference)
    assert [name for name in reference if final[name] != reference[name]] == []
