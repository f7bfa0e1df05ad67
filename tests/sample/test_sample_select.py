from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sealroom.dataset import Dataset
from sealroom.dataset.writer import TaskWriter
from sealroom.errors import ConfigError
from sealroom.runner import LocalRunner, run_step
from sealroom.sample.select import allocate, label_order, thresholds
from sealroom.sample.steps import KEYS_SCHEMA
from sealroom.schema import CONVERSATION_SCHEMA
from sealroom.step import Stats, Step, Task


@given(st.dictionaries(st.text(min_size=1, max_size=5), st.integers(0, 10_000), min_size=1, max_size=12), st.data())
def test_proportional_allocation_is_exact(eligible: dict[str, int], data: st.DataObject) -> None:
    total = sum(eligible.values())
    size = data.draw(st.integers(1, max(1, total + 5)))
    got = allocate(eligible, size, None)
    if size >= total:
        assert got == eligible
        return
    assert sum(got.values()) == size
    for label, n in got.items():
        quota = size * eligible[label] / total
        assert quota - 1 < n < quota + 1 and n <= eligible[label]


def test_allocation_examples() -> None:
    assert allocate({"a": 5, "b": 3, "c": 2}, 5, None) == {"a": 3, "b": 1, "c": 1}  # 2.5, 1.5, 1.0
    assert allocate({"a": 5, "b": 3, "c": 2}, None, 4) == {"a": 4, "b": 3, "c": 2}
    with pytest.raises(ConfigError):
        allocate({"a": 1}, None, None)
    assert label_order(['"b"', "null", '"a"']) == ['"a"', '"b"', "null"]


class KeysFixture(Step):
    stage = "sample.keys"
    outputs = {"main": KEYS_SCHEMA}

    def __init__(self, shards: list[list[tuple[str, int, str | None]]]) -> None:
        self.shards = shards

    def config(self) -> dict[str, Any]:
        return {}

    def inputs(self) -> list[dict[str, Any]]:
        return []

    def plan(self) -> list[Task]:
        return [Task(f"{i:05d}", rows) for i, rows in enumerate(self.shards)]

    def process(self, task: Task, out: TaskWriter) -> Stats:
        ids, hs, strata = zip(*task.payload, strict=True) if task.payload else ((), (), ())
        out.write("main", pa.table({"conversation_id": ids, "h": pa.array(hs, pa.uint64()), "stratum": strata}))
        return Stats()


def keys_dataset(tmp_path: Path, rows: list[tuple[str, int, str | None]], shards: int) -> Dataset:
    parts = [rows[i::shards] for i in range(shards)]
    run_step(KeysFixture(parts), tmp_path / "keys", LocalRunner(1), show_progress=False)
    return Dataset.open(tmp_path / "keys")


def test_thresholds_pick_the_nth_smallest_h_then_id(tmp_path: Path) -> None:
    rng = random.Random(3)
    rows: list[tuple[str, int, str | None]] = []
    for i in range(3000):
        stratum = rng.choice(["x", "y", None])
        # many equal values inside one top-12-bit bin, and duplicates of h with different ids
        h = rng.choice([rng.getrandbits(64), (5 << 52) + rng.getrandbits(8)])
        rows.append((f"id{i:05d}", h, stratum))
    rows += [("dup-b", 7 << 52, "x"), ("dup-a", 7 << 52, "x")]
    ds = keys_dataset(tmp_path, rows, shards=4)
    targets = {json.dumps(s): n for s, n in (("x", 300), ("y", 1), (None, 999_999))}
    targets['"z"'] = 0
    got = thresholds(ds, targets, stratified=True)
    for s, label in (("x", '"x"'), ("y", '"y"')):
        ordered = sorted((h, i) for i, h, st_ in rows if st_ == s)
        h, cid = ordered[targets[label] - 1]
        assert got[label] == [f"{h:016x}", cid]
    assert got["null"] == "all" and got['"z"'] is None


def test_unstratified_thresholds(tmp_path: Path) -> None:
    rows = [(f"c{i}", (i * 0x9E3779B97F4A7C15) % 2**64, None) for i in range(500)]
    ds = keys_dataset(tmp_path, rows, shards=3)
    (h, cid) = sorted((h, i) for i, h, _ in rows)[49]
    assert thresholds(ds, {"all": 50}, stratified=False) == {"all": [f"{h:016x}", cid]}


def test_stratify_on_a_nested_column_is_refused() -> None:
    from sealroom.sample.expr import parse_field

    with pytest.raises(ConfigError, match="--stratify: column 'messages' holds nested values"):
        parse_field("messages", CONVERSATION_SCHEMA)


def test_select_step_orders_equal_values_by_id() -> None:
    """Equal 64-bit values (a repeated id, in practice) are kept up to the threshold id, as selected."""
    import numpy as np

    from sealroom.keys import SecretKey
    from sealroom.sample.membership import KeyedSampler
    from sealroom.sample.steps import SelectStep

    class FakeShard:
        h = np.array([5, 9, 9, 9, 10, 1], dtype=np.uint64)
        ids = pa.chunked_array([["a", "a", "b", "c", "d", "e"]])
        labels = ['"x"', '"y"']
        codes = np.array([0, 0, 0, 0, 0, 1])

    sampler = KeyedSampler(SecretKey(b"k" * 32, "t"))
    step = SelectStep(Path("unused"), sampler, [], "s", CONVERSATION_SCHEMA, thresholds={'"x"': [f"{9:016x}", "b"]})
    assert step._selected(FakeShard()).tolist() == [True, True, True, False, False, False]
    step = SelectStep(Path("unused"), sampler, [], "s", CONVERSATION_SCHEMA, thresholds={'"x"': None, '"y"': "all"})
    assert step._selected(FakeShard()).tolist() == [False] * 5 + [True]
