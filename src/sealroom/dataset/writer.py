"""Writes one task's output shards, streaming, atomically.

A task owns the shard names ``part-{key}.parquet`` (or ``part-{key}-{n:05d}.parquet`` when it
rolls over at ``max_rows``) in every output folder. Files appear only when complete, so a task
killed mid-write leaves at most a temporary file, which the next run deletes.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from sealroom.dataset.files import local_temp_for, sha256_file
from sealroom.dataset.location import Location, place_file
from sealroom.dataset.manifest import ShardInfo

MAIN = "main"
PARQUET_OPTIONS = {"compression": "zstd", "write_statistics": True}


def output_folder(root: Location, output: str) -> Location:
    """The main output is the dataset folder itself; side outputs are sub-folders named after them."""
    return root if output == MAIN else root / output


def task_shard_files(root: Location, key: str, outputs: Mapping[str, pa.Schema]) -> list[Location]:
    """Every shard a task with this key may have written (to clear before a retry)."""
    found: list[Location] = []
    for output in outputs:
        folder = output_folder(root, output)
        found += folder.glob(f"part-{key}.parquet")
        found += folder.glob(f"part-{key}-[0-9][0-9][0-9][0-9][0-9].parquet")
    return found


class _OpenShard:
    def __init__(self, final: Location, schema: pa.Schema) -> None:
        self.final = final
        self.tmp: Path = local_temp_for(final)
        self.writer = pq.ParquetWriter(self.tmp, schema, **PARQUET_OPTIONS)
        self.rows = 0

    def close(self) -> ShardInfo:
        self.writer.close()
        # hashed before placing: the same bytes, and no download back from object storage
        info = ShardInfo(self.final.name, self.rows, sha256_file(self.tmp), self.tmp.stat().st_size)
        place_file(self.tmp, self.final)
        return info

    def abort(self) -> None:
        try:
            self.writer.close()
        finally:
            self.tmp.unlink(missing_ok=True)


class TaskWriter:
    """Collects one task's output tables into shard files, one set of shards per named output."""

    def __init__(
        self,
        root: Location,
        key: str,
        outputs: Mapping[str, pa.Schema],
        max_rows: int | None = None,
    ) -> None:
        self.root = root
        self.key = key
        self.outputs = dict(outputs)
        self.max_rows = max_rows
        self._open: dict[str, _OpenShard] = {}
        self._count: dict[str, int] = {name: 0 for name in outputs}
        self._done: dict[str, list[ShardInfo]] = {name: [] for name in outputs}

    def _shard_name(self, output: str) -> str:
        if self.max_rows is None:
            return f"part-{self.key}.parquet"
        return f"part-{self.key}-{self._count[output]:05d}.parquet"

    def write(self, output: str, table: pa.Table) -> None:
        if output not in self.outputs:
            raise KeyError(f"step declared no output named {output!r}")
        if table.num_rows == 0:
            return
        schema = self.outputs[output]
        table = table.select(schema.names).cast(schema)
        while table.num_rows:
            shard = self._open.get(output)
            if shard is None:
                folder = output_folder(self.root, output)
                folder.mkdir(parents=True, exist_ok=True)
                shard = self._open[output] = _OpenShard(folder / self._shard_name(output), schema)
            room = table.num_rows if self.max_rows is None else self.max_rows - shard.rows
            piece, table = table.slice(0, room), table.slice(room)
            shard.writer.write_table(piece)
            shard.rows += piece.num_rows
            if self.max_rows is not None and shard.rows >= self.max_rows:
                self._finish(output)

    def _finish(self, output: str) -> None:
        shard = self._open.pop(output)
        self._done[output].append(shard.close())
        self._count[output] += 1

    def close(self) -> dict[str, list[ShardInfo]]:
        for output in list(self._open):
            self._finish(output)
        return self._done

    def abort(self) -> None:
        for shard in self._open.values():
            shard.abort()
        self._open.clear()
