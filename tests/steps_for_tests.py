"""Small real steps used to test the runner machinery (importable by worker processes)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa

from sealroom.dataset.writer import TaskWriter
from sealroom.step import Stats, Step, Task

NUMBERS = pa.schema([pa.field("n", pa.int64(), nullable=False), pa.field("sq", pa.int64())])
ODD = pa.schema([pa.field("n", pa.int64(), nullable=False)])


class SquaresStep(Step):
    """Task i writes the squares of range(i*size, (i+1)*size); odd numbers also go to a side output."""

    stage = "squares"
    outputs = {"main": NUMBERS, "odd": ODD}

    def __init__(self, tasks: int, size: int, crash_marker: Path | None = None, max_rows: int | None = None):
        self.tasks = tasks
        self.size = size
        self.crash_marker = crash_marker
        self.max_rows_per_shard = max_rows

    def config(self) -> dict[str, Any]:
        return {"tasks": self.tasks, "size": self.size, "max_rows": self.max_rows_per_shard}

    def inputs(self) -> list[dict[str, Any]]:
        return []

    def plan(self) -> list[Task]:
        return [Task(f"{i:05d}", i) for i in range(self.tasks)]

    def process(self, task: Task, out: TaskWriter) -> Stats:
        i = task.payload
        if self.crash_marker is not None and self.crash_marker.exists() and i == self.tasks - 1:
            raise RuntimeError("planned failure with secret text Jane Doe")
        ns = list(range(i * self.size, (i + 1) * self.size))
        out.write("main", pa.table({"n": ns, "sq": [n * n for n in ns]}))
        out.write("odd", pa.table({"n": [n for n in ns if n % 2]}))
        stats = Stats()
        stats.add("rows", len(ns))
        return stats


class SetupCountingStep(SquaresStep):
    """Records, per task, how many times setup() ran in the process that did the task."""

    stage = "setup-counting"
    outputs = {"main": pa.schema([pa.field("task", pa.int64()), pa.field("setups", pa.int64())])}
    setups = 0

    def setup(self) -> None:
        type(self).setups += 1

    def process(self, task: Task, out: TaskWriter) -> Stats:
        out.write("main", pa.table({"task": [task.payload], "setups": [type(self).setups]}))
        return Stats()
