"""Small de-identified datasets with replacement logs and hits, written through the real runner.

The texts are invented. They model what deidentify and scan hand to produce: de-identified content,
``replacements`` whose ``out_start``/``out_end`` point into it, and ``hits`` re-mapped into it.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa

from sealroom.dataset.writer import TaskWriter
from sealroom.deid.schema import REPLACEMENT_SCHEMA
from sealroom.runner import LocalRunner, run_step
from sealroom.scan.schema import HITS_SCHEMA
from sealroom.schema import CONVERSATION_SCHEMA, Conversation, Message, conversation_row
from sealroom.step import Stats, Step, Task

SIGNALS_SCHEMA = pa.schema(
    [
        pa.field("conversation_id", pa.string(), nullable=False),
        pa.field("message_index", pa.int32(), nullable=False),
        pa.field("start", pa.int64(), nullable=False),
        pa.field("end", pa.int64(), nullable=False),
        pa.field("signal", pa.string(), nullable=False),
        pa.field("publisher", pa.string()),
    ]
)
ARTICLE = "The city council voted on Tuesday to approve the new transit plan after a long debate."
T0 = datetime(2023, 3, 1, 9, 30, tzinfo=UTC)


def _rep(cid: str, mi: int, text: str, value: str, label: str, op: str, original: str, nth: int = 0) -> dict[str, Any]:
    at = -1
    for _ in range(nth + 1):
        at = text.index(value, at + 1)
    return {
        "conversation_id": cid,
        "message_index": mi,
        "field": "content",
        "start": at,  # not the real input offset; produce does not read it for D's own hits
        "end": at + len(original),
        "out_start": at,
        "out_end": at + len(value),
        "label": label,
        "detector": "test.v1",
        "score": 1.0,
        "operator": op,
        "replacement": value,
        "original_encrypted": None,
    }


def conversations(n_extra: int = 0) -> tuple[list[Conversation], list[dict[str, Any]], list[dict[str, Any]]]:
    """Three hand-made conversations (plus ``n_extra`` plain ones), their replacements and hits."""
    u0 = "Hi, I am [PERSON_1a2b]. Write to [EMAIL_REDACTED] and finish this: The city council voted"
    a0 = f"Sure. {ARTICLE} That is all I know."
    c1 = Conversation(
        "conv-001",
        "test",
        T0,
        T0,
        "user-k1",
        "consumer",
        "gpt-4",
        "en",
        "Transit question",
        None,
        [
            Message(0, "n0", None, "user", u0, T0, None, True),
            Message(1, "n1", "n0", "assistant", a0, T0, "gpt-4", True),
        ],
    )
    u1 = "Tell me about þ thorns\nand ® marks."
    c2 = Conversation(
        "conv-002",
        "test",
        datetime(2023, 4, 2, 12, 0, 5, 250000, tzinfo=UTC),
        None,
        None,
        "consumer",
        None,
        "en",
        "Thorns",
        '{"k": 1}',
        [
            Message(0, "m0", None, "system", "You are helpful.", None, None, False),
            Message(1, "m1", "m0", "user", u1, None, None, True),
            Message(2, "m2", "m1", "assistant", "First draft.", None, "gpt-4o", False),
            Message(3, "m3", "m1", "assistant", "Thorns are sharp.", None, "gpt-4o", True),
            Message(4, "m4", "m3", "tool", "result: 42", None, None, True),
        ],
    )
    c3 = Conversation("conv-003", "test", None, None, None, None, None, None, None, None, [])
    convs = [c1, c2, c3]
    for i in range(n_extra):
        convs.append(
            Conversation(
                f"conv-x{i:05d}",
                "test",
                T0,
                T0,
                None,
                None,
                "gpt-4",
                "en",
                f"t{i}",
                None,
                [
                    Message(0, "a", None, "user", f"question {i} " * 20, T0, None, True),
                    Message(1, "b", "a", "assistant", f"answer {i} " * 60, T0, "gpt-4", True),
                ],
            )
        )
    reps = [
        _rep("conv-001", 0, u0, "[PERSON_1a2b]", "PERSON", "pseudonymize", "Jane Roe"),
        _rep("conv-001", 0, u0, "[EMAIL_REDACTED]", "EMAIL", "redact", "jane.roe@example.org"),
    ]
    start = a0.index(ARTICLE)
    hits = [
        {
            "conversation_id": "conv-001",
            "message_index": 1,
            "role": "assistant",
            "start": start,
            "end": start + len(ARTICLE),
            "article_id": "news-1916-0001",
            "article_start": 0,
            "article_end": len(ARTICLE),
            "words": len(ARTICLE.split()),
            "kind": "verbatim",
            "similarity": 1.0,
            "origin": "continued",
        }
    ]
    return convs, reps, hits


class FixtureStep(Step):
    """Writes given conversations (and logs) as a deidentify-like dataset, ``per_shard`` per shard."""

    stage = "deidentify"
    outputs = {"main": CONVERSATION_SCHEMA, "replacements": REPLACEMENT_SCHEMA, "hits": HITS_SCHEMA}

    def __init__(self, convs: list[Conversation], reps: list[dict], hits: list[dict], per_shard: int) -> None:
        self.rows = [conversation_row(c) for c in convs]
        self.reps = reps
        self.hits = hits
        self.per_shard = per_shard

    def config(self) -> dict[str, Any]:
        return {"n": len(self.rows), "per_shard": self.per_shard}

    def inputs(self) -> list[dict[str, Any]]:
        return []

    def plan(self) -> list[Task]:
        n = max(1, -(-len(self.rows) // self.per_shard))
        return [Task(f"{i:05d}", i) for i in range(n)]

    def process(self, task: Task, out: TaskWriter) -> Stats:
        rows = self.rows[task.payload * self.per_shard : (task.payload + 1) * self.per_shard]
        ids = {r["conversation_id"] for r in rows}
        out.write("main", pa.Table.from_pylist(rows, schema=CONVERSATION_SCHEMA))
        out.write(
            "replacements",
            pa.Table.from_pylist([r for r in self.reps if r["conversation_id"] in ids], REPLACEMENT_SCHEMA),
        )
        out.write("hits", pa.Table.from_pylist([h for h in self.hits if h["conversation_id"] in ids], HITS_SCHEMA))
        return Stats(rows=len(rows))


def write_dataset(path: Path, n_extra: int = 0, per_shard: int = 2) -> Path:
    convs, reps, hits = conversations(n_extra)
    run_step(FixtureStep(convs, reps, hits, per_shard), path, LocalRunner(1), show_progress=False)
    return path


def write_key(path: Path, text: str = "produce-test-key-0123456789abcdef") -> Path:
    path.write_text(text + "\n")
    return path
