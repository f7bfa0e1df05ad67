"""Helpers for scan tests: writing conversation datasets, and a tiny loader for the shared chat files."""

from __future__ import annotations

import json
from pathlib import Path

from dataset_builders import write_tables
from sealroom.scan.normalize import tokenize
from sealroom.schema import CONVERSATION_SCHEMA, Conversation, Message, conversations_to_table


def write_conversations(path: Path, conversations: list[Conversation], per_shard: int = 50) -> Path:
    shards = [conversations_to_table(conversations[i : i + per_shard]) for i in range(0, len(conversations), per_shard)]
    return write_tables(path, "ingest", {"main": CONVERSATION_SCHEMA}, [{"main": t} for t in shards])


def span(text: str, first: int, last: int) -> str:
    """Words ``first`` to ``last`` (exclusive) of ``text``, as they stand in it."""
    t = tokenize(text)
    return text[int(t.starts[first]) : int(t.ends[last - 1])]


def chat(cid: str, *turns: tuple[str, str], branches: dict[int, int] | None = None) -> Conversation:
    """A conversation from (role, text) turns, each the child of the previous one unless
    ``branches`` maps a turn number to the turn number of its parent."""
    msgs = []
    for i, (role, text) in enumerate(turns):
        parent = (branches or {}).get(i, i - 1)
        msgs.append(Message(i, f"{cid}-{i}", f"{cid}-{parent}" if parent >= 0 else None, role, text))
    return Conversation(conversation_id=cid, source="test", messages=msgs)


def _chatgpt_export(path: Path) -> list[Conversation]:
    out = []
    for n, conv in enumerate(json.loads(path.read_text(encoding="utf-8"))):
        msgs = []
        for node_id, node in conv.get("mapping", {}).items():
            m = node.get("message")
            if not m:
                continue
            parts = (m.get("content") or {}).get("parts") or []
            text = "\n".join(p for p in parts if isinstance(p, str))
            if not text.strip():
                continue
            msgs.append((node_id, node.get("parent"), m["author"]["role"], text))
        known = {m[0] for m in msgs}
        out.append(
            Conversation(
                conversation_id=str(conv.get("id") or conv.get("conversation_id") or f"export-{n}"),
                source=str(path),
                messages=[
                    Message(i, nid, par if par in known else None, role, text)
                    for i, (nid, par, role, text) in enumerate(msgs)
                ],
            )
        )
    return out


def _flat(cid: str, source: str, turns: list[tuple[str, str]]) -> Conversation:
    return Conversation(
        conversation_id=cid,
        source=source,
        messages=[
            Message(i, f"{cid}-{i}", f"{cid}-{i - 1}" if i else None, role, text)
            for i, (role, text) in enumerate(turns)
        ],
    )


def load_shared_chats(chat_dir: Path) -> list[Conversation]:
    """Every conversation in the shared chat folder (a minimal loader: text parts only)."""
    convs = _chatgpt_export(chat_dir / "chatgpt_export" / "conversations.json")
    roles = {"human": "user", "gpt": "assistant", "system": "system"}
    for n, rec in enumerate(json.loads((chat_dir / "sharegpt" / "dummy_conversation.json").read_text())):
        turns = [(roles.get(t["from"], "user"), t["value"]) for t in rec["conversations"]]
        convs.append(_flat(f"sharegpt-{rec.get('id', n)}-{n}", "sharegpt", turns))
    for f in sorted((chat_dir / "openai_jsonl").glob("*.jsonl")):
        for n, line in enumerate(f.read_text(encoding="utf-8").splitlines()):
            if not line.strip():
                continue
            msgs = json.loads(line)["messages"]
            turns = []
            for m in msgs:
                c = m.get("content")
                if isinstance(c, list):
                    c = "\n".join(p.get("text", "") for p in c if isinstance(p, dict))
                turns.append((m["role"], c or ""))
            convs.append(_flat(f"{f.stem}-{n}", f.name, turns))
    return convs
