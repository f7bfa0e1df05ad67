from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest

from sealroom.dataset import Dataset, TaskWriter, validate_dataset
from sealroom.dataset.files import atomic_open, dump_json, sha256_file
from sealroom.errors import DatasetError
from sealroom.runner import LocalRunner, run_step
from steps_for_tests import NUMBERS, SquaresStep


def test_atomic_open_leaves_no_file_on_failure(tmp_path: Path) -> None:
    target = tmp_path / "x.json"
    with pytest.raises(RuntimeError), atomic_open(target) as fh:
        fh.write(b"half")
        raise RuntimeError("boom")
    assert not target.exists()
    assert list(tmp_path.iterdir()) == []


def test_dump_json_is_canonical() -> None:
    assert dump_json({"b": 1, "a": [1, 2]}) == dump_json({"a": [1, 2], "b": 1})


def test_writer_rolls_shards_at_max_rows(tmp_path: Path) -> None:
    w = TaskWriter(tmp_path, "00007", {"main": NUMBERS}, max_rows=4)
    w.write("main", pa.table({"n": list(range(6)), "sq": [0] * 6}))
    w.write("main", pa.table({"n": list(range(6, 10)), "sq": [0] * 4}))
    shards = w.close()["main"]
    assert [s.file for s in shards] == [
        "part-00007-00000.parquet",
        "part-00007-00001.parquet",
        "part-00007-00002.parquet",
    ]
    assert [s.rows for s in shards] == [4, 4, 2]
    assert all(sha256_file(tmp_path / s.file) == s.sha256 for s in shards)


def test_writer_abort_leaves_no_shard(tmp_path: Path) -> None:
    w = TaskWriter(tmp_path, "00001", {"main": NUMBERS})
    w.write("main", pa.table({"n": [1], "sq": [1]}))
    w.abort()
    assert list(tmp_path.glob("*.parquet")) == []
    assert [p for p in tmp_path.iterdir() if p.name.startswith(".tmp-")] == []


def test_dataset_reads_back_in_shard_order_with_side_outputs(tmp_path: Path) -> None:
    run_step(SquaresStep(4, 5), tmp_path / "d", LocalRunner(1), show_progress=False)
    ds = Dataset.open(tmp_path / "d")
    assert ds.rows == 20
    assert ds.read().column("n").to_pylist() == list(range(20))
    assert ds.side("odd").read().column("n").to_pylist() == list(range(1, 20, 2))
    assert ds.manifest.stats == {"rows": 20}
    with pytest.raises(DatasetError):
        ds.side("nope")


def test_open_refuses_a_dataset_without_manifest(tmp_path: Path) -> None:
    (tmp_path / "half").mkdir()
    with pytest.raises(DatasetError) as err:
        Dataset.open(tmp_path / "half")
    assert err.value.code == "dataset_incomplete"


def test_validate_names_the_corrupted_shard(tmp_path: Path) -> None:
    run_step(SquaresStep(3, 5), tmp_path / "d", LocalRunner(1), show_progress=False)
    assert all(r.ok for r in validate_dataset(tmp_path / "d"))
    shard = tmp_path / "d" / "part-00001.parquet"
    data = bytearray(shard.read_bytes())
    data[len(data) // 2] ^= 0xFF
    shard.write_bytes(bytes(data))
    problems = [p for r in validate_dataset(tmp_path / "d") for p in r.problems]
    assert problems == ["part-00001.parquet: SHA-256 does not match the manifest"]


def test_validate_finds_missing_and_unlisted_shards(tmp_path: Path) -> None:
    run_step(SquaresStep(3, 5), tmp_path / "d", LocalRunner(1), show_progress=False)
    (tmp_path / "d" / "part-00002.parquet").rename(tmp_path / "d" / "part-00009.parquet")
    problems = [p for r in validate_dataset(tmp_path / "d") for p in r.problems]
    assert "part-00002.parquet: missing" in problems
    assert "part-00009.parquet: shard not listed in the manifest" in problems


def test_remove_temp_files_clears_files_and_staging_folders(tmp_path: Path) -> None:
    from sealroom.dataset.files import remove_temp_files

    (tmp_path / ".tmp-part-00001.parquet.77").write_bytes(b"x")
    staging = tmp_path / "sub" / ".tmp-seg-00000.123"
    staging.mkdir(parents=True)
    (staging / ".tmp-inner").write_bytes(b"y")
    (tmp_path / "keep.parquet").write_bytes(b"z")
    remove_temp_files(tmp_path)
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*")) == ["keep.parquet", "sub"]
