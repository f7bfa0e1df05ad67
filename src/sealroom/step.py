"""A step: a pure function from one task (usually one input shard) to output tables plus Stats.

Steps know nothing about where they run. A runner ships the step object (configuration only) to a
worker process, which calls :meth:`Step.setup` once and :meth:`Step.process` per task.
"""

from __future__ import annotations

import os
from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from sealroom.dataset.location import Location, location
from sealroom.dataset.reader import Dataset
from sealroom.dataset.writer import TaskWriter


class Stats(dict[str, int | float]):
    """Named counters that merge by addition (per shard, then across shards)."""

    def add(self, name: str, amount: int | float = 1) -> None:
        self[name] = self.get(name, 0) + amount

    def merge(self, other: Mapping[str, int | float]) -> Stats:
        for name, amount in other.items():
            self.add(name, amount)
        return self

    @classmethod
    def total(cls, parts: Iterable[Mapping[str, int | float]]) -> Stats:
        out = cls()
        for part in parts:
            out.merge(part)
        return cls(sorted(out.items()))


@dataclass(frozen=True, slots=True)
class Task:
    """One unit of work. ``key`` names the output shards and must be unique and fixed-width."""

    key: str
    payload: Any


class Step(ABC):
    """Subclasses hold configuration only (they are pickled to workers)."""

    stage: str
    #: Output name → schema; ``"main"`` is the dataset itself, others become sub-folders.
    outputs: Mapping[str, pa.Schema]
    #: Roll output shards over at this many rows (None: one shard per task and output).
    max_rows_per_shard: int | None = None

    @abstractmethod
    def config(self) -> dict[str, Any]:
        """JSON-serializable settings that change the output (recorded and compared on resume)."""

    @abstractmethod
    def inputs(self) -> list[dict[str, Any]]:
        """Fingerprints of everything read, so a changed input is never mistaken for done work."""

    @abstractmethod
    def plan(self) -> list[Task]:
        """The tasks, in output order."""

    def setup(self) -> None:  # noqa: B027 - optional hook
        """Per-process initialisation (load models); called before the first task in a worker."""

    @abstractmethod
    def process(self, task: Task, out: TaskWriter) -> Stats:
        """Do one task, writing tables through ``out``; return its counters."""

    def finalize(self, out_dir: Location, stats: Stats) -> dict[str, Any]:
        """After every task is done and before the manifest is written: extra manifest fields."""
        return {}


class ShardMapStep(Step):
    """A step whose tasks are the shards of one input dataset, each output shard named after its
    input shard (``part-00003.parquet`` → ``part-00003.parquet``)."""

    def __init__(self, input_path: str | os.PathLike[str] | Location) -> None:
        self.input_path = location(input_path)

    def input_dataset(self) -> Dataset:
        return Dataset.open(self.input_path)

    def inputs(self) -> list[dict[str, Any]]:
        return [self.input_dataset().as_input()]

    def plan(self) -> list[Task]:
        ds = self.input_dataset()
        return [Task(shard.file.removeprefix("part-").removesuffix(".parquet"), shard.file) for shard in ds.shards]

    def read_task(self, task: Task, columns: list[str] | None = None) -> pa.Table:
        ds = self.input_dataset()
        shard = next(s for s in ds.shards if s.file == task.payload)
        return ds.read_shard(shard, columns)
