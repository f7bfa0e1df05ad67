from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from sealroom.errors import InputError
from sealroom.report.sampling import read_sampling_report, stratum_of


def _write(tmp_path: Path, obj: object) -> Path:
    p = tmp_path / "s.json"
    p.write_text(json.dumps(obj))
    return p


def test_layouts_sample_may_write(tmp_path: Path) -> None:
    d = read_sampling_report(
        _write(
            tmp_path,
            {
                "config": {"stratify": "month(created_at)"},
                "strata": {'"2023-01"': {"eligible": 10}, '"2023-02"': {"eligible": 5}},
            },
        )
    )
    assert d.populations == {"2023-01": 10, "2023-02": 5} and d.field == "month(created_at)"
    assert stratum_of(d, {"created_at": datetime(2023, 2, 9, tzinfo=UTC)}) == "2023-02"
    single = read_sampling_report(_write(tmp_path, {"strata": [{"label": "*", "population": 42}]}))
    assert single.populations == {None: 42} and single.field is None
    total = read_sampling_report(_write(tmp_path, {"population": 1000}))
    assert total.total_population == 1000
    pooled = read_sampling_report(_write(tmp_path, {"strata": [{"name": "a", "N": 1}, {"name": "b", "N": 2}]}))
    assert pooled.populations == {None: 3} and pooled.notes
    by_model = read_sampling_report(
        _write(
            tmp_path,
            {
                "stratify": "model",
                "strata": [{"value": "gpt-4", "population": 3}, {"value": "gpt-3.5", "population": 4}],
            },
        )
    )
    assert stratum_of(by_model, {"model": "gpt-4"}) == "gpt-4"


@pytest.mark.parametrize("content", ["not json", "[1, 2]", json.dumps({"strata": []})])
def test_unusable_sampling_reports_fail_clearly(tmp_path: Path, content: str) -> None:
    p = tmp_path / "s.json"
    p.write_text(content)
    with pytest.raises(InputError):
        read_sampling_report(p)
