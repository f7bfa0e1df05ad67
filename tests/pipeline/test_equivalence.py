"""The demo pipeline run with LocalRunner (1 and 2 workers) and a 2-worker Dask LocalCluster gives
identical manifests and shards (issue: runner equivalence); with its datasets in object storage it
gives the same shards too."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from pipeline_helpers import fetch_remote_outputs, make_workdir, snapshot

from sealroom.dataset.files import dump_json, read_json
from sealroom.dataset.manifest import MANIFEST, PLAN, config_hash
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


def _run(root: Path, runner_line: str, datasets: str | None = None) -> dict[str, bytes]:
    # the same sources (with their modification times) at the same paths for every run, so that
    # manifests, which name their inputs, can be compared whole
    work = root / "work"
    shutil.copytree(root / "template", work)
    pipeline_file = work / "pipeline.toml"
    text = re.sub(r"(?m)^workers = \d+$", runner_line, pipeline_file.read_text())
    if datasets:
        text = f'datasets = "{datasets}"\n' + text
    pipeline_file.write_text(text)
    Pipeline(PipelineConfig.load(pipeline_file)).run(show_progress=False)
    if datasets:
        # fetched beside the local outputs, with the URL where files name their inputs made local again
        fetch_remote_outputs(datasets, work)
        for record in [*work.rglob("*.json"), *work.rglob("*.md")]:
            record.write_bytes(record.read_bytes().replace(datasets.encode(), str(work).encode()))
        # a config that names an input path (deidentify's hits) hashes differently with the URL
        for manifest in work.rglob(MANIFEST):
            data = read_json(manifest)
            data["config_hash"] = config_hash(data["config"])
            manifest.write_bytes(dump_json(data))
            plan = manifest.parent / PLAN
            if plan.exists():
                plan.write_bytes(dump_json({**read_json(plan), "config_hash": data["config_hash"]}))
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


def test_datasets_in_object_storage_give_the_same_outputs(tmp_path: Path, s3_root: str) -> None:
    _prepare(tmp_path / "template")
    local = _run(tmp_path, "workers = 2")
    remote = _run(tmp_path, "workers = 2", datasets=f"{s3_root}/run-1")
    assert sum(name.endswith(".parquet") for name in remote) > 10
    assert sorted(remote) == sorted(local)
    assert [n for n in local if local[n] != remote[n]] == []
