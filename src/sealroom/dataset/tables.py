"""Writing Arrow tables already in memory as a dataset (with a manifest, like any stage's output).

For data that did not come through ingest: fixtures, benchmarks, or an import from another system.
The tables travel to the runner inside the step, so this is for in-process, modest sizes.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping, Sequence
from typing import Any

import pyarrow as pa

from sealroom.dataset.location import Location, location
from sealroom.dataset.writer import MAIN, TaskWriter
from sealroom.step import Stats, Step, Task


class TablesStep(Step):
    """One task per shard; each shard maps output names to the table written there."""

    def __init__(self, stage: str, outputs: Mapping[str, pa.Schema], shards: Sequence[Mapping[str, pa.Table]]) -> None:
        self.stage = stage
        self.outputs = dict(outputs)
        self.shards = [dict(s) for s in shards]

    def config(self) -> dict[str, Any]:
        # the content decides the config, so a rerun with other tables is refused, not mixed in
        digest = hashlib.sha256()
        for shard in self.shards:
            for name, table in sorted(shard.items()):
                digest.update(name.encode() + b"\0")
                sink = pa.BufferOutputStream()
                with pa.ipc.new_stream(sink, table.schema) as stream:
                    stream.write_table(table)
                digest.update(sink.getvalue())
        return {"tables": digest.hexdigest()}

    def inputs(self) -> list[dict[str, Any]]:
        return []

    def plan(self) -> list[Task]:
        return [Task(f"{i:05d}", i) for i in range(len(self.shards))]

    def process(self, task: Task, out: TaskWriter) -> Stats:
        stats = Stats()
        for name, table in self.shards[task.payload].items():
            out.write(name, table)
            stats.add(f"rows.{name}", table.num_rows)
        return stats


def write_tables(
    path: str | os.PathLike[str] | Location,
    stage: str,
    outputs: Mapping[str, pa.Schema],
    shards: Sequence[Mapping[str, pa.Table]],
) -> Location:
    """Write ``shards`` (one mapping of output name → table per shard) as a dataset at ``path``."""
    from sealroom.runner import LocalRunner, run_step

    if MAIN not in outputs:
        raise ValueError(f"outputs must include {MAIN!r}")
    run_step(TablesStep(stage, outputs, shards), path, LocalRunner(1), show_progress=False)
    return location(path)
