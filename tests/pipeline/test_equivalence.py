"""The demo pipeline run with LocalRunner (1 and 2 workers) and a 2-worker Dask LocalCluster gives
identical manifests and shards (issue: runner equivalence)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from pipeline_helpers import make_workdir, snapshot

from sealroom.pipeline.config import PipelineConfig
from sealroom.pipeline.run import Pipeline

pytestmark = pytest.mark.slow

COMPARED = ("hold", "sample", "corpus-index", "hits", "deidentified", "labels", "production")


def _prepare(template: Path) -> None:
    (template / "keys").mkdir(parents=True)
    (template / "keys" / "sealroom.key").write_bytes(b"0123456789abcdef0123456789abcdef\n")
    pipeline_file = make_workdir(template, conversations=40)
    text = re.sub(r"(?m)^\[review\]\ndb = .*$", "", pipeline_file.read_text())  # the review DB holds login times
    pipeline_file.write_text(text)


def _run(root: Path, runner_line: str) -> dict[str, bytes]:
    # the same sources (with their modification times) at the same paths for every run, so that
    # manifests, which name their inputs, can be compared whole
    work = root / "work"
    shutil.copytree(root / "template", work)
    pipeline_file = work / "pipeline.toml"
    pipeline_file.write_text(re.sub(r"(?m)^workers = \d+$", runner_line, pipeline_file.read_text()))
    Pipeline(PipelineConfig.load(pipeline_file)).run(show_progress=False)
    files = snapshot(work, COMPARED)
    shutil.rmtree(work)
    return files


def test_local_1_local_2_and_dask_give_identical_outputs(tmp_path: Path) -> None:
    _prepare(tmp_path / "template")
    one = _run(tmp_path, "workers = 1")
    two = _run(tmp_path, "workers = 2")
    dask = _run(tmp_path, 'cluster = "local:2"')
    assert any(name.endswith("_manifest.json") for name in one)
    assert sorted(one) == sorted(two) == sorted(dask)
    assert [n for n in one if one[n] != two[n]] == []
    assert [n for n in one if one[n] != dask[n]] == []
