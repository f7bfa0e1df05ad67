"""ShareGPT: ``{"id", "conversations": [{"from": "human|gpt|system", "value"}]}``."""

from __future__ import annotations

from typing import Any

from sealroom.ingest.adapters.base import Adapter, RecordContext, dumps, key_pattern, opt_str, record_id
from sealroom.ingest.adapters.linear import linear_message, text_content, turn_list
from sealroom.ingest.records import RecordError
from sealroom.schema import Conversation

_SNIFF = key_pattern("conversations")
_SNIFF_TURN = key_pattern("from", "value")
# the speaker names seen in ShareGPT-style datasets, mapped to canonical roles
_ROLES = {
    "human": "user",
    "user": "user",
    "gpt": "assistant",
    "assistant": "assistant",
    "chatgpt": "assistant",
    "bing": "assistant",
    "bard": "assistant",
    "model": "assistant",
    "function_call": "assistant",
    "system": "system",
    "tool": "tool",
    "function": "tool",
    "function_response": "tool",
    "observation": "tool",
}


class ShareGPTAdapter(Adapter):
    name = "sharegpt.v1"
    short = "sharegpt"
    priority = 40

    def sniff(self, head: bytes) -> bool:
        return bool(_SNIFF.search(head)) and bool(_SNIFF_TURN.search(head))

    def convert(self, obj: dict[str, Any], ctx: RecordContext) -> Conversation:
        messages = []
        for i, turn in enumerate(turn_list(obj, "conversations")):
            where = f"conversations[{i}]"
            if not isinstance(turn, dict):
                raise RecordError("invalid_field", f"{where} is not an object")
            speaker = turn.get("from")
            role = _ROLES.get(speaker) if isinstance(speaker, str) else None
            if role is None:
                raise RecordError("unknown_role", f"{where} 'from' is not one of {', '.join(sorted(_ROLES))}")
            meta = {k: v for k, v in turn.items() if k not in ("from", "value")}
            if speaker not in ("human", "gpt", "system"):
                meta["from"] = speaker
            messages.append(linear_message(i, role, text_content(turn.get("value"), where), metadata_json=dumps(meta)))
        return Conversation(
            conversation_id=record_id(obj.get("id"), ctx, "id"),
            source=self.short,
            model=opt_str(obj.get("model"), "model"),
            language=opt_str(obj.get("lang") or obj.get("language"), "language"),
            metadata_json=dumps({k: v for k, v in obj.items() if k not in ("id", "conversations", "model")}),
            messages=messages,
        )
