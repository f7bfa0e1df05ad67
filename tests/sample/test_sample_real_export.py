"""Sampling a hold ingested from the real ChatGPT export in the shared development data."""

from __future__ import annotations

from pathlib import Path

import pytest

from sealroom.runner import LocalRunner
from sealroom.sample import sample, verify_sample

ingest_api = pytest.importorskip("sealroom.ingest")


@pytest.mark.shared_data
def test_month_strata_of_a_real_export(shared_data: Path, key_file: Path, tmp_path: Path) -> None:
    export = shared_data / "chat" / "chatgpt_export" / "conversations.json"
    hold = tmp_path / "hold"
    ingest_api.ingest([export], hold, shard_size=50, runner=LocalRunner(1), show_progress=False)
    res = sample(
        hold,
        tmp_path / "s",
        key_file=key_file,
        size=40,
        stratify="month(created_at)",
        runner=LocalRunner(1),
        show_progress=False,
    )
    report = res.report
    assert report["rows"] == report["population"] == 192
    assert report["sample"] == 40 == sum(s["sample"] for s in report["strata"])
    assert len(report["strata"]) > 1
    assert all(s["value"] is None or len(s["value"]) == 7 for s in report["strata"])  # YYYY-MM
    assert verify_sample(tmp_path / "s", hold, key_file, runner=LocalRunner(1)).ok
