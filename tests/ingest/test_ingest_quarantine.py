"""Bad input is quarantined with a specific reason (never dropped, never a crash, never quoted)."""

from __future__ import annotations

import gzip
import hashlib
import re
from pathlib import Path

import orjson
import pyarrow.parquet as pq
import pytest
from ingest_helpers import chatgpt_conversation, convert, openai_record, write_jsonl

from sealroom.dataset import Dataset
from sealroom.errors import QuarantineError
from sealroom.ingest import REASON_CODES, ingest
from sealroom.runner import LocalRunner
from sealroom.schema import table_to_conversations

REPO = Path(__file__).resolve().parents[2]


def _ingest(src, out: Path, **kw):
    return ingest(src if isinstance(src, list) else [src], out, runner=LocalRunner(1), show_progress=False, **kw)


def _quarantine(out: Path) -> list[dict]:
    return Dataset.open(out).side("quarantine").read().to_pylist()


def test_truncated_chatgpt_export_keeps_complete_conversations(tmp_path: Path) -> None:
    data = orjson.dumps([chatgpt_conversation(cid=f"c{i}") for i in range(3)], option=orjson.OPT_INDENT_2)
    cut = data[: len(data) - 200]
    src = tmp_path / "conversations.json"
    src.write_bytes(cut)
    result = _ingest(src, tmp_path / "hold")
    assert result.conversations == 2
    (q,) = _quarantine(tmp_path / "hold")
    assert q["code"] == "truncated_json"
    assert q["record_sha256"] == hashlib.sha256(cut[q["byte_offset"] :].strip()).hexdigest()
    assert q["source_sha256"] == hashlib.sha256(cut).hexdigest()


def test_truncated_jsonl_line_does_not_swallow_the_next_lines(tmp_path: Path) -> None:
    lines = [orjson.dumps(openai_record(i)) for i in range(4)]
    lines[1] = lines[1][:40]
    src = tmp_path / "chat.jsonl"
    src.write_bytes(b"\n".join(lines) + b"\n")
    result = _ingest(src, tmp_path / "hold")
    assert result.conversations == 3
    (q,) = _quarantine(tmp_path / "hold")
    assert (q["code"], q["position"]) == ("truncated_json", f"line 2, byte {len(lines[0]) + 1}")


def test_invalid_utf8_is_quarantined(tmp_path: Path) -> None:
    lines = [orjson.dumps(openai_record(i)) for i in range(3)]
    lines[2] = lines[2].replace(b"question", b"quest\xff\xfeion")
    src = write_jsonl(tmp_path / "x.jsonl", [])
    src.write_bytes(b"\n".join(lines))
    result = _ingest(src, tmp_path / "hold")
    assert result.conversations == 2
    (q,) = _quarantine(tmp_path / "hold")
    assert q["code"] == "invalid_utf8" and q["position"].startswith("line 3")
    assert re.fullmatch(r"invalid UTF-8 at byte \d+ of the record", q["reason"])


def test_lone_surrogate_escape_is_invalid_utf8() -> None:
    _, (q,) = convert("openai-jsonl", b'{"messages": [{"role": "user", "content": "\\ud800"}]}')
    assert q.code == "invalid_utf8"


def test_garbage_and_non_objects(tmp_path: Path) -> None:
    convs, bad = convert("sharegpt", b'[{"id": "a", "conversations": []}, 17, "text", null]')
    assert [c.conversation_id for c in convs] == ["a"]
    assert [q.code for q in bad] == ["not_an_object"]
    _, bad = convert("openai-jsonl", b"this is not json\n")
    assert [q.code for q in bad] == ["invalid_json"]
    _, bad = convert("openai-jsonl", b"[" * 5000 + b"]" * 5000)
    assert [q.code for q in bad] == ["invalid_json"]  # nesting too deep for the parser


def test_a_50_mb_message_is_stored_intact(tmp_path: Path) -> None:
    big = "All work and no play. " * (50_000_000 // 22 + 1)
    conv = chatgpt_conversation()
    conv["mapping"]["a2"]["message"]["content"]["parts"] = [big]
    src = tmp_path / "conversations.json"
    src.write_bytes(orjson.dumps([conv, chatgpt_conversation(cid="next")]))
    result = _ingest(src, tmp_path / "hold")
    assert result.conversations == 2 and result.quarantined == 0
    c = table_to_conversations(Dataset.open(tmp_path / "hold").read())[0]
    stored = c.messages[-1].content
    assert len(stored) == len(big) >= 50_000_000
    assert hashlib.sha256(stored.encode()).digest() == hashlib.sha256(big.encode()).digest()


def test_unknown_format_file_is_quarantined_when_named_and_listed_when_walked(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    named = tmp_path / "src" / "user.json"
    named.write_bytes(b'{"email": "someone@example.org"}')
    result = _ingest(named, tmp_path / "hold")
    (q,) = _quarantine(tmp_path / "hold")
    assert (q["code"], q["position"], q["format"]) == ("unknown_format", "file", None)
    assert result.quarantine_by_reason == {"unknown_format": 1}
    walked = _ingest(tmp_path / "src", tmp_path / "hold2")
    assert walked.quarantined == 0
    (skipped,) = walked.step.manifest.extra["skipped_files"]
    assert (
        skipped["reason"] == "no known format" and skipped["sha256"] == hashlib.sha256(named.read_bytes()).hexdigest()
    )


def test_corrupt_gzip_is_quarantined(tmp_path: Path) -> None:
    src = tmp_path / "chat.jsonl.gz"
    src.write_bytes(gzip.compress(orjson.dumps(openai_record(1)))[:-12])
    result = _ingest(src, tmp_path / "hold", fmt="openai-jsonl")
    assert result.quarantine_by_reason == {"unreadable_file": 1}


def test_no_record_text_reaches_the_quarantine_or_the_manifest(tmp_path: Path) -> None:
    canary = "CANARY-7f3a-secret"
    records = [
        {"messages": [{"role": "wizard", "content": canary}]},
        {"messages": [{"role": "user", "content": [canary, 5]}]},
        {"conversations": canary},
    ]
    src = tmp_path / "x.jsonl"
    src.write_bytes(b"\n".join(orjson.dumps(r) for r in records) + b"\n{" + canary.encode() + b"\n")
    _ingest(src, tmp_path / "hold", fmt="openai-jsonl")
    rows = _quarantine(tmp_path / "hold")
    assert len(rows) == 4
    assert canary not in repr(rows)
    assert canary.encode() not in (tmp_path / "hold" / "_manifest.json").read_bytes()
    for shard in (tmp_path / "hold" / "quarantine").glob("*.parquet"):
        assert canary not in repr(pq.read_table(shard).to_pylist())


def test_strict_raises_after_finishing(tmp_path: Path) -> None:
    src = tmp_path / "x.jsonl"
    src.write_bytes(orjson.dumps(openai_record(1)) + b"\n{broken\n")
    with pytest.raises(QuarantineError) as info:
        _ingest(src, tmp_path / "hold", strict=True)
    assert info.value.exit_code == 6 and "invalid_json=1" in str(info.value)
    assert Dataset.open(tmp_path / "hold").rows == 1  # the hold is complete all the same


def test_reason_codes_are_documented() -> None:
    doc = (REPO / "docs" / "ingest.md").read_text()
    for code in REASON_CODES:
        assert f"`{code}`" in doc, code


def test_a_run_of_bad_lines_is_one_quarantine_row() -> None:
    good = orjson.dumps(openai_record(1))
    data = good + b"\n{broken\nstill broken\n" + good + b"\n"
    convs, (q,) = convert("openai-jsonl", data)
    assert len(convs) == 2
    assert (q.code, q.position.label) == ("invalid_json", f"lines 2-3, byte {len(good) + 1}")
    assert q.record_bytes == len(b"{broken\nstill broken")
