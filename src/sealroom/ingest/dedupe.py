"""Settling conversation ids seen in more than one task: the first occurrence in task order wins.
Also settling split files (:func:`settle_splits`), which runs first.

Runs in ``IngestStep.finalize``, when every task is done. For each task in order it reads only the
``conversation_id`` column of its main shards; rows whose id an earlier task already holds are moved
from the main shard to a new quarantine shard of the same task (code ``duplicate_id``), and the
task's completion marker is rewritten to match.

Crash safety: the marker is deleted *before* the shards change and written again after, so a run
killed half-way leaves the task unfinished and the next run simply redoes it (re-parsing its
source) and settles it again. A finished run re-checked finds nothing left to move, and the report
is read back from the quarantine rows, so it is the same however many times finalize runs.

The ranges of one split file are tasks of their own, so a conversation id repeated across two of
them is settled here too; its row then reads exactly as the one the single task over the whole
file writes as records arrive (``SAME_FILE``), so the quarantine does not depend on the split.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import orjson
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from sealroom.dataset.files import atomic_path, read_json, sha256_file, write_json_atomic
from sealroom.dataset.location import Location, read_parquet
from sealroom.dataset.manifest import DONE_DIR
from sealroom.dataset.writer import PARQUET_OPTIONS
from sealroom.ingest.records import QUARANTINE_SCHEMA
from sealroom.schema import CONVERSATION_SCHEMA, table_to_conversations
from sealroom.step import Stats

if TYPE_CHECKING:
    from sealroom.ingest.step import IngestStep


def conversation_stats(conv: Any, stats: Stats) -> None:
    """The counters one stored conversation adds (subtracted here when it is moved out)."""
    stats.add("conversations")
    stats.add(f"conversations.{conv.source}")
    for m in conv.messages:
        stats.add(f"messages.{conv.source}.{m.role}")
    stats.add("messages", len(conv.messages))


#: the reason of a duplicate whose first occurrence is in the same file
SAME_FILE = "conversation id already ingested earlier in this file"

#: at most this many duplicate ids are listed in the manifest (all are in the quarantine dataset)
REPORT_IDS = 1000


def _write(path: Location, table: pa.Table, schema: pa.Schema) -> dict[str, Any]:
    with atomic_path(path) as tmp:
        writer = pq.ParquetWriter(tmp, schema, **PARQUET_OPTIONS)
        writer.write_table(table.cast(schema))
        writer.close()
        info = {"file": path.name, "rows": table.num_rows, "sha256": sha256_file(tmp), "bytes": tmp.stat().st_size}
    return info


def settle_splits(step: IngestStep, out_dir: Location, tail_stat: str) -> None:
    """For each split file whose range task read on to the end of the file (``tail_stat`` in its
    stats), empty the ranges after it, then drop the stat. Crash-safe like the duplicates: a
    range's marker is deleted before its shards, and the stat is dropped only when they are gone."""
    groups: list[list[Any]] = []  # the tasks of each split file (a range 0 starts the next file)
    for task in step.plan():
        part = task.payload[2]
        if part == 0:
            groups.append([])
        if part is not None:
            groups[-1].append(task)
    for tasks in groups:
        markers = [read_json(out_dir / DONE_DIR / f"{t.key}.json") for t in tasks]
        first = next((i for i, m in enumerate(markers) if tail_stat in m["stats"]), None)
        if first is None:
            continue
        for task, marker in zip(tasks[first + 1 :], markers[first + 1 :], strict=True):
            if not marker["stats"] and not any(marker["outputs"].values()):
                continue
            marker_path = out_dir / DONE_DIR / f"{task.key}.json"
            marker_path.unlink()
            for output, shards in marker["outputs"].items():
                folder = out_dir if output == "main" else out_dir / output
                for shard in shards:
                    (folder / shard["file"]).unlink(missing_ok=True)
            write_json_atomic(marker_path, {**marker, "outputs": {k: [] for k in marker["outputs"]}, "stats": {}})
        marker = markers[first]
        marker["stats"] = {k: v for k, v in marker["stats"].items() if k != tail_stat}
        write_json_atomic(out_dir / DONE_DIR / f"{tasks[first].key}.json", marker)


def settle_duplicates(step: IngestStep, out_dir: Location) -> dict[str, Any]:
    first: dict[str, str] = {}
    tasks = step.plan()
    # each task's source: its index in the manifest's ``extra.sources`` (the ranges of a split file
    # are one source), named in the reason instead of a task key, which depends on the split
    files: dict[str, int] = {}
    current = -1
    for task in tasks:
        current += 0 if task.payload[2] else 1
        files[task.key] = current
    in_file: set[str] = set()  # ids the earlier ranges of the current split file hold
    for task in tasks:
        if not task.payload[2]:
            in_file = set()
        marker = read_json(out_dir / DONE_DIR / f"{task.key}.json")
        drops: dict[str, list[int]] = {}
        task_ids: list[str] = []
        for shard in marker["outputs"].get("main", []):
            ids = read_parquet(out_dir / shard["file"], columns=["conversation_id"]).column(0).to_pylist()
            rows = [i for i, cid in enumerate(ids) if cid in first]
            if rows:
                drops[shard["file"]] = rows
            for cid in ids:
                first.setdefault(cid, task.key)
            task_ids += ids
        if drops:

            def reason(cid: str, earlier: set[str] = in_file) -> str:
                # a repeat within one file reads the same whether the file was split or not
                if cid in earlier:
                    return SAME_FILE
                return f"conversation id first ingested from source {files[first[cid]]} (manifest extra.sources)"

            _move_out(out_dir, task.key, task.payload[0], marker, drops, reason)
        if task.payload[2] is not None:
            in_file.update(task_ids)
    return _report(out_dir, [t.key for t in tasks])


def _move_out(
    out_dir: Location,
    key: str,
    unit: Any,
    marker: dict[str, Any],
    drops: dict[str, list[int]],
    reason: Callable[[str], str],
) -> None:
    marker_path = out_dir / DONE_DIR / f"{key}.json"
    marker_path.unlink()
    removed_stats = Stats()
    quarantine_rows: list[dict[str, Any]] = []
    new_main = []
    for shard in marker["outputs"]["main"]:
        rows = drops.get(shard["file"])
        if not rows:
            new_main.append(shard)
            continue
        path = out_dir / shard["file"]
        table = read_parquet(path, schema=CONVERSATION_SCHEMA)
        mask = pc.invert(pc.is_in(pa.array(range(table.num_rows)), pa.array(rows)))
        removed = table.take(rows)
        for conv in table_to_conversations(removed):
            conversation_stats(conv, removed_stats)
            prov = orjson.loads(conv.metadata_json or "{}").get("_ingest", {})
            quarantine_rows.append(
                {
                    "source_file": unit.display,
                    "source_sha256": unit.sha256,
                    "format": conv.source,
                    "position": prov.get("position", "?"),
                    "byte_offset": None,
                    "record_index": None,
                    "code": "duplicate_id",
                    "reason": reason(conv.conversation_id),
                    "record_sha256": prov.get("record_sha256"),
                    "record_bytes": None,
                    "conversation_id": conv.conversation_id,
                }
            )
        kept = table.filter(mask)
        if kept.num_rows:
            new_main.append(_write(path, kept, CONVERSATION_SCHEMA))
        else:
            path.unlink()
    quarantine = list(marker["outputs"].get("quarantine", []))
    qdir = out_dir / "quarantine"
    qpath = qdir / f"part-{key}-{len(quarantine):05d}.parquet"
    quarantine.append(_write(qpath, pa.Table.from_pylist(quarantine_rows, schema=QUARANTINE_SCHEMA), QUARANTINE_SCHEMA))
    stats = Stats(marker["stats"])
    for name, amount in removed_stats.items():
        stats.add(name, -amount)
    stats.add("quarantined", len(quarantine_rows))
    stats.add("quarantined.duplicate_id", len(quarantine_rows))
    marker["outputs"] = {**marker["outputs"], "main": new_main, "quarantine": quarantine}
    marker["stats"] = dict(sorted((k, v) for k, v in stats.items() if v))
    write_json_atomic(marker_path, marker)


def _report(out_dir: Location, keys: list[str]) -> dict[str, Any]:
    ids: list[str] = []
    for key in keys:
        marker = read_json(out_dir / DONE_DIR / f"{key}.json")
        for shard in marker["outputs"].get("quarantine", []):
            t = read_parquet(out_dir / "quarantine" / shard["file"], columns=["code", "conversation_id"])
            ids += [
                c for code, c in zip(*(col.to_pylist() for col in t.columns), strict=True) if code == "duplicate_id"
            ]
    return {"count": len(ids), "ids": ids[:REPORT_IDS], "ids_listed": min(len(ids), REPORT_IDS)}
