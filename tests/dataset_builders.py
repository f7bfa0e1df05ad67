"""Building small datasets for tests: conversations, scan hits, through ``write_tables``."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa

from sealroom.dataset.tables import write_tables
from sealroom.scan.schema import HITS_SCHEMA
from sealroom.schema import CONVERSATION_SCHEMA, Conversation, Message, conversations_to_table


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
