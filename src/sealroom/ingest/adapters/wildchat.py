"""WildChat (-1M / -4.8M): ``conversation_hash``, ``conversation[]`` turns with ``role``,
``content``, ``timestamp``, ``country``, ``state``, ``hashed_ip``, ``header`` …, plus ``model``,
``turn``, ``language``, ``openai_moderation``, ``toxic``, ``redacted``; JSONL or Parquet."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sealroom.ingest.adapters.base import Adapter, RecordContext, dumps, key_pattern, opt_str, record_id, to_datetime
from sealroom.ingest.adapters.linear import linear_message, role_turns, text_content
from sealroom.schema import Conversation

_SNIFF = key_pattern("conversation_hash")
_ROLES = {"user": "user", "assistant": "assistant", "system": "system", "human": "user", "gpt": "assistant"}
_COLUMNS = {"conversation_hash", "conversation", "model", "timestamp", "language", "hashed_ip"}


class WildChatAdapter(Adapter):
    name = "wildchat.v1"
    short = "wildchat"
    priority = 20

    def sniff(self, head: bytes) -> bool:
        return bool(_SNIFF.search(head))

    def sniff_columns(self, names: Iterable[str]) -> bool:
        return {"conversation_hash", "conversation"} <= set(names)

    def convert(self, obj: dict[str, Any], ctx: RecordContext) -> Conversation:
        model = opt_str(obj.get("model"), "model")
        messages = []
        for i, role, where, turn in role_turns(obj, "conversation", _ROLES):
            meta = {k: v for k, v in turn.items() if k not in ("role", "content", "timestamp") and v is not None}
            messages.append(
                linear_message(
                    i,
                    role,
                    text_content(turn.get("content"), where),
                    created_at=to_datetime(turn.get("timestamp"), f"{where} timestamp"),
                    model=model if role == "assistant" else None,
                    metadata_json=dumps(meta),
                )
            )
        first_ip = next((m.get("hashed_ip") for m in obj["conversation"] if isinstance(m, dict)), None)
        hashed_ip = obj.get("hashed_ip") or first_ip
        return Conversation(
            conversation_id=record_id(obj.get("conversation_hash"), ctx, "conversation_hash"),
            source=self.short,
            created_at=to_datetime(obj.get("timestamp"), "timestamp"),
            user_key=opt_str(hashed_ip, "hashed_ip"),
            model=model,
            language=opt_str(obj.get("language"), "language"),
            metadata_json=dumps({k: v for k, v in obj.items() if k not in _COLUMNS and v is not None}),
            messages=messages,
        )
