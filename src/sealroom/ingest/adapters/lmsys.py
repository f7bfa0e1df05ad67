"""LMSYS-Chat-1M: ``conversation_id``, ``conversation[]`` turns (``content``, ``role``), ``model``,
``turn``, ``language``, ``openai_moderation``, ``redacted``; JSONL or Parquet."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sealroom.ingest.adapters.base import Adapter, RecordContext, dumps, key_pattern, opt_str, record_id
from sealroom.ingest.adapters.linear import linear_message, role_turns, text_content
from sealroom.schema import Conversation

_SNIFF = key_pattern("conversation")
_SNIFF_ID = key_pattern("conversation_id")
_ROLES = {"user": "user", "assistant": "assistant", "system": "system"}
_COLUMNS = {"conversation_id", "conversation", "model", "language"}


class LmsysAdapter(Adapter):
    name = "lmsys.v1"
    short = "lmsys"
    priority = 30

    def sniff(self, head: bytes) -> bool:
        return bool(_SNIFF.search(head)) and bool(_SNIFF_ID.search(head))

    def sniff_columns(self, names: Iterable[str]) -> bool:
        return {"conversation_id", "conversation"} <= set(names)

    def convert(self, obj: dict[str, Any], ctx: RecordContext) -> Conversation:
        model = opt_str(obj.get("model"), "model")
        messages = []
        for i, role, where, turn in role_turns(obj, "conversation", _ROLES):
            meta = {k: v for k, v in turn.items() if k not in ("role", "content") and v is not None}
            messages.append(
                linear_message(
                    i,
                    role,
                    text_content(turn.get("content"), where),
                    model=model if role == "assistant" else None,
                    metadata_json=dumps(meta),
                )
            )
        return Conversation(
            conversation_id=record_id(obj.get("conversation_id"), ctx, "conversation_id"),
            source=self.short,
            model=model,
            language=opt_str(obj.get("language"), "language"),
            metadata_json=dumps({k: v for k, v in obj.items() if k not in _COLUMNS and v is not None}),
            messages=messages,
        )
