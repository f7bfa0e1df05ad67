"""The real files in ../shared/data/chat, with exact counts (skipped when the data is absent)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import orjson
import pytest

from sealroom.dataset import Dataset
from sealroom.ingest import ingest
from sealroom.runner import LocalRunner
from sealroom.schema import table_to_conversations


def _run(src: Path, out: Path, **kw):
    return ingest([src], out, runner=LocalRunner(1), show_progress=False, **kw)


def test_chatgpt_export(shared_data: Path, tmp_path: Path) -> None:
    result = _run(shared_data / "chat/chatgpt_export/conversations.json", tmp_path / "hold")
    assert result.conversations == 192
    assert result.quarantined == 0
    convs = table_to_conversations(Dataset.open(tmp_path / "hold").read())
    assert len({c.conversation_id for c in convs}) == 192
    # the data README: 645 user, 656 assistant, 1 tool message with non-blank text parts; besides
    # those, 29 assistant `code` messages and 36 tool messages of other content types carry text
    roles = Counter(m.role for c in convs for m in c.messages)
    assert roles == {"user": 645, "assistant": 685, "tool": 37}
    types = Counter((m.role, orjson.loads(m.metadata_json)["content_type"]) for c in convs for m in c.messages)
    assert types[("user", "text")] == 645
    assert types[("assistant", "text")] == 656
    assert types[("assistant", "code")] == 29
    assert types[("tool", "text")] == 1
    assert types[("tool", "tether_browsing_display")] == 20
    assert types[("tool", "tether_quote")] == 14
    assert types[("tool", "system_error")] == 2
    # the 192 empty system nodes, one empty assistant placeholder (686 assistant nodes, 685 stored)
    # and the 192 null root messages are counted, not stored
    assert result.stats["chatgpt.empty_nodes_not_stored"] == 193
    assert result.stats["chatgpt.nodes_without_message"] == 192
    # every conversation has a visible path ending at its current node
    for c in convs:
        meta = orjson.loads(c.metadata_json)
        active = [m for m in c.messages if m.active]
        assert (active and active[-1].node_id == meta["current_node"]) or not active
        assert [m.index for m in c.messages] == list(range(len(c.messages)))
    # branches (edits / regenerations) are kept: some messages are off the visible path
    assert sum(not m.active for c in convs for m in c.messages) > 0


def test_sharegpt(shared_data: Path, tmp_path: Path) -> None:
    result = _run(shared_data / "chat/sharegpt/dummy_conversation.json", tmp_path / "hold")
    assert result.conversations == 500
    assert result.messages_by_format_role == {("sharegpt", "assistant"): 1000, ("sharegpt", "user"): 1000}
    ids = Dataset.open(tmp_path / "hold").read(["conversation_id"]).column(0).to_pylist()
    assert ids[:2] == ["identity_0", "identity_1"]


def test_toy_jsonl_flawed_records(shared_data: Path, tmp_path: Path) -> None:
    """The cookbook's deliberately flawed records are chat logs as held: both are kept, not dropped.
    The one without a user turn is flagged (metadata and a counter); the 26,000-character runaway
    reply is stored intact."""
    result = _run(shared_data / "chat/openai_jsonl/toy_chat_fine_tuning.jsonl", tmp_path / "hold")
    assert result.conversations == 5
    assert result.quarantined == 0
    assert result.stats["openai-jsonl.no_user_turn"] == 1
    convs = table_to_conversations(Dataset.open(tmp_path / "hold").read())
    flagged = [c for c in convs if orjson.loads(c.metadata_json).get("no_user_turn")]
    assert [[m.role for m in c.messages] for c in flagged] == [["system", "assistant"]]
    longest = max((m for c in convs for m in c.messages), key=lambda m: len(m.content))
    assert len(longest.content) == 26_000 and longest.role == "assistant"
    assert result.messages_by_format_role == {
        ("openai-jsonl", "system"): 4,
        ("openai-jsonl", "user"): 7,
        ("openai-jsonl", "assistant"): 8,
    }


def test_pirate_set(shared_data: Path, tmp_path: Path) -> None:
    result = _run(shared_data / "chat/openai_jsonl/pirate_training_set.jsonl", tmp_path / "hold")
    assert result.conversations == 10
    assert result.messages_by_format_role == {
        ("openai-jsonl", "system"): 10,
        ("openai-jsonl", "user"): 10,
        ("openai-jsonl", "assistant"): 10,
    }


def test_whole_folder_autodetects_each_file(shared_data: Path, tmp_path: Path) -> None:
    result = _run(shared_data / "chat", tmp_path / "hold")
    assert result.conversations_by_format == {"chatgpt": 192, "openai-jsonl": 15, "sharegpt": 500}
    extra = result.step.manifest.extra
    assert {Path(s["path"]).name for s in extra["sources"]} == {
        "conversations.json",
        "dummy_conversation.json",
        "toy_chat_fine_tuning.jsonl",
        "pirate_training_set.jsonl",
    }
    assert all(len(s["sha256"]) == 64 and s["bytes"] > 0 for s in extra["sources"])
    assert {Path(s["path"]).name for s in extra["skipped_files"]} == {"LICENSE"}


@pytest.mark.parametrize("fmt", ["chatgpt", "sharegpt"])
def test_wrong_explicit_format_quarantines_instead_of_crashing(shared_data: Path, tmp_path: Path, fmt: str) -> None:
    src = shared_data / "chat/openai_jsonl/pirate_training_set.jsonl"
    result = _run(src, tmp_path / "hold", fmt=fmt)
    assert result.conversations == 0
    assert result.quarantine_by_reason == {"missing_field": 10}
