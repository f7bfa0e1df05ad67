"""Helpers for formats whose conversation is a flat list of turns (no tree)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
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


def role_turns(
    obj: dict[str, Any], key: str, roles: Mapping[str, str]
) -> Iterator[tuple[int, str, str, dict[str, Any]]]:
    """(index, canonical role, where, turn) for each turn object of ``obj[key]``; a turn that is not
    an object or has a role outside ``roles`` raises a RecordError naming the turn."""
    for i, turn in enumerate(turn_list(obj, key)):
        where = f"{key}[{i}]"
        if not isinstance(turn, dict):
            raise RecordError("invalid_field", f"{where} is not an object")
        role = roles.get(turn["role"]) if isinstance(turn.get("role"), str) else None
        if role is None:
            raise RecordError("unknown_role", f"{where} role is not user, assistant or system")
        yield i, role, where, turn


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
