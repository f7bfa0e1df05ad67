"""OpenAI JSONL, ShareGPT, WildChat and LMSYS adapters, as JSONL and as Parquet; detection."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import orjson
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from ingest_helpers import convert, write_jsonl

from sealroom.dataset import Dataset
from sealroom.ingest import ingest
from sealroom.ingest.adapters import ADAPTERS, adapter_for
from sealroom.ingest.detect import detect
from sealroom.ingest.sources import discover
from sealroom.runner import LocalRunner
from sealroom.schema import table_to_conversations


def wildchat_record(i: int) -> dict:
    turn = {"country": "US", "state": "NY", "hashed_ip": f"ip{i}", "header": {"user-agent": "x"}, "toxic": False}
    return {
        "conversation_hash": f"wc{i}",
        "model": "gpt-4-0314",
        "timestamp": "2023-05-01T12:00:00Z",
        "conversation": [
            {
                "role": "user",
                "content": f"hello {i}",
                "timestamp": "2023-05-01T12:00:00Z",
                "turn_identifier": 1,
                **turn,
            },
            {"role": "assistant", "content": "hi", "timestamp": "2023-05-01T12:00:05Z", "turn_identifier": 1, **turn},
        ],
        "turn": 1,
        "language": "English",
        "openai_moderation": [{"flagged": False}],
        "toxic": False,
        "redacted": False,
        "hashed_ip": f"ip{i}",
    }


def lmsys_record(i: int) -> dict:
    return {
        "conversation_id": f"lm{i}",
        "model": "vicuna-13b",
        "conversation": [{"content": f"q{i}", "role": "user"}, {"content": "a", "role": "assistant"}],
        "turn": 1,
        "language": "English",
        "openai_moderation": [{"flagged": False}],
        "redacted": True,
    }


def test_registry_golden_names() -> None:
    """A golden list: no adapter disappears or is renamed unnoticed."""
    assert ADAPTERS.names() == ["chatgpt.v1", "lmsys.v1", "openai-jsonl.v1", "sharegpt.v1", "wildchat.v1"]
    assert adapter_for("chatgpt").name == "chatgpt.v1"
    assert adapter_for("wildchat.v1").short == "wildchat"


def test_openai_parts_roles_and_tool_calls() -> None:
    record = {
        "id": "req-1",
        "model": "gpt-4o",
        "messages": [
            {"role": "developer", "content": "be brief"},
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "what is this?"},
                    {"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA"}},
                ],
            },
            {"role": "assistant", "content": None, "tool_calls": [{"id": "t1", "function": {"name": "f"}}]},
            {"role": "tool", "tool_call_id": "t1", "content": "42"},
        ],
        "tools": [{"type": "function"}],
        "user": "end-user-7",
    }
    (c,), bad = convert("openai-jsonl", orjson.dumps(record))
    assert not bad
    assert c.conversation_id == "req-1" and c.model == "gpt-4o" and c.user_key == "end-user-7"
    assert [m.model for m in c.messages] == [None, None, "gpt-4o", None]
    assert [m.role for m in c.messages] == ["system", "user", "assistant", "tool"]
    assert c.messages[1].content == "what is this?\n[image]"
    meta = orjson.loads(c.messages[1].metadata_json)
    url = meta["attachments"][0]["image_url"]["url"]
    assert url.startswith("data:image/png;sha256=") and "AAAA" not in url  # inline payload hashed
    assert orjson.loads(c.messages[0].metadata_json)["source_role"] == "developer"
    assert orjson.loads(c.messages[2].metadata_json)["tool_calls"][0]["id"] == "t1"
    assert [m.parent_id for m in c.messages] == [None, "0", "1", "2"]
    assert "tools" in orjson.loads(c.metadata_json)


def test_openai_concatenated_pretty_printed_objects() -> None:
    data = b"".join(
        orjson.dumps({"messages": [{"role": "user", "content": f"q{i}"}]}, option=orjson.OPT_INDENT_2) for i in range(3)
    )
    convs, bad = convert("openai-jsonl", data)
    assert [c.messages[0].content for c in convs] == ["q0", "q1", "q2"] and not bad
    assert [orjson.loads(c.metadata_json)["_ingest"]["position"].split(",")[0] for c in convs] == [
        "line 1",
        "line 8",
        "line 15",
    ]


@pytest.mark.parametrize(
    ("messages", "code"),
    [
        ([{"role": "wizard", "content": "x"}], "unknown_role"),
        ([{"role": "user", "content": 5}], "non_string_part"),
        ([{"role": "user", "content": [{"type": "text", "text": 5}]}], "non_string_part"),
        ([{"role": "user", "content": [7]}], "non_string_part"),
        ("not a list", "invalid_field"),
    ],
)
def test_openai_bad_records(messages, code: str) -> None:
    convs, (q,) = convert("openai-jsonl", orjson.dumps({"messages": messages}))
    assert not convs and q.code == code


def test_sharegpt_roles_and_ids() -> None:
    record = {
        "id": 17,
        "conversations": [
            {"from": "system", "value": "s"},
            {"from": "human", "value": "h"},
            {"from": "gpt", "value": "g"},
        ],
    }
    (c,), _ = convert("sharegpt", orjson.dumps([record]))
    assert c.conversation_id == "17" and [m.role for m in c.messages] == ["system", "user", "assistant"]
    _, (q,) = convert("sharegpt", orjson.dumps([{"id": "x", "conversations": [{"from": "alien", "value": "?"}]}]))
    assert q.code == "unknown_role"


def test_records_without_ids_get_stable_content_derived_ids() -> None:
    data = orjson.dumps([{"conversations": [{"from": "human", "value": "same"}]}] * 2)
    first, _ = convert("sharegpt", data)
    again, _ = convert("sharegpt", data)
    assert [c.conversation_id for c in first] == [c.conversation_id for c in again]
    assert first[0].conversation_id != first[1].conversation_id  # position is part of the id
    assert first[0].conversation_id.startswith("h_")


def test_wildchat_jsonl_fields() -> None:
    (c,), bad = convert("wildchat", orjson.dumps(wildchat_record(1)))
    assert not bad
    assert c.conversation_id == "wc1" and c.user_key == "ip1" and c.account_type is None
    assert c.model == "gpt-4-0314" and c.language == "English"
    assert c.created_at == datetime(2023, 5, 1, 12, tzinfo=UTC)
    assert c.messages[1].created_at == datetime(2023, 5, 1, 12, 0, 5, tzinfo=UTC)
    assert c.messages[1].model == "gpt-4-0314" and c.messages[0].model is None
    meta = orjson.loads(c.messages[0].metadata_json)
    assert meta["country"] == "US" and meta["hashed_ip"] == "ip1" and meta["turn_identifier"] == 1
    conv_meta = orjson.loads(c.metadata_json)
    assert conv_meta["openai_moderation"] == [{"flagged": False}] and conv_meta["turn"] == 1


def test_lmsys_jsonl_fields() -> None:
    (c,), _ = convert("lmsys", orjson.dumps(lmsys_record(3)))
    assert c.conversation_id == "lm3" and c.model == "vicuna-13b" and c.user_key is None
    assert orjson.loads(c.metadata_json)["redacted"] is True


def _parquet(path: Path, records: list[dict]) -> Path:
    pq.write_table(pa.Table.from_pylist(records), path)
    return path


def test_wildchat_and_lmsys_parquet_and_jsonl_autodetected(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    wc = [wildchat_record(i) for i in range(5)]
    for r in wc:  # as the distributed Parquet holds them: real timestamps, not strings
        r["timestamp"] = datetime(2023, 5, 1, tzinfo=UTC)
        for t in r["conversation"]:
            t["timestamp"] = datetime(2023, 5, 1, tzinfo=UTC)
    _parquet(src / "wildchat.parquet", wc)
    _parquet(src / "lmsys.parquet", [lmsys_record(i) for i in range(4)])
    write_jsonl(src / "wildchat.jsonl", [wildchat_record(i + 100) for i in range(3)])
    write_jsonl(src / "lmsys.jsonl", [lmsys_record(i + 100) for i in range(2)])
    units, _ = discover([src])
    assert {Path(u.path).name: detect(u).short for u in units} == {
        "wildchat.parquet": "wildchat",
        "lmsys.parquet": "lmsys",
        "wildchat.jsonl": "wildchat",
        "lmsys.jsonl": "lmsys",
    }
    result = ingest([src], tmp_path / "hold", runner=LocalRunner(1), show_progress=False)
    assert result.conversations_by_format == {"lmsys": 6, "wildchat": 8}
    assert result.quarantined == 0
    convs = {c.conversation_id: c for c in table_to_conversations(Dataset.open(tmp_path / "hold").read())}
    assert convs["wc2"].user_key == "ip2" and convs["wc2"].created_at == datetime(2023, 5, 1, tzinfo=UTC)
    assert orjson.loads(convs["lm1"].metadata_json)["_ingest"]["position"] == "row 1"


def test_detection_order_and_unknown(tmp_path: Path) -> None:
    samples = {
        "a.json": [{"mapping": {}, "current_node": None, "conversation_id": "x", "title": "t"}],
        "b.jsonl": {"conversation_hash": "h", "conversation": []},
        "c.jsonl": {"conversation_id": "i", "conversation": []},
        "d.json": [{"id": "s", "conversations": [{"from": "human", "value": "v"}]}],
        "e.jsonl": {"messages": []},
        "f.json": {"something": "else"},
    }
    expected = {
        "a.json": "chatgpt",
        "b.jsonl": "wildchat",
        "c.jsonl": "lmsys",
        "d.json": "sharegpt",
        "e.jsonl": "openai-jsonl",
    }
    for name, obj in samples.items():
        (tmp_path / name).write_bytes(orjson.dumps(obj))
    units, _ = discover([tmp_path])
    found = {Path(u.path).name: (a.short if (a := detect(u)) else None) for u in units}
    assert found == {**expected, "f.json": None}


def test_a_source_field_named_like_the_provenance_cannot_spoof_it() -> None:
    record = {"id": "x", "_ingest": {"position": "forged"}, "messages": [{"role": "user", "content": "hi"}]}
    (c,), _ = convert("openai-jsonl", orjson.dumps(record))
    meta = orjson.loads(c.metadata_json)
    assert meta["_ingest"]["position"] == "line 1, byte 0"
    assert meta["source__ingest"] == {"position": "forged"}
