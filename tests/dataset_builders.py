"""Building small datasets for classify and report tests: a tiny Step that writes given tables."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa

from sealroom.dataset import TaskWriter
from sealroom.runner import LocalRunner, run_step
from sealroom.scan.schema import HITS_SCHEMA
from sealroom.schema import CONVERSATION_SCHEMA, Conversation, Message, conversations_to_table
from sealroom.step import Stats, Step, Task


class TablesStep(Step):
    """Writes one shard per given table (tests only; runs in-process)."""

    max_rows_per_shard = None

    def __init__(self, stage: str, outputs: dict[str, pa.Schema], shards: list[dict[str, pa.Table]]) -> None:
        self.stage = stage
        self.outputs = outputs
        self.shards = shards

    def config(self) -> dict[str, Any]:
        digest = hashlib.sha256()
        for shard in self.shards:
            for name, table in sorted(shard.items()):
                digest.update(name.encode())
                digest.update(str(table.to_pylist()).encode())
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


def write_tables(path: Path, stage: str, outputs: dict[str, pa.Schema], shards: list[dict[str, pa.Table]]) -> Path:
    run_step(TablesStep(stage, outputs, shards), path, LocalRunner(1), show_progress=False)
    return path


def conversation(
    cid: str,
    user_text: str,
    *,
    user_key: str | None = None,
    assistant_text: str = "Here is an answer.",
    created_at: datetime | None = None,
    model: str | None = "gpt-4",
) -> Conversation:
    return Conversation(
        conversation_id=cid,
        source="test",
        created_at=created_at or datetime(2023, 5, 1, tzinfo=UTC),
        user_key=user_key,
        model=model,
        messages=[
            Message(0, f"{cid}-0", None, "user", user_text),
            Message(1, f"{cid}-1", f"{cid}-0", "assistant", assistant_text),
        ],
    )


def write_conversations(path: Path, conversations: list[Conversation], per_shard: int = 50) -> Path:
    shards = [
        {"main": conversations_to_table(conversations[i : i + per_shard])}
        for i in range(0, len(conversations), per_shard)
    ]
    return write_tables(path, "ingest", {"main": CONVERSATION_SCHEMA}, shards)


SIGNALS_SCHEMA = pa.schema([pa.field("conversation_id", pa.string()), pa.field("signal", pa.string())])


def hit_row(cid: str, article_id: str, origin: str, words: int = 60) -> dict[str, Any]:
    return {
        "conversation_id": cid,
        "message_index": 1,
        "role": "assistant",
        "start": 0,
        "end": words * 6,
        "article_id": article_id,
        "article_start": 0,
        "article_end": words * 6,
        "words": words,
        "kind": "verbatim",
        "similarity": 1.0,
        "origin": origin,
    }


def write_hits(path: Path, hits: list[dict[str, Any]], signals: list[tuple[str, str]] = ()) -> Path:
    tables = {"main": pa.Table.from_pylist(hits, schema=HITS_SCHEMA)}
    outputs = {"main": HITS_SCHEMA, "signals": SIGNALS_SCHEMA}
    tables["signals"] = pa.Table.from_pylist(
        [{"conversation_id": c, "signal": s} for c, s in signals], schema=SIGNALS_SCHEMA
    )
    return write_tables(path, "scan", outputs, [tables])
