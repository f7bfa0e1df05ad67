"""OpenAI chat JSONL: ``{"messages": [{"role", "content"}, …]}`` per record (fine-tuning files, API
logs). ``content`` may be a string, null (an assistant turn that only calls tools) or a list of
parts (``text``, ``image_url``, …). Files of pretty-printed objects concatenated are framed by the
shared reader."""

from __future__ import annotations

import hashlib
from typing import Any

from sealroom.ingest.adapters.base import Adapter, RecordContext, dumps, key_pattern, opt_str, record_id
from sealroom.ingest.adapters.linear import linear_message, turn_list
from sealroom.ingest.records import RecordError
from sealroom.schema import Conversation

_SNIFF = key_pattern("messages")
# roles outside the canonical four that the API defines, and what they mean here
_ROLE_ALIASES = {"developer": "system", "function": "tool"}
_ROLES = {"system", "user", "assistant", "tool", *_ROLE_ALIASES}
_PLACEHOLDERS = {"image_url": "[image]", "input_image": "[image]", "input_audio": "[audio]", "file": "[file]"}


def _parts(content: list[Any], where: str, meta: dict[str, Any]) -> str:
    texts: list[str] = []
    for i, part in enumerate(content):
        if isinstance(part, str):
            texts.append(part)
            continue
        if not isinstance(part, dict):
            raise RecordError("non_string_part", f"{where} part {i} is a {type(part).__name__}")
        kind = part.get("type")
        if kind in ("text", "input_text", "output_text"):
            text = part.get("text")
            if not isinstance(text, str):
                raise RecordError("non_string_part", f"{where} part {i} text is not a string")
            texts.append(text)
        else:
            texts.append(_PLACEHOLDERS.get(str(kind), "[attachment]"))
            meta.setdefault("attachments", []).append(_attachment(part))
    return "\n".join(texts)


def _attachment(part: dict[str, Any]) -> dict[str, Any]:
    """An attachment's description; inline ``data:`` payloads are replaced by their hash and size."""
    out: dict[str, Any] = {}
    for key, value in part.items():
        url = value.get("url") if isinstance(value, dict) else None
        if isinstance(url, str) and url.startswith("data:"):
            digest = hashlib.sha256(url.encode()).hexdigest()
            value = {**value, "url": f"data:{url[5:].split(';', 1)[0]};sha256={digest};chars={len(url)}"}
        out[key] = value
    return out


class OpenAIJsonlAdapter(Adapter):
    name = "openai-jsonl.v1"
    short = "openai-jsonl"
    priority = 50

    def sniff(self, head: bytes) -> bool:
        return bool(_SNIFF.search(head))

    def convert(self, obj: dict[str, Any], ctx: RecordContext) -> Conversation:
        model = opt_str(obj.get("model"), "model")
        messages = []
        for i, m in enumerate(turn_list(obj, "messages")):
            where = f"messages[{i}]"
            if not isinstance(m, dict):
                raise RecordError("invalid_field", f"{where} is not an object")
            role = m.get("role")
            if role not in _ROLES:
                raise RecordError("unknown_role", f"{where} role is not one of {', '.join(sorted(_ROLES))}")
            meta: dict[str, Any] = {k: v for k, v in m.items() if k not in ("role", "content")}
            if role in _ROLE_ALIASES:
                meta["source_role"] = role
            content = m.get("content")
            if isinstance(content, list):
                meta["content_parts"] = len(content)
                text = _parts(content, where, meta)
            elif content is None or isinstance(content, str):
                text = content or ""
            else:
                raise RecordError("non_string_part", f"{where} content is a {type(content).__name__}")
            messages.append(
                linear_message(
                    i,
                    _ROLE_ALIASES.get(role, role),
                    text,
                    model=opt_str(m.get("model"), f"{where} model") or (model if role == "assistant" else None),
                    metadata_json=dumps(meta),
                )
            )
        conv_meta = {k: v for k, v in obj.items() if k not in ("messages", "id", "model", "user")}
        if not any(m.role == "user" for m in messages):
            conv_meta["no_user_turn"] = True  # kept (it is what was held); flagged for review
            ctx.count("openai-jsonl.no_user_turn")
        return Conversation(
            conversation_id=record_id(obj.get("id"), ctx, "id"),
            source=self.short,
            # the API's end-user identifier, when a log kept the request's ``user`` field
            user_key=opt_str(obj.get("user") or obj.get("user_id"), "user"),
            model=model,
            metadata_json=dumps(conv_meta),
            messages=messages,
        )
