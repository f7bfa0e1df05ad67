"""ChatGPT data export (``conversations.json``: an array of conversations, or one conversation).

A conversation is a tree: ``mapping`` holds nodes ``{id, message|null, parent, children}``; edits
and regenerations are branches. Every node whose message carries content is kept, in tree order
(depth-first from each root, children in list order; never by ``create_time``, which can be null
and is not monotone). ``active`` marks the path from ``current_node`` to the root; when
``current_node`` is missing or unknown, the path is found by following the last child from the
first root, and the conversation's metadata says so (``current_node_fallback``).

Nodes without text (the root's null message, hidden empty system nodes, empty assistant
placeholders) are counted in the conversation metadata, not stored as messages; a stored message's
``parent_id`` is its nearest stored ancestor, so the stored messages form a tree of their own.
"""

from __future__ import annotations

from typing import Any

from sealroom.ingest.adapters.base import Adapter, RecordContext, dumps, key_pattern, opt_str, record_id, to_datetime
from sealroom.ingest.records import RecordError
from sealroom.schema import ROLES, Conversation, Message

_SNIFF = key_pattern("mapping")
_SNIFF_MORE = key_pattern("current_node", "create_time", "title")
# conversation fields mapped to columns (everything else goes to metadata_json)
_CONVERSATION_COLUMNS = {"id", "conversation_id", "title", "create_time", "update_time", "mapping", "current_node"}
# placeholder tokens for non-text parts of multimodal messages (the pointer goes to metadata)
_PLACEHOLDERS = {
    "image_asset_pointer": "[image]",
    "audio_asset_pointer": "[audio]",
    "video_container_asset_pointer": "[video]",
    "real_time_user_audio_video_asset_pointer": "[audio/video]",
}


def _text_parts(parts: Any, node_id: str, multimodal: bool, meta: dict[str, Any]) -> str:
    if not isinstance(parts, list):
        raise RecordError("invalid_field", f"node {node_id}: content.parts is not a list")
    out: list[str] = []
    for i, part in enumerate(parts):
        if isinstance(part, str):
            out.append(part)
        elif multimodal and isinstance(part, dict):
            kind = part.get("content_type")
            if kind == "audio_transcription":
                text = part.get("text")
                if not isinstance(text, str):
                    raise RecordError("non_string_part", f"node {node_id}: part {i} transcription is not text")
                out.append(text)
                meta.setdefault("transcriptions", []).append({k: v for k, v in part.items() if k != "text"})
            else:
                out.append(_PLACEHOLDERS.get(str(kind), "[attachment]"))
                meta.setdefault("assets", []).append(part)
        else:
            raise RecordError("non_string_part", f"node {node_id}: part {i} is a {type(part).__name__}")
    return "\n".join(p for p in out if p) if len(out) > 1 else (out[0] if out else "")


def _text_of(content: dict[str, Any], node_id: str, meta: dict[str, Any]) -> str:
    """Each content type mapped deliberately; the type itself is kept in the message metadata."""
    ctype = content.get("content_type")
    if ctype in ("text", "multimodal_text"):
        return _text_parts(content.get("parts"), node_id, ctype == "multimodal_text", meta)
    if ctype in ("code", "execution_output", "tether_quote", "system_error"):
        # code and its output, a quoted page excerpt, a tool error: the text field is the content
        for key in ("language", "url", "domain", "title", "name"):
            if key in content:
                meta[key] = content[key]
        return _field_text(content, "text", node_id)
    if ctype == "tether_browsing_display":
        for key in ("summary", "assets", "tether_id"):
            if content.get(key) is not None:
                meta[key] = content[key]
        return _field_text(content, "result", node_id)
    if ctype == "thoughts":
        thoughts = content.get("thoughts") or []
        if not isinstance(thoughts, list) or not all(isinstance(t, dict) for t in thoughts):
            raise RecordError("invalid_field", f"node {node_id}: thoughts is not a list of objects")
        blocks = []
        for t in thoughts:
            summary, body = t.get("summary"), t.get("content")
            if not isinstance(summary, str | None) or not isinstance(body, str | None):
                raise RecordError("non_string_part", f"node {node_id}: a thought is not text")
            blocks.append("\n".join(x for x in (summary, body) if x))
        meta["source_analysis_msg_id"] = content.get("source_analysis_msg_id")
        return "\n\n".join(blocks)
    if ctype == "reasoning_recap":
        return _field_text(content, "content", node_id)
    if ctype == "user_editable_context":
        # custom instructions: the user's profile and instructions, both user-written
        texts = [_field_text(content, k, node_id) for k in ("user_profile", "user_instructions")]
        return "\n\n".join(t for t in texts if t)
    # a content type this adapter does not know: take its text if it has one, keep the rest
    meta["unmapped_content_keys"] = sorted(k for k in content if k != "content_type")
    if "parts" in content:
        return _text_parts(content["parts"], node_id, True, meta)
    return _field_text(content, "text", node_id) if "text" in content else ""


def _field_text(content: dict[str, Any], key: str, node_id: str) -> str:
    value = content.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise RecordError("non_string_part", f"node {node_id}: content.{key} is a {type(value).__name__}")
    return value


def _is_ancestor(mapping: dict[str, Any], candidate: str, nid: str) -> bool:
    """Whether ``candidate`` is ``nid`` or above it (bounded walk: parent chains may loop)."""
    node_id: Any = nid
    for _ in range(len(mapping) + 1):
        if node_id == candidate:
            return True
        node_id = mapping[node_id].get("parent") if node_id in mapping else None
        if node_id is None:
            return False
    return False


def _tree_order(mapping: dict[str, Any]) -> tuple[list[str], dict[str, list[str]]]:
    """Depth-first order from every root (roots in mapping order, children in list order)."""
    children: dict[str, list[str]] = {}
    roots: list[str] = []
    for nid, node in mapping.items():
        if not isinstance(node, dict):
            raise RecordError("invalid_field", f"mapping node {nid} is not an object")
        parent = node.get("parent")
        if parent is None:
            roots.append(nid)
        elif not isinstance(parent, str) or parent not in mapping:
            raise RecordError("dangling_parent", f"node {nid} names a parent that is not in the mapping")
        listed = node.get("children") or []
        if not isinstance(listed, list):
            raise RecordError("invalid_field", f"node {nid}: children is not a list")
        for child in listed:
            if not isinstance(child, str) or child not in mapping:
                raise RecordError("dangling_child", f"node {nid} lists a child that is not in the mapping")
        # a child counts where its own parent field puts it (the two disagree only in broken files);
        # a node that lists itself or an ancestor as its child makes the children graph cyclic
        children[nid] = [c for c in listed if mapping[c].get("parent") == nid]
        if len(children[nid]) != len(listed):
            for c in listed:
                if mapping[c].get("parent") != nid and _is_ancestor(mapping, c, nid):
                    raise RecordError("tree_cycle", f"node {nid} lists its ancestor {c} as a child")
    for nid, node in mapping.items():
        parent = node.get("parent")
        if parent is not None and nid not in children[parent]:
            children[parent].append(nid)
    order: list[str] = []
    seen: set[str] = set()
    for root in roots:
        stack = [root]
        while stack:
            nid = stack.pop()
            if nid in seen:
                raise RecordError("tree_cycle", f"node {nid} is reached twice")
            seen.add(nid)
            order.append(nid)
            stack.extend(reversed(children[nid]))
    if len(order) != len(mapping):
        # every node has a parent in the mapping, yet some are not below a root: a cycle
        stray = next(n for n in mapping if n not in seen)
        raise RecordError("tree_cycle", f"node {stray} is its own ancestor (no root above it)")
    return order, children


class ChatGPTAdapter(Adapter):
    name = "chatgpt.v1"
    short = "chatgpt"
    priority = 10

    def sniff(self, head: bytes) -> bool:
        return bool(_SNIFF.search(head)) and bool(_SNIFF_MORE.search(head))

    def convert(self, obj: dict[str, Any], ctx: RecordContext) -> Conversation:
        mapping = obj.get("mapping")
        if not isinstance(mapping, dict):
            raise RecordError("missing_field" if mapping is None else "invalid_field", "mapping is not an object")
        order, children = _tree_order(mapping)
        conv_meta = {k: v for k, v in obj.items() if k not in _CONVERSATION_COLUMNS}

        current = obj.get("current_node")
        active: set[str] = set()
        if isinstance(current, str) and current in mapping:
            node_id: str | None = current
            while node_id is not None:
                active.add(node_id)
                node_id = mapping[node_id].get("parent")
        elif order:
            conv_meta["current_node_fallback"] = "missing" if current is None else "unknown"
            ctx.count("chatgpt.current_node_fallback")
            node_id = order[0]
            while node_id is not None:
                active.add(node_id)
                kids = children[node_id]
                node_id = kids[-1] if kids else None

        messages: list[Message] = []
        stored_parent: dict[str, str | None] = {}
        skipped = {"null": 0, "empty": 0}
        model = obj.get("default_model_slug")
        for nid in order:
            node = mapping[nid]
            parent = node.get("parent")
            nearest = stored_parent.get(parent) if parent is not None else None
            msg = node.get("message")
            if msg is None:
                skipped["null"] += 1
                stored_parent[nid] = nearest
                continue
            message = self._message(msg, nid, nearest, nid in active, len(messages))
            if message is None:
                skipped["empty"] += 1
                stored_parent[nid] = nearest
                continue
            messages.append(message)
            stored_parent[nid] = nid
        if model is None:  # no conversation-level slug: the model that wrote the visible answer
            model = next((m.model for m in reversed(messages) if m.active and m.model), None)
        if skipped["null"] or skipped["empty"]:
            conv_meta["nodes_not_stored"] = skipped
            ctx.count("chatgpt.nodes_without_message", skipped["null"])
            ctx.count("chatgpt.empty_nodes_not_stored", skipped["empty"])
        if isinstance(current, str):
            conv_meta["current_node"] = current
        return Conversation(
            conversation_id=record_id(obj.get("conversation_id") or obj.get("id"), ctx, "id"),
            source=self.short,
            created_at=to_datetime(obj.get("create_time"), "create_time"),
            updated_at=to_datetime(obj.get("update_time"), "update_time"),
            user_key=opt_str(obj.get("user_id") or obj.get("account_user_id"), "user_id"),
            account_type=opt_str(obj.get("account_type") or obj.get("plan_type"), "account_type"),
            model=opt_str(model, "default_model_slug"),
            language=None,
            title=opt_str(obj.get("title"), "title"),
            metadata_json=dumps(conv_meta),
            messages=messages,
        )

    def _message(self, msg: Any, nid: str, parent: str | None, active: bool, index: int) -> Message | None:
        if not isinstance(msg, dict):
            raise RecordError("invalid_field", f"node {nid}: message is not an object")
        author = msg.get("author")
        if not isinstance(author, dict):
            raise RecordError("missing_field", f"node {nid}: message has no author")
        role = author.get("role")
        if role not in ROLES:
            raise RecordError("unknown_role", f"node {nid}: author.role is not one of {', '.join(ROLES)}")
        content = msg.get("content")
        if not isinstance(content, dict):
            raise RecordError("missing_field", f"node {nid}: message has no content object")
        source_meta = msg.get("metadata") if isinstance(msg.get("metadata"), dict) else {}
        meta: dict[str, Any] = {"content_type": content.get("content_type")}
        text = _text_of(content, nid, meta)
        if not text.strip() and not meta.get("assets"):
            return None
        if author.get("name") is not None:
            meta["author_name"] = author["name"]
        for key in ("recipient", "status", "weight", "end_turn", "channel"):
            if msg.get(key) is not None:
                meta[key] = msg[key]
        if source_meta.get("is_visually_hidden_from_conversation"):
            meta["hidden"] = True
        if msg.get("id") not in (None, nid):
            meta["message_id"] = msg["id"]
        if msg.get("update_time") is not None:
            meta["update_time"] = msg["update_time"]
        if source_meta:
            meta["metadata"] = source_meta  # attachments, citations, finish details… kept whole
        return Message(
            index=index,
            node_id=nid,
            parent_id=parent,
            role=role,
            content=text,
            created_at=to_datetime(msg.get("create_time"), f"node {nid} create_time"),
            model=opt_str(source_meta.get("model_slug"), f"node {nid} model_slug"),
            active=active,
            metadata_json=dumps(meta),
        )
