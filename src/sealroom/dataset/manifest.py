"""The ``_manifest.json`` of a dataset: what it holds, how it was made, and how to check it."""

from __future__ import annotations

import base64
import hashlib
from dataclasses import asdict, dataclass, field
from typing import Any

import pyarrow as pa

FORMAT = "sealroom.dataset/1"
MANIFEST = "_manifest.json"
DONE_DIR = "_done"
PLAN = "_plan.json"


@dataclass(frozen=True, slots=True)
class ShardInfo:
    file: str
    rows: int
    sha256: str
    bytes: int

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ShardInfo:
        return cls(file=d["file"], rows=int(d["rows"]), sha256=d["sha256"], bytes=int(d["bytes"]))


@dataclass(slots=True)
class Manifest:
    stage: str
    code_version: str
    config: dict[str, Any]
    inputs: list[dict[str, Any]]
    schema: pa.Schema
    shards: list[ShardInfo]
    stats: dict[str, Any] = field(default_factory=dict)
    side_outputs: list[str] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def rows(self) -> int:
        return sum(s.rows for s in self.shards)

    @property
    def fingerprint(self) -> str:
        """Identifies the dataset's content: schema plus every shard's name and hash, in order."""
        h = hashlib.sha256(self.schema.serialize().to_pybytes())
        for s in self.shards:
            h.update(f"{s.file}\x00{s.sha256}\n".encode())
        return h.hexdigest()

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "stage": self.stage,
            "code_version": self.code_version,
            "config": self.config,
            "config_hash": config_hash(self.config),
            "inputs": self.inputs,
            "schema": base64.b64encode(self.schema.serialize().to_pybytes()).decode(),
            "columns": self.schema.names,
            "shards": [asdict(s) for s in self.shards],
            "rows": self.rows,
            "stats": self.stats,
            "side_outputs": self.side_outputs,
            "extra": self.extra,
            "fingerprint": self.fingerprint,
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Manifest:
        schema = pa.ipc.read_schema(pa.py_buffer(base64.b64decode(d["schema"])))
        return cls(
            stage=d["stage"],
            code_version=d["code_version"],
            config=d["config"],
            inputs=d["inputs"],
            schema=schema,
            shards=[ShardInfo.from_dict(s) for s in d["shards"]],
            stats=d.get("stats", {}),
            side_outputs=d.get("side_outputs", []),
            extra=d.get("extra", {}),
        )


def config_hash(config: dict[str, Any]) -> str:
    from sealroom.dataset.files import dump_json

    return hashlib.sha256(dump_json(config)).hexdigest()
