"""Conversation and message metadata: user keys, timestamps, titles and metadata JSON.

Free text (the title, string values in metadata JSON) becomes :class:`TextUnit`s that go through
the same analyzer and operators as message content; identifiers (user keys, IP-like fields) are
replaced by keyed hashes; timestamps are coarsened or shifted per policy.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

import orjson

from sealroom.deid.base import Finding
from sealroom.deid.operators import generalize_timestamp
from sealroom.deid.policy import Policy
from sealroom.schema import Conversation, Message

DETECTOR = "metadata.v1"
#: What this module writes in place of an identifier: recognised, so a second run leaves it alone.
HASHED = re.compile(r"^(?:uk|h)_[0-9a-f]{24}$")


@dataclass(slots=True)
class TextUnit:
    """One piece of free text of a conversation, treated as a whole."""

    message_index: int  # -1 for conversation-level fields
    field: str  # "content", "title" or "metadata_json:/json/pointer"
    text: str
    role: str | None = None
    findings: list[Finding] = field(default_factory=list)
    exempt: list[tuple[int, int]] = field(default_factory=list)
    hits: list[dict[str, Any]] = field(default_factory=list)  # scan hits on this text (content only)
    signals: list[dict[str, Any]] = field(default_factory=list)  # scan's news signals (content only)


Row = dict[str, Any]
Outputs = dict[tuple[int, str], str]


def log_row(conv_id: str, index: int, name: str, label: str, operator: str, old_len: int, new: str) -> Row:
    return {
        "conversation_id": conv_id,
        "message_index": index,
        "field": name,
        "start": 0,
        "end": old_len,
        "out_start": 0,
        "out_end": len(new),
        "label": label,
        "detector": DETECTOR,
        "score": 1.0,
        "operator": operator,
        "replacement": new,
        "original_encrypted": None,
    }


class MetadataTreatment:
    """Collects a conversation's metadata text units, then rebuilds the conversation around the
    treated texts (:meth:`finish`)."""

    def __init__(self, conv: Conversation, policy: Policy, hash_key: bytes, shift_days: int) -> None:
        self.conv = conv
        self.settings = policy.metadata
        self.hash_key = hash_key
        self.shift_days = shift_days
        self.hash_keys = {k.casefold() for k in self.settings.hash_keys}
        self.keep_keys = {k.casefold() for k in self.settings.keep_keys}
        self.units: list[TextUnit] = []
        self.rows: list[Row] = []
        # (message_index) -> parsed metadata JSON (or None when it was not JSON)
        self._parsed: dict[int, Any] = {}
        if conv.title and self.settings.title == "deidentify":
            self.units.append(TextUnit(-1, "title", conv.title))
        self._collect(-1, conv.metadata_json)
        for m in conv.messages:
            self._collect(m.index, m.metadata_json, m.role)

    def hash_value(self, prefix: str, value: str) -> str:
        if HASHED.match(value):
            return value
        digest = hmac.new(self.hash_key, f"{prefix}\x00{value}".encode("utf-8", "surrogatepass"), hashlib.sha256)
        return f"{prefix}_{digest.hexdigest()[:24]}"

    def _collect(self, index: int, raw: str | None, role: str | None = None) -> None:
        if not raw:
            return
        try:
            obj = orjson.loads(raw)
        except orjson.JSONDecodeError:
            self.units.append(TextUnit(index, "metadata_json", raw, role))
            return
        self._parsed[index] = obj
        self._walk(index, obj, "", None, role)

    def _walk(self, index: int, node: Any, pointer: str, key: str | None, role: str | None) -> None:
        k = key.casefold() if key is not None else None
        if k is not None and k in self.keep_keys:
            return
        if k is not None and k in self.hash_keys:
            return  # hashed in _rebuild, whatever its type
        if isinstance(node, dict):
            for child_key, child in node.items():
                self._walk(index, child, f"{pointer}/{_escape(str(child_key))}", str(child_key), role)
        elif isinstance(node, list):
            for i, child in enumerate(node):
                self._walk(index, child, f"{pointer}/{i}", key, role)
        elif isinstance(node, str) and node.strip():
            self.units.append(TextUnit(index, f"metadata_json:{pointer or '/'}", node, role))

    def _rebuild(self, index: int, node: Any, pointer: str, key: str | None, outputs: Outputs) -> Any:
        k = key.casefold() if key is not None else None
        if k is not None and k in self.keep_keys:
            return node
        if k is not None and k in self.hash_keys and node is not None:
            value = node if isinstance(node, str) else orjson.dumps(node, option=orjson.OPT_SORT_KEYS).decode()
            hashed = self.hash_value("h", value)
            if hashed != value:
                self.rows.append(log_row(self.conv.conversation_id, index, f"metadata_json:{pointer}", "IDENTIFIER",
                                         "hash", len(value), hashed))  # fmt: skip
            return hashed
        if isinstance(node, dict):
            return {
                ck: self._rebuild(index, cv, f"{pointer}/{_escape(str(ck))}", str(ck), outputs)
                for ck, cv in node.items()
            }
        if isinstance(node, list):
            return [self._rebuild(index, cv, f"{pointer}/{i}", key, outputs) for i, cv in enumerate(node)]
        if isinstance(node, str):
            return outputs.get((index, f"metadata_json:{pointer or '/'}"), node)
        return node

    def _metadata_json(self, index: int, raw: str | None, outputs: Outputs) -> str | None:
        if not raw:
            return raw
        if index not in self._parsed:
            return outputs.get((index, "metadata_json"), raw)
        rebuilt = self._rebuild(index, self._parsed[index], "", None, outputs)
        if rebuilt == self._parsed[index]:
            return raw  # unchanged: keep the source's bytes
        return orjson.dumps(rebuilt).decode()

    def _timestamp(self, index: int, name: str, ts: datetime | None) -> datetime | None:
        new = generalize_timestamp(ts, self.settings.timestamps, self.shift_days)
        if new != ts and ts is not None:
            text = new.isoformat() if new is not None else ""
            self.rows.append(log_row(self.conv.conversation_id, index, name, "TIMESTAMP", self.settings.timestamps,
                                     0, text))  # fmt: skip
        return new

    def finish(self, outputs: Outputs, content: Callable[[Message], str]) -> Conversation:
        """The de-identified conversation: treated texts from ``outputs`` ((index, field) → text),
        message content from ``content``."""
        c = self.conv
        cid = c.conversation_id
        user_key = c.user_key
        if user_key is not None and self.settings.user_key != "keep":
            user_key = None if self.settings.user_key == "drop" else self.hash_value("uk", user_key)
            if user_key != c.user_key:
                self.rows.append(log_row(cid, -1, "user_key", "USER_KEY", self.settings.user_key, len(c.user_key or ""),
                                         user_key or ""))  # fmt: skip
        title = c.title
        if title and self.settings.title == "drop":
            self.rows.append(log_row(cid, -1, "title", "TITLE", "drop", len(title), ""))
            title = None
        elif title:
            title = outputs.get((-1, "title"), title)
        messages = [
            replace(
                m,
                content=content(m),
                created_at=self._timestamp(m.index, "created_at", m.created_at),
                metadata_json=self._metadata_json(m.index, m.metadata_json, outputs),
            )
            for m in c.messages
        ]
        return replace(
            c,
            created_at=self._timestamp(-1, "created_at", c.created_at),
            updated_at=self._timestamp(-1, "updated_at", c.updated_at),
            user_key=user_key,
            title=title,
            metadata_json=self._metadata_json(-1, c.metadata_json, outputs),
            messages=messages,
        )


def _escape(key: str) -> str:
    """JSON-pointer escaping (RFC 6901)."""
    return key.replace("~", "~0").replace("/", "~1")
