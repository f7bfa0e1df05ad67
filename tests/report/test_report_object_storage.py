"""The report over datasets on object storage: the same report.json and report.html as from disk.

The data, classify labels and scan hits are built locally with the usual builders and copied to a
bucket of the test S3 server (``tests/objectstore.py``); the report folder stays local. The sampling
report may be remote too (the pipeline passes it from inside the sample dataset).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from dataset_builders import conversation, hit_row, write_conversations, write_hits
from objectstore import upload
from sealroom.classify import classify
from sealroom.cli.main import cli
from sealroom.dataset.files import write_json_atomic
from sealroom.dataset.location import location
from sealroom.report import build_report
from sealroom.report.build import REPORT_HTML, REPORT_JSON
from sealroom.runner import LocalRunner

TEXTS = ["How do I fix this Python error?", "Write a poem about the sea.", "What is the news today?"]
NAMES = ("data", "labels", "hits")
DESIGN = {"population": 6000, "strata": [{"stratum": "*", "population": 6000, "sample": 60}]}


@pytest.fixture
def local_inputs(tmp_path: Path) -> dict[str, Path]:
    convs = [conversation(f"c{i:03d}", TEXTS[i % 3], user_key=f"u{i}") for i in range(60)]
    data = write_conversations(tmp_path / "d", convs, per_shard=25)
    hits = write_hits(
        tmp_path / "h",
        [hit_row(f"c{i:03d}", f"art-{i % 2}", ("generated", "pasted")[i % 2]) for i in range(0, 60, 3)],
        [(f"c{i:03d}", "paywall") for i in range(0, 60, 4)],
    )
    classify(data, tmp_path / "c", hits=hits, runner=LocalRunner(1), show_progress=False)
    return {"data": data, "labels": tmp_path / "c", "hits": hits}


@pytest.fixture
def s3_inputs(local_inputs: dict[str, Path], s3_root: str) -> dict[str, str]:
    return {name: upload(local_inputs[name], f"{s3_root}/run/{name}") for name in NAMES}


def outputs(folder: Path) -> tuple[bytes, bytes]:
    return (folder / REPORT_JSON).read_bytes(), (folder / REPORT_HTML).read_bytes()


def test_report_over_object_storage_equals_the_local_report(
    tmp_path: Path, local_inputs: dict[str, Path], s3_inputs: dict[str, str], s3_root: str
) -> None:
    write_json_atomic(tmp_path / "sampling_report.json", DESIGN)
    write_json_atomic(f"{s3_root}/run/sample/sampling_report.json", DESIGN)
    local = build_report(
        local_inputs["data"],
        tmp_path / "r-local",
        labels=local_inputs["labels"],
        hits=local_inputs["hits"],
        sampling_report=tmp_path / "sampling_report.json",
        min_group_size=5,
    )
    remote = build_report(
        s3_inputs["data"],
        tmp_path / "r-s3",
        labels=s3_inputs["labels"],
        hits=s3_inputs["hits"],
        sampling_report=location(f"{s3_root}/run/sample") / "sampling_report.json",
        min_group_size=5,
    )
    assert remote.report["inputs"]["labels"]["stage"] == "classify"
    assert "sampling_report" in remote.report["inputs"]
    assert remote.report["totals"] == {"users": 60, "conversations": 60}
    assert sorted(r["label"] for r in remote.report["top_articles"]["rows"]) == ["art-0", "art-1"]
    assert outputs(tmp_path / "r-s3") == outputs(tmp_path / "r-local")
    assert local.report == remote.report


def test_cli_report_with_s3_datasets(tmp_path: Path, local_inputs: dict[str, Path], s3_inputs: dict[str, str]) -> None:
    """Without --labels the data is classified in process, shard by shard, straight from the bucket."""
    args = ["--data", s3_inputs["data"], "--hits", s3_inputs["hits"], "--out", str(tmp_path / "r-s3")]
    res = CliRunner().invoke(cli, ["report", *args, "--min-group-size", "5"])
    assert res.exit_code == 0, res.output
    build_report(local_inputs["data"], tmp_path / "r-local", hits=local_inputs["hits"], min_group_size=5)
    assert outputs(tmp_path / "r-s3") == outputs(tmp_path / "r-local")
