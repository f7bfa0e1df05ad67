"""What produce reads besides the conversations: the selection, and the side outputs (hits,
replacements, signals) looked up per input shard.

Side outputs written by a ShardMapStep over the same input have one shard per main shard with the
same file name. When that holds (checked on conversation ids, not assumed from names) a task reads
just its own side shard; otherwise it filters every side shard, which is slower but still correct.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as pads

from sealroom.dataset import Dataset
from sealroom.dataset.location import Location, arrow_source, read_parquet
from sealroom.errors import ConfigError, InputError
from sealroom.scan.schema import HITS_SCHEMA

# the scan hit columns produce carries into documents (the role is in the message itself)
HIT_COLUMNS = [name for name in HITS_SCHEMA.names if name != "role"]
# never "replacement" or "original_encrypted": produce has no use for values
REPLACEMENT_COLUMNS = [
    "conversation_id",
    "message_index",
    "field",
    "start",
    "end",
    "out_start",
    "out_end",
    "label",
    "operator",
]
SIGNAL_COLUMNS = ["conversation_id", "message_index", "start", "end", "signal", "publisher"]


@dataclass
class SideSource:
    """One side dataset and, per main shard file, the side shard files holding its conversations."""

    name: str
    path: Location
    columns: list[str]
    aligned: dict[str, list[str]] | None = None  # None: filter all shards
    #: offsets refer to the text before de-identification and must be re-mapped
    needs_remap: bool = False
    fingerprint: str = ""
    files: list[str] = field(default_factory=list)

    def rows_for(self, main_file: str, ids: list[str]) -> dict[str, list[dict[str, Any]]]:
        files = self.files if self.aligned is None else self.aligned.get(main_file, [])
        if not files or not ids:
            return {}
        dataset = _parquet_dataset(self.path, files)
        present = [c for c in self.columns if c in dataset.schema.names]
        table = dataset.to_table(columns=present, filter=pc.field("conversation_id").isin(pa.array(ids)))
        grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for row in table.to_pylist():
            for c in self.columns:
                row.setdefault(c, None)
            grouped[row.pop("conversation_id")].append(row)
        return grouped


def _parquet_dataset(folder: Location, files: list[str]) -> pads.Dataset:
    """These shards of ``folder`` as one Arrow dataset (the conversation filter prunes row groups
    before they are read or, on object storage, fetched)."""
    sources = [arrow_source(folder / f) for f in files]
    return pads.dataset([s for s, _ in sources], format="parquet", filesystem=sources[0][1])


def _ids(path: Location) -> pa.Array:
    return read_parquet(path, columns=["conversation_id"]).column("conversation_id").combine_chunks()


def open_side(name: str, ds: Dataset, main: Dataset, columns: list[str], *, needs_remap: bool = False) -> SideSource:
    missing = [c for c in columns if c not in ds.schema.names and c not in ("publisher",)]
    if missing:
        raise InputError(f"{ds.path} lacks column(s) {missing} needed for {name}", code="side_schema")
    files = [s.file for s in ds.shards]
    source = SideSource(name, ds.path, columns, None, needs_remap, ds.fingerprint, files)
    main_files = {s.file for s in main.shards}
    if not set(files) <= main_files:
        return source
    for f in files:
        side_ids = _ids(ds.path / f)
        if not pc.all(pc.is_in(side_ids, value_set=_ids(main.path / f))).as_py() and len(side_ids):
            return source
    source.aligned = {f: [f] for f in files}
    return source


def remap_offset(pos: int, reps: list[dict[str, Any]], side: str) -> int:
    """Map an offset in the text before de-identification to the de-identified text.

    ``reps`` are one message's content replacements sorted by ``start``. An offset inside a
    replaced span snaps to the replacement's start (for a span start) or end (for a span end), so
    a remapped span covers the whole replacement rather than cutting it.
    """
    delta = 0
    for r in reps:
        if r["end"] <= pos:
            delta += (r["out_end"] - r["out_start"]) - (r["end"] - r["start"])
        elif r["start"] < pos:
            return r["out_start"] if side == "start" else r["out_end"]
        else:
            break
    return pos + delta


def remap_rows(rows: list[dict[str, Any]], reps: list[dict[str, Any]]) -> list[dict[str, Any]]:
    per_message: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for r in reps:
        if r["field"] == "content":
            per_message[r["message_index"]].append(r)
    for lst in per_message.values():
        lst.sort(key=lambda r: (r["start"], r["end"]))
    out = []
    for row in rows:
        lst = per_message.get(row["message_index"], [])
        start = remap_offset(row["start"], lst, "start")
        end = max(start, remap_offset(row["end"], lst, "end"))
        out.append({**row, "start": start, "end": end})
    return out


def read_id_list(path: Path) -> set[str]:
    """``ids.txt``: one conversation id per line; blank lines and ``#`` comments ignored."""
    if not path.is_file():
        raise ConfigError(f"--select file not found: {path}", code="select_file")
    ids = set()
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            s = line.strip()
            if s and not s.startswith("#"):
                ids.add(s)
    return ids


def hit_ids(source: SideSource) -> set[str]:
    out: set[str] = set()
    for f in source.files:
        out.update(_ids(source.path / f).to_pylist())
    return out


def count_selected(main: Dataset, selected: set[str] | None) -> list[tuple[str, int]]:
    """Documents per input shard, in shard order (what fixes each shard's first Bates number)."""
    counts = []
    value_set = None if selected is None else pa.array(sorted(selected), pa.string())
    for shard in main.shards:
        if selected is None:
            counts.append((shard.file, shard.rows))
        else:
            ids = _ids(main.path / shard.file)
            counts.append((shard.file, int(pc.sum(pc.is_in(ids, value_set=value_set)).as_py() or 0)))
    return counts
