"""Helpers for formats whose conversation is a flat list of turns (no tree)."""

from __future__ import annotations

from typing import Any

from sealroom.ingest.records import RecordError
from sealroom.schema import Message


def turn_list(obj: dict[str, Any], key: str) -> list[Any]:
    turns = obj.get(key)
    if turns is None:
        raise RecordError("missing_field", f"{key} is missing")
    if hasattr(turns, "tolist"):  # numpy arrays from Parquet readers
        turns = turns.tolist()
    if not isinstance(turns, list):
        raise RecordError("invalid_field", f"{key} is a {type(turns).__name__}, not a list")
    return turns


def linear_message(index: int, role: str, content: str, **fields: Any) -> Message:
    """Turn ``index`` of a linear conversation: node ids are the turn numbers, each turn's parent is
    the previous turn, and every turn is on the visible path."""
    return Message(
        index=index,
        node_id=str(index),
        parent_id=str(index - 1) if index else None,
        role=role,
        content=content,
        active=True,
        **fields,
    )


def text_content(value: Any, where: str) -> str:
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    raise RecordError("non_string_part", f"{where} content is a {type(value).__name__}, not text")
