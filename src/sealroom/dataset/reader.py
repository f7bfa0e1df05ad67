"""Opening a dataset folder (local or on object storage) and reading its shards."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pyarrow as pa

from sealroom.dataset.files import read_json
from sealroom.dataset.location import Location, location, read_parquet
from sealroom.dataset.manifest import MANIFEST, Manifest, ShardInfo
from sealroom.errors import DatasetError


class Dataset:
    """A completed dataset: a folder of Parquet shards described by ``_manifest.json``."""

    def __init__(self, path: Location, manifest: Manifest) -> None:
        self.path = path
        self.manifest = manifest

    @classmethod
    def open(cls, path: str | os.PathLike[str] | Location) -> Dataset:
        p = location(path)
        if not p.is_dir():
            raise DatasetError(f"not a dataset folder: {p}", code="dataset_missing")
        mf = p / MANIFEST
        if not mf.is_file():
            raise DatasetError(
                f"{p} has no {MANIFEST}: the stage that writes it has not finished (rerun it to resume)",
                code="dataset_incomplete",
            )
        try:
            manifest = Manifest.from_dict(read_json(mf))
        except (ValueError, KeyError, TypeError) as exc:
            raise DatasetError(
                f"{mf} is not a valid manifest ({type(exc).__name__})", code="manifest_invalid"
            ) from None
        return cls(p, manifest)

    @property
    def schema(self) -> pa.Schema:
        return self.manifest.schema

    @property
    def shards(self) -> list[ShardInfo]:
        return self.manifest.shards

    @property
    def rows(self) -> int:
        return self.manifest.rows

    @property
    def fingerprint(self) -> str:
        return self.manifest.fingerprint

    def shard_path(self, shard: ShardInfo) -> Location:
        return self.path / shard.file

    def side(self, name: str) -> Dataset:
        if name not in self.manifest.side_outputs:
            raise DatasetError(f"{self.path} has no side output {name!r}", code="side_output_missing")
        return Dataset.open(self.path / name)

    def read_shard(self, shard: ShardInfo, columns: list[str] | None = None) -> pa.Table:
        return read_parquet(self.shard_path(shard), columns=columns, schema=self.schema)

    def iter_shards(self, columns: list[str] | None = None) -> Iterator[tuple[ShardInfo, pa.Table]]:
        for shard in self.shards:
            yield shard, self.read_shard(shard, columns)

    def read(self, columns: list[str] | None = None) -> pa.Table:
        """The whole dataset in shard order (small datasets and tests; stages stream shards)."""
        schema = self.schema if columns is None else pa.schema([self.schema.field(c) for c in columns])
        tables = [t for _, t in self.iter_shards(columns)]
        return pa.concat_tables(tables) if tables else schema.empty_table()

    def as_input(self) -> dict[str, object]:
        """How a consuming stage records this dataset among its inputs."""
        return {
            "path": str(self.path),
            "stage": self.manifest.stage,
            "fingerprint": self.fingerprint,
            "rows": self.rows,
        }
