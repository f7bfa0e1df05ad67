"""The canonical conversation record, as typed dataclasses and as an Arrow schema.

Every stage reads and writes this shape. A ChatGPT export is a tree: every message node is kept
(regenerations are model output too) in tree order, and ``active`` marks the visible path.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

import pyarrow as pa

Role = Literal["system", "user", "assistant", "tool"]
ROLES: tuple[str, ...] = ("system", "user", "assistant", "tool")

TIMESTAMP = pa.timestamp("us", tz="UTC")

MESSAGE_TYPE = pa.struct(
    [
        pa.field("index", pa.int32(), nullable=False),
        pa.field("node_id", pa.string(), nullable=False),
        pa.field("parent_id", pa.string()),
        pa.field("role", pa.string(), nullable=False),
        # large_string: one shard can hold several very long messages (50 MB is legal input)
        pa.field("content", pa.large_string(), nullable=False),
        pa.field("created_at", TIMESTAMP),
        pa.field("model", pa.string()),
        pa.field("active", pa.bool_(), nullable=False),
        pa.field("metadata_json", pa.string()),
    ]
)

CONVERSATION_SCHEMA = pa.schema(
    [
        pa.field("conversation_id", pa.string(), nullable=False),
        pa.field("source", pa.string(), nullable=False),
        pa.field("created_at", TIMESTAMP),
        pa.field("updated_at", TIMESTAMP),
        pa.field("user_key", pa.string()),
        pa.field("account_type", pa.string()),
        pa.field("model", pa.string()),
        pa.field("language", pa.string()),
        pa.field("title", pa.string()),
        pa.field("metadata_json", pa.string()),
        pa.field("messages", pa.list_(pa.field("item", MESSAGE_TYPE, nullable=False)), nullable=False),
    ]
)


@dataclass(slots=True)
class Message:
    index: int
    node_id: str
    parent_id: str | None
    role: str
    content: str
    created_at: datetime | None = None
    model: str | None = None
    active: bool = True
    metadata_json: str | None = None


@dataclass(slots=True)
class Conversation:
    conversation_id: str
    source: str
    created_at: datetime | None = None
    updated_at: datetime | None = None
    user_key: str | None = None
    account_type: str | None = None
    model: str | None = None
    language: str | None = None
    title: str | None = None
    metadata_json: str | None = None
    messages: list[Message] = field(default_factory=list)

    def active_messages(self) -> list[Message]:
        return [m for m in self.messages if m.active]


_MESSAGE_FIELDS = tuple(f.name for f in MESSAGE_TYPE)
_CONVERSATION_FIELDS = tuple(CONVERSATION_SCHEMA.names)


def _message_row(m: Message) -> dict[str, Any]:
    return {name: getattr(m, name) for name in _MESSAGE_FIELDS}


def conversation_row(c: Conversation) -> dict[str, Any]:
    """One conversation as a plain dict in schema order (what ``pa.Table.from_pylist`` takes)."""
    row = {name: getattr(c, name) for name in _CONVERSATION_FIELDS if name != "messages"}
    row["messages"] = [_message_row(m) for m in c.messages]
    return row


def conversations_to_table(conversations: list[Conversation]) -> pa.Table:
    return pa.Table.from_pylist([conversation_row(c) for c in conversations], schema=CONVERSATION_SCHEMA)


def rows_to_conversations(rows: list[dict[str, Any]]) -> list[Conversation]:
    out = []
    for row in rows:
        messages = [Message(**m) for m in row["messages"]]
        out.append(Conversation(**{**row, "messages": messages}))
    return out


def table_to_conversations(table: pa.Table) -> list[Conversation]:
    """Inverse of :func:`conversations_to_table`; timestamps come back tz-aware (UTC)."""
    table = table.select(list(_CONVERSATION_FIELDS)).cast(CONVERSATION_SCHEMA)
    return rows_to_conversations(table.to_pylist())
