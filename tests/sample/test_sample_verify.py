from __future__ import annotations

import shutil
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from sample_holds import make_hold

from sealroom.dataset.files import read_json, write_json_atomic
from sealroom.errors import DatasetError
from sealroom.runner import LocalRunner
from sealroom.sample import sample, verify_sample

ONE = LocalRunner(1)
PARAMS = {"size": 120, "stratify": "month(created_at)", "where": ["account_type != 'business'"]}


@pytest.fixture
def drawn(hold: Path, key_file: Path, tmp_path: Path) -> Path:
    out = tmp_path / "s"
    sample(hold, out, key_file=key_file, runner=ONE, show_progress=False, **PARAMS)
    return out


def check(s: Path, hold: Path, key_file: Path) -> list[str]:
    return verify_sample(s, hold, key_file, runner=ONE).differences


def test_untouched_sample_verifies(drawn: Path, hold: Path, key_file: Path) -> None:
    result = verify_sample(drawn, hold, key_file, runner=ONE)
    assert result.ok, result.differences
    assert result.checked_rows == 120
    assert not [p for p in drawn.parent.iterdir() if p.name.startswith(".verify-")]


def test_rate_sample_verifies(hold: Path, key_file: Path, tmp_path: Path) -> None:
    sample(hold, tmp_path / "r", key_file=key_file, rate=0.05, runner=ONE, show_progress=False)
    assert verify_sample(tmp_path / "r", hold, key_file, runner=ONE).ok


def test_a_removed_conversation_is_named(drawn: Path, hold: Path, key_file: Path) -> None:
    shard = sorted(drawn.glob("part-*.parquet"))[0]
    table = pq.read_table(shard)
    victim = table.column("conversation_id")[0].as_py()
    pq.write_table(table.slice(1), shard)
    diffs = check(drawn, hold, key_file)
    assert any(f"conversation {victim} is missing" in d for d in diffs)
    assert any("SHA-256 does not match" in d or "size" in d for d in diffs)


def test_a_swapped_conversation_is_named(drawn: Path, hold: Path, key_file: Path, tmp_path: Path) -> None:
    """Replace a sampled conversation with one the key did not pick (and fix the manifest hashes)."""
    from sealroom.dataset import Dataset

    other = tmp_path / "other"
    sample(hold, other, key_file=key_file, rate=1.0, runner=ONE, show_progress=False)
    picked = set(Dataset.open(drawn).read(["conversation_id"]).column("conversation_id").to_pylist())
    full = Dataset.open(other).read()
    intruder = next(i for i in full.column("conversation_id").to_pylist() if i not in picked)
    shard = sorted(drawn.glob("part-*.parquet"))[0]
    table = pq.read_table(shard)
    import pyarrow as pa
    import pyarrow.compute as pc

    row = full.filter(pc.equal(full.column("conversation_id"), intruder))
    pq.write_table(pa.concat_tables([table.slice(1), row.cast(table.schema)]), shard)
    diffs = check(drawn, hold, key_file)
    assert any(f"conversation {intruder} is in the sample but not" in d for d in diffs)


def test_an_edited_report_count_is_named(drawn: Path, hold: Path, key_file: Path) -> None:
    report = read_json(drawn / "sampling_report.json")
    report["strata"][0]["population"] += 1
    write_json_atomic(drawn / "sampling_report.json", report)
    diffs = check(drawn, hold, key_file)
    assert any(d.startswith("report strata[0].population: recorded") for d in diffs)


def test_a_wrong_key_is_named(drawn: Path, hold: Path, other_key_file: Path) -> None:
    (diff,) = check(drawn, hold, other_key_file)
    assert "key fingerprint" in diff


def test_a_changed_hold_is_named(drawn: Path, key_file: Path, tmp_path: Path) -> None:
    bigger = make_hold(tmp_path / "bigger", 2100, shards=3)
    diffs = check(drawn, bigger, key_file)
    assert any("hold fingerprint" in d for d in diffs)
    assert any(d.startswith("report population") for d in diffs)


def test_not_a_sample(hold: Path, key_file: Path, tmp_path: Path) -> None:
    shutil.copytree(hold, tmp_path / "copy")
    with pytest.raises(DatasetError, match=r"sampling_report\.json"):
        verify_sample(tmp_path / "copy", hold, key_file)
