"""The ingest step: one task per source unit (a file, or a member of a zip), in a stable order,
except that a large line-framed file is read by one task per byte range (``--split-size``).

A task parses its unit with the unit's adapter and writes conversations to the main output and
refused records to ``quarantine``; ``max_rows_per_shard`` (``--shard-size``) rolls the shards over.

Split files: the plan cut the file after line breaks and counted, for each range, the line breaks
and the ``{``-led lines before it (``sources.ByteRange``). A range task assumes the file before it
is regular JSONL (one whole object per ``{``-led line), so the counts are its line numbers and
record indexes, and reads its range while the range itself is regular (see
``Adapter.regular_records``). The first range that is not (a bad line, a pretty-printed object, a
record count that differs from the plan's) reads on from its last regular record to the end of the
file exactly as a one-task run would, and says so (``_SPLIT_TAIL`` in its stats); ``finalize`` then
empties the ranges after it, whose assumption was wrong. Either way the rows, positions, ids and
counters are those of a one-task run over the same file.

Duplicate ids: the first occurrence in task order (then record order) wins. Within a task that is
checked as records arrive; across tasks it is settled in :meth:`IngestStep.finalize` (see
``dedupe.py``), after every task is done, so the outcome does not depend on which runner ran
which task first, and a resumed run ends in the same bytes as an uninterrupted one.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

import numpy as np
import orjson
import pyarrow as pa

from sealroom.dataset.location import SCRATCH_ENV, Location
from sealroom.dataset.writer import TaskWriter
from sealroom.errors import InputError
from sealroom.ingest.adapters import adapter_for
from sealroom.ingest.arrow import build_table
from sealroom.ingest.dedupe import SAME_FILE, settle_duplicates, settle_splits
from sealroom.ingest.detect import parquet_file
from sealroom.ingest.framing import Origin
from sealroom.ingest.records import QUARANTINE_SCHEMA, Position, Quarantined
from sealroom.ingest.sources import DEFAULT_SPLIT_BYTES, SourceUnit, open_data, open_range
from sealroom.schema import CONVERSATION_SCHEMA, Conversation
from sealroom.step import Stats, Step, Task

QUARANTINE = "quarantine"
_FLUSH_CONVERSATIONS = 1000
_FLUSH_CHARS = 64 << 20
_PARQUET_BATCH = 1024


class _Output:
    """Buffers one task's rows and writes them in batches (bounded memory for any file size)."""

    def __init__(self, out: TaskWriter, unit: SourceUnit, fmt: str | None, stats: Stats) -> None:
        self.out, self.unit, self.fmt, self.stats = out, unit, fmt, stats
        self.conversations: list[Conversation] = []
        self.quarantined: list[dict[str, Any]] = []
        self.chars = 0
        self.seen: set[str] = set()
        self.roles: dict[str, int] = {}  # counted here, turned into stats at close (hot path)

    def add(self, item: Conversation | Quarantined) -> None:
        if isinstance(item, Quarantined):
            self.quarantine(item)
            return
        if item.conversation_id in self.seen:
            prov = orjson.loads(item.metadata_json or "{}").get("_ingest", {})
            pos = Position(prov.get("position", "?"))
            self.quarantine(
                Quarantined(
                    pos,
                    "duplicate_id",
                    SAME_FILE,
                    prov.get("record_sha256"),
                    None,
                    item.conversation_id,
                )
            )
            return
        self.seen.add(item.conversation_id)
        self.conversations.append(item)
        for m in item.messages:
            self.roles[m.role] = self.roles.get(m.role, 0) + 1
            self.chars += len(m.content)
        if len(self.conversations) >= _FLUSH_CONVERSATIONS or self.chars >= _FLUSH_CHARS:
            self.flush()

    def quarantine(self, q: Quarantined) -> None:
        self.stats.add("quarantined")
        self.stats.add(f"quarantined.{q.code}")
        self.quarantined.append(
            {
                "source_file": self.unit.display,
                "source_sha256": self.unit.sha256,
                "format": self.fmt,
                "position": q.position.label,
                "byte_offset": q.position.byte_offset,
                "record_index": q.position.record_index,
                "code": q.code,
                "reason": q.reason,
                "record_sha256": q.record_sha256,
                "record_bytes": q.record_bytes,
                "conversation_id": q.conversation_id,
            }
        )

    def flush(self) -> None:
        if self.conversations:
            self.out.write("main", build_table(self.conversations))
            self.conversations, self.chars = [], 0

    def close(self) -> None:
        self.flush()
        if self.seen and self.fmt is not None:
            self.stats.add("conversations", len(self.seen))
            self.stats.add(f"conversations.{self.fmt}", len(self.seen))
            self.stats.add("messages", sum(self.roles.values()))
            for role, n in sorted(self.roles.items()):
                self.stats.add(f"messages.{self.fmt}.{role}", n)
        if self.quarantined:
            self.out.write(QUARANTINE, pa.Table.from_pylist(self.quarantined, schema=QUARANTINE_SCHEMA))


#: the stat a range task adds when it read on to the end of its file (removed again by finalize)
_SPLIT_TAIL = "_split.read_to_end"


def spool_dir(hold: Location) -> Path | None:
    """Where a compressed source is inflated to be memory-mapped: inside the hold, since decoded raw
    text must not land outside it. A hold on object storage has no local folder, so the operator
    names one on a protected disk in SEALROOM_SCRATCH; without it the source is inflated in memory."""
    if isinstance(hold, Path):
        return hold
    scratch = os.environ.get(SCRATCH_ENV)
    return Path(scratch) if scratch else None  # in memory: a source may be larger than /dev/shm


class IngestStep(Step):
    stage = "ingest"
    outputs = {"main": CONVERSATION_SCHEMA, QUARANTINE: QUARANTINE_SCHEMA}

    def __init__(
        self,
        units: list[tuple[SourceUnit, str | None]],
        *,
        fmt: str = "auto",
        shard_size: int = 10_000,
        skipped: list[dict[str, Any]] | None = None,
        split_bytes: int = DEFAULT_SPLIT_BYTES,
    ) -> None:
        # (unit, versioned adapter name or None when no format matched), in source order
        self.units = units
        self.fmt = fmt
        self.max_rows_per_shard = shard_size
        self.skipped = skipped or []
        self.split_bytes = split_bytes

    def config(self) -> dict[str, Any]:
        # the adapter versions are part of the config: a new mapping must not resume an old hold
        adapters = sorted({name for _, name in self.units if name})
        config: dict[str, Any] = {"format": self.fmt, "shard_size": self.max_rows_per_shard, "adapters": adapters}
        if any(self._parts(unit, name) for unit, name in self.units):
            # where the cuts fall decides what each task holds: a resume must cut the same way
            config["split_size"] = self.split_bytes
        return config

    @staticmethod
    def _parts(unit: SourceUnit, name: str | None) -> int:
        """How many range tasks read ``unit`` (0: one task reads it whole)."""
        return len(unit.ranges) if name is not None and unit.kind == "json" and len(unit.ranges) > 1 else 0

    def inputs(self) -> list[dict[str, Any]]:
        return [
            {**unit.as_dict(), "format": name, "fingerprint": unit.sha256, "source_file": unit.display}
            for unit, name in self.units
        ]

    def plan(self) -> list[Task]:
        """One task per unit, or per byte range of a split unit; keys ``00000``, ``00001``, … over
        all of them (fixed width, in file order, so a split file's ranges are consecutive)."""
        payloads: list[tuple[SourceUnit, str | None, int | None]] = []
        for unit, name in self.units:
            parts = self._parts(unit, name)
            payloads += [(unit, name, i) for i in range(parts)] if parts else [(unit, name, None)]
        width = max(5, len(str(len(payloads) - 1)))
        return [Task(f"{i:0{width}d}", payload) for i, payload in enumerate(payloads)]

    def process(self, task: Task, out: TaskWriter) -> Stats:
        unit, adapter_name, part = task.payload
        stats = Stats()
        adapter = adapter_for(adapter_name) if adapter_name else None
        sink = _Output(out, unit, adapter.short if adapter else None, stats)
        if not part:  # a split file is one source unit, counted by its first range
            stats.add("source_units")
        if adapter is None:
            sink.quarantine(Quarantined(Position("file"), "unknown_format", "no adapter recognises this file"))
        elif unit.kind == "parquet":
            self._parquet(unit, adapter, sink, stats)
        elif part is not None:
            try:
                self._range(unit, part, adapter, sink, stats, spool_dir(out.root))
            except InputError as exc:
                sink.quarantine(Quarantined(Position("file"), "unreadable_file", str(exc.args[0])))
        else:
            try:
                with open_data(unit, spool_dir=spool_dir(out.root)) as data:
                    # a plain file's content hash is the one already taken for the manifest
                    content_sha = unit.sha256 if unit.compression == "none" else hashlib.sha256(data).hexdigest()
                    stats.add(f"bytes.{adapter.short}", len(data))
                    for item in adapter.records(data, content_sha, stats):
                        sink.add(item)
            except InputError as exc:
                sink.quarantine(Quarantined(Position("file"), "unreadable_file", str(exc.args[0])))
        sink.close()
        return stats

    @staticmethod
    def _range(unit: SourceUnit, part: int, adapter: Any, sink: _Output, stats: Stats, spool: Path | None) -> None:
        rng = unit.ranges[part]
        origin = Origin(rng.start, rng.lines_before, rng.records_before)
        with open_range(unit, rng.start, rng.end, spool) as data:
            records = adapter.regular_records(data, unit.sha256, stats, origin)
            while True:
                try:
                    sink.add(next(records))
                except StopIteration as stop:
                    end, count, whole = stop.value
                    break
            if whole and count == rng.records:
                stats.add(f"bytes.{adapter.short}", rng.end - rng.start)
                return
            arr = np.frombuffer(data, dtype=np.uint8, count=end) if end else None
            lines = int(np.count_nonzero(arr == 0x0A)) if arr is not None else 0
            del arr
        # not regular JSONL from here on (or the plan's count of records was off): read on to the
        # end of the file as a one-task run would, from the end of the last regular record
        rest = Origin(rng.start + end, rng.lines_before + lines, rng.records_before + count)
        with open_range(unit, rest.offset, None, spool) as data:
            for item in adapter.records(data, unit.sha256, stats, rest):
                sink.add(item)
        stats.add(f"bytes.{adapter.short}", unit.bytes - rng.start)
        stats.add(_SPLIT_TAIL)

    @staticmethod
    def _parquet(unit: SourceUnit, adapter: Any, sink: _Output, stats: Stats) -> None:
        done = 0
        try:
            pf = parquet_file(unit)
            stats.add(f"bytes.{adapter.short}", unit.bytes)
            for batch in pf.iter_batches(batch_size=_PARQUET_BATCH):
                rows = batch.to_pylist()
                for item in adapter.rows(rows, unit.sha256, stats, start=done):
                    sink.add(item)
                done += len(rows)
        except Exception as exc:  # a damaged Parquet file: keep what was read, report where it broke
            sink.quarantine(
                Quarantined(
                    Position(f"row {done}", None, done),
                    "unreadable_file",
                    f"Parquet read failed ({type(exc).__name__})",
                )
            )

    def finalize(self, out_dir: Location, stats: Stats) -> dict[str, Any]:
        settle_splits(self, out_dir, _SPLIT_TAIL)  # first: duplicates are settled on what remains
        duplicates = settle_duplicates(self, out_dir)
        return {
            "sources": [{**unit.as_dict(), "format": name} for unit, name in self.units],
            "skipped_files": self.skipped,
            "duplicates": duplicates,
        }
