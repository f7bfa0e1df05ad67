"""What an adapter yields besides conversations: quarantined records, and the quarantine schema.

A quarantine row says where a record was (source file, position), why it was refused (a stable
code plus a reason made of field names, ids and offsets) and the SHA-256 of its raw bytes, so the
producing party can find and re-examine it in the source — but never the record's text itself.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyarrow as pa

# code -> what it means (docs/ingest.md lists the same table; a test keeps the two in step)
REASON_CODES: dict[str, str] = {
    "truncated_json": "the data ends inside this record (its brackets or a string never close)",
    "invalid_json": "the record's bytes are not JSON (or nest too deep, or hold a number beyond the double range)",
    "invalid_utf8": "the record's bytes are not valid UTF-8 (or hold a lone surrogate escape)",
    "not_an_object": "a record (or values between array elements) is valid JSON but not an object",
    "unknown_format": "a file named explicitly that no adapter recognises",
    "missing_field": "a field the format requires is absent",
    "invalid_field": "a field has the wrong type or an impossible value",
    "unknown_role": "a message's role (author) is not one the format defines",
    "non_string_part": "a content part that must be text (or a known attachment) is something else",
    "tree_cycle": "a ChatGPT mapping tree has a cycle (a node is its own ancestor)",
    "dangling_parent": "a ChatGPT node names a parent that is not in the mapping",
    "dangling_child": "a ChatGPT node lists a child that is not in the mapping",
    "duplicate_id": "the conversation id was already ingested earlier (first occurrence wins)",
    "unreadable_file": "a source file or archive member cannot be read or decompressed",
}

QUARANTINE_SCHEMA = pa.schema(
    [
        pa.field("source_file", pa.string(), nullable=False),
        pa.field("source_sha256", pa.string(), nullable=False),
        pa.field("format", pa.string()),
        pa.field("position", pa.string(), nullable=False),
        pa.field("byte_offset", pa.int64()),
        pa.field("record_index", pa.int64()),
        pa.field("code", pa.string(), nullable=False),
        pa.field("reason", pa.string(), nullable=False),
        pa.field("record_sha256", pa.string()),
        pa.field("record_bytes", pa.int64()),
        pa.field("conversation_id", pa.string()),
    ]
)


class RecordError(Exception):
    """Raised by an adapter's ``convert`` for one record; becomes a quarantine row, never a crash.

    ``reason`` must be built from field names, ids, counts and offsets only, never record text.
    """

    def __init__(self, code: str, reason: str) -> None:
        assert code in REASON_CODES, code
        super().__init__(code, reason)
        self.code = code
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Position:
    """Where a record sits in its source: a human-readable label plus machine-usable offsets."""

    label: str
    byte_offset: int | None = None
    record_index: int | None = None


@dataclass(frozen=True, slots=True)
class Quarantined:
    position: Position
    code: str
    reason: str
    record_sha256: str | None = None
    record_bytes: int | None = None
    conversation_id: str | None = None
